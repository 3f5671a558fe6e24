//! The Person API router suite on the DynamoDB vault against moto_server: every test gets its own vault
//! and status tables (unique names), made by the curator. Needs moto_server: ignored by a plain
//! `cargo test`, run by `ci/test.sh` (see `cis_testkit::moto`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod suite;

use std::sync::Arc;

use cis_identity_vault::dynamodb::DynamoVault;
use cis_testkit::moto;

async fn fresh() -> suite::Subject {
    let client = moto::dynamodb();
    let tables = moto::fresh_tables(&client).await;
    suite::Subject::new(Arc::new(DynamoVault::new(client, tables)))
}

person_api_suite!(
    #[ignore = "needs moto_server (ci/test.sh runs it)"]
    fresh
);
