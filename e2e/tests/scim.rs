//! The read-only SCIM endpoint of a real `cis serve` (docs/scim.md), checked by independent SCIM
//! software: e2e/scim/check_read.py runs scim2-tester's discovery and misc checks (no error), its
//! creation checks (each refused as read-only) and scim2-client's validated reads (list, by id,
//! If-None-Match, filters, paging, attributes, groups) — with a full-profile token and a public one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_e2e::Service;
use cis_e2e::profiles::{ldap_user_id, new_staff_user, signed_by};
use cis_profile::Publisher;
use std::process::Command;

#[tokio::test]
#[ignore = "needs scim2-tester and scim2-client (PyPI; ci/test.sh installs them)"]
async fn an_independent_scim_checker_finds_no_error_on_the_read_paths() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let token = service.token_as("ldap-publisher", "write");
    let key = service.publisher_key(Publisher::Ldap);
    for n in 0..8 {
        let profile = signed_by(
            new_staff_user(&ldap_user_id("scim", n), 40 + n as u64),
            Publisher::Ldap,
            &key,
            None,
        );
        api.publish_processed(&token, &profile.to_value(), "create")
            .await;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scim/check_read.py");
    for scopes in [
        "read:fullprofile display:all",
        "classification:public display:public",
    ] {
        let output = Command::new("python3")
            .arg(script)
            .arg(format!("{}/scim/v2", service.person_url))
            .env("SCIM_TOKEN", service.token(scopes))
            .output()
            .expect("python3");
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{scopes}: {report}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!(report["users"], 8, "{report}");
        assert!(report["writes_reported_unsupported"].as_u64() >= Some(1));
    }
}
