//! The rarer rows of the error catalogue (change-api.md §11): new-user checks, size, and every backend
//! that can be unavailable (JWKS, publisher keys, vault conflicts).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use cis_common::auth::DevIssuer;
use cis_identity_vault::{
    AttributeQuery, Expected, IdEntry, ListQuery, Lookup, MemoryVault, Page, ProfileLister,
    ProfileReader, ProfileWrite, ProfileWriter, StatusRecord, StatusStore, StoredProfile,
    VaultError, VaultResult,
};
use cis_profile::{AttrPath, Profile};
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

/// A vault where every write loses to a concurrent writer.
struct AlwaysConflicting(MemoryVault);

#[async_trait]
impl ProfileReader for AlwaysConflicting {
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        self.0.get(lookup).await
    }
}

#[async_trait]
impl ProfileWriter for AlwaysConflicting {
    async fn put(&self, write: ProfileWrite, _: StatusRecord) -> VaultResult<u64> {
        Err(VaultError::VersionConflict(
            write.profile.user_id().unwrap_or_default().to_string(),
        ))
    }
    async fn delete(&self, user_id: &str, _: Expected, _: StatusRecord) -> VaultResult<()> {
        Err(VaultError::VersionConflict(user_id.to_string()))
    }
}

#[async_trait]
impl ProfileLister for AlwaysConflicting {
    async fn list_profiles(&self, query: &ListQuery) -> VaultResult<Page<StoredProfile>> {
        self.0.list_profiles(query).await
    }
    async fn list_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>> {
        self.0.list_ids(query).await
    }
    async fn search(&self, query: &AttributeQuery) -> VaultResult<Page<StoredProfile>> {
        self.0.search(query).await
    }
}

#[async_trait]
impl StatusStore for AlwaysConflicting {
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()> {
        self.0.put_status(status).await
    }
    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>> {
        self.0.get_status(sequence_number).await
    }
}

#[tokio::test]
async fn conflicts_unresolved_after_the_retries_are_503_write_conflict() {
    let issuer = DevIssuer::new(cis_key(), KID, ISSUER, AUDIENCE);
    let stream = Arc::new(cis_processor::MemoryChangeStream::new());
    let options = Options {
        direct: true,
        ..Options::default()
    };
    let state = state_for(
        &options,
        Arc::new(AlwaysConflicting(MemoryVault::new())),
        stream.clone(),
        &issuer,
    );
    let app = TestApp {
        router: cis_change_service::router(state),
        issuer,
        vault: Arc::new(MemoryVault::new()),
        stream,
    };
    let answer = app.post_user(&new_profile_json(105)).await;
    answer.assert_error(503, "write_conflict");
    assert!(answer.header("retry-after").is_some());
}
