//! The SQLite outbox: the `outbox` table of the vault file, so an accepted change is durable as soon as
//! `outbox_append` returns (the same WAL and synchronous settings as the profiles). Appends and acks run
//! on the writer connection, peeks on a reader.

use super::SqliteVault;
use super::rows::Db;
use crate::error::{VaultError, VaultResult};
use crate::outbox::{Outbox, OutboxEntry};
use async_trait::async_trait;
use rusqlite::{Connection, ErrorCode, params};

#[async_trait]
impl Outbox for SqliteVault {
    async fn outbox_append(
        &self,
        user_id: &str,
        sequence_number: &str,
        envelope: &str,
    ) -> VaultResult<i64> {
        let (user_id, sequence_number, envelope) = (
            user_id.to_string(),
            sequence_number.to_string(),
            envelope.to_string(),
        );
        self.write(move |conn| append(conn, &user_id, &sequence_number, &envelope))
            .await
    }

    async fn outbox_peek(&self, limit: usize) -> VaultResult<Vec<OutboxEntry>> {
        self.read(move |conn| peek(conn, limit)).await
    }

    async fn outbox_ack(&self, id: i64) -> VaultResult<()> {
        self.write(move |conn| ack(conn, id)).await
    }
}

pub(super) fn append(
    conn: &Connection,
    user_id: &str,
    sequence_number: &str,
    envelope: &str,
) -> VaultResult<i64> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO outbox (user_id, sequence_number, envelope, enqueued_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .db()?
        .execute(params![user_id, sequence_number, envelope, cis_profile::timestamp::now()]);
    match inserted {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
            Err(VaultError::InvalidRequest(format!(
                "sequence number {sequence_number} is already in the outbox"
            )))
        }
        Err(e) => Err(e).db(),
    }
}

pub(super) fn peek(conn: &Connection, limit: usize) -> VaultResult<Vec<OutboxEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, user_id, sequence_number, envelope, enqueued_at FROM outbox ORDER BY id LIMIT ?1",
        )
        .db()?;
    let rows = stmt
        .query_map([limit], |r| {
            Ok(OutboxEntry {
                id: r.get(0)?,
                user_id: r.get(1)?,
                sequence_number: r.get(2)?,
                envelope: r.get(3)?,
                enqueued_at: r.get(4)?,
            })
        })
        .db()?;
    rows.collect::<Result<_, _>>().db()
}

pub(super) fn ack(conn: &Connection, id: i64) -> VaultResult<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE id = ?1")
        .db()?
        .execute([id])
        .db()?;
    Ok(())
}
