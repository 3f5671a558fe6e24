//! [`OutboxChangeStream`]: the change stream of `cis serve` — a [`ChangeStream`] on the vault's durable
//! outbox (docs/contract/processor-and-vault.md §8). Each append is committed before it returns, so an
//! accepted change survives a crash. Feeding the outbox to the processor is the processor's job (its
//! `LocalDrainer`); the outbox's storage belongs to `cis-identity-vault`.

use crate::envelope::ChangeEnvelope;
use crate::stream::{ChangeStream, StreamError};
use async_trait::async_trait;
use cis_identity_vault::{Outbox, VaultError};
use std::sync::Arc;

/// Appends changes to the outbox.
#[derive(Clone)]
pub struct OutboxChangeStream {
    outbox: Arc<dyn Outbox>,
}

impl OutboxChangeStream {
    pub fn new(outbox: Arc<dyn Outbox>) -> OutboxChangeStream {
        OutboxChangeStream { outbox }
    }
}

impl std::fmt::Debug for OutboxChangeStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutboxChangeStream")
    }
}

#[async_trait]
impl ChangeStream for OutboxChangeStream {
    async fn append(&self, batch: &[ChangeEnvelope]) -> Vec<Result<(), StreamError>> {
        let mut results = Vec::with_capacity(batch.len());
        for envelope in batch {
            let text = String::from_utf8(envelope.to_bytes()).unwrap_or_default();
            let appended = self
                .outbox
                .outbox_append(&envelope.user_id, &envelope.sequence_number, &text)
                .await;
            results.push(appended.map(|_| ()).map_err(|e| match e {
                VaultError::InvalidRequest(m) => StreamError::Refused(m),
                other => StreamError::Unavailable(other.to_string()),
            }));
        }
        results
    }
}
