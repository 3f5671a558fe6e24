//! DynamoDB clients and fresh tables on moto_server for the vault's adapter tests.

use super::moto;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use cis_identity_vault::curator::{self, CuratorReport, CuratorSettings};
use cis_identity_vault::dynamodb::TableNames;
use std::time::Duration;

/// A DynamoDB client for moto: dummy credentials, us-east-1, the moto endpoint.
pub fn client(url: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(moto::REGION))
        .credentials_provider(Credentials::new(
            moto::ACCESS_KEY_ID,
            moto::SECRET_ACCESS_KEY,
            None,
            None,
            "moto",
        ))
        .endpoint_url(url)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// Unique vault and status table names for one test.
pub fn fresh_tables() -> TableNames {
    let vault = moto::unique_name("vault");
    TableNames::new(vault.clone(), format!("{vault}-status"))
}

/// Curator settings for tests: fast polling, short waits.
pub fn settings(environment: &str, tables: TableNames) -> CuratorSettings {
    let mut settings = CuratorSettings::new(environment, tables);
    settings.poll_interval = Duration::from_millis(50);
    settings.wait_timeout = Duration::from_secs(20);
    settings
}

/// Fresh tables made by the curator (`environment = local`, so point-in-time recovery is not managed).
pub async fn ensured_tables(client: &aws_sdk_dynamodb::Client) -> TableNames {
    let tables = fresh_tables();
    let report = curator::ensure(client, &settings("local", tables.clone())).await;
    assert!(!report.has_errors(), "curator failed: {}", report.to_json());
    tables
}

/// The report of a run that found everything as it should be.
pub fn assert_no_changes(report: &CuratorReport) {
    assert!(!report.has_errors(), "{}", report.to_json());
    assert!(
        !report.changed_anything(),
        "a second run changed something: {}",
        report.to_json()
    );
}

/// A vault whose writes run one at a time.
///
/// moto_server's `TransactWriteItems` is not atomic across concurrent requests: it checks the conditions
/// and applies the items without a lock, and on a cancelled transaction it restores a copy of the tables
/// taken when the request began, which can undo a concurrent writer's commit. DynamoDB evaluates the
/// conditions and applies the items atomically. Serialising the writes makes moto behave like DynamoDB for
/// the contract's concurrency behaviour; every write still goes through the adapter's conditions and its
/// mapping of cancellation reasons.
pub struct SerialWrites<V> {
    inner: V,
    lock: tokio::sync::Mutex<()>,
}

impl<V> SerialWrites<V> {
    pub fn new(inner: V) -> SerialWrites<V> {
        SerialWrites {
            inner,
            lock: tokio::sync::Mutex::new(()),
        }
    }
}

use async_trait::async_trait;
use cis_identity_vault::{
    AttributeQuery, Expected, IdEntry, ListQuery, Lookup, Page, ProfileLister, ProfileReader,
    ProfileWrite, ProfileWriter, StatusRecord, StatusStore, StoredProfile, VaultResult,
};

#[async_trait]
impl<V: ProfileReader> ProfileReader for SerialWrites<V> {
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        self.inner.get(lookup).await
    }
}

#[async_trait]
impl<V: ProfileWriter> ProfileWriter for SerialWrites<V> {
    async fn put(&self, write: ProfileWrite, status: StatusRecord) -> VaultResult<u64> {
        let _one_at_a_time = self.lock.lock().await;
        self.inner.put(write, status).await
    }

    async fn delete(
        &self,
        user_id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()> {
        let _one_at_a_time = self.lock.lock().await;
        self.inner.delete(user_id, expected, status).await
    }
}

#[async_trait]
impl<V: ProfileLister> ProfileLister for SerialWrites<V> {
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
impl<V: StatusStore> StatusStore for SerialWrites<V> {
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()> {
        let _one_at_a_time = self.lock.lock().await;
        self.inner.put_status(status).await
    }

    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>> {
        self.inner.get_status(sequence_number).await
    }
}
