//! `vault-curator` Lambda (processor-and-vault.md §7): on its EventBridge schedule (and after each deploy)
//! it runs the curator's `ensure`, prints the report as one JSON object, and fails the invocation when a
//! step is `error`. Clients are built once per cold start; the tables are resolved per run (a run may
//! create them).

use anyhow::{Context, bail};
use aws_lambda_events::eventbridge::EventBridgeEvent;
use cis_aws::{
    AwsSettings, TableNames, TableSettings, dynamodb_client, load_sdk_config, resolve_table_names,
};
use cis_identity_vault::curator::{self, CuratorSettings};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

struct Settings {
    aws: AwsSettings,
    tables: TableSettings,
    curator: CuratorSettings,
}

/// The settings from the environment (configuration.md §2 names). Kept in one function so that the typed
/// configuration of `cis-common` can replace it.
fn settings_from_env() -> anyhow::Result<Settings> {
    let var = |k: &str| {
        std::env::var(k)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let flag = |k: &str, default: bool| match var(k).map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => bail!("{k}={other:?} is not a boolean (true or false)"),
    };
    let environment = var("CIS_ENVIRONMENT")
        .unwrap_or_else(|| "local".into())
        .to_ascii_lowercase();
    let mut curator = CuratorSettings::new(&environment, TableNames::for_environment(&environment));
    curator.create_tables = flag("CIS_CURATOR_CREATE_TABLES", true)?;
    curator.fix_stream_view = flag("CIS_CURATOR_FIX_STREAM_VIEW", false)?;
    curator.point_in_time_recovery = flag("CIS_CURATOR_POINT_IN_TIME_RECOVERY", true)?;
    curator.deletion_protection = flag(
        "CIS_CURATOR_DELETION_PROTECTION",
        environment == "production",
    )?;
    curator.backfill = flag("CIS_CURATOR_BACKFILL", true)?;
    let aws = AwsSettings {
        region: var("CIS_REGION_NAME"),
        endpoint_url: var("CIS_AWS_ENDPOINT_URL"),
    };
    let tables = TableSettings {
        environment,
        dynamodb_arn: var("CIS_DYNAMODB_ARN"),
        status_table_name: var("CIS_STATUS_TABLE_NAME"),
    };
    Ok(Settings {
        aws,
        tables,
        curator,
    })
}

async fn handle(client: &aws_sdk_dynamodb::Client, settings: &Settings) -> Result<Value, Error> {
    let mut curator = settings.curator.clone();
    curator.tables = resolve_table_names(client, &settings.tables).await?;
    let report = curator::ensure(client, &curator).await;
    let json = report.to_json();
    println!("{json}");
    if report.has_errors() {
        return Err(format!("the curator reported errors for {}", curator.tables.vault).into());
    }
    Ok(json)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    cis_logging::init(
        &std::env::var("CIS_LOG_LEVEL").unwrap_or_else(|_| "info".into()),
        Default::default(),
    );
    let settings = settings_from_env().context("vault-curator configuration")?;
    let client = dynamodb_client(&load_sdk_config(&settings.aws).await);
    let (client, settings) = (&client, &settings);
    lambda_runtime::run(service_fn(move |_: LambdaEvent<EventBridgeEvent>| {
        handle(client, settings)
    }))
    .await
}
