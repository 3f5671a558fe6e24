//! The vault's ports: small role traits that the Change API, the processor, the Person API and the CLI
//! depend on. Every adapter (SQLite, DynamoDB, in-memory) implements all of them with the same semantics,
//! which the contract test suite checks. No backend type crosses these traits.

use crate::error::VaultResult;
use crate::model::{
    AttributeQuery, Expected, HistoryQuery, IdEntry, ListQuery, Lookup, Page, ProfileWrite,
    StatusRecord, StoredJson, StoredProfile,
};
use async_trait::async_trait;

/// Reads one profile (strongly consistent).
#[async_trait]
pub trait ProfileReader: Send + Sync {
    /// The profile the lookup finds; for an email or username shared by several users, the one with the
    /// smallest user_id.
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>>;

    /// What [`get`](ProfileReader::get) finds, as its stored JSON text. Adapters that keep the text
    /// return it unparsed (and so unchecked); the default parses through `get` and serialises.
    async fn get_json(&self, lookup: &Lookup) -> VaultResult<Option<StoredJson>> {
        Ok(self.get(lookup).await?.as_ref().map(StoredJson::of))
    }
}

/// Writes profiles, always conditionally, each together with the status record of its change.
#[async_trait]
pub trait ProfileWriter: Send + Sync {
    /// Creates or replaces the whole item if `write.expected` holds, and writes `status` (conditional on
    /// its absence) in the same transaction. Returns the new version (1 on create).
    /// Errors: `AlreadyExists` (create lost), `VersionConflict`, `StatusExists` (already applied).
    async fn put(&self, write: ProfileWrite, status: StatusRecord) -> VaultResult<u64>;

    /// Deletes the item if `expected` holds, writing `status` in the same transaction.
    /// Errors: `NotFound`, `VersionConflict`, `StatusExists`.
    async fn delete(
        &self,
        user_id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()>;
}

/// Pages through users in user_id order; a user added during a walk never makes another appear twice.
#[async_trait]
pub trait ProfileLister: Send + Sync {
    /// Full profiles.
    async fn list_profiles(&self, query: &ListQuery) -> VaultResult<Page<StoredProfile>>;
    /// The page [`list_profiles`](ProfileLister::list_profiles) gives, as stored JSON texts (unparsed
    /// where the adapter keeps the text; the default parses and serialises).
    async fn list_profiles_json(&self, query: &ListQuery) -> VaultResult<Page<StoredJson>> {
        let page = self.list_profiles(query).await?;
        Ok(Page {
            items: page.items.iter().map(StoredJson::of).collect(),
            next: page.next,
        })
    }
    /// Index entries only (user_id, uuid, primary_email, active), served without reading profiles.
    async fn list_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>>;
    /// Users whose attribute matches the query (`crate::search::matches` decides).
    async fn search(&self, query: &AttributeQuery) -> VaultResult<Page<StoredProfile>>;
}

/// Status records of changes, keyed by sequence number.
#[async_trait]
pub trait StatusStore: Send + Sync {
    /// Writes a record that accompanies no vault write (noop, failed). `StatusExists` if present.
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()>;
    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>>;
    /// A user's status records (processed, noop and failed changes within the retention), newest first by
    /// `processed_at` (then sequence number), a page at a time.
    async fn changes_of(
        &self,
        user_id: &str,
        query: &HistoryQuery,
    ) -> VaultResult<Page<StatusRecord>>;
}

/// Users with a change accepted into the change stream but not applied yet
/// (docs/contract/processor-and-vault.md §6). The Change API marks a user before it appends a change and
/// then judges that user's next changes without the stored profile (which the stream is about to change);
/// the processor clears the mark once that change is done. A mark left behind (an append that failed after
/// marking) lapses at its `expires_at`.
#[async_trait]
pub trait PendingChanges: Send + Sync {
    /// Marks `user_id` as having `sequence_number` pending until `expires_at` (Unix seconds), replacing any
    /// earlier mark of that user.
    async fn mark_pending(
        &self,
        user_id: &str,
        sequence_number: &str,
        expires_at: i64,
    ) -> VaultResult<()>;
    /// Whether `user_id` has a mark that has not lapsed at `now` (Unix seconds).
    async fn is_pending(&self, user_id: &str, now: i64) -> VaultResult<bool>;
    /// Removes the mark of `user_id` if it is still that of `sequence_number` (a later change keeps its own).
    async fn clear_pending(&self, user_id: &str, sequence_number: &str) -> VaultResult<()>;
}

/// Everything a vault is; what services hold as `Arc<dyn Vault>`.
pub trait Vault:
    ProfileReader + ProfileWriter + ProfileLister + StatusStore + PendingChanges
{
}

impl<T: ProfileReader + ProfileWriter + ProfileLister + StatusStore + PendingChanges> Vault for T {}
