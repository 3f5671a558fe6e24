//! Step 9: items written by the original get `version` (1) and `connection_method` by conditional
//! `UpdateItem` (`if_not_exists`, only on items that still exist); `profile` is never touched. It runs only
//! when the stream view is NEW_AND_OLD_IMAGES, so stream consumers can tell these writes from profile
//! changes (old and new `profile` equal); otherwise it counts the items and reports `drift`.

use super::common::{Ctx, aws_error};
use super::report::{CuratorReport, Outcome};
use aws_sdk_dynamodb::types::{AttributeValue, Select};
use cis_profile::identifiers::connection_method;
use futures::stream::{self, StreamExt};
use std::collections::HashMap;
use tokio::time::Instant;

const STEP: &str = "vault.backfill";
const NEEDS_BACKFILL: &str = "attribute_not_exists(#v) OR attribute_not_exists(#cm)";

fn names() -> HashMap<String, String> {
    HashMap::from([
        ("#id".to_string(), "id".to_string()),
        ("#v".to_string(), "version".to_string()),
        ("#cm".to_string(), "connection_method".to_string()),
    ])
}

pub(crate) async fn run(ctx: &Ctx<'_>, report: &mut CuratorReport, stream_has_images: bool) {
    if !ctx.settings.backfill {
        return report.push(STEP, Outcome::Ok, "not run (curator_backfill = false)");
    }
    if !stream_has_images {
        let message = match count_remaining(ctx).await {
            Ok(0) => {
                return report.push(
                    STEP,
                    Outcome::Ok,
                    "every item has version and connection_method",
                );
            }
            Ok(n) => format!(
                "{n} items lack version or connection_method; the backfill runs only when the stream view is \
                 NEW_AND_OLD_IMAGES (a KEYS_ONLY consumer would see every user as updated)"
            ),
            Err(e) => return report.push(STEP, Outcome::Error, e),
        };
        return report.push(STEP, Outcome::Drift, message);
    }
    match backfill(ctx).await {
        Ok(Done { updated: 0, more: false }) => {
            report.push(STEP, Outcome::Ok, "every item has version and connection_method")
        }
        Ok(Done { updated, more: false }) => report.push(STEP, Outcome::Updated, format!("backfilled {updated} items")),
        Ok(Done { updated, more: true }) => report.push(
            STEP,
            Outcome::Updated,
            format!(
                "backfilled {updated} items; more remain (time budget of {} s reached), the next run continues",
                ctx.settings.backfill_budget.as_secs()
            ),
        ),
        Err((updated, e)) => report.push(STEP, Outcome::Error, format!("backfilled {updated} items, then {e}")),
    }
}

struct Done {
    updated: usize,
    more: bool,
}

async fn count_remaining(ctx: &Ctx<'_>) -> Result<u64, String> {
    let table = ctx.settings.tables.vault.as_str();
    let mut total = 0u64;
    let mut start = None;
    loop {
        let out = ctx
            .client
            .scan()
            .table_name(table)
            .filter_expression(NEEDS_BACKFILL)
            .set_expression_attribute_names(Some(
                names().into_iter().filter(|(k, _)| k != "#id").collect(),
            ))
            .select(Select::Count)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| aws_error("Scan", table, &e))?;
        total += u64::try_from(out.count()).unwrap_or(0);
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(total),
        }
    }
}

async fn backfill(ctx: &Ctx<'_>) -> Result<Done, (usize, String)> {
    let table = ctx.settings.tables.vault.as_str();
    let deadline = Instant::now() + ctx.settings.backfill_budget;
    let mut updated = 0usize;
    let mut start = None;
    loop {
        let out = ctx
            .client
            .scan()
            .table_name(table)
            .filter_expression(NEEDS_BACKFILL)
            .set_expression_attribute_names(Some(names()))
            .projection_expression("#id")
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| (updated, aws_error("Scan", table, &e)))?;
        let ids: Vec<String> = out
            .items()
            .iter()
            .filter_map(|item| match item.get("id") {
                Some(AttributeValue::S(id)) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let results: Vec<Result<bool, String>> =
            stream::iter(ids.iter().map(|id| update_one(ctx, id)))
                .buffer_unordered(ctx.settings.backfill_concurrency.max(1))
                .collect()
                .await;
        for result in results {
            if result.map_err(|e| (updated, e))? {
                updated += 1;
            }
        }
        match out.last_evaluated_key.filter(|k| !k.is_empty()) {
            None => {
                return Ok(Done {
                    updated,
                    more: false,
                });
            }
            Some(_) if Instant::now() >= deadline => {
                return Ok(Done {
                    updated,
                    more: true,
                });
            }
            Some(key) => start = Some(key),
        }
    }
}

/// Adds the missing attributes to one item; `false` when it was deleted meanwhile.
async fn update_one(ctx: &Ctx<'_>, id: &str) -> Result<bool, String> {
    let table = ctx.settings.tables.vault.as_str();
    let result = ctx
        .client
        .update_item()
        .table_name(table)
        .key("id", AttributeValue::S(id.to_string()))
        .update_expression("SET #v = if_not_exists(#v, :one), #cm = if_not_exists(#cm, :cm)")
        .condition_expression("attribute_exists(#id)")
        .set_expression_attribute_names(Some(names()))
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .expression_attribute_values(":cm", AttributeValue::S(connection_method(id).to_string()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(aws_error("UpdateItem", table, &e)),
    }
}
