//! `GET /v2/status`: what a publisher polling for its changes sees — `unknown` until the processor stored
//! the change, then `processed`, never anything in between; `unknown` for numbers never issued; `failed`
//! with the reason when the processor refuses a change against the profile stored by then.

use cis_e2e::Service;
use cis_e2e::profiles::{forge, ldap_user_id, new_staff_user, payload, signed_by, unsigned_update};
use cis_profile::Publisher;
use serde_json::json;

#[tokio::test]
async fn a_fresh_change_is_unknown_or_processed_while_polled_and_ends_processed() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let write = service.token("write");
    let key = service.publisher_key(Publisher::Ldap);

    let mut changes = Vec::new();
    for n in 0..5 {
        let user_id = ldap_user_id("status", n);
        let profile = signed_by(
            new_staff_user(&user_id, n as u64),
            Publisher::Ldap,
            &key,
            None,
        );
        let reply = api.post_user(Some(&write), &profile.to_value()).await;
        changes.push((user_id, api.accepted(&reply, "create")));
    }
    for (user_id, number) in &changes {
        let mut seen = Vec::new();
        let record = api.wait_status(&write, number, &mut seen).await;
        assert!(
            seen.iter().all(|s| s == "unknown" || s == "processed"),
            "{number}: {seen:?}"
        );
        assert_eq!(record["state"], "processed", "{record}");
        assert_eq!(record["identity_vault"], true);
        assert_eq!(record["sequence_number"], number.as_str());
        assert_eq!(record["condition"], "create");
        assert_eq!(record["user_id"], user_id.as_str());
        assert!(
            record["processed_at"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{record}"
        );
        // A record is final: asking again gives the same answer.
        assert_eq!(api.status(Some(&write), number).await.body, record);
    }
}

#[tokio::test]
async fn a_sequence_number_never_issued_is_unknown_and_the_route_needs_a_token_and_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    // Any valid token may ask, whatever its scopes.
    let token = service.token("classification:public display:public");

    let reply = api
        .status(Some(&token), "123456789012345678901234567890")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.str("state"), "unknown");
    assert_eq!(reply.body["identity_vault"], false);

    assert_eq!(api.status(None, "1").await.status, 401);
    let missing = api
        .send(
            reqwest::Method::GET,
            &format!("{}/v2/status", api.change_url),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert_eq!(missing.str("code"), "invalid_request");
}

#[tokio::test]
async fn a_change_the_processor_refuses_against_the_stored_profile_is_failed_with_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::start(dir.path(), &["--hold-processing"]);
    let api = service.api();
    let write = service.token("write");
    let key = service.publisher_key(Publisher::Ldap);
    let user_id = ldap_user_id("refused", 1);

    // Two creates of the same user while nothing is stored. The second comes behind the pending first, so it
    // is accepted as an update and judged by the processor: once the first is stored, it changes first_name
    // as ldap, which the rules forbid.
    let first = signed_by(new_staff_user(&user_id, 9), Publisher::Ldap, &key, None);
    let first_number = api.accepted(
        &api.post_user(Some(&write), &first.to_value()).await,
        "create",
    );
    let second = unsigned_update(
        &first,
        &[("first_name", json!("Mallory")), ("active", json!(true))],
    );
    let second = forge(
        second,
        Publisher::Ldap,
        &key,
        &["user_id", "first_name", "active"],
    );
    let second_number = api.accepted(
        &api.post_user(Some(&write), &second.to_value()).await,
        "update",
    );
    for number in [&first_number, &second_number] {
        assert_eq!(
            api.status(Some(&write), number).await.str("state"),
            "unknown",
            "held"
        );
    }

    service.restart(&[]);
    api.wait_processed(&write, &first_number).await;
    let record = api
        .wait_status(&write, &second_number, &mut Vec::new())
        .await;
    assert_eq!(record["state"], "failed", "{record}");
    assert_eq!(record["identity_vault"], false);
    assert_eq!(record["user_id"], user_id.as_str());
    assert_eq!(record["error"]["code"], "invalid_publisher", "{record}");
    assert_eq!(
        record["error"]["description"],
        "[update] ldap is NOT allowed to publish field first_name"
    );

    let stored = api
        .read_user(&service.token("read:fullprofile display:all"), &user_id)
        .await;
    assert_eq!(payload(&stored, "first_name"), Some(&json!("Ada")));
}
