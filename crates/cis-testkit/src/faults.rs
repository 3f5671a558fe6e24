//! [`FaultyVault`]: one decorator over any vault that makes chosen operations fail, hold reads at a
//! barrier, add latency, or run writes one at a time — the faults the pipeline, processor and API suites
//! need, instead of a hand-written vault per suite. Everything not faulted goes to the inner vault
//! unchanged (its fast text reads included).

use async_trait::async_trait;
use cis_identity_vault::{
    AttributeQuery, Expected, HistoryQuery, IdEntry, ListQuery, Lookup, Page, PendingChanges,
    ProfileLister, ProfileReader, ProfileWrite, ProfileWriter, StatusRecord, StatusStore,
    StoredJson, StoredProfile, Vault, VaultError, VaultResult,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Barrier;

/// A vault operation, as faults and counters name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Get,
    Put,
    Delete,
    ListProfiles,
    ListIds,
    Search,
    PutStatus,
    /// `get_status` and `changes_of`.
    GetStatus,
    /// Any of the three `PendingChanges` calls.
    Pending,
}

/// Calls of `op` from the `from`-th on (1-based) fail with `error`.
#[derive(Debug, Clone)]
struct Fault {
    from: usize,
    error: VaultError,
}

#[derive(Default)]
struct State {
    faults: HashMap<Op, Fault>,
    unreadable_user: Option<String>,
    held: Option<(Arc<Barrier>, usize)>,
    latency: Duration,
    calls: HashMap<Op, usize>,
}

/// A vault that misbehaves on request.
pub struct FaultyVault {
    inner: Arc<dyn Vault>,
    state: Mutex<State>,
    serial: Option<tokio::sync::Mutex<()>>,
    total: AtomicUsize,
}

impl FaultyVault {
    pub fn new(inner: Arc<dyn Vault>) -> FaultyVault {
        FaultyVault {
            inner,
            state: Mutex::new(State::default()),
            serial: None,
            total: AtomicUsize::new(0),
        }
    }

    /// Writes (put, delete, put_status) one at a time. moto_server's `TransactWriteItems` is not atomic
    /// across concurrent requests (it checks conditions and applies items without a lock, and restores a
    /// copy of the tables on a cancelled transaction, which can undo a concurrent commit); DynamoDB's is.
    /// Serialising makes moto behave like DynamoDB for concurrency tests while every write still goes
    /// through the adapter's conditions and its mapping of cancellation reasons.
    pub fn with_serial_writes(mut self) -> FaultyVault {
        self.serial = Some(tokio::sync::Mutex::new(()));
        self
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every call of `op` fails with `error` (until [`FaultyVault::clear`]).
    pub fn fail(&self, op: Op, error: VaultError) {
        self.fail_from(op, 1, error);
    }

    /// Calls of `op` from the `from`-th on (counting from now, 1-based) fail with `error`.
    pub fn fail_from(&self, op: Op, from: usize, error: VaultError) {
        let mut state = self.state();
        let done = state.calls.get(&op).copied().unwrap_or(0);
        state.faults.insert(
            op,
            Fault {
                from: done + from,
                error,
            },
        );
    }

    /// Reads of this user by user_id fail as unavailable (`None` clears).
    pub fn fail_reads_of(&self, user_id: Option<&str>) {
        self.state().unreadable_user = user_id.map(str::to_string);
    }

    /// The next `n` reads by user_id each wait until all `n` have read (two writers read one version).
    pub fn hold_reads(&self, n: usize) {
        self.state().held = Some((Arc::new(Barrier::new(n)), n));
    }

    /// Every call sleeps this long first.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    /// Removes every fault.
    pub fn clear(&self) {
        let mut state = self.state();
        state.faults.clear();
        state.unreadable_user = None;
        state.held = None;
    }

    /// How many times `op` was called.
    pub fn calls(&self, op: Op) -> usize {
        self.state().calls.get(&op).copied().unwrap_or(0)
    }

    /// How many calls were made, all operations together.
    pub fn total_calls(&self) -> usize {
        self.total.load(Ordering::SeqCst)
    }

    /// Counts the call, waits the latency, and returns the fault it meets, if any.
    async fn enter(&self, op: Op) -> VaultResult<()> {
        self.total.fetch_add(1, Ordering::SeqCst);
        let (latency, fault) = {
            let mut state = self.state();
            let n = {
                let count = state.calls.entry(op).or_insert(0);
                *count += 1;
                *count
            };
            let fault = state
                .faults
                .get(&op)
                .filter(|f| n >= f.from)
                .map(|f| f.error.clone());
            (state.latency, fault)
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        fault.map_or(Ok(()), Err)
    }

    /// The read-specific faults of a lookup by user_id; a held read waits at the barrier after reading.
    async fn read<T>(
        &self,
        lookup: &Lookup,
        read: impl std::future::Future<Output = VaultResult<T>>,
    ) -> VaultResult<T> {
        self.enter(Op::Get).await?;
        let Lookup::UserId(id) = lookup else {
            return read.await;
        };
        if self.state().unreadable_user.as_deref() == Some(id.as_str()) {
            return Err(VaultError::unavailable("injected: user unreadable"));
        }
        let result = read.await;
        let barrier = {
            let mut state = self.state();
            match state.held.take() {
                Some((barrier, n)) if n > 1 => {
                    state.held = Some((barrier.clone(), n - 1));
                    Some(barrier)
                }
                Some((barrier, _)) => Some(barrier),
                None => None,
            }
        };
        if let Some(barrier) = barrier {
            barrier.wait().await;
        }
        result
    }

    async fn write<T>(
        &self,
        op: Op,
        write: impl std::future::Future<Output = VaultResult<T>>,
    ) -> VaultResult<T> {
        self.enter(op).await?;
        match &self.serial {
            Some(lock) => {
                let _turn = lock.lock().await;
                write.await
            }
            None => write.await,
        }
    }
}

#[async_trait]
impl ProfileReader for FaultyVault {
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        self.read(lookup, self.inner.get(lookup)).await
    }
    async fn get_json(&self, lookup: &Lookup) -> VaultResult<Option<StoredJson>> {
        self.read(lookup, self.inner.get_json(lookup)).await
    }
}

#[async_trait]
impl ProfileWriter for FaultyVault {
    async fn put(&self, write: ProfileWrite, status: StatusRecord) -> VaultResult<u64> {
        self.write(Op::Put, self.inner.put(write, status)).await
    }
    async fn delete(
        &self,
        user_id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()> {
        self.write(Op::Delete, self.inner.delete(user_id, expected, status))
            .await
    }
}

#[async_trait]
impl ProfileLister for FaultyVault {
    async fn list_profiles(&self, query: &ListQuery) -> VaultResult<Page<StoredProfile>> {
        self.enter(Op::ListProfiles).await?;
        self.inner.list_profiles(query).await
    }
    async fn list_profiles_json(&self, query: &ListQuery) -> VaultResult<Page<StoredJson>> {
        self.enter(Op::ListProfiles).await?;
        self.inner.list_profiles_json(query).await
    }
    async fn list_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>> {
        self.enter(Op::ListIds).await?;
        self.inner.list_ids(query).await
    }
    async fn search(&self, query: &AttributeQuery) -> VaultResult<Page<StoredProfile>> {
        self.enter(Op::Search).await?;
        self.inner.search(query).await
    }
}

#[async_trait]
impl StatusStore for FaultyVault {
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()> {
        self.write(Op::PutStatus, self.inner.put_status(status))
            .await
    }
    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>> {
        self.enter(Op::GetStatus).await?;
        self.inner.get_status(sequence_number).await
    }
    async fn changes_of(
        &self,
        user_id: &str,
        query: &HistoryQuery,
    ) -> VaultResult<Page<StatusRecord>> {
        self.enter(Op::GetStatus).await?;
        self.inner.changes_of(user_id, query).await
    }
}

#[async_trait]
impl PendingChanges for FaultyVault {
    async fn mark_pending(
        &self,
        user_id: &str,
        sequence_number: &str,
        expires_at: i64,
    ) -> VaultResult<()> {
        self.enter(Op::Pending).await?;
        self.inner
            .mark_pending(user_id, sequence_number, expires_at)
            .await
    }
    async fn is_pending(&self, user_id: &str, now: i64) -> VaultResult<bool> {
        self.enter(Op::Pending).await?;
        self.inner.is_pending(user_id, now).await
    }
    async fn clear_pending(&self, user_id: &str, sequence_number: &str) -> VaultResult<()> {
        self.enter(Op::Pending).await?;
        self.inner.clear_pending(user_id, sequence_number).await
    }
}
