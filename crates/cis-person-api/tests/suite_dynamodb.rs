//! The Person API router suite on the DynamoDB vault against moto_server: every test gets its own vault
//! and status tables (unique names), made by the curator.
//!
//! Needs `CIS_TEST_MOTO_URL` (the vault crate's tests/support/moto.rs). Without it the first test to start
//! prints why the suite is skipped and ends the test process successfully; with `CIS_REQUIRE_MOTO=1` it
//! fails instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod suite;
// The vault crate's moto helpers; `dynamodb.rs` finds `moto` as `super::moto`, so both sit at the root.
#[allow(dead_code)]
#[path = "../../cis-identity-vault/tests/support/dynamodb.rs"]
mod dynamodb;
#[path = "../../cis-identity-vault/tests/support/moto.rs"]
mod moto;

use std::sync::Arc;

use cis_identity_vault::dynamodb::DynamoVault;

async fn fresh() -> suite::Subject {
    let Some(url) = moto::url("suite_dynamodb (the Person API router suite on DynamoDB)") else {
        std::process::exit(0);
    };
    let client = dynamodb::client(&url);
    let tables = dynamodb::ensured_tables(&client).await;
    suite::Subject::new(Arc::new(DynamoVault::new(client, tables)))
}

person_api_suite!(fresh);
