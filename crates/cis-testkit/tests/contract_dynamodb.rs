//! The vault contract (tests/contract/) on the DynamoDB adapter against moto_server. Every test gets
//! its own vault and status tables (unique names), made by the curator's `ensure`
//! (`cis_testkit::moto::fresh_tables`), which so runs once per test too.
//!
//! Writes go through `FaultyVault::with_serial_writes` (no fault injected): moto's transactions are not
//! atomic under concurrency (see there), DynamoDB's are.
//!
//! After the contract: what only DynamoDB shows (docs/contract/processor-and-vault.md §5.1, §5.3: the raw
//! item's attributes, items written by the original CIS).
//!
//! Every test here needs moto_server and is `#[ignore]`d, so a plain `cargo test` lists them as ignored;
//! `ci/test.sh` starts moto, sets `CIS_TEST_MOTO_URL` and runs them with the ignored tests included. Run
//! without the variable, a test fails at once and says why (`cis_testkit::moto::url`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod contract;

use aws_sdk_dynamodb::types::AttributeValue;
use cis_identity_vault::dynamodb::DynamoVault;
use cis_identity_vault::{Expected, Lookup, ProfileReader, ProfileWriter, VaultError};
use cis_testkit::FaultyVault;
use cis_testkit::moto;
use cis_testkit::suite::Subject;
use serde_json::json;
use std::sync::Arc;

async fn fresh() -> Subject {
    let client = moto::dynamodb();
    let tables = moto::fresh_tables(&client).await;
    let vault = DynamoVault::new(client, tables);
    Subject::new(Arc::new(
        FaultyVault::new(Arc::new(vault)).with_serial_writes(),
    ))
}

vault_contract!(
    #[ignore = "needs moto_server (ci/test.sh runs it)"]
    fresh
);

/// A vault on fresh tables and a raw client on the same moto.
async fn raw() -> (DynamoVault, aws_sdk_dynamodb::Client) {
    let client = moto::dynamodb();
    let tables = moto::fresh_tables(&client).await;
    (DynamoVault::new(client.clone(), tables), client)
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
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn the_stored_item_carries_the_attributes_of_section_5_1() {
    let (vault, client) = raw().await;
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
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn an_item_written_by_the_original_is_updated_once_without_a_version() {
    let (vault, client) = raw().await;
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
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn an_unversioned_update_never_creates_a_user() {
    let (vault, _) = raw().await;
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
