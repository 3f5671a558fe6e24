//! The DynamoDB adapter of the vault ports (docs/contract/processor-and-vault.md §5–§6): the vault table (one item per
//! user, five indexes) and the status table, read and written with the AWS SDK.
//!
//! | module | owns |
//! |---|---|
//! | [`names`] | table and index names ([`TableNames`]) |
//! | `item` | item ↔ model mapping, the `flat_profile` encoding |
//! | `reads` | `GetItem` / index lookups |
//! | `writes` | the conditional `TransactWriteItems` of §5.3 |
//! | `scan` | paged scans and the connection index query |
//! | `errors` | SDK errors → [`VaultError`](crate::VaultError) |
//!
//! It must not create or change tables (the curator does) and never lets an SDK type cross a port.
//! Throttling is retried by the SDK client's retry configuration (standard mode, exponential backoff with
//! jitter, configured in `cis-aws`); what is still throttled after that is `Unavailable { retryable: true }`.

pub(crate) mod errors;
mod item;
pub mod names;
mod pending;
mod reads;
mod scan;
mod search;
mod writes;

pub use names::{Index, TableNames, table_name_from_arn};

use crate::error::VaultResult;
use crate::model::{
    AttributeQuery, Expected, HistoryQuery, IdEntry, ListQuery, Lookup, Page, ProfileWrite,
    StatusRecord, StoredJson, StoredProfile,
};
use crate::ports::{ProfileLister, ProfileReader, ProfileWriter, StatusStore};
use async_trait::async_trait;

/// The vault on DynamoDB. Cheap to clone (the SDK client is a handle).
#[derive(Debug, Clone)]
pub struct DynamoVault {
    client: aws_sdk_dynamodb::Client,
    tables: TableNames,
}

impl DynamoVault {
    /// A vault on existing tables (the curator makes them).
    pub fn new(client: aws_sdk_dynamodb::Client, tables: TableNames) -> DynamoVault {
        DynamoVault { client, tables }
    }

    /// The tables this vault uses.
    pub fn tables(&self) -> &TableNames {
        &self.tables
    }
}

#[async_trait]
impl ProfileReader for DynamoVault {
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        self.read_item(lookup)
            .await?
            .map(StoredProfile::try_from)
            .transpose()
    }

    /// The stored text as it is: no parse, no serialisation.
    async fn get_json(&self, lookup: &Lookup) -> VaultResult<Option<StoredJson>> {
        self.read_item(lookup)
            .await?
            .map(StoredJson::try_from)
            .transpose()
    }
}

#[async_trait]
impl ProfileWriter for DynamoVault {
    async fn put(&self, write: ProfileWrite, status: StatusRecord) -> VaultResult<u64> {
        self.write_profile(write, status).await
    }

    async fn delete(
        &self,
        user_id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()> {
        self.delete_profile(user_id, expected, status).await
    }
}

#[async_trait]
impl ProfileLister for DynamoVault {
    async fn list_profiles(&self, query: &ListQuery) -> VaultResult<Page<StoredProfile>> {
        self.walk_profiles(query, |stored: &StoredProfile| {
            stored.profile.user_id().unwrap_or_default()
        })
        .await
    }

    /// The stored texts as they are: no parse, no serialisation.
    async fn list_profiles_json(&self, query: &ListQuery) -> VaultResult<Page<StoredJson>> {
        self.walk_profiles(query, |stored: &StoredJson| stored.user_id.as_str())
            .await
    }

    async fn list_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>> {
        self.walk_ids(query).await
    }

    async fn search(&self, query: &AttributeQuery) -> VaultResult<Page<StoredProfile>> {
        self.walk_search(query).await
    }
}

#[async_trait]
impl StatusStore for DynamoVault {
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()> {
        self.write_status(status).await
    }

    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>> {
        self.read_status(sequence_number).await
    }

    async fn changes_of(
        &self,
        user_id: &str,
        query: &HistoryQuery,
    ) -> VaultResult<Page<StatusRecord>> {
        self.read_changes(user_id, query).await
    }
}
