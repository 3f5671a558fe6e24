//! cis-aws against moto_server: the SDK configuration, SSM reads (SecureString, retries within a budget,
//! signing keys, the uuid salt) and the vault table resolution (ARN, name, tags).
//!
//! The tests that need moto_server are `#[ignore]`d, so a plain `cargo test` lists them as ignored;
//! `ci/test.sh` starts moto, sets `CIS_TEST_MOTO_URL` and runs them with the ignored tests included. Run
//! without the variable, such a test fails at once and says why (`cis_testkit::moto::url`). The SDK
//! configuration and budget tests need no server and always run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_config::SdkConfig;
use aws_sdk_ssm::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_ssm::types::ParameterType;
use cis_aws::{
    AwsError, AwsSettings, SsmParameters, SsmSigningKeys, TableNames, TableSettings,
    dynamodb_client, key_parameter, load_sdk_config, resolve_table_names, ssm_client,
};
use cis_crypto::{KeyError, PublicKey, SigningKeySource};
use cis_identity_vault::curator;
use cis_profile::Publisher;
use cis_testkit::moto;
use std::time::{Duration, Instant};

/// The configuration `main` would load, pointed at moto (`cis_testkit::moto::url`), with its dummy
/// credentials.
async fn sdk_config() -> SdkConfig {
    let settings = AwsSettings {
        region: Some(moto::REGION.into()),
        endpoint_url: Some(moto::url()),
    };
    let credentials = Credentials::new(
        moto::ACCESS_KEY_ID,
        moto::SECRET_ACCESS_KEY,
        None,
        None,
        "moto",
    );
    load_sdk_config(&settings)
        .await
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

fn fixture(name: &str) -> String {
    cis_testkit::fixture(&format!("keys/{name}"))
}

/// Stores a SecureString parameter (set-up, through the test kit's own SSM client).
async fn put_secure(name: &str, value: &str) {
    moto::ssm()
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(ParameterType::SecureString)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_sdk_configuration_carries_the_region_and_the_endpoint() {
    let settings = AwsSettings {
        region: Some("eu-central-1".into()),
        endpoint_url: Some("http://127.0.0.1:4566".into()),
    };
    let config = load_sdk_config(&settings).await;
    assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-central-1"));
    assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:4566"));
    let ssm = ssm_client(&config, Some("us-east-2"));
    assert_eq!(ssm.config().region().map(|r| r.as_ref()), Some("us-east-2"));
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_secure_string_reads_back_decrypted() {
    let config = sdk_config().await;
    let name = format!("/iam/cis/{}/uuid_salt", moto::unique_name("t"));
    put_secure(&name, "s3cr3t salt").await;
    let params = SsmParameters::new(ssm_client(&config, None));
    assert_eq!(params.get_secure(&name).await.unwrap(), "s3cr3t salt");
    assert_eq!(params.load_uuid_salt(&name).await.unwrap(), "s3cr3t salt");
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_missing_parameter_fails_at_once_without_retries() {
    let config = sdk_config().await;
    let name = format!("/iam/cis/{}/missing", moto::unique_name("t"));
    // A retrying reader would use its whole budget; a slow (busy) moto still answers well within half.
    let params = SsmParameters::new(ssm_client(&config, None)).with_budget(Duration::from_secs(20));
    let started = Instant::now();
    let result = params.get_secure(&name).await;
    assert_eq!(result, Err(AwsError::ParameterNotFound { name }));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_ssm_gives_up_within_the_budget() {
    // Port 9 (discard) on loopback: nothing listens, every attempt is refused.
    let settings = AwsSettings {
        region: Some(moto::REGION.into()),
        endpoint_url: Some("http://127.0.0.1:9".into()),
    };
    let credentials = Credentials::new(
        moto::ACCESS_KEY_ID,
        moto::SECRET_ACCESS_KEY,
        None,
        None,
        "test",
    );
    let config = load_sdk_config(&settings)
        .await
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build();
    let params =
        SsmParameters::new(ssm_client(&config, None)).with_budget(Duration::from_millis(800));
    let started = Instant::now();
    let result = params.get_secure("/iam/cis/test/keys/cis").await;
    let elapsed = started.elapsed();
    assert!(
        matches!(
            result,
            Err(AwsError::Ssm {
                retryable: true,
                ..
            })
        ),
        "{result:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(700) && elapsed < Duration::from_secs(3),
        "took {elapsed:?}"
    );
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn signing_keys_are_loaded_per_publisher_from_pem_and_jwk() {
    let config = sdk_config().await;
    let path = format!("/iam/cis/{}/keys", moto::unique_name("t"));
    put_secure(
        &key_parameter(&path, Publisher::Cis),
        &fixture("fake-publisher-key_1.priv.pem"),
    )
    .await;
    put_secure(
        &key_parameter(&path, Publisher::Ldap),
        &fixture("fake-publisher-key_0.priv.jwk"),
    )
    .await;
    let params = SsmParameters::new(ssm_client(&config, None));

    let keys = SsmSigningKeys::load(
        &params,
        &format!("{path}/"),
        &[Publisher::Cis, Publisher::Ldap],
    )
    .await
    .unwrap();

    let cis = keys.signing_key(Publisher::Cis).unwrap();
    assert_eq!(
        cis.public_key(),
        &PublicKey::parse(&fixture("fake-publisher-key_1.pub.pem")).unwrap()
    );
    let ldap = keys.signing_key(Publisher::Ldap).unwrap();
    assert_eq!(
        ldap.public_key(),
        &PublicKey::parse(&fixture("fake-publisher-key_0.pub.pem")).unwrap()
    );
    assert!(matches!(
        keys.signing_key(Publisher::Hris),
        Err(KeyError::NoSigningKey { .. })
    ));
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_missing_or_invalid_signing_key_fails_the_load() {
    let config = sdk_config().await;
    let path = format!("/iam/cis/{}/keys", moto::unique_name("t"));
    let params = SsmParameters::new(ssm_client(&config, None));
    let missing = SsmSigningKeys::load(&params, &path, &[Publisher::Cis]).await;
    assert_eq!(
        missing.err(),
        Some(AwsError::ParameterNotFound {
            name: format!("{path}/cis")
        })
    );
    put_secure(&key_parameter(&path, Publisher::Cis), "not a key").await;
    let invalid = SsmSigningKeys::load(&params, &path, &[Publisher::Cis]).await;
    assert!(
        matches!(invalid, Err(AwsError::InvalidSigningKey { .. })),
        "{invalid:?}"
    );
}

/// Makes vault and status tables tagged for `environment` (set-up, through the test kit's own client).
async fn create_tables(environment: &str, tables: TableNames) {
    let settings = moto::curator_settings(environment, tables);
    let report = curator::ensure(&moto::dynamodb(), &settings).await;
    assert!(!report.has_errors(), "{}", report.to_json());
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn the_table_arn_wins_and_the_status_table_can_be_named() {
    let config = sdk_config().await;
    let settings = TableSettings {
        environment: "production".into(),
        dynamodb_arn: Some(
            "arn:aws:dynamodb:us-west-2:320464205386:table/production-identity-vault".into(),
        ),
        status_table_name: Some("custom-status".into()),
    };
    let names = resolve_table_names(&dynamodb_client(&config), &settings)
        .await
        .unwrap();
    assert_eq!(
        names,
        TableNames::new("production-identity-vault", "custom-status")
    );
    let bad = TableSettings {
        dynamodb_arn: Some("production-identity-vault".into()),
        ..settings
    };
    let result = resolve_table_names(&dynamodb_client(&config), &bad).await;
    assert!(matches!(result, Err(AwsError::InvalidTableArn(_))));
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn the_environment_names_the_tables_when_it_exists_or_nothing_is_tagged() {
    let config = sdk_config().await;
    let client = dynamodb_client(&config);
    let environment = moto::unique_name("env");
    let expected = TableNames::for_environment(&environment);
    assert_eq!(
        resolve_table_names(&client, &TableSettings::new(&environment))
            .await
            .unwrap(),
        expected
    );
    create_tables(&environment, expected.clone()).await;
    assert_eq!(
        resolve_table_names(&client, &TableSettings::new(&environment))
            .await
            .unwrap(),
        expected
    );
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn an_absent_named_table_is_found_by_its_tags() {
    let config = sdk_config().await;
    let client = dynamodb_client(&config);
    let environment = moto::unique_name("env");
    let legacy = TableNames::new(
        moto::unique_name("legacy-vault"),
        moto::unique_name("legacy-status"),
    );
    create_tables(&environment, legacy.clone()).await;

    let names = resolve_table_names(&client, &TableSettings::new(&environment))
        .await
        .unwrap();

    assert_eq!(names.vault, legacy.vault);
    assert_eq!(
        names.status,
        TableNames::for_environment(&environment).status
    );
    let other = TableNames::new(
        moto::unique_name("second-vault"),
        moto::unique_name("second-status"),
    );
    create_tables(&environment, other).await;
    let ambiguous = resolve_table_names(&client, &TableSettings::new(&environment)).await;
    assert!(
        matches!(ambiguous, Err(AwsError::AmbiguousTables { .. })),
        "{ambiguous:?}"
    );
}
