//! Steps 1–7 for the vault table: create when missing (keys, attribute definitions, all five indexes,
//! PAY_PER_REQUEST, stream NEW_AND_OLD_IMAGES, tags), key schema, missing indexes (one `UpdateTable` each,
//! waiting for ACTIVE in between), stream view, tags, point-in-time recovery, deletion protection.

use super::common::{Ctx, aws_error, check_key_schema, ensure_exists, wait_active};
use super::properties::{ensure_point_in_time_recovery, ensure_tags};
use super::report::{CuratorReport, Outcome};
use super::table_spec::{
    create_index_action, describe_key_schema, global_index, hash_key, index_attribute_definitions,
    index_key_schema, required_tags, same_key_schema, tags, vault_attribute_definitions,
};
use crate::dynamodb::Index;
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    BillingMode, GlobalSecondaryIndexUpdate, StreamSpecification, StreamViewType, TableClass,
    TableDescription,
};

/// What later steps need to know about the vault table.
pub(crate) struct VaultState {
    /// The stream view is NEW_AND_OLD_IMAGES (the backfill may run).
    pub stream_has_images: bool,
}

pub(crate) const APPLICATION: &str = "identity-vault";

pub(crate) async fn ensure_vault_table(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
) -> Option<VaultState> {
    let table = ctx.settings.tables.vault.as_str();
    let described = ensure_exists(ctx, report, "vault.table", table, || create(ctx)).await?;
    let expected_key = hash_key("id").ok()?.0;
    if !check_key_schema(report, "vault.key_schema", &described, &expected_key) {
        return None;
    }
    let mut described = described;
    for index in Index::ALL {
        if let Some(updated) = ensure_index(ctx, report, &described, index).await {
            described = updated;
        }
    }
    let stream_has_images = ensure_stream(ctx, report, &described).await;
    let required = required_tags(&ctx.settings.environment, APPLICATION);
    ensure_tags(ctx, report, "vault.tags", &described, &required).await;
    ensure_point_in_time_recovery(ctx, report, "vault.point_in_time_recovery", table).await;
    ensure_deletion_protection(ctx, report, &described).await;
    Some(VaultState { stream_has_images })
}

fn new_and_old_images() -> Result<StreamSpecification, BuildError> {
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::NewAndOldImages)
        .build()
}

async fn create(ctx: &Ctx<'_>) -> Result<(), String> {
    let settings = ctx.settings;
    let table = settings.tables.vault.as_str();
    let spec_error = |e: BuildError| format!("CreateTable on {table}: {e}");
    let indexes = Index::ALL
        .iter()
        .map(|i| global_index(&settings.tables, *i))
        .collect::<Result<Vec<_>, _>>()
        .map_err(spec_error)?;
    ctx.client
        .create_table()
        .table_name(table)
        .set_key_schema(Some(hash_key("id").map_err(spec_error)?.0))
        .set_attribute_definitions(Some(vault_attribute_definitions().map_err(spec_error)?))
        .set_global_secondary_indexes(Some(indexes))
        .billing_mode(BillingMode::PayPerRequest)
        .table_class(TableClass::Standard)
        .stream_specification(new_and_old_images().map_err(spec_error)?)
        .set_tags(Some(
            tags(&required_tags(&settings.environment, APPLICATION)).map_err(spec_error)?,
        ))
        .deletion_protection_enabled(settings.deletion_protection)
        .send()
        .await
        .map_err(|e| aws_error("CreateTable", table, &e))?;
    Ok(())
}

/// Step 3 for one index; returns the table's new description when the index was created.
async fn ensure_index(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
    described: &TableDescription,
    index: Index,
) -> Option<TableDescription> {
    let tables = &ctx.settings.tables;
    let name = tables.index(index);
    let step = format!("vault.index.{}", index.suffix());
    let expected = index_key_schema(index).ok()?;
    if let Some(found) = described
        .global_secondary_indexes()
        .iter()
        .find(|g| g.index_name() == Some(name.as_str()))
    {
        let status = found.index_status().map(|s| s.as_str()).unwrap_or("ACTIVE");
        if same_key_schema(found.key_schema(), &expected) {
            report.push(step, Outcome::Ok, format!("index {name} exists ({status})"));
        } else {
            let message = format!(
                "index {name} has key schema {}, expected {}",
                describe_key_schema(found.key_schema()),
                describe_key_schema(&expected)
            );
            report.push(step, Outcome::Drift, message);
        }
        return None;
    }
    let action = match (
        create_index_action(tables, index),
        index_attribute_definitions(index),
    ) {
        (Ok(action), Ok(definitions)) => (action, definitions),
        (Err(e), _) | (_, Err(e)) => {
            report.push(
                step,
                Outcome::Error,
                format!("UpdateTable on {}: {e}", tables.vault),
            );
            return None;
        }
    };
    let update = GlobalSecondaryIndexUpdate::builder()
        .create(action.0)
        .build();
    let sent = ctx
        .client
        .update_table()
        .table_name(&tables.vault)
        .set_attribute_definitions(Some(action.1))
        .global_secondary_index_updates(update)
        .send()
        .await;
    if let Err(e) = sent {
        report.push(
            step,
            Outcome::Error,
            aws_error("UpdateTable (create index)", &tables.vault, &e),
        );
        return None;
    }
    match wait_active(ctx, &tables.vault).await {
        Ok(t) => {
            report.push(
                step,
                Outcome::Created,
                format!("index {name} created and ACTIVE"),
            );
            Some(t)
        }
        Err(e) => {
            report.push(
                step,
                Outcome::Error,
                format!("index {name} requested but {e}"),
            );
            None
        }
    }
}

/// Step 4; returns whether the view is NEW_AND_OLD_IMAGES afterwards.
async fn ensure_stream(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
    described: &TableDescription,
) -> bool {
    let table = ctx.settings.tables.vault.as_str();
    let step = "vault.stream";
    let spec = described
        .stream_specification()
        .filter(|s| s.stream_enabled());
    let view = spec.and_then(|s| s.stream_view_type());
    if view == Some(&StreamViewType::NewAndOldImages) {
        let arn = described.latest_stream_arn().unwrap_or("unknown");
        report.push(
            step,
            Outcome::Ok,
            format!("stream NEW_AND_OLD_IMAGES ({arn})"),
        );
        return true;
    }
    if let Some(view) = view.filter(|_| !ctx.settings.fix_stream_view) {
        let message = format!(
            "stream view is {}, expected NEW_AND_OLD_IMAGES; changing it creates a new stream ARN that the \
             consumers' triggers must follow (set curator_fix_stream_view = true to let the curator do it)",
            view.as_str()
        );
        report.push(step, Outcome::Drift, message);
        return false;
    }
    let previous = view.map(|v| v.as_str().to_string());
    let result = async {
        if previous.is_some() {
            let off = StreamSpecification::builder()
                .stream_enabled(false)
                .build()
                .map_err(|e| e.to_string())?;
            ctx.client
                .update_table()
                .table_name(table)
                .stream_specification(off)
                .send()
                .await
                .map_err(|e| aws_error("UpdateTable (disable stream)", table, &e))?;
            wait_active(ctx, table).await?;
        }
        let on = new_and_old_images().map_err(|e| e.to_string())?;
        ctx.client
            .update_table()
            .table_name(table)
            .stream_specification(on)
            .send()
            .await
            .map_err(|e| aws_error("UpdateTable (enable stream)", table, &e))?;
        wait_active(ctx, table).await
    }
    .await;
    match result {
        Ok(t) => {
            let arn = t.latest_stream_arn().unwrap_or("unknown");
            let message = match previous {
                Some(old) => format!(
                    "stream view changed from {old} to NEW_AND_OLD_IMAGES; new stream ARN {arn}: the consumers' \
                     triggers must follow it"
                ),
                None => format!("stream enabled with NEW_AND_OLD_IMAGES ({arn})"),
            };
            report.push(step, Outcome::Updated, message);
            true
        }
        Err(e) => {
            report.push(step, Outcome::Error, e);
            false
        }
    }
}

/// Step 7: deletion protection as configured.
async fn ensure_deletion_protection(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
    described: &TableDescription,
) {
    let table = ctx.settings.tables.vault.as_str();
    let wanted = ctx.settings.deletion_protection;
    let step = "vault.deletion_protection";
    if described.deletion_protection_enabled().unwrap_or(false) == wanted {
        return report.push(
            step,
            Outcome::Ok,
            format!("deletion protection {}", on_off(wanted)),
        );
    }
    match ctx
        .client
        .update_table()
        .table_name(table)
        .deletion_protection_enabled(wanted)
        .send()
        .await
    {
        Ok(_) => report.push(
            step,
            Outcome::Updated,
            format!("deletion protection turned {}", on_off(wanted)),
        ),
        Err(e) => report.push(
            step,
            Outcome::Error,
            aws_error("UpdateTable (deletion protection)", table, &e),
        ),
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}
