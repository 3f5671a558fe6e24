//! The upsert pipeline on a `MemoryVault` with the fixture keys: create, update, no-op, the CIS-owned
//! attributes, and conflicts between concurrent writers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::{Outcome, Pipeline};
use cis_crypto::verify_profile;
use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, Expected, Lookup, MemoryVault, ProfileReader, StatusStore,
};
use cis_profile::attr::{set_metadata, set_payload};
use cis_profile::identifiers::derive_identifiers;
use cis_profile::{AttrPath, Profile, Publisher};
use common::*;
use serde_json::json;
use std::sync::Arc;

const JDOE: &str = "ad|Mozilla-LDAP|jdoe";

async fn create(pipeline: &Pipeline, user_id: &str) -> Outcome {
    pipeline
        .apply_upsert(&ch(&new_user(user_id), user_id), "1", ChangeSource::Direct)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_user_is_created_with_cis_identifiers_and_a_processed_status() {
    let (vault, pipeline) = memory_pipeline();
    let outcome = create(&pipeline, JDOE).await;
    assert_eq!(
        outcome,
        Outcome::Written {
            condition: Condition::Create,
            version: Some(1)
        }
    );

    let item = vault.item(JDOE).unwrap();
    let stored = &item.stored.profile;
    let (uuid, username) = derive_identifiers(SALT, JDOE);
    assert_eq!(stored.uuid(), Some(uuid.as_str()));
    assert_eq!(stored.primary_username(), Some(username.as_str()));
    for path in [
        AttrPath::UUID,
        AttrPath::PRIMARY_USERNAME,
        AttrPath::LAST_MODIFIED,
        AttrPath::ACTIVE,
    ] {
        assert_eq!(
            stored.attr(path).unwrap().publisher(),
            Some(Publisher::Cis),
            "{path}"
        );
    }
    // Everything stored verifies: publishers' attributes with key_0, CIS's with key_1.
    verify_profile(stored, &trusted_keys()).unwrap();
    assert_eq!(stored.value_str(AttrPath::FIRST_NAME), Some("Jane"));
    assert!(item.changed_attributes.contains(&"uuid".to_string()));
    assert!(
        item.changed_attributes
            .contains(&"last_modified".to_string())
    );
    assert_eq!(item.change_publishers, ["ldap"]);

    let status = vault.get_status("1").await.unwrap().unwrap();
    assert_eq!(
        (status.state, status.condition, status.version),
        (ChangeState::Processed, Condition::Create, Some(1))
    );
    assert_eq!(status.source, ChangeSource::Direct);
    assert!(status.expires_at.is_some());
}

#[tokio::test]
async fn a_complete_signed_profile_creates_a_user() {
    let (vault, pipeline) = memory_pipeline();
    let profile = full_signed_profile();
    let user_id = profile.user_id().unwrap().to_string();
    let outcome = pipeline
        .apply_upsert(&ch(&profile, &user_id), "7", ChangeSource::Stream)
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        Outcome::Written {
            condition: Condition::Create,
            ..
        }
    ));
    let stored = vault.item(&user_id).unwrap().stored.profile;
    verify_profile(&stored, &trusted_keys()).unwrap();
    assert_eq!(stored.value_str(AttrPath::LAST_NAME), Some("Barr"));
}

#[tokio::test]
async fn the_originals_stored_profile_posted_as_a_create_is_refused_for_its_cis_signed_attributes()
{
    // A client holds the original's stored profile of someone (cis-signed active and created): posting
    // it as a new user would plant CIS's own signatures, which no client may change.
    let (vault, pipeline) = memory_pipeline();
    let mut profile = original_signed_profile();
    for path in [AttrPath::UUID, AttrPath::PRIMARY_USERNAME] {
        profile.set_attr(path, Profile::null().attr_or_null(path));
    }
    let user_id = profile.user_id().unwrap().to_string();
    let err = pipeline
        .apply_upsert(&ch(&profile, &user_id), "7", ChangeSource::Stream)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "invalid_publisher");
    assert!(
        description(&err).starts_with("active: a change signed by cis"),
        "{err:?}"
    );
    assert!(vault.is_empty());
}

#[tokio::test]
async fn an_update_by_the_updater_lands_as_version_two() {
    let (vault, pipeline) = memory_pipeline();
    create(&pipeline, JDOE).await;
    let update = change(JDOE, "first_name", Publisher::Mozilliansorg, json!("Janet"));
    let outcome = pipeline
        .apply_upsert(&ch(&update, JDOE), "2", ChangeSource::Direct)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Written {
            condition: Condition::Update,
            version: Some(2)
        }
    );
    let item = vault.item(JDOE).unwrap();
    assert_eq!(
        item.stored.profile.value_str(AttrPath::FIRST_NAME),
        Some("Janet")
    );
    assert_eq!(item.changed_attributes, ["last_modified", "first_name"]);
    assert_eq!(item.change_publishers, ["mozilliansorg"]);
    let before = vault.get_status("1").await.unwrap().unwrap();
    assert_eq!(
        before.condition,
        Condition::Create,
        "an old number keeps its answer"
    );
}

#[tokio::test]
async fn sending_the_stored_values_again_is_a_noop_that_writes_nothing() {
    let (vault, pipeline) = memory_pipeline();
    create(&pipeline, JDOE).await;
    let again = pipeline
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "2", ChangeSource::Direct)
        .await
        .unwrap();
    assert_eq!(
        again,
        Outcome::Noop {
            condition: Condition::Update
        }
    );
    assert_eq!(vault.item(JDOE).unwrap().stored.version, Some(1));
    assert_eq!(vault.get_status("2").await.unwrap(), None);
    let prepared = pipeline
        .check_upsert(&ch(&new_user(JDOE), JDOE))
        .await
        .unwrap();
    assert!(prepared.noop);
}

#[tokio::test]
async fn a_check_reports_the_condition_without_signing_or_writing() {
    let (vault, pipeline) = memory_pipeline();
    let prepared = pipeline
        .check_upsert(&ch(&new_user(JDOE), JDOE))
        .await
        .unwrap();
    assert_eq!(
        (prepared.condition, prepared.noop, prepared.expected),
        (Condition::Create, false, Expected::Absent)
    );
    // Checking signs nothing: CIS's identifiers are the apply step's.
    assert!(prepared.merged.uuid().is_none());
    assert!(vault.is_empty());
}

#[tokio::test]
async fn an_item_written_by_the_original_is_updated_from_no_version() {
    let (vault, pipeline) = memory_pipeline();
    create(&pipeline, JDOE).await;
    let stored = vault.item(JDOE).unwrap().stored.profile;
    vault
        .insert_unversioned(stored, Some("legacy".into()))
        .unwrap();
    let update = change(JDOE, "first_name", Publisher::Mozilliansorg, json!("Janet"));
    let outcome = pipeline
        .apply_upsert(&ch(&update, JDOE), "2", ChangeSource::Direct)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Written {
            condition: Condition::Update,
            version: Some(1)
        }
    );
}

#[tokio::test]
async fn two_concurrent_updates_from_two_publishers_both_land() {
    let vault = Arc::new(cis_testkit::FaultyVault::new(Arc::new(MemoryVault::new())));
    let pipeline = pipeline_on(vault.clone());
    create(&pipeline, JDOE).await;
    // Both writers read version 1 before either writes: one of them must conflict, re-read and re-merge.
    vault.hold_reads(2);
    let names = change(JDOE, "first_name", Publisher::Mozilliansorg, json!("Janet"));
    let title = change(
        JDOE,
        "staff_information.title",
        Publisher::Hris,
        json!("Engineer"),
    );
    let (names, title) = (ch(&names, JDOE), ch(&title, JDOE));
    let (a, b) = tokio::join!(
        pipeline.apply_upsert(&names, "2", ChangeSource::Stream),
        pipeline.apply_upsert(&title, "3", ChangeSource::Stream),
    );
    let mut versions = [a.unwrap(), b.unwrap()].map(|o| match o {
        Outcome::Written {
            version: Some(v), ..
        } => v,
        other => panic!("{other:?}"),
    });
    versions.sort();
    assert_eq!(versions, [2, 3]);
    let stored = vault
        .get(&Lookup::UserId(JDOE.into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, Some(3));
    assert_eq!(
        stored.profile.value_str(AttrPath::FIRST_NAME),
        Some("Janet")
    );
    let title_path = AttrPath::parse("staff_information.title").unwrap();
    assert_eq!(stored.profile.value_str(title_path), Some("Engineer"));
}

#[tokio::test]
async fn conflicts_that_never_resolve_end_in_write_conflict() {
    let vault = Arc::new(cis_testkit::FaultyVault::new(Arc::new(MemoryVault::new())));
    let mut deps = deps(vault.clone(), trusted_keys());
    deps.write_retries = 0;
    let pipeline = Pipeline::new(deps);
    create(&pipeline, JDOE).await;
    vault.hold_reads(2);
    let names = change(JDOE, "first_name", Publisher::Mozilliansorg, json!("Janet"));
    let title = change(
        JDOE,
        "staff_information.title",
        Publisher::Hris,
        json!("Engineer"),
    );
    let (names, title) = (ch(&names, JDOE), ch(&title, JDOE));
    let (a, b) = tokio::join!(
        pipeline.apply_upsert(&names, "2", ChangeSource::Direct),
        pipeline.apply_upsert(&title, "3", ChangeSource::Direct),
    );
    let errors: Vec<_> = [a, b].into_iter().filter_map(Result::err).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(code(&errors[0]), "write_conflict");
}

#[tokio::test]
async fn a_change_applied_before_reports_its_stored_outcome() {
    let (vault, pipeline) = memory_pipeline();
    create(&pipeline, JDOE).await;
    // The same number again, with a real change: the status record says it was applied already.
    let update = change(JDOE, "first_name", Publisher::Mozilliansorg, json!("Janet"));
    let outcome = pipeline
        .apply_upsert(&ch(&update, JDOE), "1", ChangeSource::Direct)
        .await
        .unwrap();
    match outcome {
        Outcome::AlreadyApplied(record) => assert_eq!(record.condition, Condition::Create),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        vault
            .item(JDOE)
            .unwrap()
            .stored
            .profile
            .value_str(AttrPath::FIRST_NAME),
        Some("Jane")
    );
}

#[tokio::test]
async fn without_a_salt_a_create_is_refused_as_unavailable() {
    let vault = Arc::new(cis_identity_vault::MemoryVault::new());
    let mut deps = deps(vault.clone(), trusted_keys());
    deps.uuid_salt = None;
    let err = Pipeline::new(deps)
        .apply_upsert(&ch(&new_user(JDOE), JDOE), "1", ChangeSource::Direct)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "backend_unavailable");
    assert!(vault.is_empty());
}

#[tokio::test]
async fn a_stored_profile_keeps_the_original_active_value_signed_by_cis() {
    let (vault, pipeline) = memory_pipeline();
    create(&pipeline, JDOE).await;
    let off = change(JDOE, "active", Publisher::Hris, json!(false));
    pipeline
        .apply_upsert(&ch(&off, JDOE), "2", ChangeSource::Direct)
        .await
        .unwrap();
    let item = vault.item(JDOE).unwrap();
    let stored: &Profile = &item.stored.profile;
    assert_eq!(stored.active(), Some(false));
    assert_eq!(
        stored.attr(AttrPath::ACTIVE).unwrap().publisher(),
        Some(Publisher::Cis)
    );
    assert_eq!(
        item.change_publishers,
        ["hris"],
        "the publisher who changed active, not cis"
    );
    verify_profile(stored, &trusted_keys()).unwrap();
}

/// What DinoPark's client does: it reads the stored profile and writes it back with its own change and
/// timestamps re-formatted (`…00Z` → `…00.000Z`), which breaks the signatures of the attributes it did not
/// change. Those keep their stored copies; only the changed attribute needs a valid signature.
#[tokio::test]
async fn unchanged_attributes_echoed_with_broken_signatures_keep_their_stored_copies() {
    let (vault, pipeline) = memory_pipeline();
    create(&pipeline, JDOE).await;
    let stored = vault.item(JDOE).unwrap().stored.profile;
    let mut echoed = stored.clone();
    for path in [AttrPath::LAST_MODIFIED, AttrPath::FIRST_NAME] {
        let attr = echoed.attr_mut(path).unwrap();
        set_metadata(attr, "created", json!("1970-01-01T00:00:00.000Z"));
    }
    assert!(verify_profile(&echoed, &trusted_keys()).is_err());
    let noop = pipeline
        .apply_upsert(&ch(&echoed, JDOE), "2", ChangeSource::Direct)
        .await
        .unwrap();
    assert_eq!(
        noop,
        Outcome::Noop {
            condition: Condition::Update
        }
    );

    let changed = with(&echoed, "fun_title", Publisher::Mozilliansorg, json!("Dev"));
    let outcome = pipeline
        .apply_upsert(&ch(&changed, JDOE), "3", ChangeSource::Direct)
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        Outcome::Written {
            version: Some(2),
            ..
        }
    ));
    let now = vault.item(JDOE).unwrap().stored.profile;
    assert_eq!(
        now.attr_map(AttrPath::FIRST_NAME),
        stored.attr_map(AttrPath::FIRST_NAME)
    );
    verify_profile(&now, &trusted_keys()).unwrap();
}

#[tokio::test]
async fn a_changed_attribute_with_a_broken_signature_is_still_refused() {
    let (_, pipeline) = memory_pipeline();
    create(&pipeline, JDOE).await;
    let mut update = change(JDOE, "fun_title", Publisher::Mozilliansorg, json!("Dev"));
    let attr = update
        .attr_mut(AttrPath::parse("fun_title").unwrap())
        .unwrap();
    set_payload(attr, cis_profile::Kind::String, json!("Boss"));
    let err = pipeline
        .apply_upsert(&ch(&update, JDOE), "2", ChangeSource::Direct)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "invalid_signature");
}
