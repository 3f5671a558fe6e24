//! The SQLite adapter of [`PendingChanges`]: the `pending` table, one row per marked user. Marks and clears
//! run on the writer connection, lookups on a reader.

use super::SqliteVault;
use super::rows::Db;
use crate::error::VaultResult;
use crate::ports::PendingChanges;
use async_trait::async_trait;
use rusqlite::params;

#[async_trait]
impl PendingChanges for SqliteVault {
    async fn mark_pending(
        &self,
        user_id: &str,
        sequence_number: &str,
        expires_at: i64,
    ) -> VaultResult<()> {
        let (user_id, sequence_number) = (user_id.to_string(), sequence_number.to_string());
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO pending (user_id, sequence_number, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET sequence_number = ?2, expires_at = ?3",
            )
            .db()?
            .execute(params![user_id, sequence_number, expires_at])
            .db()
            .map(|_| ())
        })
        .await
    }

    async fn is_pending(&self, user_id: &str, now: i64) -> VaultResult<bool> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM pending WHERE user_id = ?1 AND expires_at > ?2)",
            )
            .db()?
            .query_row(params![user_id, now], |r| r.get(0))
            .db()
        })
        .await
    }

    async fn clear_pending(&self, user_id: &str, sequence_number: &str) -> VaultResult<()> {
        let (user_id, sequence_number) = (user_id.to_string(), sequence_number.to_string());
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM pending WHERE user_id = ?1 AND sequence_number = ?2")
                .db()?
                .execute(params![user_id, sequence_number])
                .db()
                .map(|_| ())
        })
        .await
    }
}
