//! Batches: 100 profiles in one `POST /v2/users` (one verdict and one sequence number per profile, in
//! order, all processed, all listed by `/v2/users/id/all`), and `cis publish` doing the same from the
//! command line with profiles from `cis profile fake`.

use cis_e2e::api::is_sequence_number;
use cis_e2e::profiles::{LDAP_PREFIX, ldap_user_id, new_staff_user, payload, signed_by};
use cis_e2e::{Service, cis};
use cis_profile::Publisher;
use serde_json::Value;
use std::collections::BTreeSet;

const FULL: &str = "read:fullprofile display:all";

#[tokio::test]
async fn a_batch_of_100_profiles_gets_100_verdicts_in_order_and_every_user_is_processed_and_listed()
{
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let write = service.token("write");
    let key = service.publisher_key(Publisher::Ldap);
    let user_ids: Vec<String> = (0..100).map(|n| ldap_user_id("batch", n)).collect();
    let profiles: Vec<Value> = user_ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            signed_by(new_staff_user(id, n as u64), Publisher::Ldap, &key, None).to_value()
        })
        .collect();

    let reply = api.post_users(Some(&write), &profiles).await;
    assert_eq!(reply.status, 200, "{}\n{}", reply.body, api.log_tail());
    let verdicts = reply.body.as_array().expect("an array of verdicts");
    assert_eq!(verdicts.len(), 100);
    let mut numbers = BTreeSet::new();
    for (verdict, user_id) in verdicts.iter().zip(&user_ids) {
        assert_eq!(
            verdict["user_id"],
            user_id.as_str(),
            "verdicts are in input order"
        );
        assert_eq!(verdict["status_code"], 200, "{verdict}");
        assert_eq!(verdict["condition"], "create", "{verdict}");
        let number = verdict["sequence_number"].as_str().unwrap_or_default();
        assert!(is_sequence_number(number), "{verdict}");
        numbers.insert(number.to_string());
    }
    assert_eq!(
        numbers.len(),
        100,
        "each profile has its own sequence number"
    );

    for number in &numbers {
        let record = api.wait_processed(&write, number).await;
        assert_eq!(record["identity_vault"], true);
    }

    let listed = api.all_ids(&service.token(FULL), "ad").await;
    let listed_ids: BTreeSet<&str> = listed
        .iter()
        .filter_map(|e| e["user_id"].as_str())
        .collect();
    let expected: BTreeSet<&str> = user_ids.iter().map(String::as_str).collect();
    assert_eq!(listed.len(), 100, "no user twice");
    assert_eq!(listed_ids, expected);
    for entry in &listed {
        assert!(
            entry["uuid"].as_str().is_some_and(|u| u.len() == 36),
            "{entry}"
        );
        assert_eq!(entry["active"], true, "{entry}");
    }
    assert!(listed_ids.iter().all(|id| id.starts_with(LDAP_PREFIX)));
}

#[tokio::test]
async fn cis_publish_sends_fake_profiles_in_one_batch_and_waits_until_each_is_processed() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let fake = cis(["profile", "fake", "--seed", "11", "--count", "20"]);
    assert!(
        fake.status.success(),
        "{}",
        String::from_utf8_lossy(&fake.stderr)
    );
    let text = String::from_utf8(fake.stdout).unwrap();
    let user_ids: Vec<String> = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|p| {
            assert!(p["uuid"]["value"].is_null() && p["primary_username"]["value"].is_null());
            assert_eq!(p["active"]["value"], true);
            p["user_id"]["value"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(user_ids.len(), 20);
    assert_eq!(
        user_ids.iter().collect::<BTreeSet<_>>().len(),
        20,
        "fake user ids must be distinct"
    );
    let file = dir.path().join("fake.jsonl");
    std::fs::write(&file, &text).unwrap();

    let out = cis([
        "publish".as_ref(),
        "--publisher".as_ref(),
        "ldap".as_ref(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
        "--wait".as_ref(),
        "--batch-size".as_ref(),
        "20".as_ref(),
        file.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = format!(
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{report}\nlog:\n{}",
        service.api().log_tail()
    );
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 20, "{report}");
    for (n, (fields, user_id)) in lines.iter().zip(&user_ids).enumerate() {
        assert!(fields.len() >= 3, "{report}");
        assert_eq!(fields[0], (n + 1).to_string(), "{report}");
        assert_eq!(fields[1], "processed", "{report}");
        assert_eq!(fields[2], user_id, "{report}");
    }

    let api = service.api();
    let reader = service.token(FULL);
    for user_id in &user_ids {
        let profile = api.read_user(&reader, user_id).await;
        assert_eq!(
            payload(&profile, "user_id").and_then(Value::as_str),
            Some(user_id.as_str())
        );
    }
}
