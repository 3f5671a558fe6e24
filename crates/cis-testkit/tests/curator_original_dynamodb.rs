//! The vault's curator against moto_server on tables as the original CIS made them
//! (docs/contract/processor-and-vault.md §7 steps 4 and 9): a KEYS_ONLY stream is drift and blocks the
//! backfill, a missing stream is enabled, `fix_stream_view` replaces the view, the backfill adds `version`
//! and `connection_method`.
//!
//! Every test here needs moto_server and is `#[ignore]`d, so a plain `cargo test` lists them as ignored;
//! `ci/test.sh` starts moto, sets `CIS_TEST_MOTO_URL` and runs them with the ignored tests included. Run
//! without the variable, a test fails at once and says why (`cis_testkit::moto::url`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, StreamSpecification, StreamViewType,
};
use cis_identity_vault::curator::{self, Outcome};
use cis_identity_vault::dynamodb::{Index, TableNames};
use cis_testkit::moto::{self, assert_no_changes, curator_settings, fresh_table_names};

/// A table as the original made it: HASH `id`, a stream of `view` (the original: KEYS_ONLY), no indexes.
async fn create_original_table(
    client: &aws_sdk_dynamodb::Client,
    tables: &TableNames,
    view: Option<StreamViewType>,
) {
    let key = KeySchemaElement::builder()
        .attribute_name("id")
        .key_type(KeyType::Hash)
        .build()
        .unwrap();
    let definition = AttributeDefinition::builder()
        .attribute_name("id")
        .attribute_type(ScalarAttributeType::S)
        .build()
        .unwrap();
    let stream = view.map(|v| {
        StreamSpecification::builder()
            .stream_enabled(true)
            .stream_view_type(v)
            .build()
            .unwrap()
    });
    client
        .create_table()
        .table_name(&tables.vault)
        .key_schema(key)
        .attribute_definitions(definition)
        .billing_mode(BillingMode::PayPerRequest)
        .set_stream_specification(stream)
        .send()
        .await
        .unwrap();
}

/// An item as the original wrote it: no `version`, no `connection_method`.
async fn put_original_item(
    client: &aws_sdk_dynamodb::Client,
    tables: &TableNames,
    id: &str,
) -> String {
    let profile = format!(r#"{{"user_id": {{"value": "{id}"}}}}"#);
    client
        .put_item()
        .table_name(&tables.vault)
        .item("id", AttributeValue::S(id.into()))
        .item("profile", AttributeValue::S(profile.clone()))
        .item("sequence_number", AttributeValue::S("1".into()))
        .send()
        .await
        .unwrap();
    profile
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_keys_only_stream_is_drift_and_blocks_the_backfill() {
    let client = moto::dynamodb();
    let settings = curator_settings("local", fresh_table_names());
    create_original_table(&client, &settings.tables, Some(StreamViewType::KeysOnly)).await;
    put_original_item(&client, &settings.tables, "ad|Mozilla-LDAP|jdoe").await;

    let report = curator::ensure(&client, &settings).await;

    assert_eq!(
        report.outcome("vault.table"),
        Some(Outcome::Ok),
        "{}",
        report.to_json()
    );
    assert_eq!(report.outcome("vault.stream"), Some(Outcome::Drift));
    assert!(
        report
            .step("vault.stream")
            .unwrap()
            .message
            .contains("KEYS_ONLY")
    );
    for index in Index::ALL {
        assert_eq!(
            report.outcome(&format!("vault.index.{}", index.suffix())),
            Some(Outcome::Created)
        );
    }
    assert_eq!(report.outcome("vault.tags"), Some(Outcome::Updated));
    assert_eq!(report.outcome("vault.backfill"), Some(Outcome::Drift));
    assert!(
        report
            .step("vault.backfill")
            .unwrap()
            .message
            .starts_with("1 items")
    );
    let vault = client
        .describe_table()
        .table_name(&settings.tables.vault)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    assert_eq!(
        vault.stream_specification().unwrap().stream_view_type(),
        Some(&StreamViewType::KeysOnly)
    );
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_table_without_a_stream_gets_one_with_new_and_old_images() {
    let client = moto::dynamodb();
    let settings = curator_settings("local", fresh_table_names());
    create_original_table(&client, &settings.tables, None).await;

    let report = curator::ensure(&client, &settings).await;

    assert_eq!(
        report.outcome("vault.stream"),
        Some(Outcome::Updated),
        "{}",
        report.to_json()
    );
    let vault = client
        .describe_table()
        .table_name(&settings.tables.vault)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    assert_eq!(
        vault.stream_specification().unwrap().stream_view_type(),
        Some(&StreamViewType::NewAndOldImages)
    );
    assert_no_changes(&curator::ensure(&client, &settings).await);
}

/// With `fix_stream_view` the curator disables the KEYS_ONLY stream and enables NEW_AND_OLD_IMAGES. moto
/// (5.x) keeps the old stream label after a disable and refuses the second `UpdateTable` with
/// `ResourceInUseException: Cannot enable stream`; real DynamoDB accepts it. On moto the test therefore
/// checks that the disable went through and the failure is reported as an error naming the enable call.
#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn with_fix_stream_view_a_keys_only_stream_is_replaced() {
    let client = moto::dynamodb();
    let mut settings = curator_settings("local", fresh_table_names());
    settings.fix_stream_view = true;
    create_original_table(&client, &settings.tables, Some(StreamViewType::KeysOnly)).await;

    let report = curator::ensure(&client, &settings).await;

    let step = report.step("vault.stream").unwrap();
    let vault = client
        .describe_table()
        .table_name(&settings.tables.vault)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let stream = vault.stream_specification();
    match step.outcome {
        Outcome::Updated => {
            assert!(step.message.contains("new stream ARN"), "{}", step.message);
            assert_eq!(
                stream.unwrap().stream_view_type(),
                Some(&StreamViewType::NewAndOldImages)
            );
        }
        Outcome::Error => {
            assert!(
                step.message.contains("UpdateTable (enable stream)"),
                "{}",
                step.message
            );
            assert!(
                step.message.contains("ResourceInUseException"),
                "{}",
                step.message
            );
            assert!(
                !stream.is_some_and(|s| s.stream_enabled()),
                "the KEYS_ONLY stream was not disabled"
            );
        }
        other => panic!("unexpected outcome {other:?}: {}", step.message),
    }
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn the_backfill_adds_version_and_connection_method_and_leaves_the_profile_alone() {
    let client = moto::dynamodb();
    let settings = curator_settings("local", fresh_table_names());
    assert!(!curator::ensure(&client, &settings).await.has_errors());
    let profile = put_original_item(&client, &settings.tables, "github|123").await;

    let report = curator::ensure(&client, &settings).await;

    assert_eq!(
        report.outcome("vault.backfill"),
        Some(Outcome::Updated),
        "{}",
        report.to_json()
    );
    assert_eq!(
        report.step("vault.backfill").unwrap().message,
        "backfilled 1 items"
    );
    let item = client
        .get_item()
        .table_name(&settings.tables.vault)
        .key("id", AttributeValue::S("github|123".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(item.get("version"), Some(&AttributeValue::N("1".into())));
    assert_eq!(
        item.get("connection_method"),
        Some(&AttributeValue::S("github".into()))
    );
    assert_eq!(item.get("profile"), Some(&AttributeValue::S(profile)));
    assert_eq!(
        item.get("sequence_number"),
        Some(&AttributeValue::S("1".into()))
    );
    assert_no_changes(&curator::ensure(&client, &settings).await);
}
