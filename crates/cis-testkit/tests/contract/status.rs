//! Contract behaviours of status records and deletes.

use super::{Subject, create, seq, status, user, with, write};
use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, Expected, ListQuery, Lookup, StatusError, VaultError,
};
use serde_json::json;

fn by_id(user_id: &str) -> Lookup {
    Lookup::UserId(user_id.to_string())
}

pub async fn a_status_record_is_written_with_the_write(s: Subject) {
    let v = &*s.vault;
    let (w, mut st) = write(user("github|1"), Expected::Absent);
    st.version = Some(1);
    assert_eq!(v.put(w, st.clone()).await, Ok(1));
    assert_eq!(v.get_status(&st.sequence_number).await, Ok(Some(st)));
}

pub async fn a_replayed_change_is_status_exists_and_writes_nothing(s: Subject) {
    let v = &*s.vault;
    // The record of a change already applied (or failed) exists: the same number writes nothing.
    let failed = seq();
    v.put_status(status(&failed, "github|1", Condition::Create))
        .await
        .unwrap();
    let (mut w, _) = write(user("github|1"), Expected::Absent);
    w.sequence_number = failed.clone();
    let replay = status(&failed, "github|1", Condition::Create);
    assert_eq!(
        v.put(w, replay).await,
        Err(VaultError::StatusExists(failed))
    );
    assert_eq!(v.get(&by_id("github|1")).await, Ok(None));

    // Applied, then the user moved on: a replay with its old expectation is still "already applied".
    let (w, st) = write(user("github|1"), Expected::Absent);
    let (first, first_status) = (w.clone(), st.clone());
    v.put(w, st).await.unwrap();
    let (w, st) = write(
        with(user("github|1"), "first_name", json!("Ada")),
        Expected::Version(1),
    );
    v.put(w, st).await.unwrap();
    let before = v.get(&by_id("github|1")).await.unwrap();
    let number = first_status.sequence_number.clone();
    assert_eq!(
        v.put(first, first_status).await,
        Err(VaultError::StatusExists(number))
    );
    assert_eq!(v.get(&by_id("github|1")).await.unwrap(), before);
}

pub async fn status_records_are_written_once_and_read_back_whole(s: Subject) {
    let v = &*s.vault;
    let number = seq();
    let mut record = status(&number, "github|1", Condition::Update);
    record.state = ChangeState::Failed;
    record.source = ChangeSource::Stream;
    record.error = Some(StatusError {
        code: "invalid_publisher".into(),
        description: "[update] ldap is NOT allowed to publish field first_name".into(),
    });
    v.put_status(record.clone()).await.unwrap();
    assert_eq!(v.get_status(&number).await, Ok(Some(record.clone())));
    let mut again = status(&number, "github|2", Condition::Create);
    again.state = ChangeState::Noop;
    assert_eq!(
        v.put_status(again).await,
        Err(VaultError::StatusExists(number.clone()))
    );
    assert_eq!(v.get_status(&number).await, Ok(Some(record)));

    let mut plain = status(&seq(), "github|1", Condition::Delete);
    plain.expires_at = None;
    v.put_status(plain.clone()).await.unwrap();
    assert_eq!(v.get_status(&plain.sequence_number).await, Ok(Some(plain)));
    assert_eq!(v.get_status(&seq()).await, Ok(None));
}

pub async fn a_delete_with_the_stored_version_removes_the_user(s: Subject) {
    let v = &*s.vault;
    let profile = user("github|1");
    create(v, profile.clone()).await;
    let record = status(&seq(), "github|1", Condition::Delete);
    v.delete("github|1", Expected::Version(1), record.clone())
        .await
        .unwrap();
    assert_eq!(v.get(&by_id("github|1")).await, Ok(None));
    let email = Lookup::PrimaryEmail(profile.primary_email().unwrap().into());
    assert_eq!(v.get(&email).await, Ok(None));
    assert_eq!(
        v.get_status(&record.sequence_number).await,
        Ok(Some(record))
    );
    assert!(
        v.list_ids(&ListQuery::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // The user can be created again.
    create(v, profile).await;
}

pub async fn a_delete_with_a_stale_version_is_a_conflict(s: Subject) {
    let v = &*s.vault;
    create(v, user("github|1")).await;
    let record = status(&seq(), "github|1", Condition::Delete);
    let number = record.sequence_number.clone();
    assert_eq!(
        v.delete("github|1", Expected::Version(7), record).await,
        Err(VaultError::VersionConflict("github|1".into()))
    );
    assert!(v.get(&by_id("github|1")).await.unwrap().is_some());
    assert_eq!(v.get_status(&number).await, Ok(None));
}

pub async fn deleting_an_unknown_user_is_not_found(s: Subject) {
    let v = &*s.vault;
    let record = status(&seq(), "github|404", Condition::Delete);
    assert_eq!(
        v.delete("github|404", Expected::Version(1), record).await,
        Err(VaultError::NotFound("github|404".into()))
    );
}
