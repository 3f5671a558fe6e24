//! Authentication on every data route: 401 for a missing or bad token (before any parameter is looked
//! at), 503 when the issuer's keys cannot be had, the Person API's own audience, and the local bypass.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use cis_common::auth::{DevIssuer, JwksCache, MemorySource, TokenValidator};
use cis_identity_vault::MemoryVault;
use cis_person_api::PersonApiState;
use cis_profile::filter::{ScopeSet, filter};
use common::*;
use serde_json::json;

const DATA_ROUTES: [&str; 8] = [
    "/v2/user/user_id/x",
    "/v2/user/uuid/x",
    "/v2/user/primary_email/x",
    "/v2/user/primary_username/x",
    "/v2/user/metadata/x",
    "/v2/users",
    "/v2/users/id/all?connectionMethod=ad",
    "/v2/users/id/all/by_attribute_contains?staff_information.staff=true",
];

async fn populated() -> (TestApp, Vec<Person>) {
    let vault = Arc::new(MemoryVault::new());
    let people = population(4);
    store_all(&*vault, &people).await;
    (app(vault), people)
}

#[tokio::test]
async fn a_missing_or_malformed_header_is_401_on_every_data_route() {
    let (app, _) = populated().await;
    for path in DATA_ROUTES {
        let answer = app.get(path, None).await;
        answer.assert_error(401, "authorization_header_missing");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
        for (header, description) in [
            ("Basic abc", "Authorization header must start with Bearer"),
            ("Bearer", "Token not found"),
            ("Bearer a b", "Authorization header must be Bearer token"),
            ("Bearer not.a.jws", "Unable to parse authentication token."),
        ] {
            let got = app
                .get(path, Some(header))
                .await
                .assert_error(401, "invalid_header");
            assert_eq!(got, description, "{path} {header}");
        }
    }
}

#[tokio::test]
async fn the_token_is_checked_before_any_parameter() {
    let (app, _) = populated().await;
    for path in [
        "/v2/users?active=bogus",
        "/v2/users/id/all",
        "/v2/user/uuid/x?filterDisplay=map",
    ] {
        app.get(path, None)
            .await
            .assert_error(401, "authorization_header_missing");
    }
}

#[tokio::test]
async fn expired_foreign_and_wrong_audience_tokens_are_refused() {
    let (app, people) = populated().await;
    let uri = format!("/v2/user/user_id/{}", encode(&people[0].user_id));
    let mut claims = app
        .issuer
        .claims("c@clients", FULL, Duration::from_secs(60));
    claims["exp"] = json!(1_000_000_000);
    let expired = format!("Bearer {}", app.issuer.sign(&claims));
    app.get(&uri, Some(&expired))
        .await
        .assert_error(401, "token_expired");
    // a Change API token: same issuer, another audience
    let change = DevIssuer::new(
        cis_crypto::SigningKey::from_pem(&fixture("keys/fake-publisher-key_1.priv.pem")).unwrap(),
        KID,
        ISSUER,
        "https://change.test.example",
    );
    let answer = app.get(&uri, Some(&change.bearer(FULL))).await;
    answer.assert_error(401, "invalid_claims");
    // right kid, other key
    let evil_key =
        cis_crypto::SigningKey::from_pem(&fixture("keys/evil-signing-key.priv.pem")).unwrap();
    let evil = DevIssuer::new(evil_key, KID, ISSUER, AUDIENCE);
    app.get(&uri, Some(&evil.bearer(FULL)))
        .await
        .assert_error(401, "invalid_header");
    // a token without any scope is valid: it sees public data only
    let body = app.get_as(&uri, &[]).await.ok();
    let public = filter(&people[0].profile, &ScopeSet::default(), None);
    assert_eq!(body, public);
    assert!(body["uuid"]["value"].is_string());
    assert!(body.get("active").is_none(), "WORKGROUP CONFIDENTIAL");
}

#[tokio::test]
async fn unreachable_issuer_keys_are_503_with_retry_after() {
    let vault = Arc::new(MemoryVault::new());
    let jwks = JwksCache::new(
        Arc::new(MemorySource::unreachable()),
        Duration::from_secs(60),
    );
    let tokens = TokenValidator::new(ISSUER, AUDIENCE, Duration::ZERO, jwks);
    let state = PersonApiState::new(Arc::new(tokens), vault);
    let app = TestApp {
        router: cis_person_api::router(state),
        issuer: issuer(),
        vault: Arc::new(MemoryVault::new()),
    };
    let answer = app.get_as("/v2/users", FULL).await;
    answer.assert_error(503, "backend_unavailable");
    assert!(answer.header("retry-after").is_some());
}

#[tokio::test]
async fn the_local_bypass_needs_no_token_and_sees_everything() {
    let vault = Arc::new(MemoryVault::new());
    let people = population(4);
    store_all(&*vault, &people).await;
    let state = PersonApiState::new(Arc::new(TokenValidator::disabled()), vault.clone())
        .with_advanced_search(true);
    let app = TestApp {
        router: cis_person_api::router(state),
        issuer: issuer(),
        vault,
    };
    let uri = format!("/v2/user/user_id/{}", encode(&people[0].user_id));
    assert_eq!(app.get(&uri, None).await.ok(), people[0].profile.to_value());
    let search = "/v2/users/id/all/by_attribute_contains?staff_information.staff=true&active=any";
    let body = app.get(search, None).await.ok();
    assert_eq!(body["users"].as_array().unwrap().len(), 2);
    let body = app
        .get("/v2/users/id/all?connectionMethod=ad&active=any", None)
        .await
        .ok();
    assert!(
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["primary_email"].is_string())
    );
}
