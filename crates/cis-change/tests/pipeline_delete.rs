//! Deletes (docs/contract/change-api.md §7): permission on `active`, unknown users, the conditional delete and its status.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::{Outcome, Rejection};
use cis_identity_vault::{ChangeSource, ChangeState, Condition, StatusStore};
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
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "1", ChangeSource::Direct)
        .await
        .unwrap();
    pipeline
        .check_delete(&ch(&delete_body(Publisher::Hris), JDOE))
        .await
        .unwrap();
    let outcome = pipeline
        .apply_delete(
            &ch(&delete_body(Publisher::Hris), JDOE),
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
            &ch(&delete_body(Publisher::Ldap), JDOE),
            "2",
            ChangeSource::Direct,
        )
        .await
        .unwrap_err();
    assert_eq!(code(&err), "user_not_found");
    assert_eq!(
        description(&err),
        "no profile for user: ad|Mozilla-LDAP|jdoe"
    );
    assert!(matches!(err.rejection(), Some(Rejection::UserNotFound(_))));
}

#[tokio::test]
async fn a_publisher_that_may_not_change_active_may_not_delete() {
    let (vault, pipeline) = memory_pipeline();
    pipeline
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "1", ChangeSource::Direct)
        .await
        .unwrap();
    let err = pipeline
        .apply_delete(
            &ch(&delete_body(Publisher::Mozilliansorg), JDOE),
            "2",
            ChangeSource::Direct,
        )
        .await
        .unwrap_err();
    assert_eq!(code(&err), "invalid_publisher");
    assert_eq!(
        description(&err),
        "[delete] mozilliansorg is NOT allowed to publish field active"
    );
    assert!(vault.item(JDOE).is_some());
}

#[tokio::test]
async fn a_delete_without_an_active_claim_is_refused() {
    let (_, pipeline) = memory_pipeline();
    pipeline
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "1", ChangeSource::Direct)
        .await
        .unwrap();
    let body = change(JDOE, "first_name", Publisher::Mozilliansorg, json!("x"));
    let err = pipeline.check_delete(&ch(&body, JDOE)).await.unwrap_err();
    assert_eq!(code(&err), "invalid_publisher");
    assert!(
        description(&err).ends_with("field active"),
        "{}",
        description(&err)
    );
    let mut no_user = delete_body(Publisher::Ldap);
    no_user.set_attr(
        AttrPath::USER_ID,
        Profile::null().attr_or_null(AttrPath::USER_ID),
    );
    assert_eq!(
        pipeline
            .check_delete(&ch(&no_user, JDOE))
            .await
            .map_err(|e| code(&e)),
        Err("invalid_publisher")
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
    let err = pipeline.check_delete(&ch(&body, JDOE)).await.unwrap_err();
    assert_eq!(code(&err), "invalid_signature");
}
