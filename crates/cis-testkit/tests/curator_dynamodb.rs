//! The vault's curator against moto_server (docs/contract/processor-and-vault.md §7): it creates what is
//! missing with every index, the stream and the tags, repairs a deleted index, leaves a table with another
//! key alone, manages point-in-time recovery and deletion protection, and a second run changes nothing.
//! Tables made by the original CIS: curator_original_dynamodb.rs.
//!
//! Every test here needs moto_server and is `#[ignore]`d, so a plain `cargo test` lists them as ignored;
//! `ci/test.sh` starts moto, sets `CIS_TEST_MOTO_URL` and runs them with the ignored tests included. Run
//! without the variable, a test fails at once and says why (`cis_testkit::moto::url`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate,
    KeySchemaElement, KeyType, ScalarAttributeType, StreamViewType, TimeToLiveStatus,
};
use cis_identity_vault::curator::{self, Outcome};
use cis_identity_vault::dynamodb::Index;
use cis_testkit::moto::{self, assert_no_changes, curator_settings, fresh_table_names};
use std::collections::HashMap;

async fn tags_of(client: &aws_sdk_dynamodb::Client, table: &str) -> HashMap<String, String> {
    let described = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .unwrap();
    let arn = described.table().unwrap().table_arn().unwrap().to_string();
    let out = client
        .list_tags_of_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    out.tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn the_curator_creates_missing_tables_with_every_index_the_stream_and_the_tags() {
    let client = moto::dynamodb();
    let tables = fresh_table_names();

    let report = curator::ensure(&client, &curator_settings("testing", tables.clone())).await;

    assert!(!report.has_errors(), "{}", report.to_json());
    assert_eq!(report.outcome("vault.table"), Some(Outcome::Created));
    assert_eq!(report.outcome("status.table"), Some(Outcome::Created));
    let vault = client
        .describe_table()
        .table_name(&tables.vault)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let mut indexes: Vec<&str> = vault
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| g.index_name())
        .collect();
    indexes.sort();
    let mut expected: Vec<String> = Index::ALL.iter().map(|i| tables.index(*i)).collect();
    expected.sort();
    assert_eq!(indexes, expected);
    let stream = vault.stream_specification().unwrap();
    assert!(stream.stream_enabled());
    assert_eq!(
        stream.stream_view_type(),
        Some(&StreamViewType::NewAndOldImages)
    );
    assert_eq!(
        vault.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    let tags = tags_of(&client, &tables.vault).await;
    assert_eq!(
        tags.get("cis_environment").map(String::as_str),
        Some("testing")
    );
    assert_eq!(
        tags.get("application").map(String::as_str),
        Some("identity-vault")
    );
    let status_tags = tags_of(&client, &tables.status).await;
    assert_eq!(
        status_tags.get("application").map(String::as_str),
        Some("identity-vault-status")
    );
    let ttl = client
        .describe_time_to_live()
        .table_name(&tables.status)
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_second_run_on_a_healthy_table_changes_nothing() {
    let client = moto::dynamodb();
    let settings = curator_settings("testing", fresh_table_names());
    let first = curator::ensure(&client, &settings).await;
    assert!(
        first.changed_anything() && !first.has_errors(),
        "{}",
        first.to_json()
    );

    let second = curator::ensure(&client, &settings).await;

    assert_no_changes(&second);
    assert!(
        second.steps.iter().all(|s| s.outcome == Outcome::Ok),
        "{}",
        second.to_json()
    );
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_deleted_index_is_recreated() {
    let client = moto::dynamodb();
    let settings = curator_settings("local", fresh_table_names());
    assert!(!curator::ensure(&client, &settings).await.has_errors());
    let name = settings.tables.index(Index::Connection);
    let delete = DeleteGlobalSecondaryIndexAction::builder()
        .index_name(&name)
        .build()
        .unwrap();
    client
        .update_table()
        .table_name(&settings.tables.vault)
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder().delete(delete).build(),
        )
        .send()
        .await
        .unwrap();

    let report = curator::ensure(&client, &settings).await;

    assert_eq!(
        report.outcome("vault.index.connection"),
        Some(Outcome::Created),
        "{}",
        report.to_json()
    );
    assert_eq!(report.outcome("vault.index.user_uuid"), Some(Outcome::Ok));
    let vault = client
        .describe_table()
        .table_name(&settings.tables.vault)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let index = vault
        .global_secondary_indexes()
        .iter()
        .find(|g| g.index_name() == Some(name.as_str()))
        .unwrap();
    let keys: Vec<&str> = index
        .key_schema()
        .iter()
        .map(|k| k.attribute_name())
        .collect();
    assert_eq!(keys, ["connection_method", "id"]);
    assert_no_changes(&curator::ensure(&client, &settings).await);
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_missing_table_is_an_error_when_creating_is_not_allowed() {
    let client = moto::dynamodb();
    let mut settings = curator_settings("local", fresh_table_names());
    settings.create_tables = false;

    let report = curator::ensure(&client, &settings).await;

    assert!(report.has_errors());
    assert_eq!(report.outcome("vault.table"), Some(Outcome::Error));
    assert_eq!(report.outcome("status.table"), Some(Outcome::Error));
    assert!(
        report
            .step("vault.table")
            .unwrap()
            .message
            .contains("curator_create_tables is false")
    );
    assert_eq!(report.outcome("vault.backfill"), None);
    let missing = client
        .describe_table()
        .table_name(&settings.tables.vault)
        .send()
        .await;
    assert!(missing.is_err());
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_table_with_another_key_schema_is_an_error_and_left_alone() {
    let client = moto::dynamodb();
    let settings = curator_settings("local", fresh_table_names());
    let key = KeySchemaElement::builder()
        .attribute_name("user_id")
        .key_type(KeyType::Hash)
        .build()
        .unwrap();
    let definition = AttributeDefinition::builder()
        .attribute_name("user_id")
        .attribute_type(ScalarAttributeType::S)
        .build()
        .unwrap();
    client
        .create_table()
        .table_name(&settings.tables.vault)
        .key_schema(key)
        .attribute_definitions(definition)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();

    let report = curator::ensure(&client, &settings).await;

    assert_eq!(
        report.outcome("vault.key_schema"),
        Some(Outcome::Error),
        "{}",
        report.to_json()
    );
    assert_eq!(report.outcome("vault.index.connection"), None);
    let vault = client
        .describe_table()
        .table_name(&settings.tables.vault)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    assert!(vault.global_secondary_indexes().is_empty());
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn production_gets_deletion_protection_and_point_in_time_recovery() {
    let client = moto::dynamodb();
    let settings = curator_settings("production", fresh_table_names());
    assert!(settings.deletion_protection);

    let report = curator::ensure(&client, &settings).await;

    assert!(!report.has_errors(), "{}", report.to_json());
    assert_eq!(
        report.outcome("vault.point_in_time_recovery"),
        Some(Outcome::Updated)
    );
    assert_eq!(
        report.outcome("status.point_in_time_recovery"),
        Some(Outcome::Updated)
    );
    let vault = client
        .describe_table()
        .table_name(&settings.tables.vault)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    assert_eq!(vault.deletion_protection_enabled(), Some(true));
    assert_no_changes(&curator::ensure(&client, &settings).await);
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn local_environments_do_not_manage_point_in_time_recovery() {
    let client = moto::dynamodb();
    let settings = curator_settings("local", fresh_table_names());

    let report = curator::ensure(&client, &settings).await;

    let step = report.step("vault.point_in_time_recovery").unwrap();
    assert_eq!(
        (step.outcome, step.message.as_str()),
        (Outcome::Ok, "not managed in environment local")
    );
    let backups = client
        .describe_continuous_backups()
        .table_name(&settings.tables.vault)
        .send()
        .await
        .unwrap();
    let status = backups
        .continuous_backups_description()
        .unwrap()
        .point_in_time_recovery_description();
    assert_ne!(
        status
            .and_then(|p| p.point_in_time_recovery_status())
            .map(|s| s.as_str()),
        Some("ENABLED")
    );
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_status_table_without_the_history_index_gets_it() {
    let client = moto::dynamodb();
    let tables = fresh_table_names();
    // A status table as the previous release made it: the key only.
    client
        .create_table()
        .table_name(&tables.status)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("sequence_number")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("sequence_number")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let report = curator::ensure(&client, &curator_settings("test", tables.clone())).await;
    let step = report
        .steps
        .iter()
        .find(|s| s.step == "status.index.user_id")
        .unwrap();
    assert_eq!(step.outcome, Outcome::Created, "{report:?}");
    let described = client
        .describe_table()
        .table_name(&tables.status)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = described
        .table()
        .unwrap()
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| g.index_name())
        .collect();
    assert_eq!(names, [tables.status_user_index().as_str()]);
    let again = curator::ensure(&client, &curator_settings("test", tables)).await;
    assert_no_changes(&again);
}
