//! `GET /v2/status` (docs/contract/change-api.md §9): processed, noop, failed, unknown, the historic fallback, and the
//! missing parameter.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, StatusError, StatusRecord, StatusStore,
};
use common::*;
use serde_json::json;

async fn status_of(app: &TestApp, number: &str) -> serde_json::Value {
    let answer = app
        .get(
            &format!("/v2/status?sequenceNumber={number}"),
            Some(&app.bearer(&[])),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    answer.json()
}

#[tokio::test]
async fn a_change_stored_in_direct_mode_is_processed() {
    let app = spawn_direct_app();
    let profile = new_profile_json(90);
    let number = app.post_user(&profile).await.json()["sequence_number"]
        .as_str()
        .unwrap()
        .to_string();
    let status = status_of(&app, &number).await;
    assert_eq!(status["identity_vault"], true);
    assert_eq!(status["sequence_number"], number);
    assert_eq!(status["state"], "processed");
    assert_eq!(status["condition"], "create");
    assert_eq!(status["user_id"], user_id_of(&profile));
    assert!(status["processed_at"].as_str().unwrap().ends_with('Z'));
    assert!(status.get("error").is_none());
}

#[tokio::test]
async fn a_change_queued_in_stream_mode_is_unknown_until_processed() {
    let app = spawn_app();
    let number = app.post_user(&new_profile_json(91)).await.json()["sequence_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        status_of(&app, &number).await,
        json!({"identity_vault": false, "sequence_number": number, "state": "unknown"})
    );
}

#[tokio::test]
async fn a_number_never_issued_is_unknown() {
    let app = spawn_app();
    assert_eq!(
        status_of(&app, "9999").await,
        json!({"identity_vault": false, "sequence_number": "9999", "state": "unknown"})
    );
}

#[tokio::test]
async fn a_failed_change_reports_its_error() {
    let app = spawn_app();
    let record = StatusRecord {
        sequence_number: "77".into(),
        user_id: "ad|Mozilla-LDAP|jdoe".into(),
        state: ChangeState::Failed,
        condition: Condition::Update,
        processed_at: "2026-11-23T08:00:00.123Z".into(),
        version: None,
        source: ChangeSource::Stream,
        error: Some(StatusError {
            code: "invalid_publisher".into(),
            description: "[update] ldap is NOT allowed to publish field first_name".into(),
        }),
        expires_at: None,
        origin: Default::default(),
    };
    app.vault.put_status(record).await.unwrap();
    let status = status_of(&app, "77").await;
    assert_eq!(status["identity_vault"], false);
    assert_eq!(status["state"], "failed");
    assert_eq!(
        status["error"],
        json!({"code": "invalid_publisher", "description": "[update] ldap is NOT allowed to publish field first_name"})
    );
}

#[tokio::test]
async fn a_noop_record_counts_as_in_the_vault() {
    let app = spawn_app();
    let record = StatusRecord {
        sequence_number: "78".into(),
        user_id: "u".into(),
        state: ChangeState::Noop,
        condition: Condition::Update,
        processed_at: "2026-11-23T08:00:00.123Z".into(),
        version: None,
        source: ChangeSource::Stream,
        error: None,
        expires_at: None,
        origin: Default::default(),
    };
    app.vault.put_status(record).await.unwrap();
    let status = status_of(&app, "78").await;
    assert_eq!(
        (status["identity_vault"].as_bool(), status["state"].as_str()),
        (Some(true), Some("noop"))
    );
}

#[tokio::test]
async fn a_number_the_original_wrote_is_found_through_the_vault_index() {
    let app = spawn_app();
    let direct = spawn_direct_app();
    let profile = new_profile_json(92);
    let user = user_id_of(&profile);
    assert_eq!(direct.post_user(&profile).await.status.as_u16(), 200);
    let stored = direct.vault.item(&user).unwrap().stored.profile;
    app.vault
        .insert_unversioned(stored, Some("31415926535".into()))
        .unwrap();
    let status = status_of(&app, "31415926535").await;
    assert_eq!(
        status,
        json!({"identity_vault": true, "sequence_number": "31415926535", "state": "processed", "user_id": user})
    );
}

#[tokio::test]
async fn status_without_a_sequence_number_is_400_invalid_request() {
    let app = spawn_app();
    let auth = app.bearer(&[]);
    for uri in [
        "/v2/status",
        "/v2/status?sequenceNumber=",
        "/v2/status?other=1",
    ] {
        app.get(uri, Some(&auth))
            .await
            .assert_error(400, "invalid_request");
    }
}

#[tokio::test]
async fn status_is_503_when_the_vault_is_down() {
    let app = spawn_app();
    app.vault
        .fail_next(cis_identity_vault::VaultError::unavailable("down"));
    let answer = app
        .get("/v2/status?sequenceNumber=5", Some(&app.bearer(&[])))
        .await;
    answer.assert_error(503, "backend_unavailable");
}
