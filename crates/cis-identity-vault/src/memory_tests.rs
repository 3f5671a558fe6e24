//! Unit tests of what only the in-memory vault has: injected failures and seeded unversioned items (the
//! shared behaviour is the contract suite's, in tests/).

use super::*;
use crate::model::{ChangeSource, ChangeState, Condition};
use cis_profile::AttrPath;
use cis_profile::attr::set_payload;
use serde_json::json;

fn user(user_id: &str) -> Profile {
    let mut p = Profile::null();
    set_payload(
        p.attr_mut(AttrPath::USER_ID).unwrap(),
        AttrPath::USER_ID.kind(),
        json!(user_id),
    );
    p
}

fn status(sequence_number: &str, user_id: &str) -> StatusRecord {
    StatusRecord {
        sequence_number: sequence_number.into(),
        user_id: user_id.into(),
        state: ChangeState::Processed,
        condition: Condition::Update,
        processed_at: "2026-01-01T00:00:00.000Z".into(),
        version: Some(1),
        source: ChangeSource::Direct,
        error: None,
        expires_at: None,
        origin: Default::default(),
    }
}

fn write(profile: Profile, expected: Expected, sequence_number: &str) -> ProfileWrite {
    ProfileWrite {
        profile,
        expected,
        sequence_number: sequence_number.into(),
        changed_attributes: vec!["active".into()],
        change_publishers: vec!["ldap".into()],
    }
}

#[tokio::test]
async fn a_queued_failure_fails_the_next_operation_only() {
    let vault = MemoryVault::new();
    vault.fail_next(VaultError::unavailable("throttled"));
    let lookup = Lookup::UserId("u".into());
    assert_eq!(
        vault.get(&lookup).await,
        Err(VaultError::unavailable("throttled"))
    );
    assert_eq!(vault.get(&lookup).await, Ok(None));
}

#[tokio::test]
async fn queued_failures_fail_writes_without_writing() {
    let vault = MemoryVault::new();
    vault.fail_next(VaultError::unavailable("one"));
    vault.fail_next(VaultError::unavailable("two"));
    assert!(
        vault
            .put(write(user("u"), Expected::Absent, "1"), status("1", "u"))
            .await
            .is_err()
    );
    assert!(vault.put_status(status("2", "u")).await.is_err());
    assert!(vault.is_empty());
    assert_eq!(vault.get_status("2").await, Ok(None));
    vault.fail_next(VaultError::unavailable("three"));
    vault.clear_failures();
    assert_eq!(
        vault
            .put(write(user("u"), Expected::Absent, "1"), status("1", "u"))
            .await,
        Ok(1)
    );
}

#[tokio::test]
async fn an_item_of_the_original_is_updated_only_as_unversioned_and_then_has_version_1() {
    let vault = MemoryVault::new();
    vault
        .insert_unversioned(user("u"), Some("123".into()))
        .unwrap();
    let stored = vault
        .get(&Lookup::UserId("u".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.expected(), Expected::Unversioned);
    assert_eq!(
        vault
            .put(
                write(user("u"), Expected::Version(1), "2"),
                status("2", "u")
            )
            .await,
        Err(VaultError::VersionConflict("u".into()))
    );
    assert_eq!(
        vault
            .put(
                write(user("u"), Expected::Unversioned, "3"),
                status("3", "u")
            )
            .await,
        Ok(1)
    );
    let item = vault.item("u").unwrap();
    assert_eq!(item.stored.version, Some(1));
    assert_eq!(item.changed_attributes, vec!["active".to_string()]);
    assert_eq!(item.change_publishers, vec!["ldap".to_string()]);
}

#[tokio::test]
async fn the_outbox_hands_out_entries_oldest_first_until_acked() {
    let vault = MemoryVault::new();
    let a = vault.outbox_append("u", "1", "{}").await.unwrap();
    let b = vault.outbox_append("v", "2", "{}").await.unwrap();
    assert!(b > a);
    assert!(matches!(
        vault.outbox_append("w", "1", "{}").await,
        Err(VaultError::InvalidRequest(_))
    ));
    let ids: Vec<i64> = vault
        .outbox_peek(10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, vec![a, b]);
    vault.outbox_ack(a).await.unwrap();
    vault.outbox_ack(a).await.unwrap();
    let ids: Vec<i64> = vault
        .outbox_peek(10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, vec![b]);
}
