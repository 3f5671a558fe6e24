//! The change stream port ([`ChangeStream`]) and its in-memory adapter ([`MemoryChangeStream`]).
//!
//! The Change API appends envelopes in stream mode; the processor reads [`StreamRecord`]s. Results are per
//! record so that a batch can report partial failure. Production adapters live elsewhere: Kinesis in
//! `cis-aws`, the SQLite outbox in [`crate::outbox`]. This module holds no AWS or SQLite types.

use crate::envelope::ChangeEnvelope;
use async_trait::async_trait;
use std::sync::{Mutex, MutexGuard};

/// One record as read from a change stream: its stream-assigned id (the Kinesis `sequenceNumber`, the
/// outbox row id) and its data (an encoded envelope, or anything a poison record may hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecord {
    pub id: String,
    pub data: Vec<u8>,
}

/// Why one record could not be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The stream did not take the record (throttling, service or network failure, after retries).
    #[error("change stream unavailable: {0}")]
    Unavailable(String),
    /// The stream refused the record itself (e.g. too large); sending it again will not help.
    #[error("change stream refused the record: {0}")]
    Refused(String),
}

/// Appends changes to the change stream, durably, keeping the order of each user's changes.
#[async_trait]
pub trait ChangeStream: Send + Sync {
    /// Appends `batch` and returns one result per envelope, in the same order. A batch holds at most one
    /// change per user (the Change API rejects duplicates), so a partial failure never reorders a user.
    async fn append(&self, batch: &[ChangeEnvelope]) -> Vec<Result<(), StreamError>>;
}

/// An in-memory change stream for tests: keeps records in append order; tests drain it into the processor.
#[derive(Debug, Default)]
pub struct MemoryChangeStream {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    records: Vec<StreamRecord>,
    next_id: u64,
    fail_next: usize,
}

impl MemoryChangeStream {
    pub fn new() -> MemoryChangeStream {
        MemoryChangeStream::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the records half-written, so poisoning is ignored.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes the next `count` appended records fail with [`StreamError::Unavailable`].
    pub fn fail_next(&self, count: usize) {
        self.state().fail_next = count;
    }

    /// Appends raw bytes (e.g. a poison record or a historic bare profile); returns the record id.
    pub fn push_raw(&self, data: Vec<u8>) -> String {
        let mut state = self.state();
        state.next_id += 1;
        // Zero-padded so that ids sort like Kinesis sequence numbers do.
        let id = format!("{:056}", state.next_id);
        state.records.push(StreamRecord {
            id: id.clone(),
            data,
        });
        id
    }

    /// Takes every record appended so far, oldest first.
    pub fn drain(&self) -> Vec<StreamRecord> {
        std::mem::take(&mut self.state().records)
    }

    /// The records appended so far, without taking them.
    pub fn records(&self) -> Vec<StreamRecord> {
        self.state().records.clone()
    }

    pub fn len(&self) -> usize {
        self.state().records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl ChangeStream for MemoryChangeStream {
    async fn append(&self, batch: &[ChangeEnvelope]) -> Vec<Result<(), StreamError>> {
        batch
            .iter()
            .map(|envelope| {
                {
                    let mut state = self.state();
                    if state.fail_next > 0 {
                        state.fail_next -= 1;
                        return Err(StreamError::Unavailable("injected failure".into()));
                    }
                }
                self.push_raw(envelope.to_bytes());
                Ok(())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cis_identity_vault::Condition;
    use serde_json::json;

    fn envelope(user: &str) -> ChangeEnvelope {
        ChangeEnvelope::upsert("1".into(), user.into(), Condition::Create, None, json!({}))
    }

    #[tokio::test]
    async fn appended_records_come_out_in_order_with_increasing_ids() {
        let stream = MemoryChangeStream::new();
        let results = stream
            .append(&[envelope("a"), envelope("b"), envelope("c")])
            .await;
        assert!(results.iter().all(Result::is_ok));
        let records = stream.drain();
        let users: Vec<String> = records
            .iter()
            .map(|r| {
                ChangeEnvelope::decode(&r.data, &r.id)
                    .unwrap()
                    .envelope
                    .user_id
            })
            .collect();
        assert_eq!(users, ["a", "b", "c"]);
        assert!(records.windows(2).all(|w| w[0].id < w[1].id));
        assert!(stream.is_empty());
    }

    #[tokio::test]
    async fn injected_failures_are_reported_per_record() {
        let stream = MemoryChangeStream::new();
        stream.fail_next(1);
        let results = stream.append(&[envelope("a"), envelope("b")]).await;
        assert!(matches!(results[0], Err(StreamError::Unavailable(_))));
        assert!(results[1].is_ok());
        assert_eq!(stream.len(), 1);
    }
}
