//! Every rejection of the upsert and delete pipeline, with the Change API's status, code and description,
//! and that nothing is written when a change is rejected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::{Caller, Outcome, Pipeline, PipelineError, Rejection, Switches};
use cis_crypto::KeySet;
use cis_identity_vault::{ChangeSource, Condition, MemoryVault, StatusStore};
use cis_profile::attr::set_payload;
use cis_profile::{AttrPath, Profile, Publisher};
use common::*;
use serde_json::json;
use std::sync::Arc;

const JDOE: &str = "ad|Mozilla-LDAP|jdoe";

async fn rejected(pipeline: &Pipeline, profile: &Profile, user_id: &str) -> PipelineError {
    let err = pipeline
        .apply_upsert(&ch(profile, user_id), "9", ChangeSource::Direct)
        .await
        .unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
    err
}

/// Asserts the rejection's code and description (the Change API maps the code to its HTTP status).
fn expect(err: &PipelineError, expected_code: &str, expected_description: &str) {
    assert_eq!(
        (code(err), description(err).as_str()),
        (expected_code, expected_description),
        "{err:?}"
    );
}

async fn stored_jdoe() -> (Arc<MemoryVault>, Arc<Pipeline>) {
    let (vault, pipeline) = memory_pipeline();
    pipeline
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "1", ChangeSource::Direct)
        .await
        .unwrap();
    (vault, pipeline)
}

#[tokio::test]
async fn a_tampered_signature_is_rejected_naming_the_attribute() {
    let (vault, pipeline) = memory_pipeline();
    let mut profile = new_user(JDOE);
    let mut attr = profile.attr_or_null(AttrPath::FIRST_NAME);
    set_payload(&mut attr, AttrPath::FIRST_NAME.kind(), json!("Mallory"));
    profile.set_attr(AttrPath::FIRST_NAME, attr);
    let err = rejected(&pipeline, &profile, JDOE).await;
    expect(
        &err,
        "invalid_signature",
        "first_name: signed payload does not match the attribute",
    );
    assert!(vault.is_empty());
}

#[tokio::test]
async fn a_signature_by_an_untrusted_key_is_rejected() {
    let (_, pipeline) = memory_pipeline();
    let profile = with_signed(
        &new_user(JDOE),
        "last_name",
        Publisher::Mozilliansorg,
        json!("Doe"),
        &evil_key(),
    );
    let err = rejected(&pipeline, &profile, JDOE).await;
    expect(
        &err,
        "invalid_signature",
        "last_name: signature does not verify with any key of publisher mozilliansorg",
    );
}

#[tokio::test]
async fn a_publisher_without_trusted_keys_is_rejected() {
    let pipeline = Pipeline::new(deps(Arc::new(MemoryVault::new()), KeySet::new()));
    let err = rejected(&pipeline, &new_user(JDOE), JDOE).await;
    expect(
        &err,
        "invalid_signature",
        "user_id: no trusted key for publisher ldap",
    );
}

#[tokio::test]
async fn signature_checks_can_be_switched_off_for_local_development() {
    let mut d = deps(Arc::new(MemoryVault::new()), KeySet::new());
    d.switches = Switches {
        verify_signatures: false,
        ..Switches::default()
    };
    let outcome = Pipeline::new(d)
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "1", ChangeSource::Direct)
        .await;
    assert!(matches!(
        outcome,
        Ok(Outcome::Written {
            condition: Condition::Create,
            ..
        })
    ));
}

#[tokio::test]
async fn a_creator_that_is_not_the_updater_may_not_change_a_value() {
    let (vault, pipeline) = stored_jdoe().await;
    let update = change(JDOE, "first_name", Publisher::Ldap, json!("Janet"));
    let err = rejected(&pipeline, &update, JDOE).await;
    expect(
        &err,
        "invalid_publisher",
        "[update] ldap is NOT allowed to publish field first_name",
    );
    assert_eq!(vault.item(JDOE).unwrap().stored.version, Some(1));
}

#[tokio::test]
async fn a_publisher_outside_the_create_list_may_not_create_an_attribute() {
    let (_, pipeline) = stored_jdoe().await;
    let update = change(
        JDOE,
        "staff_information.title",
        Publisher::Mozilliansorg,
        json!("Boss"),
    );
    let err = rejected(&pipeline, &update, JDOE).await;
    expect(
        &err,
        "invalid_publisher",
        "[create] mozilliansorg is NOT allowed to publish field title",
    );
}

#[tokio::test]
async fn only_directory_publishers_may_switch_active() {
    let (_, pipeline) = stored_jdoe().await;
    let update = change(JDOE, "active", Publisher::Mozilliansorg, json!(false));
    let err = rejected(&pipeline, &update, JDOE).await;
    expect(
        &err,
        "invalid_publisher",
        "[update] mozilliansorg is NOT allowed to publish field active",
    );
}

#[tokio::test]
async fn a_new_profile_carrying_a_uuid_is_rejected() {
    let (_, pipeline) = memory_pipeline();
    let uuid = json!("d0224f82-9d7b-595c-ad37-f56feebd751a");
    let profile = with_signed(&new_user(JDOE), "uuid", Publisher::Cis, uuid, &cis_key());
    let err = rejected(&pipeline, &profile, JDOE).await;
    let text = "The fields primary_username or uuid have been set in a new profile.";
    expect(&err, "uuid_or_primary_username_set", text);
}

#[tokio::test]
async fn a_new_profile_without_active_is_rejected() {
    let (_, pipeline) = memory_pipeline();
    let mut profile = new_user(JDOE);
    profile.set_attr(
        AttrPath::ACTIVE,
        Profile::null().attr_or_null(AttrPath::ACTIVE),
    );
    let err = rejected(&pipeline, &profile, JDOE).await;
    assert_eq!(code(&err), "active_missing");
}

#[tokio::test]
async fn a_new_profile_whose_user_id_came_only_from_the_query_is_rejected() {
    let (_, pipeline) = memory_pipeline();
    let mut profile = new_user(JDOE);
    profile.set_attr(
        AttrPath::USER_ID,
        Profile::null().attr_or_null(AttrPath::USER_ID),
    );
    let err = rejected(&pipeline, &profile, JDOE).await;
    assert_eq!(code(&err), "user_id_missing");
}

#[tokio::test]
async fn a_body_for_another_user_is_rejected() {
    let (_, pipeline) = memory_pipeline();
    let err = pipeline
        .parse_change(
            new_user(JDOE).into_value(),
            Some("github|1"),
            Caller::Unchecked,
        )
        .unwrap_err();
    assert_eq!(err, Rejection::UserIdMismatch);
    assert_eq!(err.code(), "integration_exception");
}

#[tokio::test]
async fn a_profile_over_400_kb_is_rejected_as_too_large() {
    let (vault, pipeline) = stored_jdoe().await;
    let update = change(
        JDOE,
        "description",
        Publisher::Mozilliansorg,
        json!("x".repeat(120_000)),
    );
    let err = rejected(&pipeline, &update, JDOE).await;
    assert_eq!(code(&err), "profile_too_large");
    assert_eq!(vault.item(JDOE).unwrap().stored.version, Some(1));
    let fits = change(
        JDOE,
        "description",
        Publisher::Mozilliansorg,
        json!("x".repeat(60_000)),
    );
    assert!(
        pipeline
            .apply_upsert(&ch(&fits, JDOE), "2", ChangeSource::Direct)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_rejected_change_leaves_no_status_record() {
    let (vault, pipeline) = stored_jdoe().await;
    let update = change(JDOE, "first_name", Publisher::Ldap, json!("Janet"));
    rejected(&pipeline, &update, JDOE).await;
    assert_eq!(vault.get_status("9").await.unwrap(), None);
}

#[tokio::test]
async fn a_backend_failure_is_transient() {
    let (vault, pipeline) = memory_pipeline();
    vault.fail_next(cis_identity_vault::VaultError::unavailable("down"));
    let err = pipeline
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "1", ChangeSource::Direct)
        .await
        .unwrap_err();
    assert!(err.is_transient());
    assert_eq!(code(&err), "backend_unavailable");
}
