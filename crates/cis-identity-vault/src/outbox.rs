//! The outbox port: the local change stream of `cis serve` (architecture: "an outbox table in the same
//! SQLite file, so an accepted change survives a crash"). The Change API appends an accepted change before it
//! answers; the processor peeks the oldest entries, applies them, and acks each one once its outcome is
//! durable. Delivery is at least once: an entry applied but not yet acked when the process dies is applied
//! again, and the status record (`StatusExists`) makes the second application a no-op.
//!
//! Implemented by `SqliteVault` (durable) and `MemoryVault` (tests). This module knows nothing about what an
//! envelope contains: it is the processor's JSON text.

use crate::error::VaultResult;
use async_trait::async_trait;

/// One queued change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Position in the queue: increasing, never reused.
    pub id: i64,
    pub user_id: String,
    pub sequence_number: String,
    /// The change envelope as JSON text.
    pub envelope: String,
    /// When it was appended (RFC 3339, UTC, milliseconds).
    pub enqueued_at: String,
}

/// A durable FIFO of accepted changes.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Appends a change and returns its id. A sequence number already queued is an `InvalidRequest` (every
    /// change has its own number).
    async fn outbox_append(
        &self,
        user_id: &str,
        sequence_number: &str,
        envelope: &str,
    ) -> VaultResult<i64>;
    /// Up to `limit` entries, oldest first, without removing them.
    async fn outbox_peek(&self, limit: usize) -> VaultResult<Vec<OutboxEntry>>;
    /// Removes an entry once handled. Acking an id that is not queued (acked before) is not an error.
    async fn outbox_ack(&self, id: i64) -> VaultResult<()>;
}
