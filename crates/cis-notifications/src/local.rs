//! [`LocalNotifier`]: the notifier task of `cis serve`. Each pass routes the events the vault recorded
//! since the last one (adding or coalescing deliveries, atomically with the routing mark), attempts every
//! delivery that is due, and records each outcome; between passes it sleeps until the next delivery is
//! due, at most `idle`. Everything it needs to resume is in the store, so a killed process delivers what
//! was pending after its next start.

use crate::notifier::Notifier;
use crate::retry::Verdict;
use crate::store::{DeliveryStore, StoreError};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;
use tracing::{info, warn};

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub events: usize,
    pub added: usize,
    pub coalesced: usize,
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
    pub dead: usize,
}

/// The notifier loop over a delivery store.
pub struct LocalNotifier {
    notifier: Arc<Notifier>,
    store: Arc<dyn DeliveryStore>,
    batch: usize,
    idle: Duration,
}

impl LocalNotifier {
    /// Batches of 100, at most 100 ms between passes when nothing is due.
    pub fn new(notifier: Arc<Notifier>, store: Arc<dyn DeliveryStore>) -> LocalNotifier {
        LocalNotifier {
            notifier,
            store,
            batch: 100,
            idle: Duration::from_millis(100),
        }
    }

    pub fn with_idle(mut self, idle: Duration) -> LocalNotifier {
        self.idle = idle;
        self
    }

    /// Routes new events, then attempts what is due once.
    pub async fn pass(&self) -> Result<PassReport, StoreError> {
        let mut report = PassReport::default();
        loop {
            let events = self.store.unrouted(self.batch).await?;
            let Some(cursor) = events.last().map(|(c, _)| *c) else {
                break;
            };
            let events: Vec<_> = events.into_iter().map(|(_, e)| e).collect();
            report.events += events.len();
            let routed = self
                .store
                .route(cursor, self.notifier.route(&events), crate::now_ms())
                .await?;
            report.added += routed.added;
            report.coalesced += routed.coalesced;
        }
        let due = self.store.due(crate::now_ms(), self.batch).await?;
        if due.is_empty() {
            return Ok(report);
        }
        let mut per_subscription: BTreeMap<String, [usize; 4]> = BTreeMap::new();
        for attempted in self.notifier.attempt_all(due).await {
            self.store
                .record(&attempted.outcome(crate::now_ms()), crate::now_ms())
                .await?;
            let slot = match attempted.verdict {
                Verdict::Delivered => 0,
                Verdict::Retry(_) => 1,
                Verdict::Failed => 2,
                Verdict::Dead => 3,
            };
            per_subscription
                .entry(attempted.delivery.subscription.clone())
                .or_default()[slot] += 1;
            if !matches!(attempted.verdict, Verdict::Delivered) {
                warn!(
                    subscription = %attempted.delivery.subscription,
                    event_id = %attempted.delivery.event_id,
                    attempt = attempted.delivery.attempts + 1,
                    result = %attempted.result.describe(),
                    verdict = ?attempted.verdict,
                    "webhook delivery not done"
                );
            }
        }
        for (subscription, [delivered, retried, failed, dead]) in per_subscription {
            info!(%subscription, delivered, retried, failed, dead, "webhook deliveries");
            report.delivered += delivered;
            report.retried += retried;
            report.failed += failed;
            report.dead += dead;
        }
        Ok(report)
    }

    /// Passes until `stop` completes (the pass in progress finishes first).
    pub async fn run(self, stop: impl Future<Output = ()>) {
        let mut stop = pin!(stop);
        loop {
            let wait = match self.pass().await {
                Ok(_) => self.until_next_due().await,
                Err(error) => {
                    warn!(%error, "webhook notifier pass failed; retrying");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        match self.store.next_due().await {
            Ok(Some(at)) => {
                let wait = u64::try_from(at.saturating_sub(crate::now_ms())).unwrap_or(0);
                Duration::from_millis(wait).min(self.idle)
            }
            _ => self.idle,
        }
    }
}
