//! What the in-memory vault can simulate: backend failures (503, never partial data), unreadable items
//! (500 with a reference only), answers bounded by bytes with large signed profiles, identifiers with
//! characters that need encoding.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use cis_identity_vault::{MemoryVault, VaultError};
use cis_person_api::PageLimits;
use cis_profile::Profile;
use cis_profile::identifiers::derive_identifiers;
use cis_testkit::{FaultyVault, Op};
use common::*;
use serde_json::json;

/// The signed fixture profile (45 KB of JSON, 4096-bit signatures) as user `n`.
fn signed(n: usize) -> Profile {
    let mut profile = Profile::from_stored(fixture_json("vectors/signed-profile.json")).unwrap();
    let user_id = format!("email|signed-{n:04}");
    let (uuid, username) = derive_identifiers(SALT, &user_id);
    set(&mut profile, "user_id", json!(user_id));
    set(&mut profile, "uuid", json!(uuid));
    set(&mut profile, "primary_username", json!(username));
    set(
        &mut profile,
        "primary_email",
        json!(format!("signed{n}@example.com")),
    );
    profile
}

#[tokio::test]
async fn an_unavailable_vault_is_503_on_every_data_route() {
    let vault = Arc::new(MemoryVault::new());
    let app = app(vault.clone());
    for path in [
        "/v2/user/user_id/x",
        "/v2/user/metadata/x",
        "/v2/users",
        "/v2/users?primaryEmail=a%40b.c",
        "/v2/users/id/all?connectionMethod=ad",
        "/v2/users/id/all/by_attribute_contains?staff_information.staff=true",
    ] {
        vault.fail_next(VaultError::unavailable("sqlite file /secret/vault locked"));
        let answer = app.get_as(path, SEARCHER).await;
        let description = answer.assert_error(503, "backend_unavailable");
        assert!(!description.contains("/secret"), "{description}");
        assert!(answer.header("retry-after").is_some());
    }
}

#[tokio::test]
async fn a_failure_in_the_middle_of_an_answer_fails_the_whole_answer() {
    let inner = Arc::new(MemoryVault::new());
    store_all(inner.as_ref(), &population(20)).await;
    let vault = Arc::new(FaultyVault::new(inner));
    vault.fail_from(
        Op::ListProfiles,
        2,
        VaultError::unavailable("scan segment failed"),
    );
    let app = app(vault.clone());
    // the first vault page (3 users) is read, the second fails: no partial page is sent as complete
    let answer = app.get_as("/v2/users", FULL).await;
    answer.assert_error(503, "backend_unavailable");
    assert_eq!(vault.calls(Op::ListProfiles), 2);
}

#[tokio::test]
async fn an_unreadable_item_is_a_500_with_a_reference_only() {
    let vault = Arc::new(MemoryVault::new());
    let app = app(vault.clone());
    vault.fail_next(VaultError::Corrupt {
        id: "email|x".into(),
        message: "profile is not JSON at /secret".into(),
    });
    let description = app
        .get_as("/v2/user/user_id/email%7Cx", FULL)
        .await
        .assert_error(500, "internal_error");
    assert!(
        description.starts_with("internal error, reference "),
        "{description}"
    );
}

#[tokio::test]
async fn pages_of_large_profiles_stay_under_the_byte_limit_and_visit_everyone() {
    let vault = Arc::new(MemoryVault::new());
    for n in 0..30 {
        store(&*vault, signed(n)).await;
    }
    let limits = PageLimits {
        max_bytes: 200_000,
        ..PageLimits::default()
    };
    let app = app_with(vault, |state| state.with_limits(limits));
    let mut uri = "/v2/users".to_owned();
    let mut seen = BTreeSet::new();
    let mut pages = 0;
    loop {
        let answer = app.get_as(&uri, FULL).await;
        assert!(
            answer.body.len() < 200_000 + 1_000,
            "{} bytes",
            answer.body.len()
        );
        let body = answer.ok();
        for item in body["Items"].as_array().unwrap() {
            assert!(seen.insert(item["user_id"]["value"].as_str().unwrap().to_owned()));
        }
        pages += 1;
        match next_page(&body) {
            Some(next) => uri = with_next_page("/v2/users", &next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 30);
    assert!(pages >= 7, "4 profiles of 45 KB per 200 KB page: {pages}");
}

#[tokio::test]
async fn the_default_page_of_signed_profiles_stays_well_under_six_megabytes() {
    let vault = Arc::new(MemoryVault::new());
    for n in 0..90 {
        store(&*vault, signed(n)).await;
    }
    let app = app_with(vault, |state| state);
    let answer = app.get_as("/v2/users", FULL).await;
    assert!(
        answer.body.len() <= 3 * 1024 * 1024 + 1_000,
        "{} bytes",
        answer.body.len()
    );
    let body = answer.ok();
    let first = body["Items"].as_array().unwrap().len();
    assert!(
        (40..90).contains(&first),
        "{first} profiles in the first page"
    );
    let next = next_page(&body).unwrap();
    let rest = app
        .get_as(&with_next_page("/v2/users", &next), FULL)
        .await
        .ok();
    assert_eq!(first + rest["Items"].as_array().unwrap().len(), 90);
    assert!(rest["nextPage"].is_null());
}

#[tokio::test]
async fn identifiers_with_slashes_pipes_and_percent_signs_are_found_when_encoded() {
    let vault = Arc::new(MemoryVault::new());
    let mut profile = user(3);
    set(&mut profile, "user_id", json!("email|a/b%41 c"));
    set(
        &mut profile,
        "primary_email",
        json!("o'brien+tag@example.com"),
    );
    store(&*vault, profile).await;
    let app = app(vault);
    let body = app
        .get_as("/v2/user/user_id/email%7Ca%2Fb%2541%20c", FULL)
        .await
        .ok();
    assert_eq!(
        body["user_id"]["value"], "email|a/b%41 c",
        "decoded once, not twice"
    );
    let body = app
        .get_as("/v2/user/primary_email/o'brien+tag@example.com", FULL)
        .await
        .ok();
    assert_eq!(
        body["primary_email"]["value"], "o'brien+tag@example.com",
        "a path keeps its +"
    );
    let body = app
        .get_as("/v2/users?primaryEmail=o'brien%2Btag%40example.com", FULL)
        .await
        .ok();
    assert_eq!(body["Items"].as_array().unwrap().len(), 1);
}
