//! The Lambda handlers as named functions, so that tests call them with real event JSON
//! (`fixtures/events/`) and no runtime: [`kinesis`] (the stream processor's batches, partial failures
//! out, docs/contract/processor-and-vault.md §3) and [`Curator::run`] (the vault curator on its schedule,
//! §7). The HTTP functions need no handler of their own: `lambda_http::run` serves the routers.

use crate::aws::Aws;
use crate::start::StartupError;
use aws_lambda_events::kinesis::KinesisEvent;
use aws_lambda_events::streams::KinesisEventResponse;
use cis_aws::TableSettings;
use cis_common::Config;
use cis_identity_vault::curator::{self, CuratorSettings};
use cis_processor::{Processor, records_from_event};
use serde_json::Value;

/// A Kinesis batch through the processor; the first record to redeliver comes back in
/// `batchItemFailures` (records after it that were done are skipped on redelivery by their status
/// records). Never fails the invocation: every failure is per record.
pub async fn kinesis(processor: &Processor, event: KinesisEvent) -> KinesisEventResponse {
    let outcome = processor.process_batch(records_from_event(event)).await;
    KinesisEventResponse::from(outcome)
}

/// The vault curator of a deployment: its DynamoDB client, table settings and the `[curator]` section.
#[derive(Debug, Clone)]
pub struct Curator {
    client: aws_sdk_dynamodb::Client,
    tables: TableSettings,
    settings: CuratorSettings,
}

/// A curator run that reported a failed step (the invocation fails, so the schedule's alarms see it).
#[derive(Debug, thiserror::Error)]
#[error("the curator reported errors for {table}: {report}")]
pub struct CuratorFailed {
    pub table: String,
    pub report: Value,
}

impl Curator {
    pub fn new(aws: &Aws, config: &Config) -> Curator {
        let cis = &config.cis;
        let environment = cis.environment.to_string();
        let tables = TableSettings {
            environment: environment.clone(),
            dynamodb_arn: cis.dynamodb_arn.clone(),
            status_table_name: Some(cis.status_table_name().to_string()),
        };
        let k = &config.curator;
        let defaults = cis_aws::TableNames::for_environment(&environment);
        let mut settings = CuratorSettings::new(&environment, defaults);
        settings.create_tables = k.create_tables;
        settings.fix_stream_view = k.fix_stream_view;
        settings.point_in_time_recovery = k.point_in_time_recovery;
        settings.deletion_protection = k.deletion_protection;
        settings.backfill = k.backfill;
        Curator {
            client: aws.dynamodb.clone(),
            tables,
            settings,
        }
    }

    /// Makes the curator run faster in tests (polling and waiting).
    pub fn with_timings(mut self, poll: std::time::Duration, wait: std::time::Duration) -> Curator {
        self.settings.poll_interval = poll;
        self.settings.wait_timeout = wait;
        self
    }

    /// One run (each scheduled event): resolves the tables (a run may create them), ensures every step,
    /// prints the report as one JSON line and returns it; a step in error fails the run.
    pub async fn run(&self) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let mut settings = self.settings.clone();
        settings.tables = cis_aws::resolve_table_names(&self.client, &self.tables)
            .await
            .map_err(|e| StartupError::Tables(e.to_string()))?;
        let report = curator::ensure(&self.client, &settings).await;
        let json = report.to_json();
        tracing::info!(report = %json, "curator run");
        if report.has_errors() {
            let table = settings.tables.vault;
            return Err(Box::new(CuratorFailed {
                table,
                report: json,
            }));
        }
        Ok(json)
    }
}
