//! `?dryRun=true` on `POST /v2/user` and `POST /v2/users` (docs/change-api.md, "Dry runs"): every check of
//! the real request, nothing written (no stream record, no vault write, no status record, no pending mark),
//! per-attribute verdicts with their publishers and no stored value, and exactly the rejection the real
//! request would get.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_identity_vault::ProfileReader;
use cis_profile::Publisher;
use common::*;
use http::Method;
use serde_json::{Value, json};

async fn dry(app: &TestApp, path: &str, body: &Value) -> Answer {
    app.write(Method::POST, &format!("{path}?dryRun=true"), body)
        .await
}

fn verdicts(body: &Value) -> Vec<(String, String, String)> {
    assert!(body["attributes"].is_array(), "{body}");
    body["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_string(),
                a["change"].as_str().unwrap().to_string(),
                a["publisher"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_dry_run_says_what_would_change_and_writes_nothing() {
    let app = spawn_direct_app();
    let user = "ad|Mozilla-LDAP|dryrun";
    let create = new_user(user).to_value();
    let answer = dry(&app, "/v2/user", &create).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    let body = answer.json();
    assert_eq!(
        (body["dry_run"].as_bool(), body["condition"].as_str()),
        (Some(true), Some("create"))
    );
    assert!(body["sequence_number"].is_null());
    let created = verdicts(&body);
    assert!(
        created.contains(&("first_name".into(), "create".into(), "ldap".into())),
        "{created:?}"
    );
    assert!(created.iter().all(|(_, change, _)| change == "create"));
    assert!(
        app.vault.is_empty() && app.envelopes().is_empty(),
        "nothing written"
    );

    assert_accepted(&app.post_user(&create).await, "create", user);
    let update = with(
        &new_user(user),
        "first_name",
        Publisher::Mozilliansorg,
        json!("Janet"),
    )
    .to_value();
    let body = dry(&app, "/v2/user", &update).await.json();
    let v = verdicts(&body);
    assert!(
        v.contains(&("first_name".into(), "update".into(), "mozilliansorg".into())),
        "{v:?}"
    );
    assert!(
        v.contains(&("primary_email".into(), "unchanged".into(), "ldap".into())),
        "{v:?}"
    );
    assert!(
        !body.to_string().contains("Jane"),
        "no stored value in the answer: {body}"
    );
    let noop = dry(&app, "/v2/user", &create).await.json();
    assert_eq!(
        (noop["status_code"].as_u64(), noop["condition"].as_str()),
        (Some(202), Some("noop"))
    );
    // The user is still as created.
    let stored = app
        .vault
        .get(&cis_identity_vault::Lookup::UserId(user.into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, Some(1));
    assert_eq!(
        stored
            .profile
            .attr(cis_profile::AttrPath::FIRST_NAME)
            .unwrap()
            .payload(),
        &json!("Jane")
    );
}

#[tokio::test]
async fn a_dry_run_is_refused_exactly_as_the_real_request_would_be() {
    let app = spawn_app();
    let user = "ad|Mozilla-LDAP|parity";
    let good = new_user(user);
    let mut forged = good.to_value();
    forged["first_name"]["value"] = json!("Mallory");
    let title = cis_profile::AttrPath::parse("staff_information.title").unwrap();
    let by_wrong_publisher = with(
        &good,
        "staff_information.title",
        non_creator(title),
        json!("CEO"),
    )
    .to_value();
    let no_active = {
        let mut v = good.to_value();
        v["active"]["value"] = Value::Null;
        v
    };
    let cases = [
        ("a tampered signature", forged),
        ("a publisher the rules refuse", by_wrong_publisher),
        ("a new user without active", no_active),
        ("not a profile", json!({"user_id": 7})),
        ("not an object", json!([1, 2])),
    ];
    for (what, body) in cases {
        let dry_answer = dry(&app, "/v2/user", &body).await;
        let real = app.post_user(&body).await;
        assert_eq!(
            dry_answer.status,
            real.status,
            "{what}: {} vs {}",
            dry_answer.text(),
            real.text()
        );
        assert_ne!(real.status.as_u16(), 200, "{what}");
        assert_eq!(dry_answer.json()["code"], real.json()["code"], "{what}");
    }
    let bad = app
        .write(Method::POST, "/v2/user?dryRun=maybe", &good.to_value())
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json()["code"].as_str()),
        (400, Some("invalid_request"))
    );
    // Without the write scope, a dry run is refused like the real request.
    let reader = app.bearer(&["read:fullprofile"]);
    let refused = app
        .send(
            Method::POST,
            "/v2/user?dryRun=true",
            Some(&reader),
            Some(good.to_value().to_string().into_bytes()),
            Some("application/json"),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 403);
    assert!(app.envelopes().is_empty(), "no stream record");
}

#[tokio::test]
async fn a_batch_dry_run_gives_one_verdict_per_item_and_the_batch_status() {
    let app = spawn_app();
    let a = new_user("ad|Mozilla-LDAP|batch-a").to_value();
    let mut b = new_user("ad|Mozilla-LDAP|batch-b").to_value();
    b["first_name"]["value"] = json!("tampered");
    let answer = dry(&app, "/v2/users", &json!([a, b])).await;
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text());
    let items = answer.json();
    assert_eq!(items[0]["condition"], "create");
    assert_eq!(items[0]["dry_run"], true);
    assert_eq!(items[1]["status_code"], 403);
    assert!(app.envelopes().is_empty() && app.vault.is_empty());
}
