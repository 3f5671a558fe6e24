//! What the curator does the same way on both tables: describe, create when missing and wait until ACTIVE,
//! check the key schema. Each step function records exactly one step in the report.

use super::CuratorSettings;
use super::report::{CuratorReport, Outcome};
use super::table_spec::{describe_key_schema, same_key_schema};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{IndexStatus, KeySchemaElement, TableDescription, TableStatus};
use std::future::Future;
use tokio::time::Instant;

/// What every step needs.
pub(crate) struct Ctx<'a> {
    pub client: &'a Client,
    pub settings: &'a CuratorSettings,
}

/// An AWS failure in the words of the API (`UpdateContinuousBackups on t: ...`).
pub(crate) fn aws_error<E, R>(operation: &str, table: &str, err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    format!(
        "{operation} on {table} failed: {}",
        crate::dynamodb::errors::describe(err)
    )
}

/// The table's description; `None` when it does not exist.
pub(crate) async fn describe(
    ctx: &Ctx<'_>,
    table: &str,
) -> Result<Option<TableDescription>, String> {
    match ctx.client.describe_table().table_name(table).send().await {
        Ok(out) => Ok(out.table),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(DescribeTableError::ResourceNotFoundException(_))
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(aws_error("DescribeTable", table, &e)),
    }
}

/// Polls until the table and all its indexes are ACTIVE, at most `wait_timeout`.
pub(crate) async fn wait_active(ctx: &Ctx<'_>, table: &str) -> Result<TableDescription, String> {
    let deadline = Instant::now() + ctx.settings.wait_timeout;
    loop {
        let state = match describe(ctx, table).await? {
            Some(t) => {
                let pending: Vec<String> = t
                    .global_secondary_indexes()
                    .iter()
                    .filter(|i| i.index_status().is_some_and(|s| *s != IndexStatus::Active))
                    .map(|i| {
                        format!(
                            "index {} {}",
                            i.index_name().unwrap_or_default(),
                            status_text(i.index_status())
                        )
                    })
                    .collect();
                let status = t
                    .table_status()
                    .map(TableStatus::as_str)
                    .unwrap_or("ACTIVE");
                if status == "ACTIVE" && pending.is_empty() {
                    return Ok(t);
                }
                format!("table {status}; {}", pending.join(", "))
            }
            None => "table not found".to_string(),
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "{table} not ACTIVE after {} s ({state})",
                ctx.settings.wait_timeout.as_secs()
            ));
        }
        tokio::time::sleep(ctx.settings.poll_interval).await;
    }
}

fn status_text(status: Option<&IndexStatus>) -> &str {
    status.map(IndexStatus::as_str).unwrap_or("UNKNOWN")
}

/// Step 1 (and 8 for the status table): the table's description, created first when missing and allowed.
/// `None` (with an `error` step) when the table cannot be used.
pub(crate) async fn ensure_exists<F, Fut>(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
    step: &str,
    table: &str,
    create: F,
) -> Option<TableDescription>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    match describe(ctx, table).await {
        Ok(Some(t)) => {
            report.push(step, Outcome::Ok, format!("table {table} exists"));
            Some(t)
        }
        Ok(None) if !ctx.settings.create_tables => {
            report.push(
                step,
                Outcome::Error,
                format!("table {table} does not exist and curator_create_tables is false"),
            );
            None
        }
        Ok(None) => match create().await {
            Ok(()) => match wait_active(ctx, table).await {
                Ok(t) => {
                    report.push(
                        step,
                        Outcome::Created,
                        format!("table {table} created and ACTIVE"),
                    );
                    Some(t)
                }
                Err(e) => {
                    report.push(
                        step,
                        Outcome::Error,
                        format!("table {table} created but {e}"),
                    );
                    None
                }
            },
            Err(e) => {
                report.push(step, Outcome::Error, e);
                None
            }
        },
        Err(e) => {
            report.push(step, Outcome::Error, e);
            None
        }
    }
}

/// Step 2: the table's key schema is exactly `expected`; otherwise `error` (never recreated).
pub(crate) fn check_key_schema(
    report: &mut CuratorReport,
    step: &str,
    table: &TableDescription,
    expected: &[KeySchemaElement],
) -> bool {
    let actual = table.key_schema();
    if same_key_schema(actual, expected) {
        report.push(
            step,
            Outcome::Ok,
            format!("key schema {}", describe_key_schema(actual)),
        );
        true
    } else {
        let message = format!(
            "key schema is {} but must be {}; the curator never recreates a table",
            describe_key_schema(actual),
            describe_key_schema(expected)
        );
        report.push(step, Outcome::Error, message);
        false
    }
}
