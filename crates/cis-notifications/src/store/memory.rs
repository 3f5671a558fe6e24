//! [`MemoryDeliveryStore`]: the delivery store in memory, for tests. Events are pushed by the test
//! ([`MemoryDeliveryStore::push_event`]) where a vault would record them.

use super::{
    Delivery, DeliveryState, DeliveryStore, NewDelivery, Outcome, RouteReport, StateCount,
    StoreError, coalesce, fresh,
};
use crate::event::Event;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
struct State {
    events: Vec<(i64, Event)>,
    routed: i64,
    deliveries: BTreeMap<i64, Delivery>,
    next_id: i64,
}

/// Deliveries and events in memory.
#[derive(Debug, Default)]
pub struct MemoryDeliveryStore {
    state: Mutex<State>,
}

impl MemoryDeliveryStore {
    pub fn new() -> MemoryDeliveryStore {
        MemoryDeliveryStore::default()
    }

    /// Records an event, as the vault does with a write.
    pub fn push_event(&self, event: Event) {
        if let Ok(mut state) = self.state.lock() {
            let cursor = state.events.last().map_or(1, |(c, _)| c + 1);
            state.events.push((cursor, event));
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        self.state.lock().map_err(|_| StoreError("poisoned".into()))
    }
}

#[async_trait]
impl DeliveryStore for MemoryDeliveryStore {
    async fn unrouted(&self, limit: usize) -> Result<Vec<(i64, Event)>, StoreError> {
        let state = self.lock()?;
        let routed = state.routed;
        Ok(state
            .events
            .iter()
            .filter(|(c, _)| *c > routed)
            .take(limit)
            .cloned()
            .collect())
    }

    async fn route(
        &self,
        cursor: i64,
        deliveries: Vec<NewDelivery>,
        now_ms: i64,
    ) -> Result<RouteReport, StoreError> {
        let mut state = self.lock()?;
        let mut report = RouteReport::default();
        for new in deliveries {
            let waiting = state
                .deliveries
                .values()
                .rfind(|d| {
                    d.state == DeliveryState::Pending
                        && d.subscription == new.subscription
                        && d.user_id == new.event.user_id
                })
                .cloned();
            if let Some(mut merged) = waiting.as_ref().and_then(|w| coalesce(w, &new)) {
                merged.updated_at = now_ms;
                state.deliveries.insert(merged.id, merged);
                report.coalesced += 1;
            } else {
                state.next_id += 1;
                let id = state.next_id;
                state.deliveries.insert(id, fresh(id, &new, now_ms));
                report.added += 1;
            }
        }
        state.routed = state.routed.max(cursor);
        Ok(report)
    }

    async fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let state = self.lock()?;
        let mut seen = std::collections::BTreeSet::new();
        let mut due: Vec<Delivery> = Vec::new();
        for d in state
            .deliveries
            .values()
            .filter(|d| d.state == DeliveryState::Pending)
        {
            // The oldest pending delivery of each user and subscription goes first.
            if seen.insert((d.subscription.clone(), d.user_id.clone()))
                && d.next_attempt_at <= now_ms
            {
                due.push(d.clone());
            }
        }
        due.sort_by_key(|d| (d.next_attempt_at, d.id));
        due.truncate(limit);
        Ok(due)
    }

    async fn record(&self, outcome: &Outcome, now_ms: i64) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        let d = state
            .deliveries
            .get_mut(&outcome.id)
            .ok_or_else(|| StoreError(format!("no delivery {}", outcome.id)))?;
        d.state = outcome.state;
        d.attempts = outcome.attempts;
        d.next_attempt_at = outcome.next_attempt_at;
        d.last_status = outcome.last_status;
        d.last_error.clone_from(&outcome.last_error);
        d.updated_at = now_ms;
        Ok(())
    }

    async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let state = self.lock()?;
        Ok(state
            .deliveries
            .values()
            .filter(|d| d.state == DeliveryState::Pending)
            .map(|d| d.next_attempt_at)
            .min())
    }

    async fn counts(&self) -> Result<Vec<StateCount>, StoreError> {
        let state = self.lock()?;
        let mut counts: BTreeMap<(String, DeliveryState), u64> = BTreeMap::new();
        for d in state.deliveries.values() {
            *counts.entry((d.subscription.clone(), d.state)).or_default() += 1;
        }
        Ok(counts
            .into_iter()
            .map(|((subscription, state), count)| StateCount {
                subscription,
                state,
                count,
            })
            .collect())
    }

    async fn list(
        &self,
        subscription: Option<&str>,
        state_filter: Option<DeliveryState>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let state = self.lock()?;
        Ok(state
            .deliveries
            .values()
            .rev()
            .filter(|d| subscription.is_none_or(|s| d.subscription == s))
            .filter(|d| state_filter.is_none_or(|s| d.state == s))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn requeue(
        &self,
        subscription: &str,
        user_id: Option<&str>,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let mut state = self.lock()?;
        let mut n = 0;
        for d in state.deliveries.values_mut() {
            if d.subscription == subscription
                && matches!(d.state, DeliveryState::Dead | DeliveryState::Failed)
                && user_id.is_none_or(|u| d.user_id == u)
            {
                d.state = DeliveryState::Pending;
                d.attempts = 0;
                d.next_attempt_at = now_ms;
                d.updated_at = now_ms;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn events_since(
        &self,
        since: i64,
        user_id: Option<&str>,
    ) -> Result<Vec<Event>, StoreError> {
        let state = self.lock()?;
        Ok(state
            .events
            .iter()
            .map(|(_, e)| e)
            .filter(|e| e.time >= since && user_id.is_none_or(|u| e.user_id == u))
            .cloned()
            .collect())
    }
}
