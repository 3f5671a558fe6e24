//! The rarer rows of the error catalogue (docs/contract/change-api.md §11): new-user checks, size, and every backend
//! that can be unavailable (JWKS, publisher keys, vault conflicts).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use cis_identity_vault::{MemoryVault, VaultError};
use cis_profile::{AttrPath, Profile};
use cis_testkit::{FaultyVault, Op};
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_new_user_without_active_is_400_active_missing() {
    let app = spawn_app();
    let mut profile = new_profile(100);
    profile.set_attr(
        AttrPath::ACTIVE,
        Profile::null().attr_or_null(AttrPath::ACTIVE),
    );
    app.post_user(&profile.into_value())
        .await
        .assert_error(400, "active_missing");
}

#[tokio::test]
async fn a_profile_whose_vault_item_would_exceed_400_kb_is_413_profile_too_large() {
    let app = spawn_app();
    let path = AttrPath::parse("description").unwrap();
    let publisher = cis_profile::rules::PublisherRules::embedded().creators(path)[0];
    let mut profile = new_profile(101);
    set_signed(
        &mut profile,
        path,
        json!("x".repeat(450_000)),
        publisher,
        &publisher_key(),
    );
    let description = app
        .post_user(&profile.into_value())
        .await
        .assert_error(413, "profile_too_large");
    assert!(description.contains("bytes"), "{description}");
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn an_unreachable_jwks_with_nothing_cached_is_503_backend_unavailable() {
    let app = spawn_app_with(Options {
        jwks_unreachable: true,
        ..Options::default()
    });
    let answer = app.post_user(&new_profile_json(102)).await;
    answer.assert_error(503, "backend_unavailable");
    assert!(answer.header("retry-after").is_some());
}

#[tokio::test]
async fn unavailable_publisher_keys_are_503_backend_unavailable() {
    let app = spawn_app_with(Options {
        keys_unavailable: true,
        ..Options::default()
    });
    app.post_user(&new_profile_json(103))
        .await
        .assert_error(503, "backend_unavailable");
    let batch = app.post_users(&json!([new_profile_json(104)])).await;
    assert_eq!(batch.status.as_u16(), 503);
    assert_eq!(batch.json()[0]["code"], "backend_unavailable");
}

#[tokio::test]
async fn conflicts_unresolved_after_the_retries_are_503_write_conflict() {
    let issuer = cis_testkit::tokens::issuer(AUDIENCE);
    let stream = Arc::new(cis_change::MemoryChangeStream::new());
    // Every write loses to a concurrent writer.
    let memory = Arc::new(MemoryVault::new());
    let vault = Arc::new(FaultyVault::new(memory.clone()));
    vault.fail(Op::Put, VaultError::VersionConflict("any".into()));
    let options = Options {
        direct: true,
        ..Options::default()
    };
    let state = state_for(&options, vault, stream.clone(), &issuer);
    let app = TestApp {
        router: cis_change_service::router(state),
        issuer,
        vault: memory,
        stream,
    };
    let answer = app.post_user(&new_profile_json(105)).await;
    answer.assert_error(503, "write_conflict");
    assert!(answer.header("retry-after").is_some());
}
