//! Writes on the writer connection, each in one `BEGIN IMMEDIATE` transaction together with its status
//! record, so a crash never leaves a profile without the record of the change that wrote it (or the reverse).
//! The condition is decided by [`crate::condition`] and enforced again by the statement itself
//! (`WHERE id = ? AND version IS ?`). Callers hold the writer lock; this module does not parse profiles.

use super::rows::{Db, WriteRow};
use super::status::insert_status;
use crate::condition::{self, Current};
use crate::error::{VaultError, VaultResult};
use crate::model::{Expected, StatusRecord};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

/// What a bulk import did with one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Stored as a new user, version 1.
    Created,
    /// The user was already stored and left alone; `identical` says whether the stored profile is the
    /// imported one (a resumed import) or another.
    Present { identical: bool },
}

const INSERT: &str = "INSERT INTO profiles (id, user_uuid, primary_email, primary_username, \
     connection_method, active, sequence_number, version, changed_attributes, change_publishers, \
     profile, flat_profile) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

const UPDATE: &str = "UPDATE profiles SET user_uuid = ?2, primary_email = ?3, primary_username = ?4, \
     connection_method = ?5, active = ?6, sequence_number = ?7, version = ?8, changed_attributes = ?9, \
     change_publishers = ?10, profile = ?11, flat_profile = ?12 WHERE id = ?1 AND version IS ?13";

fn begin(conn: &mut Connection) -> VaultResult<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .db()
}

fn current(tx: &Transaction<'_>, user_id: &str) -> VaultResult<Current> {
    let version: Option<Option<i64>> = tx
        .prepare_cached("SELECT version FROM profiles WHERE id = ?1")
        .db()?
        .query_row([user_id], |r| r.get(0))
        .optional()
        .db()?;
    let corrupt = || VaultError::Corrupt {
        id: user_id.to_string(),
        message: "negative version".into(),
    };
    match version {
        None => Ok(None),
        Some(v) => Ok(Some(
            v.map(u64::try_from).transpose().map_err(|_| corrupt())?,
        )),
    }
}

fn check_status_absent(tx: &Transaction<'_>, sequence_number: &str) -> VaultResult<()> {
    let found: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM status WHERE sequence_number = ?1")
        .db()?
        .query_row([sequence_number], |r| r.get(0))
        .optional()
        .db()?;
    match found {
        Some(_) => Err(VaultError::StatusExists(sequence_number.to_string())),
        None => Ok(()),
    }
}

/// The version a condition names (`None` = unversioned), for `version IS ?`.
fn expected_version(expected: Expected) -> Option<u64> {
    match expected {
        Expected::Version(v) => Some(v),
        Expected::Absent | Expected::Unversioned => None,
    }
}

fn row_params<'a>(row: &'a WriteRow, version: &'a u64) -> [&'a dyn rusqlite::ToSql; 12] {
    let f = &row.fields;
    [
        &f.user_id,
        &f.uuid,
        &f.primary_email,
        &f.primary_username,
        &f.connection_method,
        &f.active,
        &row.sequence_number,
        version,
        &row.changed_attributes,
        &row.change_publishers,
        &row.profile,
        &row.flat_profile,
    ]
}

/// The event of a write, in its transaction (migration 3): creates and deletes always, updates that
/// changed more than `last_modified`. The change's sequence number is the event's id.
fn insert_event(
    tx: &Transaction<'_>,
    status: &StatusRecord,
    operation: &str,
    changed: &str,
    publishers: &str,
) -> VaultResult<()> {
    if operation == "update" && changed_only_last_modified(changed) {
        return Ok(());
    }
    let time = time::OffsetDateTime::now_utc().unix_timestamp();
    tx.prepare_cached(
        "INSERT INTO events (event_id, user_id, operation, changed, publishers, time) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .db()?
    .execute(params![
        status.sequence_number,
        status.user_id,
        operation,
        changed,
        publishers,
        time
    ])
    .db()?;
    Ok(())
}

fn changed_only_last_modified(changed: &str) -> bool {
    serde_json::from_str::<Vec<String>>(changed)
        .map(|paths| paths.iter().all(|p| p == "last_modified"))
        .unwrap_or(false)
}

/// Creates or replaces a profile if `expected` holds, with its status record (and its event when `events`).
/// Returns the new version.
pub(super) fn put(
    conn: &mut Connection,
    row: &WriteRow,
    expected: Expected,
    status: &StatusRecord,
    events: bool,
) -> VaultResult<u64> {
    let tx = begin(conn)?;
    // The status condition is checked first: a replayed change is "already applied", whatever the version.
    check_status_absent(&tx, &status.sequence_number)?;
    let user_id = &row.fields.user_id;
    let version = condition::next_version(current(&tx, user_id)?, expected, user_id)?;
    let params = row_params(row, &version);
    let written = if expected == Expected::Absent {
        tx.prepare_cached(INSERT).db()?.execute(&params[..]).db()?
    } else {
        let was = expected_version(expected);
        let mut all: Vec<&dyn rusqlite::ToSql> = params.to_vec();
        all.push(&was);
        tx.prepare_cached(UPDATE).db()?.execute(&all[..]).db()?
    };
    if written != 1 {
        return Err(VaultError::VersionConflict(user_id.clone()));
    }
    insert_status(&tx, status)?;
    if events {
        let operation = if expected == Expected::Absent {
            "create"
        } else {
            "update"
        };
        insert_event(
            &tx,
            status,
            operation,
            &row.changed_attributes,
            &row.change_publishers,
        )?;
    }
    tx.commit().db()?;
    Ok(version)
}

/// Deletes a profile if `expected` holds, with the status record of the delete (and its event when `events`).
pub(super) fn delete(
    conn: &mut Connection,
    user_id: &str,
    expected: Expected,
    status: &StatusRecord,
    events: bool,
) -> VaultResult<()> {
    let tx = begin(conn)?;
    check_status_absent(&tx, &status.sequence_number)?;
    condition::check_delete(current(&tx, user_id)?, expected, user_id)?;
    let deleted = tx
        .prepare_cached("DELETE FROM profiles WHERE id = ?1 AND version IS ?2")
        .db()?
        .execute(params![user_id, expected_version(expected)])
        .db()?;
    if deleted != 1 {
        return Err(VaultError::VersionConflict(user_id.to_string()));
    }
    insert_status(&tx, status)?;
    if events {
        insert_event(&tx, status, "delete", "[]", "[]")?;
    }
    tx.commit().db()
}

/// Writes a status record alone.
pub(super) fn put_status(conn: &mut Connection, status: &StatusRecord) -> VaultResult<()> {
    insert_status(conn, status)
}

/// Creates every profile whose user is absent, in one transaction; present users are left alone.
pub(super) fn import(conn: &mut Connection, rows: &[WriteRow]) -> VaultResult<Vec<ImportOutcome>> {
    let tx = begin(conn)?;
    let mut outcomes = Vec::with_capacity(rows.len());
    {
        let mut insert = tx
            .prepare_cached(&format!("{INSERT} ON CONFLICT (id) DO NOTHING"))
            .db()?;
        let mut stored = tx
            .prepare_cached("SELECT profile FROM profiles WHERE id = ?1")
            .db()?;
        for row in rows {
            if insert.execute(&row_params(row, &1)[..]).db()? == 1 {
                outcomes.push(ImportOutcome::Created);
                continue;
            }
            let text: String = stored.query_row([&row.fields.user_id], |r| r.get(0)).db()?;
            outcomes.push(ImportOutcome::Present {
                identical: text == row.profile,
            });
        }
    }
    tx.commit().db()?;
    Ok(outcomes)
}
