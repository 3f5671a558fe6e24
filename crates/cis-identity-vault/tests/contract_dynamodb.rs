//! The vault contract on the DynamoDB adapter against moto_server. Every test gets its own vault and
//! status tables (unique names), made by the curator's `ensure`, which so runs once per test too.
//!
//! Writes go through `support::dynamodb::SerialWrites`: moto's transactions are not atomic under
//! concurrency (see there), DynamoDB's are.
//!
//! After the contract: what only DynamoDB shows (the raw item's attributes, items of the original CIS).
//!
//! Needs `CIS_TEST_MOTO_URL` (tests/support/moto.rs). Without it the first test to start prints why the
//! suite is skipped and ends the test process successfully (the shared `vault_contract!` macro has no
//! way for a factory to skip one test); with `CIS_REQUIRE_MOTO=1` it fails instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod contract;
mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use cis_identity_vault::dynamodb::DynamoVault;
use cis_identity_vault::{Expected, Lookup, ProfileReader, ProfileWriter, VaultError};
use serde_json::json;
use std::sync::Arc;
use support::{dynamodb, moto};

async fn fresh() -> contract::Subject {
    let Some(url) = moto::url("contract_dynamodb (the whole vault contract on DynamoDB)") else {
        std::process::exit(0);
    };
    let client = dynamodb::client(&url);
    let tables = dynamodb::ensured_tables(&client).await;
    contract::Subject::new(Arc::new(dynamodb::SerialWrites::new(DynamoVault::new(
        client, tables,
    ))))
}

vault_contract!(fresh);

/// A vault on fresh tables and a raw client on the same moto, or `None` (skipped).
async fn raw(test: &str) -> Option<(DynamoVault, aws_sdk_dynamodb::Client)> {
    let url = moto::url(test)?;
    let client = dynamodb::client(&url);
    let tables = dynamodb::ensured_tables(&client).await;
    Some((DynamoVault::new(client.clone(), tables), client))
}

async fn raw_item(vault: &DynamoVault, client: &aws_sdk_dynamodb::Client, id: &str) -> Item {
    let out = client
        .get_item()
        .table_name(&vault.tables().vault)
        .key("id", AttributeValue::S(id.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item.unwrap()
}

type Item = std::collections::HashMap<String, AttributeValue>;

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

#[tokio::test]
async fn the_stored_item_carries_the_section_5_1_attributes() {
    let Some((vault, client)) = raw("the_stored_item_carries_the_section_5_1_attributes").await
    else {
        return;
    };
    let profile = contract::user("ad|Mozilla-LDAP|jdoe");
    contract::create(&vault, profile.clone()).await;

    let item = raw_item(&vault, &client, "ad|Mozilla-LDAP|jdoe").await;

    assert_eq!(item.get("profile"), Some(&s(&profile.to_json())));
    assert_eq!(item.get("user_uuid"), Some(&s(profile.uuid().unwrap())));
    assert_eq!(
        item.get("primary_email"),
        Some(&s(profile.primary_email().unwrap()))
    );
    assert_eq!(
        item.get("primary_username"),
        Some(&s(profile.primary_username().unwrap()))
    );
    assert_eq!(item.get("connection_method"), Some(&s("ad")));
    assert_eq!(item.get("active"), Some(&AttributeValue::Bool(true)));
    assert_eq!(item.get("version"), Some(&AttributeValue::N("1".into())));
    let changed = AttributeValue::L(vec![s("active"), s("last_modified")]);
    assert_eq!(item.get("changed_attributes"), Some(&changed));
    assert_eq!(
        item.get("change_publishers"),
        Some(&AttributeValue::L(vec![s("ldap")]))
    );
    let Some(AttributeValue::M(flat)) = item.get("flat_profile") else {
        panic!("no flat_profile")
    };
    assert_eq!(flat.get("user_id"), Some(&s("ad|Mozilla-LDAP|jdoe")));
    assert_eq!(flat.get("first_name"), Some(&AttributeValue::Null(true)));
}

#[tokio::test]
async fn an_item_written_by_the_original_is_updated_once_without_a_version() {
    let Some((vault, client)) =
        raw("an_item_written_by_the_original_is_updated_once_without_a_version").await
    else {
        return;
    };
    let profile = contract::user("github|7");
    client
        .put_item()
        .table_name(&vault.tables().vault)
        .item("id", s("github|7"))
        .item("profile", s(&profile.to_json()))
        .item("primary_email", s(profile.primary_email().unwrap()))
        .send()
        .await
        .unwrap();
    let stored = vault
        .get(&Lookup::UserId("github|7".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.version, stored.expected()),
        (None, Expected::Unversioned)
    );

    let changed = contract::with(profile, "first_name", json!("Ada"));
    let (w, st) = contract::write(changed.clone(), Expected::Unversioned);
    assert_eq!(vault.put(w, st).await, Ok(1));
    let (w, st) = contract::write(changed, Expected::Unversioned);
    assert_eq!(
        vault.put(w, st).await,
        Err(VaultError::VersionConflict("github|7".into()))
    );

    let item = raw_item(&vault, &client, "github|7").await;
    assert_eq!(item.get("version"), Some(&AttributeValue::N("1".into())));
    assert_eq!(item.get("connection_method"), Some(&s("github")));
}

#[tokio::test]
async fn an_unversioned_update_never_creates_a_user() {
    let Some((vault, _)) = raw("an_unversioned_update_never_creates_a_user").await else {
        return;
    };
    let (w, st) = contract::write(contract::user("github|8"), Expected::Unversioned);
    assert_eq!(
        vault.put(w, st).await,
        Err(VaultError::NotFound("github|8".into()))
    );
    assert_eq!(
        vault.get(&Lookup::UserId("github|8".into())).await,
        Ok(None)
    );
}
