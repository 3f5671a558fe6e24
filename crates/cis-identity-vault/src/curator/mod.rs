//! The vault curator (docs/contract/processor-and-vault.md §7): makes the vault and status tables look as §5–§6 say,
//! idempotently, and reports every step. It never deletes a table, an index, an item or a stream (the one
//! opt-in exception: switching a stream's view when `fix_stream_view` is set).
//!
//! | module | owns |
//! |---|---|
//! | [`report`] | the report and its outcomes |
//! | [`table_spec`] | what the tables must look like |
//! | `common` | describe, wait for ACTIVE, create, key schema (both tables) |
//! | `properties` | tags and point-in-time recovery (both tables) |
//! | `vault` | steps 1–7 for the vault table |
//! | `status` | step 8, the status table and its TTL |
//! | `backfill` | step 9 |
//!
//! Used by `functions/vault-curator` and `cis vault ensure`; it reads no configuration itself.

mod backfill;
mod common;
mod properties;
pub mod report;
mod status;
pub mod table_spec;
mod vault;

pub use report::{CuratorReport, Outcome, Step};

use crate::dynamodb::TableNames;
use std::time::Duration;

/// What `ensure` works on and what it may do (docs/configuration.md §2, `curator_*` keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CuratorSettings {
    pub environment: String,
    pub tables: TableNames,
    /// `curator_create_tables`: create missing tables.
    pub create_tables: bool,
    /// `curator_fix_stream_view`: switch another stream view to NEW_AND_OLD_IMAGES (new stream ARN).
    pub fix_stream_view: bool,
    /// `curator_point_in_time_recovery`: turn PITR on (never in `local`).
    pub point_in_time_recovery: bool,
    /// `curator_deletion_protection`: the vault table's deletion protection.
    pub deletion_protection: bool,
    /// `curator_backfill`: add `version` / `connection_method` to items the original wrote.
    pub backfill: bool,
    /// Pause between `DescribeTable` polls while a table or index becomes ACTIVE.
    pub poll_interval: Duration,
    /// How long to wait for ACTIVE before the step is an error.
    pub wait_timeout: Duration,
    /// How long the backfill may run before it stops and reports that items remain.
    pub backfill_budget: Duration,
    /// Items updated at the same time by the backfill.
    pub backfill_concurrency: usize,
}

impl CuratorSettings {
    /// The defaults of docs/configuration.md §2 for an environment.
    pub fn new(environment: &str, tables: TableNames) -> CuratorSettings {
        CuratorSettings {
            environment: environment.to_string(),
            tables,
            create_tables: true,
            fix_stream_view: false,
            point_in_time_recovery: true,
            deletion_protection: environment == "production",
            backfill: true,
            poll_interval: Duration::from_secs(5),
            wait_timeout: Duration::from_secs(600),
            backfill_budget: Duration::from_secs(480),
            backfill_concurrency: 8,
        }
    }

    /// Whether point-in-time recovery is managed here (§5.5: every environment except `local`).
    pub fn manages_point_in_time_recovery(&self) -> Result<(), String> {
        if self.environment == "local" {
            Err("not managed in environment local".into())
        } else if !self.point_in_time_recovery {
            Err("not managed (curator_point_in_time_recovery = false)".into())
        } else {
            Ok(())
        }
    }
}

/// Runs every step of §7 and returns the report (step 10: the caller logs it and fails on errors).
pub async fn ensure(
    client: &aws_sdk_dynamodb::Client,
    settings: &CuratorSettings,
) -> CuratorReport {
    let ctx = common::Ctx { client, settings };
    let mut report = CuratorReport::new(
        &settings.environment,
        &settings.tables.vault,
        &settings.tables.status,
    );
    let vault_state = vault::ensure_vault_table(&ctx, &mut report).await;
    status::ensure_status_table(&ctx, &mut report).await;
    if let Some(state) = vault_state {
        backfill::run(&ctx, &mut report, state.stream_has_images).await;
    }
    report
}
