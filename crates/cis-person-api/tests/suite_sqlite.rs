//! The Person API router suite on the SQLite vault (a fresh file in a temporary directory per test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod suite;

use std::sync::Arc;

use cis_identity_vault::SqliteVault;

async fn fresh() -> suite::Subject {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    suite::Subject::keeping(Arc::new(vault), dir)
}

person_api_suite!(fresh);
