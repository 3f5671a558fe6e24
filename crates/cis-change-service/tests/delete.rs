//! `DELETE /v2/user` (docs/contract/change-api.md §7): disabled by default, permission on `active`, 404 for unknown
//! users, direct and stream hand-off.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::Op;
use cis_profile::{AttrPath, Publisher};
use common::*;
use http::Method;
use serde_json::json;

fn deleting(direct: bool) -> TestApp {
    spawn_app_with(Options {
        direct,
        allow_delete: true,
        ..Options::default()
    })
}

#[tokio::test]
async fn delete_is_403_when_deletes_are_disabled() {
    let app = spawn_direct_app();
    let profile = new_profile_json(80);
    assert_eq!(app.post_user(&profile).await.status.as_u16(), 200);
    let description = app
        .write(Method::DELETE, "/v2/user", &profile)
        .await
        .assert_error(403, "delete_disabled");
    assert_eq!(
        description,
        "Deleting profiles is disabled in this environment"
    );
    assert_eq!(app.vault.len(), 1);
}

#[tokio::test]
async fn delete_in_direct_mode_removes_the_user_and_answers_the_original_keys() {
    let app = deleting(true);
    let profile = new_profile_json(81);
    let user = user_id_of(&profile);
    assert_eq!(app.post_user(&profile).await.status.as_u16(), 200);
    let answer = app.write(Method::DELETE, "/v2/user", &profile).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    let body = answer.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["status", "message", "condition", "sequence_number"]);
    assert_eq!(body["status"], 200);
    assert_eq!(
        body["message"],
        format!("user profile deleted for user: {user}")
    );
    assert_eq!(body["condition"], "delete");
    assert!(app.vault.item(&user).is_none());
    let number = body["sequence_number"].as_str().unwrap();
    let status = app
        .get(
            &format!("/v2/status?sequenceNumber={number}"),
            Some(&app.writer()),
        )
        .await
        .json();
    assert_eq!(
        (status["state"].as_str(), status["condition"].as_str()),
        (Some("processed"), Some("delete"))
    );
}

#[tokio::test]
async fn delete_of_an_unknown_user_is_404_user_not_found() {
    for direct in [true, false] {
        let app = deleting(direct);
        let profile = new_profile_json(82);
        let description = app
            .write(Method::DELETE, "/v2/user", &profile)
            .await
            .assert_error(404, "user_not_found");
        assert_eq!(
            description,
            format!("no profile for user: {}", user_id_of(&profile))
        );
        assert!(app.stream.is_empty());
    }
}

#[tokio::test]
async fn delete_needs_active_claimed_by_a_publisher_allowed_to_change_it() {
    let app = deleting(true);
    let profile = new_profile_json(83);
    let user = user_id_of(&profile);
    assert_eq!(app.post_user(&profile).await.status.as_u16(), 200);
    let mut body = new_profile(83);
    set_signed(
        &mut body,
        AttrPath::ACTIVE,
        json!(false),
        Publisher::Mozilliansorg,
        &publisher_key(),
    );
    let description = app
        .write(Method::DELETE, "/v2/user", &body.into_value())
        .await
        .assert_error(403, "invalid_publisher");
    assert_eq!(
        description,
        "[delete] mozilliansorg is NOT allowed to publish field active"
    );
    assert!(app.vault.item(&user).is_some());
}

#[tokio::test]
async fn delete_checks_the_signatures_of_the_claims_it_rests_on() {
    let app = deleting(true);
    // `active` is what a delete's permission rests on: a tampered one is refused before anything else.
    let mut body = new_profile_json(85);
    body["active"]["value"] = json!(false);
    app.write(Method::DELETE, "/v2/user", &body)
        .await
        .assert_error(403, "invalid_signature");
    // The rest of the body is not used by a delete, so it is not verified: the user is simply unknown.
    let mut body = new_profile_json(86);
    body["first_name"]["value"] = json!("Mallory");
    app.write(Method::DELETE, "/v2/user", &body)
        .await
        .assert_error(404, "user_not_found");
}

#[tokio::test]
async fn delete_in_stream_mode_appends_a_delete_envelope() {
    let app = deleting(false);
    let profile = new_profile_json(84);
    let user = user_id_of(&profile);
    // Store the user first through a direct-mode app sharing nothing but the vault contents.
    let direct = spawn_direct_app();
    assert_eq!(direct.post_user(&profile).await.status.as_u16(), 200);
    let stored = direct.vault.item(&user).unwrap().stored;
    app.vault
        .insert_unversioned(stored.profile, stored.sequence_number)
        .unwrap();

    let answer = app.write(Method::DELETE, "/v2/user", &profile).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    let number = answer.json()["sequence_number"]
        .as_str()
        .unwrap()
        .to_string();
    let envelopes = app.envelopes();
    assert_eq!(envelopes.len(), 1);
    assert_eq!(
        (envelopes[0].op, envelopes[0].user_id.as_str()),
        (Op::Delete, user.as_str())
    );
    assert_eq!(envelopes[0].sequence_number, number);
    assert!(
        app.vault.item(&user).is_some(),
        "the processor deletes later"
    );
}

#[tokio::test]
async fn delete_with_a_mismatching_query_user_id_is_400() {
    let app = deleting(true);
    app.write(
        Method::DELETE,
        "/v2/user?user_id=somebody",
        &new_profile_json(85),
    )
    .await
    .assert_error(400, "integration_exception");
}
