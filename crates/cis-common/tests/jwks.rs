//! The issuer-key cache: refetch on an unknown kid (once, rate-limited, shared by concurrent requests),
//! expiry, the last copy kept when the issuer is unreachable, 503 when nothing was ever fetched.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use cis_common::auth::{AuthError, DevIssuer, JwksCache, MemorySource, TokenValidator};
use cis_common::error::ApiError;
use cis_crypto::SigningKey;
use http::StatusCode;
use serde_json::{Value, json};

const ISS: &str = "https://auth.test.example/";
const AUD: &str = "api.test.example";

fn issuer(file: &str, kid: &str) -> DevIssuer {
    let path = format!("{}/../../fixtures/keys/{file}", env!("CARGO_MANIFEST_DIR"));
    let key = SigningKey::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    DevIssuer::new(key, kid, ISS, AUD)
}

fn both(a: &DevIssuer, b: &DevIssuer) -> Value {
    json!({"keys": [a.jwks()["keys"][0].clone(), b.jwks()["keys"][0].clone()]})
}

fn validator_of(cache: JwksCache) -> TokenValidator {
    TokenValidator::new(ISS, AUD, Duration::ZERO, cache)
}

async fn validate(validator: &TokenValidator, issuer: &DevIssuer) -> Result<(), AuthError> {
    validator
        .validate(Some(&issuer.bearer(&["write"])))
        .await
        .map(|_| ())
}

#[tokio::test]
async fn an_unknown_kid_triggers_one_refetch() {
    let (a, b) = (
        issuer("fake-publisher-key_0.priv.pem", "a"),
        issuer("fake-publisher-key_1.priv.pem", "b"),
    );
    let source = Arc::new(MemorySource::new(a.jwks()));
    let validator = validator_of(JwksCache::new(source.clone(), Duration::from_secs(3600)));
    validate(&validator, &a).await.unwrap();
    assert_eq!(source.fetch_count(), 1);
    source.set(both(&a, &b)); // the issuer rotates in a new key
    validate(&validator, &b).await.unwrap();
    assert_eq!(source.fetch_count(), 2);
    validate(&validator, &a).await.unwrap();
    validate(&validator, &b).await.unwrap();
    assert_eq!(
        source.fetch_count(),
        2,
        "known kids are served from the cache"
    );
}

#[tokio::test]
async fn unknown_kid_refetches_are_limited_to_one_per_interval() {
    let (a, stranger) = (
        issuer("fake-publisher-key_0.priv.pem", "a"),
        issuer("evil-signing-key.priv.pem", "x"),
    );
    let source = Arc::new(MemorySource::new(a.jwks()));
    let validator = validator_of(JwksCache::new(source.clone(), Duration::from_secs(3600)));
    validate(&validator, &a).await.unwrap();
    assert_eq!(
        validate(&validator, &stranger).await,
        Err(AuthError::KeyNotFound)
    );
    assert_eq!(source.fetch_count(), 2, "one refetch for the unknown kid");
    assert_eq!(
        validate(&validator, &stranger).await,
        Err(AuthError::KeyNotFound)
    );
    assert_eq!(
        source.fetch_count(),
        2,
        "no second refetch within the interval"
    );

    let source = Arc::new(MemorySource::new(a.jwks()));
    let cache = JwksCache::new(source.clone(), Duration::from_secs(3600))
        .with_min_refetch_interval(Duration::ZERO);
    let validator = validator_of(cache);
    validate(&validator, &a).await.unwrap();
    for expected in [2, 3] {
        assert_eq!(
            validate(&validator, &stranger).await,
            Err(AuthError::KeyNotFound)
        );
        assert_eq!(source.fetch_count(), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_share_one_refetch() {
    let (a, b) = (
        issuer("fake-publisher-key_0.priv.pem", "a"),
        issuer("fake-publisher-key_1.priv.pem", "b"),
    );
    let stranger = issuer("evil-signing-key.priv.pem", "x");
    let source = Arc::new(MemorySource::new(a.jwks()));
    let validator = Arc::new(validator_of(JwksCache::new(
        source.clone(),
        Duration::from_secs(3600),
    )));
    validate(&validator, &a).await.unwrap();
    source.set(both(&a, &b));
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (validator, token) = (
            validator.clone(),
            if i % 2 == 0 {
                b.bearer(&[])
            } else {
                stranger.bearer(&[])
            },
        );
        tasks.push(tokio::spawn(async move {
            validator.validate(Some(&token)).await.map(|_| ())
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 8);
    assert!(
        outcomes
            .iter()
            .filter(|r| r.is_err())
            .all(|r| *r == Err(AuthError::KeyNotFound))
    );
    assert_eq!(source.fetch_count(), 2, "sixteen requests, one refetch");
}

#[tokio::test]
async fn a_copy_older_than_the_cache_lifetime_is_refetched() {
    let a = issuer("fake-publisher-key_0.priv.pem", "a");
    let source = Arc::new(MemorySource::new(a.jwks()));
    let validator = validator_of(JwksCache::new(source.clone(), Duration::from_millis(50)));
    validate(&validator, &a).await.unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
    validate(&validator, &a).await.unwrap();
    assert_eq!(source.fetch_count(), 2);
}

#[tokio::test]
async fn the_last_copy_is_used_while_the_issuer_is_unreachable() {
    let a = issuer("fake-publisher-key_0.priv.pem", "a");
    let source = Arc::new(MemorySource::new(a.jwks()));
    let validator = validator_of(JwksCache::new(source.clone(), Duration::ZERO));
    validate(&validator, &a).await.unwrap();
    source.make_unreachable();
    validate(&validator, &a).await.unwrap();
    assert_eq!(source.fetch_count(), 2, "the refresh was tried");
}

#[tokio::test]
async fn an_unreachable_issuer_with_nothing_cached_is_unavailable() {
    let a = issuer("fake-publisher-key_0.priv.pem", "a");
    let source = Arc::new(MemorySource::unreachable());
    let validator = validator_of(JwksCache::new(source.clone(), Duration::from_secs(3600)));
    let error = validate(&validator, &a).await.unwrap_err();
    assert_eq!(error, AuthError::Unavailable);
    let api = ApiError::from(error);
    assert_eq!(
        (api.status, api.code.as_ref()),
        (StatusCode::SERVICE_UNAVAILABLE, "backend_unavailable")
    );
    source.set(a.jwks());
    assert_eq!(
        validate(&validator, &a).await,
        Err(AuthError::Unavailable),
        "backing off after a failure"
    );
    assert_eq!(source.fetch_count(), 1);

    let source = Arc::new(MemorySource::unreachable());
    let cache = JwksCache::new(source.clone(), Duration::from_secs(3600))
        .with_failure_backoff(Duration::ZERO);
    let validator = validator_of(cache);
    assert_eq!(validate(&validator, &a).await, Err(AuthError::Unavailable));
    source.set(a.jwks());
    validate(&validator, &a).await.unwrap();
}

#[tokio::test]
async fn only_rsa_signing_keys_with_a_kid_are_used() {
    let a = issuer("fake-publisher-key_0.priv.pem", "a");
    let jwk = a.jwks()["keys"][0].clone();
    let mut encryption = jwk.clone();
    encryption["use"] = json!("enc");
    let mut no_use = jwk.clone();
    no_use.as_object_mut().unwrap().remove("use");
    no_use["kid"] = json!("no-use");
    let document = json!({"keys": [encryption, no_use, {"kty": "EC", "kid": "ec"}]});
    let source = Arc::new(MemorySource::new(document));
    let validator = validator_of(JwksCache::new(source, Duration::from_secs(3600)));
    assert_eq!(
        validate(&validator, &a).await,
        Err(AuthError::KeyNotFound),
        "use=enc is not a signing key"
    );
    let as_no_use = issuer("fake-publisher-key_0.priv.pem", "no-use");
    validate(&validator, &as_no_use).await.unwrap();
}
