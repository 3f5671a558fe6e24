//! Deletes (change-api.md §7): permission on `active`, unknown users, the conditional delete and its status.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_identity_vault::{ChangeSource, ChangeState, Condition, StatusStore};
use cis_processor::Outcome;
use cis_profile::{AttrPath, Profile, Publisher};
use common::*;
use serde_json::json;

const JDOE: &str = "ad|Mozilla-LDAP|jdoe";

/// What a directory publisher sends to delete a user: user_id and its `active` claim.
fn delete_body(publisher: Publisher) -> Profile {
    change(JDOE, "active", publisher, json!(false))
}

#[tokio::test]
async fn a_directory_publisher_deletes_a_stored_user() {
    let (vault, pipeline) = memory_pipeline();
    pipeline
        .apply_upsert(&new_user(JDOE), JDOE, "1", ChangeSource::Direct)
        .await
        .unwrap();
    pipeline
        .check_delete(&delete_body(Publisher::Hris), JDOE)
        .await
        .unwrap();
    let outcome = pipeline
        .apply_delete(
            &delete_body(Publisher::Hris),
            JDOE,
            "2",
            ChangeSource::Direct,
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Written {
            condition: Condition::Delete,
            version: None
        }
    );
    assert!(vault.item(JDOE).is_none());
    let status = vault.get_status("2").await.unwrap().unwrap();
    assert_eq!(
        (status.state, status.condition),
        (ChangeState::Processed, Condition::Delete)
    );
}

#[tokio::test]
async fn deleting_an_unknown_user_is_404() {
    let (_, pipeline) = memory_pipeline();
    let err = pipeline
        .apply_delete(
            &delete_body(Publisher::Ldap),
            JDOE,
            "2",
            ChangeSource::Direct,
        )
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (404, "user_not_found"));
    assert_eq!(
        err.description(),
        "no profile for user: ad|Mozilla-LDAP|jdoe"
    );
    assert!(err.is_user_not_found());
}

#[tokio::test]
async fn a_publisher_that_may_not_change_active_may_not_delete() {
    let (vault, pipeline) = memory_pipeline();
    pipeline
        .apply_upsert(&new_user(JDOE), JDOE, "1", ChangeSource::Direct)
        .await
        .unwrap();
    let err = pipeline
        .apply_delete(
            &delete_body(Publisher::Mozilliansorg),
            JDOE,
            "2",
            ChangeSource::Direct,
        )
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (403, "invalid_publisher"));
    assert_eq!(
        err.description(),
        "[delete] mozilliansorg is NOT allowed to publish field active"
    );
    assert!(vault.item(JDOE).is_some());
}

#[tokio::test]
async fn a_delete_without_an_active_claim_is_refused() {
    let (_, pipeline) = memory_pipeline();
    pipeline
        .apply_upsert(&new_user(JDOE), JDOE, "1", ChangeSource::Direct)
        .await
        .unwrap();
    let body = change(JDOE, "first_name", Publisher::Mozilliansorg, json!("x"));
    let err = pipeline.check_delete(&body, JDOE).await.unwrap_err();
    assert_eq!(err.code(), "invalid_publisher");
    assert!(
        err.description().ends_with("field active"),
        "{}",
        err.description()
    );
    let mut no_user = delete_body(Publisher::Ldap);
    no_user.set_attr(
        AttrPath::USER_ID,
        Profile::null().attr_or_null(AttrPath::USER_ID),
    );
    assert_eq!(
        pipeline
            .check_delete(&no_user, JDOE)
            .await
            .unwrap_err()
            .code(),
        "invalid_publisher"
    );
}

#[tokio::test]
async fn a_delete_with_a_bad_signature_is_rejected_before_permission() {
    let (_, pipeline) = memory_pipeline();
    let body = with_signed(
        &delete_body(Publisher::Ldap),
        "active",
        Publisher::Ldap,
        json!(false),
        &evil_key(),
    );
    let err = pipeline.check_delete(&body, JDOE).await.unwrap_err();
    assert_eq!(err.code(), "invalid_signature");
}
