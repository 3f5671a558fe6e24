//! The vault contract (tests/contract/) on the SQLite adapter, each test on a file in its own temporary
//! directory, plus what only a file can show (docs/contract/processor-and-vault.md §8): data survives a
//! reopen, migrations are idempotent, the stored `flat_profile`, the outbox, bulk import, two handles on
//! one file. Needs nothing outside the process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod contract;

use cis_identity_vault::sqlite::{FILE_NAME, ImportItem, ImportOutcome};
use cis_identity_vault::{
    Expected, ListQuery, Lookup, Outbox, ProfileReader, ProfileWriter, SqliteVault, StatusStore,
    Vault, VaultError,
};
use cis_testkit::suite::Subject;
use contract::{create, user, with, write};
use serde_json::{Value, json};
use std::sync::Arc;

async fn fresh() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    Subject::keeping(Arc::new(vault), dir)
}

vault_contract!(fresh);

fn by_id(id: &str) -> Lookup {
    Lookup::UserId(id.to_string())
}

#[tokio::test]
async fn a_reopened_vault_keeps_profiles_status_records_and_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let (w, st) = write(user("github|1"), Expected::Absent);
    let number = st.sequence_number.clone();
    {
        let vault = SqliteVault::open(dir.path()).unwrap();
        assert_eq!(vault.put(w, st.clone()).await, Ok(1));
        vault
            .outbox_append("github|1", "77", "{\"x\":1}")
            .await
            .unwrap();
    }
    let vault = SqliteVault::open(dir.path()).unwrap();
    let stored = vault.get(&by_id("github|1")).await.unwrap().unwrap();
    assert_eq!(
        (stored.profile, stored.version),
        (user("github|1"), Some(1))
    );
    assert_eq!(vault.get_status(&number).await, Ok(Some(st)));
    let queued = vault.outbox_peek(10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (
            queued[0].sequence_number.as_str(),
            queued[0].envelope.as_str()
        ),
        ("77", "{\"x\":1}")
    );
}

#[tokio::test]
async fn opening_twice_applies_migrations_once_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let first = SqliteVault::open(dir.path()).unwrap();
    create(&first, user("github|1")).await;
    let second = SqliteVault::open(dir.path()).unwrap();
    assert!(second.get(&by_id("github|1")).await.unwrap().is_some());
    let conn = rusqlite::Connection::open(dir.path().join(FILE_NAME)).unwrap();
    let count: i64 = conn
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, SqliteVault::schema_version());
}

#[tokio::test]
async fn the_stored_flat_profile_is_the_flattened_profile() {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    let profile = with(
        cis_profile::fake::fake_profile(3),
        "user_id",
        json!("ad|Mozilla-LDAP|flat"),
    );
    create(&vault, profile.clone()).await;
    let conn = rusqlite::Connection::open(dir.path().join(FILE_NAME)).unwrap();
    let (flat, text, connection): (String, String, String) = conn
        .query_row(
            "SELECT flat_profile, profile, connection_method FROM profiles WHERE id = ?1",
            ["ad|Mozilla-LDAP|flat"],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&flat).unwrap(),
        cis_profile::flat::flatten(&profile)
    );
    assert_eq!(
        text,
        profile.to_json(),
        "the profile is stored as compact canonical JSON"
    );
    assert_eq!(connection, "ad");
}

#[tokio::test]
async fn pages_come_in_user_id_order() {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    let users = contract::population::populate(&vault).await;
    let mut expected: Vec<String> = users
        .iter()
        .map(|p| p.user_id().unwrap().to_string())
        .collect();
    expected.sort();
    let walked = contract::population::walk_profiles(
        &vault,
        ListQuery {
            limit: 3,
            ..ListQuery::default()
        },
    )
    .await;
    assert_eq!(walked, expected);
    let ids = contract::population::walk_ids(
        &vault,
        ListQuery {
            limit: 4,
            ..ListQuery::default()
        },
    )
    .await;
    assert_eq!(
        ids.into_iter().map(|e| e.user_id).collect::<Vec<_>>(),
        expected
    );
}

#[tokio::test]
async fn the_outbox_hands_out_entries_oldest_first_until_acked() {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    let a = vault.outbox_append("u", "1", "{}").await.unwrap();
    let b = vault.outbox_append("v", "2", "{}").await.unwrap();
    assert!(b > a);
    assert!(matches!(
        vault.outbox_append("w", "1", "{}").await,
        Err(VaultError::InvalidRequest(_))
    ));
    let peeked = vault.outbox_peek(10).await.unwrap();
    assert_eq!(peeked.iter().map(|e| e.id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(peeked[0].user_id, "u");
    assert!(cis_profile::timestamp::is_rfc3339(&peeked[0].enqueued_at));
    vault.outbox_ack(a).await.unwrap();
    vault.outbox_ack(a).await.unwrap();
    assert_eq!(
        vault
            .outbox_peek(10)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>(),
        vec![b]
    );
    let c = vault.outbox_append("u", "3", "{}").await.unwrap();
    assert!(c > b, "ids are never reused");
}

#[tokio::test]
async fn a_bulk_import_creates_absent_users_and_leaves_present_ones_alone() {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    create(&vault, user("github|1")).await;
    let item = |p| ImportItem {
        profile: p,
        sequence_number: "123".into(),
    };
    let outcomes = vault
        .import_batch(vec![
            item(user("github|2")),
            item(user("github|1")),
            item(with(user("github|2"), "first_name", json!("Other"))),
        ])
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![
            ImportOutcome::Created,
            ImportOutcome::Present { identical: true },
            ImportOutcome::Present { identical: false },
        ]
    );
    let stored = vault.get(&by_id("github|2")).await.unwrap().unwrap();
    assert_eq!(
        (stored.profile, stored.version),
        (user("github|2"), Some(1))
    );
    assert_eq!(stored.sequence_number.as_deref(), Some("123"));
    let failed = vault
        .import_batch(vec![
            item(user("github|3")),
            item(cis_profile::Profile::null()),
        ])
        .await;
    assert!(matches!(failed, Err(VaultError::InvalidRequest(_))));
    assert_eq!(
        vault.get(&by_id("github|3")).await,
        Ok(None),
        "a failed batch writes nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_on_one_file_see_each_others_writes_and_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let one: Arc<dyn Vault> = Arc::new(SqliteVault::open(dir.path()).unwrap());
    let two: Arc<dyn Vault> = Arc::new(SqliteVault::open(dir.path()).unwrap());
    create(&*one, user("github|1")).await;
    let (w, st) = write(
        with(user("github|1"), "first_name", json!("Two")),
        Expected::Version(1),
    );
    assert_eq!(two.put(w, st).await, Ok(2));
    let (w, st) = write(
        with(user("github|1"), "first_name", json!("One")),
        Expected::Version(1),
    );
    assert_eq!(
        one.put(w, st).await,
        Err(VaultError::VersionConflict("github|1".into()))
    );
    let (w, st) = write(user("github|1"), Expected::Absent);
    assert_eq!(
        one.put(w, st).await,
        Err(VaultError::AlreadyExists("github|1".into()))
    );
    assert_eq!(
        one.get(&by_id("github|1")).await.unwrap().unwrap().version,
        Some(2)
    );
}
