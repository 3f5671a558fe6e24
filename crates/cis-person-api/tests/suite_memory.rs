//! The Person API router suite on the in-memory vault.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod suite;

use std::sync::Arc;

use cis_identity_vault::MemoryVault;

async fn fresh() -> suite::Subject {
    suite::Subject::new(Arc::new(MemoryVault::new()))
}

person_api_suite!(fresh);
