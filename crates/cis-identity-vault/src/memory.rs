//! `MemoryVault`: the in-memory adapter, for unit tests of the services above the vault.
//!
//! Same semantics and conflict behaviour as the SQLite and DynamoDB adapters (the contract suite runs on
//! all of them): conditional writes decided by [`crate::condition`], item fields and search by
//! [`crate::search`], cursors by [`crate::cursor`]. One mutex guards all state, so every operation is
//! atomic. Tests can queue failures ([`MemoryVault::fail_next`]) to exercise 503 and retry paths, and seed
//! items the original CIS wrote (no version). Nothing here is durable; never use it outside tests and demos.

use crate::condition::{self, Current};
use crate::cursor;
use crate::error::{VaultError, VaultResult};
use crate::model::{
    AttributeQuery, Expected, HistoryQuery, IdEntry, ListQuery, Lookup, Page, ProfileWrite,
    StatusRecord, StoredJson, StoredProfile,
};
use crate::outbox::{Outbox, OutboxEntry};
use crate::ports::{ProfileLister, ProfileReader, ProfileWriter, StatusStore};

#[path = "memory_pending.rs"]
mod pending;
use crate::search::{self, ItemFields};
use async_trait::async_trait;
use cis_profile::Profile;
use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard};

/// One stored item as a test may inspect it: the profile plus the change attributes of its last write.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryItem {
    pub stored: StoredProfile,
    pub fields: ItemFields,
    pub changed_attributes: Vec<String>,
    pub change_publishers: Vec<String>,
    /// The profile's compact JSON text, made once at write: what `get_json` and `list_profiles_json` give.
    pub json: String,
}

impl MemoryItem {
    fn new(
        stored: StoredProfile,
        fields: ItemFields,
        changed: Vec<String>,
        publishers: Vec<String>,
    ) -> MemoryItem {
        MemoryItem {
            json: stored.profile.to_json(),
            stored,
            fields,
            changed_attributes: changed,
            change_publishers: publishers,
        }
    }

    fn stored_json(&self) -> StoredJson {
        StoredJson {
            user_id: self.fields.user_id.clone(),
            active: self.fields.active,
            version: self.stored.version,
            json: self.json.clone(),
        }
    }
}

#[derive(Default)]
struct State {
    items: BTreeMap<String, MemoryItem>,
    status: BTreeMap<String, StatusRecord>,
    outbox: BTreeMap<i64, OutboxEntry>,
    outbox_last_id: i64,
    /// user_id → (sequence number, expires_at).
    pending: BTreeMap<String, (String, i64)>,
}

/// The in-memory vault.
#[derive(Default)]
pub struct MemoryVault {
    state: Mutex<State>,
    failures: Mutex<VecDeque<VaultError>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another test thread must not hide this vault's state.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MemoryVault {
    pub fn new() -> MemoryVault {
        MemoryVault::default()
    }

    /// Makes the next operation (any port method, outbox included) fail with `error`. Calls queue up: the
    /// n-th queued error fails the n-th following operation.
    pub fn fail_next(&self, error: VaultError) {
        locked(&self.failures).push_back(error);
    }

    /// Drops every queued failure.
    pub fn clear_failures(&self) {
        locked(&self.failures).clear();
    }

    /// The stored item of a user, for assertions.
    pub fn item(&self, user_id: &str) -> Option<MemoryItem> {
        locked(&self.state).items.get(user_id).cloned()
    }

    /// How many users are stored.
    pub fn len(&self) -> usize {
        locked(&self.state).items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores an item as the original CIS wrote it: no version (so the next write must expect
    /// `Expected::Unversioned`), replacing any item of that user. For tests of the upgrade path.
    pub fn insert_unversioned(
        &self,
        profile: Profile,
        sequence_number: Option<String>,
    ) -> VaultResult<()> {
        let fields = ItemFields::of(&profile)?;
        let stored = StoredProfile {
            profile,
            version: None,
            sequence_number,
        };
        let item = MemoryItem::new(stored, fields, vec![], vec![]);
        locked(&self.state)
            .items
            .insert(item.fields.user_id.clone(), item);
        Ok(())
    }

    /// One page of the users a list query selects, each as `view` shows it.
    fn list<T>(&self, query: &ListQuery, view: impl Fn(&MemoryItem) -> T) -> VaultResult<Page<T>> {
        search::check_limit(query.limit)?;
        let after = cursor::decode_opt(query.cursor.as_ref())?;
        let state = self.state()?;
        let matching = state
            .after(&after)
            .filter(|item| search::list_matches(&item.fields.entry(), query))
            .map(|item| (item.fields.user_id.as_str(), view(item)));
        Ok(page_of(matching, query.limit))
    }

    fn injected(&self) -> VaultResult<()> {
        match locked(&self.failures).pop_front() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// The state, after consuming a queued failure if there is one.
    fn state(&self) -> VaultResult<MutexGuard<'_, State>> {
        self.injected()?;
        Ok(locked(&self.state))
    }
}

impl State {
    fn find(&self, lookup: &Lookup) -> Option<&MemoryItem> {
        let mut items = self.items.values();
        match lookup {
            Lookup::UserId(id) => self.items.get(id),
            Lookup::Uuid(v) => items.find(|i| i.fields.uuid.as_ref() == Some(v)),
            Lookup::PrimaryEmail(v) => items.find(|i| i.fields.primary_email.as_ref() == Some(v)),
            Lookup::PrimaryUsername(v) => {
                items.find(|i| i.fields.primary_username.as_ref() == Some(v))
            }
            Lookup::SequenceNumber(v) => {
                items.find(|i| i.stored.sequence_number.as_ref() == Some(v))
            }
        }
    }

    fn current(&self, user_id: &str) -> Current {
        self.items.get(user_id).map(|item| item.stored.version)
    }

    fn check_status_absent(&self, sequence_number: &str) -> VaultResult<()> {
        if self.status.contains_key(sequence_number) {
            return Err(VaultError::StatusExists(sequence_number.to_string()));
        }
        Ok(())
    }

    /// Items after the cursor, in user_id order.
    fn after<'a>(&'a self, after: &'a Option<String>) -> impl Iterator<Item = &'a MemoryItem> + 'a {
        let start = match after {
            Some(id) => Bound::Excluded(id.as_str()),
            None => Bound::Unbounded,
        };
        self.items
            .range::<str, _>((start, Bound::Unbounded))
            .map(|(_, item)| item)
    }
}

/// A page of at most `limit` items; the cursor is set only when another match follows.
fn page_of<'a, T>(matching: impl Iterator<Item = (&'a str, T)>, limit: usize) -> Page<T> {
    let mut items = Vec::new();
    let mut last: Option<&str> = None;
    for (id, item) in matching {
        if items.len() == limit {
            return Page {
                items,
                next: last.map(cursor::encode),
            };
        }
        items.push(item);
        last = Some(id);
    }
    Page { items, next: None }
}

#[async_trait]
impl ProfileReader for MemoryVault {
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        Ok(self.state()?.find(lookup).map(|item| item.stored.clone()))
    }

    async fn get_json(&self, lookup: &Lookup) -> VaultResult<Option<StoredJson>> {
        Ok(self.state()?.find(lookup).map(MemoryItem::stored_json))
    }
}

#[async_trait]
impl ProfileWriter for MemoryVault {
    async fn put(&self, write: ProfileWrite, status: StatusRecord) -> VaultResult<u64> {
        let fields = ItemFields::of(&write.profile)?;
        let mut state = self.state()?;
        state.check_status_absent(&status.sequence_number)?;
        let version = condition::next_version(
            state.current(&fields.user_id),
            write.expected,
            &fields.user_id,
        )?;
        let stored = StoredProfile {
            profile: write.profile,
            version: Some(version),
            sequence_number: Some(write.sequence_number),
        };
        let item = MemoryItem::new(
            stored,
            fields,
            write.changed_attributes,
            write.change_publishers,
        );
        state.items.insert(item.fields.user_id.clone(), item);
        state.status.insert(status.sequence_number.clone(), status);
        Ok(version)
    }

    async fn delete(
        &self,
        user_id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()> {
        let mut state = self.state()?;
        state.check_status_absent(&status.sequence_number)?;
        condition::check_delete(state.current(user_id), expected, user_id)?;
        state.items.remove(user_id);
        state.status.insert(status.sequence_number.clone(), status);
        Ok(())
    }
}

#[async_trait]
impl ProfileLister for MemoryVault {
    async fn list_profiles(&self, query: &ListQuery) -> VaultResult<Page<StoredProfile>> {
        self.list(query, |item| item.stored.clone())
    }

    async fn list_profiles_json(&self, query: &ListQuery) -> VaultResult<Page<StoredJson>> {
        self.list(query, MemoryItem::stored_json)
    }

    async fn list_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>> {
        self.list(query, |item| item.fields.entry())
    }

    async fn search(&self, query: &AttributeQuery) -> VaultResult<Page<StoredProfile>> {
        search::check_limit(query.limit)?;
        let after = cursor::decode_opt(query.cursor.as_ref())?;
        let state = self.state()?;
        let matching = state
            .after(&after)
            .filter(|item| search::query_matches(&item.stored.profile, query))
            .map(|item| (item.fields.user_id.as_str(), item.stored.clone()));
        Ok(page_of(matching, query.limit))
    }
}

#[async_trait]
impl StatusStore for MemoryVault {
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()> {
        let mut state = self.state()?;
        state.check_status_absent(&status.sequence_number)?;
        state.status.insert(status.sequence_number.clone(), status);
        Ok(())
    }

    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>> {
        Ok(self.state()?.status.get(sequence_number).cloned())
    }

    async fn changes_of(
        &self,
        user_id: &str,
        query: &HistoryQuery,
    ) -> VaultResult<Page<StatusRecord>> {
        let records = self
            .state()?
            .status
            .values()
            .filter(|r| r.user_id == user_id)
            .cloned()
            .collect();
        crate::history::page_newest_first(user_id, records, query)
    }
}

#[async_trait]
impl Outbox for MemoryVault {
    async fn outbox_append(
        &self,
        user_id: &str,
        sequence_number: &str,
        envelope: &str,
    ) -> VaultResult<i64> {
        let mut state = self.state()?;
        if state
            .outbox
            .values()
            .any(|e| e.sequence_number == sequence_number)
        {
            return Err(VaultError::InvalidRequest(format!(
                "sequence number {sequence_number} is already in the outbox"
            )));
        }
        state.outbox_last_id += 1;
        let entry = OutboxEntry {
            id: state.outbox_last_id,
            user_id: user_id.to_string(),
            sequence_number: sequence_number.to_string(),
            envelope: envelope.to_string(),
            enqueued_at: cis_profile::timestamp::now(),
        };
        state.outbox.insert(entry.id, entry);
        Ok(state.outbox_last_id)
    }

    async fn outbox_peek(&self, limit: usize) -> VaultResult<Vec<OutboxEntry>> {
        Ok(self.state()?.outbox.values().take(limit).cloned().collect())
    }

    async fn outbox_ack(&self, id: i64) -> VaultResult<()> {
        self.state()?.outbox.remove(&id);
        Ok(())
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
