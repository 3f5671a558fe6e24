//! moto_server for the AWS adapter tests (docs/architecture.md, "tests"): `ci/test.sh` starts it on a free
//! loopback port and names it in `CIS_TEST_MOTO_URL`; by hand: `python3 -m moto.server -H 127.0.0.1 -p 5000`
//! and `CIS_TEST_MOTO_URL=http://127.0.0.1:5000`.
//!
//! Tests that need it are `#[ignore = "needs moto_server (ci/test.sh runs it)"]`, so a plain `cargo test`
//! reports them as ignored, and `ci/test.sh` runs them with the ignored ones included. A test that runs
//! without the variable fails at once with the reason ([`url`]): it never passes without running.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use cis_identity_vault::curator::{self, CuratorReport, CuratorSettings};
use cis_identity_vault::dynamodb::TableNames;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The variable naming the running moto_server, e.g. `http://127.0.0.1:5000`.
pub const URL_VAR: &str = "CIS_TEST_MOTO_URL";
/// The region every test client uses.
pub const REGION: &str = "us-east-1";
/// Dummy credentials moto accepts.
pub const ACCESS_KEY_ID: &str = "testing";
pub const SECRET_ACCESS_KEY: &str = "testing";

/// The moto URL. Panics (fails the test) when it is not set: a test that needs moto never passes without it.
pub fn url() -> String {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
        _ => panic!(
            "this test needs moto_server: run ci/test.sh, or start `python3 -m moto.server -H 127.0.0.1 -p 5000` \
             and set {URL_VAR}=http://127.0.0.1:5000"
        ),
    }
}

fn credentials() -> Credentials {
    Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None, None, "moto")
}

/// A DynamoDB client for moto.
pub fn dynamodb() -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(url())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A Kinesis client for moto.
pub fn kinesis() -> aws_sdk_kinesis::Client {
    let config = aws_sdk_kinesis::Config::builder()
        .behavior_version(aws_sdk_kinesis::config::BehaviorVersion::latest())
        .region(aws_sdk_kinesis::config::Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(url())
        .build();
    aws_sdk_kinesis::Client::from_conf(config)
}

/// An S3 client for moto (path-style addressing: moto serves buckets under its own host).
pub fn s3() -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(url())
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// An SQS client for moto.
pub fn sqs() -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(url())
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// An SSM client for moto.
pub fn ssm() -> aws_sdk_ssm::Client {
    let config = aws_sdk_ssm::Config::builder()
        .behavior_version(aws_sdk_ssm::config::BehaviorVersion::latest())
        .region(aws_sdk_ssm::config::Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(url())
        .build();
    aws_sdk_ssm::Client::from_conf(config)
}

/// A name no other test (in this or a concurrent run against the same server) uses:
/// `<prefix>-<pid>-<millis>-<n>`, lower case.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() % 100_000_000)
        .unwrap_or(0);
    format!("{prefix}-{}-{millis}-{n}", std::process::id()).to_lowercase()
}

/// Unique vault and status table names for one test.
pub fn fresh_table_names() -> TableNames {
    let vault = unique_name("vault");
    TableNames::new(vault.clone(), format!("{vault}-status"))
}

/// Curator settings for tests: fast polling, short waits.
pub fn curator_settings(environment: &str, tables: TableNames) -> CuratorSettings {
    let mut settings = CuratorSettings::new(environment, tables);
    settings.poll_interval = Duration::from_millis(50);
    settings.wait_timeout = Duration::from_secs(20);
    settings
}

/// Fresh vault tables made by the curator (`environment = local`: point-in-time recovery not managed).
pub async fn fresh_tables(client: &aws_sdk_dynamodb::Client) -> TableNames {
    let tables = fresh_table_names();
    let report = curator::ensure(client, &curator_settings("local", tables.clone())).await;
    assert!(!report.has_errors(), "curator failed: {}", report.to_json());
    tables
}

/// Asserts a curator run that found everything as it should be.
pub fn assert_no_changes(report: &CuratorReport) {
    assert!(!report.has_errors(), "{}", report.to_json());
    assert!(
        !report.changed_anything(),
        "a second run changed something: {}",
        report.to_json()
    );
}
