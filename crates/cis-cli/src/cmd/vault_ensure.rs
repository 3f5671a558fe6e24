//! `cis vault ensure`: run the vault curator (docs/contract/processor-and-vault.md §7) against DynamoDB — AWS, or an
//! emulator with `--endpoint-url` — and print its report as JSON.
//!
//! Owns argument parsing (docs/configuration.md §2 names, strict booleans) and the exit status; the steps are
//! `cis_identity_vault::curator`'s, the clients and table resolution `cis_aws`'s. It touches nothing else.

use anyhow::Context;
use cis_aws::{
    AwsSettings, TableNames, TableSettings, dynamodb_client, load_sdk_config, resolve_table_names,
};
use cis_identity_vault::curator::{self, CuratorReport, CuratorSettings};
use clap::ArgAction;
use std::process::ExitCode;
use std::time::Duration;

/// Options of `cis vault ensure`; every one also reads its configuration variable.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Stage name: names the tables `<ENV>-identity-vault` and `<ENV>-identity-vault-status`.
    #[arg(
        long,
        value_name = "ENV",
        env = "CIS_ENVIRONMENT",
        default_value = "local"
    )]
    pub environment: String,
    /// One endpoint for DynamoDB (moto_server, DynamoDB Local).
    #[arg(long, value_name = "URL", env = "CIS_AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// AWS region [default: $AWS_REGION, else us-west-2].
    #[arg(long, value_name = "REGION", env = "CIS_REGION_NAME")]
    pub region: Option<String>,
    /// The vault table's ARN (skips name and tag discovery).
    #[arg(long, value_name = "ARN", env = "CIS_DYNAMODB_ARN")]
    pub dynamodb_arn: Option<String>,
    /// The status table's name.
    #[arg(long, value_name = "NAME", env = "CIS_STATUS_TABLE_NAME")]
    pub status_table_name: Option<String>,
    /// Create missing tables.
    #[arg(long, value_name = "BOOL", env = "CIS_CURATOR_CREATE_TABLES", default_value = "true",
          action = ArgAction::Set, value_parser = strict_bool)]
    pub create_tables: bool,
    /// Switch a stream of another view to NEW_AND_OLD_IMAGES (a new stream ARN: triggers must follow).
    #[arg(long, value_name = "BOOL", env = "CIS_CURATOR_FIX_STREAM_VIEW", default_value = "false",
          action = ArgAction::Set, value_parser = strict_bool)]
    pub fix_stream_view: bool,
    /// Turn point-in-time recovery on (never in environment local).
    #[arg(long, value_name = "BOOL", env = "CIS_CURATOR_POINT_IN_TIME_RECOVERY", default_value = "true",
          action = ArgAction::Set, value_parser = strict_bool)]
    pub point_in_time_recovery: bool,
    /// Deletion protection of the vault table [default: true in production, else false].
    #[arg(long, value_name = "BOOL", env = "CIS_CURATOR_DELETION_PROTECTION", value_parser = strict_bool)]
    pub deletion_protection: Option<bool>,
    /// Add version and connection_method to items the original CIS wrote.
    #[arg(long, value_name = "BOOL", env = "CIS_CURATOR_BACKFILL", default_value = "true",
          action = ArgAction::Set, value_parser = strict_bool)]
    pub backfill: bool,
    /// How long to wait for a table or index to become ACTIVE.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub wait_seconds: u64,
}

/// `true` or `false` in any case; anything else is a usage error (docs/configuration.md §1).
fn strict_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{text:?} is not a boolean (true or false)")),
    }
}

impl Args {
    fn settings(&self) -> (AwsSettings, TableSettings, CuratorSettings) {
        let environment = self.environment.trim().to_ascii_lowercase();
        let aws = AwsSettings {
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        };
        let tables = TableSettings {
            environment: environment.clone(),
            dynamodb_arn: self.dynamodb_arn.clone(),
            status_table_name: self.status_table_name.clone(),
        };
        let mut curator =
            CuratorSettings::new(&environment, TableNames::for_environment(&environment));
        curator.create_tables = self.create_tables;
        curator.fix_stream_view = self.fix_stream_view;
        curator.point_in_time_recovery = self.point_in_time_recovery;
        curator.deletion_protection = self
            .deletion_protection
            .unwrap_or(environment == "production");
        curator.backfill = self.backfill;
        curator.wait_timeout = Duration::from_secs(self.wait_seconds);
        curator.poll_interval =
            Duration::from_secs(if self.endpoint_url.is_some() { 1 } else { 5 });
        (aws, tables, curator)
    }
}

/// Runs the curator and returns its report.
pub async fn ensure(args: &Args) -> anyhow::Result<CuratorReport> {
    let (aws, tables, mut curator) = args.settings();
    let client = dynamodb_client(&load_sdk_config(&aws).await);
    curator.tables = resolve_table_names(&client, &tables)
        .await
        .context("resolving the vault tables")?;
    Ok(curator::ensure(&client, &curator).await)
}

/// Runs the curator and prints the report (pretty JSON) on stdout; exit status 1 when a step is `error`.
pub async fn report(args: &Args) -> anyhow::Result<ExitCode> {
    let report = ensure(args).await?;
    println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(argv: &[&str]) -> Result<Args, clap::Error> {
        Cli::try_parse_from(std::iter::once("ensure").chain(argv.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn options_map_onto_the_curator_settings() {
        let args = parse(&[
            "--environment",
            "Production",
            "--endpoint-url",
            "http://127.0.0.1:5000",
            "--fix-stream-view",
            "TRUE",
            "--backfill",
            "false",
        ])
        .unwrap();
        let (aws, tables, curator) = args.settings();
        assert_eq!(aws.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(tables.environment, "production");
        assert_eq!(curator.tables, TableNames::for_environment("production"));
        assert!(curator.fix_stream_view && curator.deletion_protection && curator.create_tables);
        assert!(!curator.backfill);
        let off = parse(&[
            "--environment",
            "production",
            "--deletion-protection",
            "false",
        ])
        .unwrap();
        assert!(!off.settings().2.deletion_protection);
    }

    #[test]
    fn booleans_are_strict() {
        for bad in ["yes", "1", "'true'", ""] {
            assert!(parse(&["--backfill", bad]).is_err(), "{bad:?} was accepted");
        }
    }

    use cis_testkit::moto;

    /// Needs moto_server and, as `ci/test.sh` exports them, dummy credentials in the environment
    /// (`AWS_ACCESS_KEY_ID=testing`, `AWS_SECRET_ACCESS_KEY=testing`): the command uses the default chain.
    #[tokio::test]
    #[ignore = "needs moto_server (ci/test.sh runs it)"]
    async fn ensure_creates_the_tables_of_an_environment_and_a_second_run_changes_nothing() {
        let url = moto::url();
        let environment = moto::unique_name("cli");
        let args = parse(&[
            "--environment",
            &environment,
            "--endpoint-url",
            &url,
            "--region",
            "us-east-1",
        ])
        .unwrap();
        let first = ensure(&args).await.unwrap();
        assert!(!first.has_errors(), "{}", first.to_json());
        assert_eq!(first.vault_table, format!("{environment}-identity-vault"));
        assert_eq!(
            first.outcome("vault.table"),
            Some(curator::Outcome::Created)
        );
        let second = ensure(&args).await.unwrap();
        assert!(
            !second.has_errors() && !second.changed_anything(),
            "{}",
            second.to_json()
        );
    }
}
