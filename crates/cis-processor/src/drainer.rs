//! [`LocalDrainer`]: the task of `cis serve` that feeds the vault's durable outbox (the local change stream,
//! appended to by `cis_change::OutboxChangeStream`) to the processor.
//!
//! Owns the drain loop: peek a batch, process it, ack the records that are done for good, sleep briefly when
//! idle or stalled, stop after the current record on shutdown.
//! Delivery is at least once; a record applied but not acked is applied again and its status record makes
//! that harmless. The outbox's storage (SQLite, memory) belongs to `cis-identity-vault`.

use crate::processor::Processor;
use cis_change::StreamRecord;
use cis_identity_vault::{Outbox, VaultResult};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tracing::{debug, warn};

/// What one drain pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DrainReport {
    /// Records read from the outbox.
    pub peeked: usize,
    /// Records done for good and removed.
    pub acked: usize,
    /// A record failed transiently (or a stop was requested): the rest waits for the next pass.
    pub stalled: bool,
}

/// Feeds the outbox to the processor until shut down.
pub struct LocalDrainer {
    outbox: Arc<dyn Outbox>,
    processor: Processor,
    batch_size: usize,
    idle: Duration,
}

impl LocalDrainer {
    /// Batches of 100, 200 ms pause when the outbox is empty or a record failed transiently.
    pub fn new(outbox: Arc<dyn Outbox>, processor: Processor) -> LocalDrainer {
        LocalDrainer {
            outbox,
            processor,
            batch_size: 100,
            idle: Duration::from_millis(200),
        }
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> LocalDrainer {
        self.batch_size = batch_size.max(1);
        self
    }

    pub fn with_idle(mut self, idle: Duration) -> LocalDrainer {
        self.idle = idle;
        self
    }

    /// One pass: peek, process (no record starts once `stop` is set), ack the completed prefix.
    pub async fn drain_once(&self, stop: &AtomicBool) -> VaultResult<DrainReport> {
        let entries = self.outbox.outbox_peek(self.batch_size).await?;
        if entries.is_empty() {
            return Ok(DrainReport::default());
        }
        let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
        let records = entries
            .into_iter()
            .map(|e| StreamRecord {
                id: e.id.to_string(),
                data: e.envelope.into_bytes(),
            })
            .collect();
        let outcome = self.processor.process_batch_until(records, stop).await;
        let done = outcome.completed_prefix();
        for id in &ids[..done] {
            self.outbox.outbox_ack(*id).await?;
        }
        Ok(DrainReport {
            peeked: ids.len(),
            acked: done,
            stalled: done < ids.len(),
        })
    }

    /// Drains until `shutdown` completes; the records in flight when it does are finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let stop = AtomicBool::new(false);
        let mut shutdown = pin!(shutdown);
        loop {
            let pass = {
                let mut drain = pin!(self.drain_once(&stop));
                tokio::select! {
                    report = &mut drain => report,
                    () = &mut shutdown => {
                        stop.store(true, Ordering::SeqCst);
                        drain.await
                    }
                }
            };
            let pause = match pass {
                Ok(report) => {
                    debug!(peeked = report.peeked, acked = report.acked, "outbox pass");
                    report.peeked == 0 || report.stalled
                }
                Err(e) => {
                    warn!(error = %e, "outbox unavailable");
                    true
                }
            };
            if stop.load(Ordering::SeqCst) {
                return;
            }
            if pause {
                tokio::select! {
                    () = tokio::time::sleep(self.idle) => {}
                    () = &mut shutdown => return,
                }
            }
        }
    }
}
