//! The vault contract on the in-memory adapter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod contract;

use cis_identity_vault::MemoryVault;
use std::sync::Arc;

async fn fresh() -> contract::Subject {
    contract::Subject::new(Arc::new(MemoryVault::new()))
}

vault_contract!(fresh);
