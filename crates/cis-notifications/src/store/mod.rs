//! The [`DeliveryStore`] port: the events the vault recorded and not yet routed, and one record per delivery
//! (subscription, event, attempts, last status or error, state, when it is next due) — docs/webhooks.md §5.
//! [`MemoryDeliveryStore`] for tests, [`SqliteDeliveryStore`] for `cis serve` (tables in the vault's file).
//!
//! Routing adds deliveries and marks the events routed at once, so a crash between the two neither loses
//! nor duplicates one. A new event for a user whose delivery to the same subscription is still waiting is
//! coalesced into it ([`coalesce`]); deliveries of one user to one subscription go out in order.

mod memory;
mod sqlite;

pub use memory::MemoryDeliveryStore;
pub use sqlite::SqliteDeliveryStore;

use crate::event::{Event, Operation};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not delivered yet; due at `next_attempt_at`.
    Pending,
    Delivered,
    /// Refused for good by the receiver (a 4xx other than 408/429).
    Failed,
    /// Still failing after its last attempt.
    Dead,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 4] = [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Failed,
        DeliveryState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryState> {
        DeliveryState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One delivery record. No token, secret or attribute value: the changed paths at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub subscription: String,
    /// The latest event it carries (coalescing replaces it).
    pub event_id: String,
    pub user_id: String,
    pub operation: Operation,
    pub changed: Vec<String>,
    /// Epoch seconds of the latest event.
    pub event_time: i64,
    pub state: DeliveryState,
    pub attempts: u32,
    /// Epoch milliseconds.
    pub next_attempt_at: i64,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// How many later events were folded into it.
    pub coalesced: u32,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A delivery to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub subscription: String,
    pub event: Event,
    /// The changed paths the subscription is told about.
    pub changed: Vec<String>,
}

/// What an attempt changed in a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub id: i64,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

/// What [`DeliveryStore::route`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteReport {
    pub added: usize,
    pub coalesced: usize,
}

/// Deliveries of one subscription in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCount {
    pub subscription: String,
    pub state: DeliveryState,
    pub count: u64,
}

/// A store that cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("delivery store: {0}")]
pub struct StoreError(pub String);

#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Events recorded since the last [`route`](DeliveryStore::route), oldest first, with their cursor.
    async fn unrouted(&self, limit: usize) -> Result<Vec<(i64, Event)>, StoreError>;
    /// Adds `deliveries` (coalescing) and marks every event up to `cursor` routed, atomically.
    async fn route(
        &self,
        cursor: i64,
        deliveries: Vec<NewDelivery>,
        now_ms: i64,
    ) -> Result<RouteReport, StoreError>;
    /// Pending deliveries due at `now_ms`, each the oldest pending one of its user and subscription.
    async fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Delivery>, StoreError>;
    /// Records what an attempt did.
    async fn record(&self, outcome: &Outcome, now_ms: i64) -> Result<(), StoreError>;
    /// When the earliest pending delivery is due (epoch ms).
    async fn next_due(&self) -> Result<Option<i64>, StoreError>;
    async fn counts(&self) -> Result<Vec<StateCount>, StoreError>;
    /// The latest deliveries (newest first), of one subscription and/or state.
    async fn list(
        &self,
        subscription: Option<&str>,
        state: Option<DeliveryState>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Makes the dead and failed deliveries of a subscription (of one user) pending again, due now, with
    /// their attempts reset. How many.
    async fn requeue(
        &self,
        subscription: &str,
        user_id: Option<&str>,
        now_ms: i64,
    ) -> Result<usize, StoreError>;
    /// The recorded events since `since` (epoch seconds), of one user, oldest first.
    async fn events_since(
        &self,
        since: i64,
        user_id: Option<&str>,
    ) -> Result<Vec<Event>, StoreError>;
}

/// Folds `new` into the last waiting delivery of its user and subscription when that keeps the news: two
/// non-deletes merge (the latest operation wins, changed paths add up), a delete absorbs a waiting create
/// or update (the user is gone), and nothing merges into a waiting delete (it is never dropped: the news
/// after it queue behind it). `None` when `new` must be a delivery of its own.
pub fn coalesce(waiting: &Delivery, new: &NewDelivery) -> Option<Delivery> {
    if waiting.operation == Operation::Delete && new.event.operation != Operation::Delete {
        return None;
    }
    let mut merged = waiting.clone();
    merged.operation = new.event.operation;
    merged.event_id = new.event.event_id.clone();
    merged.event_time = new.event.time;
    merged.coalesced += 1;
    if new.event.operation == Operation::Delete {
        merged.changed.clear();
    } else {
        for path in &new.changed {
            if !merged.changed.contains(path) {
                merged.changed.push(path.clone());
            }
        }
    }
    Some(merged)
}

/// A new pending delivery with id `id`, due now.
pub fn fresh(id: i64, new: &NewDelivery, now_ms: i64) -> Delivery {
    Delivery {
        id,
        subscription: new.subscription.clone(),
        event_id: new.event.event_id.clone(),
        user_id: new.event.user_id.clone(),
        operation: new.event.operation,
        changed: new.changed.clone(),
        event_time: new.event.time,
        state: DeliveryState::Pending,
        attempts: 0,
        next_attempt_at: now_ms,
        last_status: None,
        last_error: None,
        coalesced: 0,
        created_at: now_ms,
        updated_at: now_ms,
    }
}
