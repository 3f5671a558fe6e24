//! # cis-identity-vault — where every profile lives
//!
//! | module | owns |
//! |---|---|
//! | [`ports`] | the role traits (`ProfileReader`, `ProfileWriter`, `ProfileLister`, `StatusStore`, `Vault`) |
//! | [`model`] | stored profiles, writes, status records, lookups, queries, pages |
//! | [`error`] | [`VaultError`], the only error type callers see |
//! | [`search`] | item fields every adapter derives, list filters, attribute search |
//! | [`condition`] | the outcome of a conditional write (create / update / delete) |
//! | [`cursor`] | opaque pagination cursors |
//! | [`history`] | a user's change history: order, paging, limits |
//! | [`outbox`] | the local change stream's port ([`Outbox`]) |
//! | [`memory`] | [`MemoryVault`], the in-memory adapter for tests |
//! | [`sqlite`] | [`SqliteVault`], the local adapter (one SQLite file) |
//! | [`dynamodb`] | the DynamoDB adapter ([`dynamodb::DynamoVault`]) and table names |
//! | [`curator`] | creating and repairing the DynamoDB tables (`ensure`) |
//!
//! Contract: `docs/contract/processor-and-vault.md` §5–§8.

pub mod condition;
pub mod curator;
pub mod cursor;
pub mod dynamodb;
pub mod error;
pub mod history;
pub mod memory;
pub mod model;
pub mod outbox;
pub mod ports;
pub mod search;
pub mod sqlite;

pub use error::{VaultError, VaultResult};
pub use model::*;
pub use ports::*;

pub use memory::MemoryVault;
pub use outbox::{Outbox, OutboxEntry};
pub use sqlite::SqliteVault;
