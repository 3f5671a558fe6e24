//! Step 8: the status table (docs/contract/processor-and-vault.md §6) — created when missing (HASH `sequence_number`,
//! PAY_PER_REQUEST, no stream, tags with `application=identity-vault-status`, the `-user_id` history
//! index), its key schema, the history index (added when missing), tags, point-in-time recovery, and TTL on
//! `expires_at`.

use super::common::{Ctx, aws_error, check_key_schema, ensure_exists, wait_active};
use super::properties::{ensure_point_in_time_recovery, ensure_tags};
use super::report::{CuratorReport, Outcome};
use super::table_spec::{
    create_status_user_index_action, describe_key_schema, hash_key, required_tags, same_key_schema,
    status_attribute_definitions, status_user_index, status_user_index_key_schema, tags,
};
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    BillingMode, GlobalSecondaryIndexUpdate, TableClass, TableDescription, TimeToLiveSpecification,
    TimeToLiveStatus,
};

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
    ensure_user_index(ctx, report, &described).await;
    let required = required_tags(&ctx.settings.environment, APPLICATION);
    ensure_tags(ctx, report, "status.tags", &described, &required).await;
    ensure_point_in_time_recovery(ctx, report, "status.point_in_time_recovery", table).await;
    ensure_ttl(ctx, report, table).await;
}

async fn create(ctx: &Ctx<'_>) -> Result<(), String> {
    let table = ctx.settings.tables.status.as_str();
    let spec_error = |e: BuildError| format!("CreateTable on {table}: {e}");
    let (key_schema, _) = hash_key("sequence_number").map_err(spec_error)?;
    ctx.client
        .create_table()
        .table_name(table)
        .set_key_schema(Some(key_schema))
        .set_attribute_definitions(Some(status_attribute_definitions().map_err(spec_error)?))
        .global_secondary_indexes(status_user_index(&ctx.settings.tables).map_err(spec_error)?)
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

/// The change history's index: reported when present (drift if its keys differ), created when missing.
async fn ensure_user_index(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
    described: &TableDescription,
) {
    let step = "status.index.user_id";
    let tables = &ctx.settings.tables;
    let name = tables.status_user_index();
    let Ok(expected) = status_user_index_key_schema() else {
        return;
    };
    if let Some(found) = described
        .global_secondary_indexes()
        .iter()
        .find(|g| g.index_name() == Some(name.as_str()))
    {
        if same_key_schema(found.key_schema(), &expected) {
            report.push(step, Outcome::Ok, format!("index {name} exists"));
        } else {
            let message = format!(
                "index {name} has key schema {}, expected {}",
                describe_key_schema(found.key_schema()),
                describe_key_schema(&expected)
            );
            report.push(step, Outcome::Drift, message);
        }
        return;
    }
    let (action, definitions) = match (
        create_status_user_index_action(tables),
        status_attribute_definitions(),
    ) {
        (Ok(action), Ok(definitions)) => (action, definitions),
        (Err(e), _) | (_, Err(e)) => {
            return report.push(
                step,
                Outcome::Error,
                format!("UpdateTable on {}: {e}", tables.status),
            );
        }
    };
    let sent = ctx
        .client
        .update_table()
        .table_name(&tables.status)
        .set_attribute_definitions(Some(definitions))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder().create(action).build(),
        )
        .send()
        .await;
    if let Err(e) = sent {
        return report.push(
            step,
            Outcome::Error,
            aws_error("UpdateTable (create index)", &tables.status, &e),
        );
    }
    match wait_active(ctx, &tables.status).await {
        Ok(_) => report.push(
            step,
            Outcome::Created,
            format!("index {name} created and ACTIVE"),
        ),
        Err(e) => report.push(step, Outcome::Error, e),
    }
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
