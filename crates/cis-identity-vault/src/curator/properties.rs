//! Steps 5 and 6 on either table: required tags (added when missing, never removed) and point-in-time
//! recovery. Each function records exactly one step in the report.

use super::common::{Ctx, aws_error};
use super::report::{CuratorReport, Outcome};
use super::table_spec::tags;
use aws_sdk_dynamodb::types::{
    PointInTimeRecoverySpecification, PointInTimeRecoveryStatus, TableDescription,
};
use std::collections::HashMap;

/// Step 5: missing tags are added; other tags are left alone; a required tag with another value is drift.
pub(crate) async fn ensure_tags(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
    step: &str,
    table: &TableDescription,
    required: &[(String, String)],
) {
    let name = table.table_name().unwrap_or_default();
    let Some(arn) = table.table_arn() else {
        report.push(
            step,
            Outcome::Error,
            format!("DescribeTable on {name} returned no TableArn"),
        );
        return;
    };
    let mut present: HashMap<String, String> = HashMap::new();
    let mut token: Option<String> = None;
    loop {
        match ctx
            .client
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(out) => {
                present.extend(
                    out.tags()
                        .iter()
                        .map(|t| (t.key().to_string(), t.value().to_string())),
                );
                match out.next_token() {
                    Some(next) if !next.is_empty() => token = Some(next.to_string()),
                    _ => break,
                }
            }
            Err(e) => {
                return report.push(
                    step,
                    Outcome::Error,
                    aws_error("ListTagsOfResource", name, &e),
                );
            }
        }
    }
    let missing: Vec<(String, String)> = required
        .iter()
        .filter(|(k, _)| !present.contains_key(k))
        .cloned()
        .collect();
    let conflicting: Vec<String> = required
        .iter()
        .filter_map(|(k, v)| {
            present
                .get(k)
                .filter(|p| *p != v)
                .map(|p| format!("{k}={p} (expected {v})"))
        })
        .collect();
    let mut added = String::new();
    if !missing.is_empty() {
        let request = match tags(&missing) {
            Ok(t) => t,
            Err(e) => {
                return report.push(step, Outcome::Error, format!("TagResource on {name}: {e}"));
            }
        };
        if let Err(e) = ctx
            .client
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(request))
            .send()
            .await
        {
            return report.push(step, Outcome::Error, aws_error("TagResource", name, &e));
        }
        let pairs: Vec<String> = missing.iter().map(|(k, v)| format!("{k}={v}")).collect();
        added = format!("added {}", pairs.join(", "));
    }
    match (conflicting.is_empty(), missing.is_empty()) {
        (false, _) => report.push(
            step,
            Outcome::Drift,
            format!("tags differ: {}. {added}", conflicting.join(", ")),
        ),
        (true, false) => report.push(step, Outcome::Updated, added),
        (true, true) => report.push(step, Outcome::Ok, "required tags present"),
    }
}

/// Step 6: point-in-time recovery on, unless the environment is local or the setting is off.
pub(crate) async fn ensure_point_in_time_recovery(
    ctx: &Ctx<'_>,
    report: &mut CuratorReport,
    step: &str,
    table: &str,
) {
    if let Err(why) = ctx.settings.manages_point_in_time_recovery() {
        return report.push(step, Outcome::Ok, why);
    }
    let described = match ctx
        .client
        .describe_continuous_backups()
        .table_name(table)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            return report.push(
                step,
                Outcome::Error,
                aws_error("DescribeContinuousBackups", table, &e),
            );
        }
    };
    let enabled = described
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        == Some(&PointInTimeRecoveryStatus::Enabled);
    if enabled {
        return report.push(step, Outcome::Ok, "point-in-time recovery enabled");
    }
    let spec = match PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(true)
        .build()
    {
        Ok(spec) => spec,
        Err(e) => {
            return report.push(
                step,
                Outcome::Error,
                format!("UpdateContinuousBackups on {table}: {e}"),
            );
        }
    };
    match ctx
        .client
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(spec)
        .send()
        .await
    {
        Ok(_) => report.push(step, Outcome::Updated, "point-in-time recovery enabled"),
        Err(e) => report.push(
            step,
            Outcome::Error,
            aws_error("UpdateContinuousBackups", table, &e),
        ),
    }
}
