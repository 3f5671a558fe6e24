//! [`QueuedNotifier`]: the notifier of the deployed function, which never sleeps. New events (a DynamoDB
//! stream batch) are routed, coalesced per user and subscription within the batch, and attempted at once;
//! a delivery to retry goes to a [`DeliveryQueue`] with its delay, a dead or failed one to its dead
//! letters. Retries come back from the queue as messages: one not due yet goes back with the rest of its
//! delay (a queue may hold a message only so long), due ones are coalesced and attempted.
//!
//! Each handler answers the ids of the records or messages whose deliveries could not be handed to the
//! queue, for the function's partial batch response: the platform retries them, so a delivery is at least
//! once (receivers de-duplicate on `webhook-id`).

use crate::event::Event;
use crate::notifier::{Attempted, Notifier};
use crate::retry::Verdict;
use crate::store::{Delivery, DeliveryState, NewDelivery, coalesce, fresh};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::{info, warn};

/// A queue of deliveries: retries (each visible again after its delay) and dead letters.
#[async_trait]
pub trait DeliveryQueue: Send + Sync {
    /// Hands `delivery` back after `delay` (a queue may shorten that to its own maximum: the message then
    /// comes back early and is re-queued for the rest).
    async fn retry(&self, delivery: &Delivery, delay: Duration) -> Result<(), String>;
    /// Keeps a dead or failed delivery for an operator.
    async fn dead(&self, delivery: &Delivery) -> Result<(), String>;
}

/// A queue in memory (tests): what was queued, and a switch to make it fail.
#[derive(Debug, Default)]
pub struct MemoryQueue {
    pub retries: Mutex<Vec<(Delivery, Duration)>>,
    pub dead: Mutex<Vec<Delivery>>,
    pub down: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl DeliveryQueue for MemoryQueue {
    async fn retry(&self, delivery: &Delivery, delay: Duration) -> Result<(), String> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("queue unavailable".into());
        }
        self.retries
            .lock()
            .map_err(|e| e.to_string())?
            .push((delivery.clone(), delay));
        Ok(())
    }
    async fn dead(&self, delivery: &Delivery) -> Result<(), String> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("queue unavailable".into());
        }
        self.dead
            .lock()
            .map_err(|e| e.to_string())?
            .push(delivery.clone());
        Ok(())
    }
}

/// The notifier over a queue.
pub struct QueuedNotifier {
    notifier: Arc<Notifier>,
    queue: Arc<dyn DeliveryQueue>,
}

/// Deliveries of one user to one subscription, in order, each with the input ids it carries.
type Chain = Vec<(Delivery, Vec<String>)>;

impl QueuedNotifier {
    pub fn new(notifier: Arc<Notifier>, queue: Arc<dyn DeliveryQueue>) -> QueuedNotifier {
        QueuedNotifier { notifier, queue }
    }

    /// New events, each with the id of the stream record it came from; answers the ids to retry.
    pub async fn handle_events(&self, events: Vec<(String, Event)>) -> Vec<String> {
        let now = crate::now_ms();
        let mut chains: BTreeMap<(String, String), Chain> = BTreeMap::new();
        for (record_id, event) in events {
            for new in self.notifier.route(std::slice::from_ref(&event)) {
                append(&mut chains, &new, record_id.clone(), now);
            }
        }
        self.attempt_chains(chains.into_values().collect()).await
    }

    /// Deliveries from the retry queue, each with its message id; answers the ids to receive again.
    pub async fn handle_retries(&self, messages: Vec<(String, Delivery)>) -> Vec<String> {
        let now = crate::now_ms();
        let mut failed = Vec::new();
        let mut chains: BTreeMap<(String, String), Chain> = BTreeMap::new();
        let mut due: Vec<(String, Delivery)> = Vec::new();
        for (message_id, delivery) in messages {
            let wait = delivery.next_attempt_at - now;
            if wait > 500 {
                // Not due: back for the rest of its delay.
                let delay = Duration::from_millis(u64::try_from(wait).unwrap_or(0));
                if let Err(e) = self.queue.retry(&delivery, delay).await {
                    warn!(error = %e, "could not re-queue a webhook delivery");
                    failed.push(message_id);
                }
                continue;
            }
            due.push((message_id, delivery));
        }
        due.sort_by_key(|(_, d)| (d.event_time, d.attempts));
        for (n, (message_id, mut delivery)) in due.into_iter().enumerate() {
            // Ids from earlier batches may repeat: number this batch's afresh.
            delivery.id = i64::try_from(n).unwrap_or(i64::MAX);
            let key = (delivery.subscription.clone(), delivery.user_id.clone());
            let chain = chains.entry(key).or_default();
            let merged = chain.last().and_then(|(last, _)| {
                let new = NewDelivery {
                    subscription: delivery.subscription.clone(),
                    event: Event {
                        event_id: delivery.event_id.clone(),
                        operation: delivery.operation,
                        user_id: delivery.user_id.clone(),
                        time: delivery.event_time,
                        changed: delivery.changed.clone(),
                        publishers: Vec::new(),
                    },
                    changed: delivery.changed.clone(),
                };
                coalesce(last, &new)
            });
            match (merged, chain.last_mut()) {
                (Some(merged), Some(last)) => {
                    last.0 = merged;
                    last.1.push(message_id);
                }
                _ => chain.push((delivery, vec![message_id])),
            }
        }
        failed.extend(self.attempt_chains(chains.into_values().collect()).await);
        failed
    }

    /// Attempts the first delivery of every chain at once; the rest of a chain follows in order while its
    /// deliveries succeed, and goes to the queue behind the first that does not.
    async fn attempt_chains(&self, chains: Vec<Chain>) -> Vec<String> {
        let mut failed = Vec::new();
        let mut tally: BTreeMap<String, [usize; 3]> = BTreeMap::new();
        let mut chains: Vec<std::collections::VecDeque<(Delivery, Vec<String>)>> =
            chains.into_iter().map(Into::into).collect();
        loop {
            let heads: Vec<(usize, Delivery)> = chains
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.front().map(|(d, _)| (i, d.clone())))
                .collect();
            if heads.is_empty() {
                break;
            }
            let index: BTreeMap<i64, usize> = heads.iter().map(|(i, d)| (d.id, *i)).collect();
            let attempted = self
                .notifier
                .attempt_all(heads.into_iter().map(|(_, d)| d).collect())
                .await;
            for a in attempted {
                let Some(&i) = index.get(&a.delivery.id) else {
                    continue;
                };
                let Some((_, ids)) = chains[i].pop_front() else {
                    continue;
                };
                let slot = match a.verdict {
                    Verdict::Delivered => 0,
                    Verdict::Retry(_) => 1,
                    Verdict::Failed | Verdict::Dead => 2,
                };
                tally.entry(a.delivery.subscription.clone()).or_default()[slot] += 1;
                if let Err(e) = self.after(&a).await {
                    warn!(error = %e, subscription = %a.delivery.subscription, "could not queue a webhook delivery");
                    failed.extend(ids);
                }
                if !matches!(a.verdict, Verdict::Delivered) {
                    // Those behind it wait behind it.
                    for (rest, ids) in chains[i].drain(..) {
                        if let Err(e) = self.queue.retry(&rest, retry_delay(&a)).await {
                            warn!(error = %e, "could not queue a webhook delivery");
                            failed.extend(ids);
                        }
                    }
                }
            }
        }
        for (subscription, [delivered, retried, dead]) in tally {
            info!(%subscription, delivered, retried, dead_or_failed = dead, "webhook deliveries");
        }
        failed
    }

    async fn after(&self, a: &Attempted) -> Result<(), String> {
        let now = crate::now_ms();
        let outcome = a.outcome(now);
        let mut record = a.delivery.clone();
        record.attempts = outcome.attempts;
        record.state = outcome.state;
        record.next_attempt_at = outcome.next_attempt_at;
        record.last_status = outcome.last_status;
        record.last_error.clone_from(&outcome.last_error);
        record.updated_at = now;
        match (a.verdict, record.state) {
            (Verdict::Delivered, _) => Ok(()),
            (Verdict::Retry(delay), _) => self.queue.retry(&record, delay).await,
            (_, DeliveryState::Dead | DeliveryState::Failed) => self.queue.dead(&record).await,
            _ => Ok(()),
        }
    }
}

fn retry_delay(a: &Attempted) -> Duration {
    match a.verdict {
        Verdict::Retry(delay) => delay,
        _ => Duration::from_secs(1),
    }
}

/// Adds `new` to its chain: folded into the chain's last delivery when coalescing keeps the news.
fn append(chains: &mut BTreeMap<(String, String), Chain>, new: &NewDelivery, id: String, now: i64) {
    let key = (new.subscription.clone(), new.event.user_id.clone());
    let chain = chains.entry(key).or_default();
    if let Some(last) = chain.last_mut()
        && let Some(merged) = coalesce(&last.0, new)
    {
        last.0 = merged;
        last.1.push(id);
        return;
    }
    // Ids only need to be unique within the batch (they pair attempts with chains).
    let next_id = i64::try_from(chains_len(chains)).unwrap_or(i64::MAX);
    let delivery = fresh(next_id, new, now);
    if let Some(chain) = chains.get_mut(&(new.subscription.clone(), new.event.user_id.clone())) {
        chain.push((delivery, vec![id]));
    }
}

fn chains_len(chains: &BTreeMap<(String, String), Chain>) -> usize {
    chains.values().map(Vec::len).sum::<usize>() + 1
}
