//! The vault contract (tests/contract/) on the in-memory adapter. Needs nothing outside the process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod contract;

use cis_identity_vault::MemoryVault;
use cis_testkit::suite::Subject;
use std::sync::Arc;

async fn fresh() -> Subject {
    Subject::new(Arc::new(MemoryVault::new()))
}

vault_contract!(fresh);
