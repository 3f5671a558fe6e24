//! [`TestVault`]: a `MemoryVault` behind hooks the processor tests need: reads held at a barrier (to force
//! two writers to read the same version), reads of one user failing (a transient failure at a chosen record),
//! and a fixed latency per call (to measure concurrency).

use async_trait::async_trait;
use cis_identity_vault::{
    AttributeQuery, Expected, IdEntry, ListQuery, Lookup, MemoryVault, Page, ProfileLister,
    ProfileReader, ProfileWrite, ProfileWriter, StatusRecord, StatusStore, StoredProfile,
    VaultError, VaultResult,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Barrier;

#[derive(Default)]
pub struct TestVault {
    pub inner: Arc<MemoryVault>,
    barrier: Mutex<Option<Arc<Barrier>>>,
    held_reads: AtomicUsize,
    failing_user: Mutex<Option<String>>,
    latency: Mutex<Duration>,
    pub calls: AtomicUsize,
}

impl TestVault {
    pub fn new() -> TestVault {
        TestVault::default()
    }

    /// The next `n` reads by user_id wait until all `n` have happened.
    pub fn hold_reads(&self, n: usize) {
        *self.barrier.lock().unwrap() = Some(Arc::new(Barrier::new(n)));
        self.held_reads.store(n, Ordering::SeqCst);
    }

    /// Reads of this user fail with a retryable `Unavailable` until cleared (`None`).
    pub fn fail_user(&self, user_id: Option<&str>) {
        *self.failing_user.lock().unwrap() = user_id.map(str::to_string);
    }

    /// Every call sleeps this long first.
    pub fn set_latency(&self, latency: Duration) {
        *self.latency.lock().unwrap() = latency;
    }

    async fn enter(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let latency = *self.latency.lock().unwrap();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }
}

#[async_trait]
impl ProfileReader for TestVault {
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        self.enter().await;
        if let Lookup::UserId(id) = lookup {
            if self.failing_user.lock().unwrap().as_deref() == Some(id.as_str()) {
                return Err(VaultError::unavailable("injected: user unreadable"));
            }
            let result = self.inner.get(lookup).await;
            let held = self
                .held_reads
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            if held.is_ok() {
                let barrier = self.barrier.lock().unwrap().clone();
                if let Some(barrier) = barrier {
                    barrier.wait().await;
                }
            }
            return result;
        }
        self.inner.get(lookup).await
    }
}

#[async_trait]
impl ProfileWriter for TestVault {
    async fn put(&self, write: ProfileWrite, status: StatusRecord) -> VaultResult<u64> {
        self.enter().await;
        self.inner.put(write, status).await
    }
    async fn delete(
        &self,
        user_id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()> {
        self.enter().await;
        self.inner.delete(user_id, expected, status).await
    }
}

#[async_trait]
impl ProfileLister for TestVault {
    async fn list_profiles(&self, query: &ListQuery) -> VaultResult<Page<StoredProfile>> {
        self.inner.list_profiles(query).await
    }
    async fn list_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>> {
        self.inner.list_ids(query).await
    }
    async fn search(&self, query: &AttributeQuery) -> VaultResult<Page<StoredProfile>> {
        self.inner.search(query).await
    }
}

#[async_trait]
impl StatusStore for TestVault {
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()> {
        self.enter().await;
        self.inner.put_status(status).await
    }
    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>> {
        self.enter().await;
        self.inner.get_status(sequence_number).await
    }
}
