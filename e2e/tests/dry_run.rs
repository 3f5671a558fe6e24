//! Dry runs against a real `cis serve` (docs/change-api.md, "Dry runs"): 100 dry-run requests — creates,
//! updates, no-ops, refusals, batches — leave the vault file's profiles, status records, outbox (the local
//! change stream), pending marks and events exactly as they were; `cis publish --dry-run` shows the verdict
//! and the attributes per profile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_e2e::profiles::{ldap_user_id, new_staff_user, signed_by, update};
use cis_e2e::{Service, cis};
use cis_profile::Publisher;
use serde_json::{Value, json};

/// Every row of the tables a change could touch, as text.
fn snapshot(service: &Service) -> Vec<String> {
    let path = service.data_dir().join("vault.sqlite3");
    let db =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut rows = Vec::new();
    for table in ["profiles", "status", "outbox", "pending", "events"] {
        let mut stmt = db
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
            .unwrap();
        let columns = stmt.column_count();
        let mut query = stmt.query([]).unwrap();
        while let Some(row) = query.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            rows.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    rows
}

#[tokio::test]
async fn a_hundred_dry_runs_leave_the_vault_the_stream_and_the_status_records_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let write = service.token("write");
    let ldap = service.publisher_key(Publisher::Ldap);
    let user_id = ldap_user_id("dry", 1);
    let created = signed_by(new_staff_user(&user_id, 51), Publisher::Ldap, &ldap, None);
    api.publish_processed(&write, &created.to_value(), "create")
        .await;
    let before = snapshot(&service);
    assert!(
        before.iter().any(|r| r.starts_with("profiles: ")),
        "{before:?}"
    );

    let mozillians = service.publisher_key(Publisher::Mozilliansorg);
    let http = reqwest::Client::new();
    let mut bodies: Vec<(&str, Value)> = Vec::new();
    for n in 0..100u64 {
        let body = match n % 5 {
            0 => signed_by(
                new_staff_user(&ldap_user_id("dry-new", n as usize), 100 + n),
                Publisher::Ldap,
                &ldap,
                None,
            )
            .to_value(),
            1 => update(
                &created,
                Publisher::Mozilliansorg,
                &mozillians,
                &[("fun_title", json!(format!("Title {n}")))],
            )
            .to_value(),
            2 => created.to_value(),
            3 => {
                let mut forged = created.to_value();
                forged["first_name"]["value"] = json!("Mallory");
                forged
            }
            _ => json!([created.to_value()]),
        };
        bodies.push((if n % 5 == 4 { "/v2/users" } else { "/v2/user" }, body));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for (path, body) in &bodies {
        let reply = http
            .post(format!("{}{path}?dryRun=true", service.change_url))
            .bearer_auth(&write)
            .json(body)
            .send()
            .await
            .unwrap();
        *statuses.entry(reply.status().as_u16()).or_insert(0) += 1;
    }
    assert_eq!(statuses.get(&200), Some(&80), "{statuses:?}");
    assert_eq!(
        statuses.get(&403),
        Some(&20),
        "the forged ones: {statuses:?}"
    );
    assert_eq!(snapshot(&service), before, "a dry run wrote something");

    // cis publish --dry-run: the verdict and the attributes, nothing written.
    let file = dir.path().join("change.json");
    let change = update(
        &created,
        Publisher::Mozilliansorg,
        &mozillians,
        &[("fun_title", json!("Dry Runner"))],
    );
    std::fs::write(&file, change.to_json()).unwrap();
    let out = cis([
        "publish".as_ref(),
        "--publisher".as_ref(),
        "mozilliansorg".as_ref(),
        "--update".as_ref(),
        "--dry-run".as_ref(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
        file.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("would update (dry run, nothing written)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("update    fun_title (signed by mozilliansorg)"),
        "{stdout}"
    );
    assert_eq!(snapshot(&service), before);
}
