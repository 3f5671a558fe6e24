//! Step 8: the status table (docs/contract/processor-and-vault.md §6) — created when missing (HASH `sequence_number`,
//! PAY_PER_REQUEST, no stream, tags with `application=identity-vault-status`), its key schema, tags,
//! point-in-time recovery, and TTL on `expires_at`.

use super::common::{Ctx, aws_error, check_key_schema, ensure_exists};
use super::properties::{ensure_point_in_time_recovery, ensure_tags};
use super::report::{CuratorReport, Outcome};
use super::table_spec::{hash_key, required_tags, tags};
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{BillingMode, TableClass, TimeToLiveSpecification, TimeToLiveStatus};

pub(crate) const APPLICATION: &str = "identity-vault-status";
pub(crate) const TTL_ATTRIBUTE: &str = "expires_at";

pub(crate) async fn ensure_status_table(ctx: &Ctx<'_>, report: &mut CuratorReport) {
    let table = ctx.settings.tables.status.as_str();
    let Some(described) = ensure_exists(ctx, report, "status.table", table, || create(ctx)).await
    else {
        return;
    };
    let Ok((expected_key, _)) = hash_key("sequence_number") else {
        return;
    };
    if !check_key_schema(report, "status.key_schema", &described, &expected_key) {
        return;
    }
    let required = required_tags(&ctx.settings.environment, APPLICATION);
    ensure_tags(ctx, report, "status.tags", &described, &required).await;
    ensure_point_in_time_recovery(ctx, report, "status.point_in_time_recovery", table).await;
    ensure_ttl(ctx, report, table).await;
}

async fn create(ctx: &Ctx<'_>) -> Result<(), String> {
    let table = ctx.settings.tables.status.as_str();
    let spec_error = |e: BuildError| format!("CreateTable on {table}: {e}");
    let (key_schema, definition) = hash_key("sequence_number").map_err(spec_error)?;
    ctx.client
        .create_table()
        .table_name(table)
        .set_key_schema(Some(key_schema))
        .attribute_definitions(definition)
        .billing_mode(BillingMode::PayPerRequest)
        .table_class(TableClass::Standard)
        .set_tags(Some(
            tags(&required_tags(&ctx.settings.environment, APPLICATION)).map_err(spec_error)?,
        ))
        .send()
        .await
        .map_err(|e| aws_error("CreateTable", table, &e))?;
    Ok(())
}

async fn ensure_ttl(ctx: &Ctx<'_>, report: &mut CuratorReport, table: &str) {
    let step = "status.ttl";
    let described = match ctx
        .client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            return report.push(
                step,
                Outcome::Error,
                aws_error("DescribeTimeToLive", table, &e),
            );
        }
    };
    let ttl = described.time_to_live_description();
    let status = ttl.and_then(|t| t.time_to_live_status());
    let attribute = ttl.and_then(|t| t.attribute_name());
    match status {
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            if attribute == Some(TTL_ATTRIBUTE) =>
        {
            return report.push(step, Outcome::Ok, format!("TTL on {TTL_ATTRIBUTE}"));
        }
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling) => {
            let message = format!(
                "TTL is on {}, expected {TTL_ATTRIBUTE}",
                attribute.unwrap_or("unknown")
            );
            return report.push(step, Outcome::Drift, message);
        }
        _ => {}
    }
    let spec = match TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(TTL_ATTRIBUTE)
        .build()
    {
        Ok(spec) => spec,
        Err(e) => {
            return report.push(
                step,
                Outcome::Error,
                format!("UpdateTimeToLive on {table}: {e}"),
            );
        }
    };
    match ctx
        .client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(spec)
        .send()
        .await
    {
        Ok(_) => report.push(
            step,
            Outcome::Updated,
            format!("TTL enabled on {TTL_ATTRIBUTE}"),
        ),
        Err(e) => report.push(
            step,
            Outcome::Error,
            aws_error("UpdateTimeToLive", table, &e),
        ),
    }
}
