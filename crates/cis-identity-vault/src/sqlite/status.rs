//! Status records in SQLite (docs/contract/processor-and-vault.md §6): the row mapping, the insert that is
//! conditional on the sequence number, the lookup, and a user's change history through the
//! `status_user` index (migration 4), newest first.

use super::rows::Db;
use crate::cursor;
use crate::error::{VaultError, VaultResult};
use crate::history;
use crate::model::{
    ChangeOrigin, ChangeSource, ChangeState, Condition, HistoryQuery, Page, StatusError,
    StatusRecord,
};
use rusqlite::{Connection, OptionalExtension, Row};

/// The columns [`status_of`] reads, in order.
const COLUMNS: &str = "sequence_number, user_id, state, condition, processed_at, version, source, \
     error_code, error_description, expires_at, client_id, publishers, changed";

fn list(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn status_of(row: &Row<'_>) -> rusqlite::Result<VaultResult<StatusRecord>> {
    let sequence_number: String = row.get(0)?;
    let (state, condition, source): (String, String, String) =
        (row.get(2)?, row.get(3)?, row.get(6)?);
    let version: Option<i64> = row.get(5)?;
    let (code, description): (Option<String>, Option<String>) = (row.get(7)?, row.get(8)?);
    let corrupt = |message: &str| VaultError::Corrupt {
        id: sequence_number.clone(),
        message: message.into(),
    };
    let parsed = (|| {
        let state = ChangeState::parse(&state).ok_or_else(|| corrupt("unknown state"))?;
        let condition = Condition::parse(&condition).ok_or_else(|| corrupt("unknown condition"))?;
        let source = ChangeSource::parse(&source).ok_or_else(|| corrupt("unknown source"))?;
        let version = version
            .map(u64::try_from)
            .transpose()
            .map_err(|_| corrupt("negative version"))?;
        Ok((state, condition, source, version))
    })();
    let (state, condition, source, version) = match parsed {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let error = match (code, description) {
        (None, None) => None,
        (code, description) => Some(StatusError {
            code: code.unwrap_or_default(),
            description: description.unwrap_or_default(),
        }),
    };
    Ok(Ok(StatusRecord {
        sequence_number: sequence_number.clone(),
        user_id: row.get(1)?,
        state,
        condition,
        processed_at: row.get(4)?,
        version,
        source,
        error,
        expires_at: row.get(9)?,
        origin: ChangeOrigin {
            client_id: row.get(10)?,
            publishers: list(row.get(11)?),
            changed: list(row.get(12)?),
        },
    }))
}

/// The status record with this sequence number, if any.
pub(super) fn select_status(
    conn: &Connection,
    sequence_number: &str,
) -> VaultResult<Option<StatusRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM status WHERE sequence_number = ?1");
    conn.prepare_cached(&sql)
        .db()?
        .query_row([sequence_number], status_of)
        .optional()
        .db()?
        .transpose()
}

/// Inserts a status record; `StatusExists` when its sequence number has one.
pub(super) fn insert_status(conn: &Connection, status: &StatusRecord) -> VaultResult<()> {
    let sql = format!(
        "INSERT INTO status ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT (sequence_number) DO NOTHING"
    );
    let error = status.error.as_ref();
    let to_json = |items: &[String]| serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
    let inserted = conn
        .prepare_cached(&sql)
        .db()?
        .execute(rusqlite::params![
            status.sequence_number,
            status.user_id,
            status.state.as_str(),
            status.condition.as_str(),
            status.processed_at,
            status.version,
            status.source.as_str(),
            error.map(|e| &e.code),
            error.map(|e| &e.description),
            status.expires_at,
            status.origin.client_id,
            to_json(&status.origin.publishers),
            to_json(&status.origin.changed),
        ])
        .db()?;
    if inserted == 0 {
        return Err(VaultError::StatusExists(status.sequence_number.clone()));
    }
    Ok(())
}

/// A page of `user_id`'s records, newest first, through the `status_user` index.
pub(super) fn changes_of(
    conn: &Connection,
    user_id: &str,
    query: &HistoryQuery,
) -> VaultResult<Page<StatusRecord>> {
    let limit = history::check_query(user_id, query)?;
    let after = query
        .cursor
        .as_ref()
        .map(cursor::decode_change)
        .transpose()?;
    let (at, seq) = after.unwrap_or_else(|| ("\u{10ffff}".into(), String::new()));
    let sql = format!(
        "SELECT {COLUMNS} FROM status WHERE user_id = ?1 AND (processed_at, sequence_number) < (?2, ?3) \
         ORDER BY processed_at DESC, sequence_number DESC LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql).db()?;
    let rows = stmt
        .query_map(
            rusqlite::params![user_id, at, seq, limit as i64 + 1],
            status_of,
        )
        .db()?;
    let mut records = Vec::new();
    for row in rows {
        records.push(row.db()??);
    }
    Ok(history::page_of(records, limit))
}
