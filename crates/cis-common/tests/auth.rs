//! Every authentication case of docs/contract/change-api.md §3 against DevIssuer-minted tokens and a JWKS held in memory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cis_common::auth::{
    AuthError, DevIssuer, INCORRECT_CLAIMS, JwksCache, MemorySource, TokenValidator,
};
use cis_common::error::ApiError;
use cis_crypto::SigningKey;
use http::StatusCode;
use serde_json::{Value, json};

const ISS: &str = "https://auth.test.example/";
const AUD: &str = "api.test.example";

fn key(name: &str) -> SigningKey {
    let path = format!("{}/../../fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    SigningKey::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn issuer() -> DevIssuer {
    DevIssuer::new(key("fake-publisher-key_0.priv.pem"), "kid-0", ISS, AUD)
}

fn validator_with_leeway(
    issuer: &DevIssuer,
    leeway: Duration,
) -> (TokenValidator, Arc<MemorySource>) {
    let source = Arc::new(MemorySource::new(issuer.jwks()));
    let jwks = JwksCache::new(source.clone(), Duration::from_secs(3600));
    (TokenValidator::new(ISS, AUD, leeway, jwks), source)
}

fn validator(issuer: &DevIssuer) -> (TokenValidator, Arc<MemorySource>) {
    validator_with_leeway(issuer, Duration::ZERO)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn claims_with(issuer: &DevIssuer, key: &str, value: Value) -> Value {
    let mut claims = issuer.claims("publisher@clients", &["write"], Duration::from_secs(600));
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(key);
    } else {
        claims[key] = value;
    }
    claims
}

async fn check(validator: &TokenValidator, token: &str) -> Result<cis_common::Claims, AuthError> {
    validator.validate(Some(&format!("Bearer {token}"))).await
}

#[tokio::test]
async fn a_valid_token_gives_its_subject_and_scopes() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    let token = issuer.issue(
        "hris-publisher@clients",
        &["write", "display:all"],
        Duration::from_secs(60),
    );
    let claims = check(&validator, &token).await.unwrap();
    assert_eq!(claims.sub.as_deref(), Some("hris-publisher@clients"));
    assert_eq!(claims.azp.as_deref(), Some("hris-publisher"));
    assert!(claims.scopes.contains("write") && claims.scopes.contains("display:all"));
    assert!(!claims.scopes.contains("search:all"));
    assert!(!claims.bypass);
    let missing = ApiError::from(claims.scopes.require("search:all").unwrap_err());
    assert_eq!(
        (missing.status, missing.code.as_ref()),
        (StatusCode::FORBIDDEN, "scope_missing")
    );
    assert_eq!(
        missing.description,
        "This endpoint requires the search:all scope"
    );
}

#[tokio::test]
async fn header_problems_give_the_original_texts() {
    let issuer = issuer();
    let (validator, source) = validator(&issuer);
    let token = issuer.issue("c@clients", &["write"], Duration::from_secs(60));
    let cases: [(Option<String>, AuthError, &str, &str); 4] = [
        (
            None,
            AuthError::HeaderMissing,
            "authorization_header_missing",
            "Authorization header is expected",
        ),
        (
            Some(format!("Basic {token}")),
            AuthError::NotBearer,
            "invalid_header",
            "Authorization header must start with Bearer",
        ),
        (
            Some("Bearer".into()),
            AuthError::TokenNotFound,
            "invalid_header",
            "Token not found",
        ),
        (
            Some(format!("Bearer {token} extra")),
            AuthError::TooManyParts,
            "invalid_header",
            "Authorization header must be Bearer token",
        ),
    ];
    for (header, error, code, description) in cases {
        let result = validator.validate(header.as_deref()).await;
        assert_eq!(result.as_ref().unwrap_err(), &error);
        let api = ApiError::from(result.unwrap_err());
        assert_eq!(
            (api.status, api.code.as_ref(), api.description.as_str()),
            (StatusCode::UNAUTHORIZED, code, description)
        );
    }
    assert_eq!(
        source.fetch_count(),
        0,
        "header checks come before any JWKS fetch"
    );
    let spaced = format!("bearer \t {token}  ");
    assert!(
        validator.validate(Some(&spaced)).await.is_ok(),
        "any case, any whitespace"
    );
    assert_eq!(source.fetch_count(), 1);
}

#[tokio::test]
async fn malformed_tokens_cannot_be_parsed() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    for token in ["not-a-jwt", "a.b", "a.b.c.d", "e30.e30.!!!"] {
        let error = check(&validator, token).await.unwrap_err();
        assert!(
            matches!(error, AuthError::Unparsable { .. }),
            "{token}: {error:?}"
        );
        assert_eq!(
            ApiError::from(error).description,
            "Unable to parse authentication token."
        );
    }
}

#[tokio::test]
async fn a_token_without_kid_has_no_appropriate_key() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    let claims = issuer.claims("c@clients", &["write"], Duration::from_secs(60));
    let token = issuer
        .try_sign_with_header(&json!({"alg": "RS256", "typ": "JWT"}), &claims)
        .unwrap();
    let error = check(&validator, &token).await.unwrap_err();
    assert_eq!(error, AuthError::KeyNotFound);
    assert_eq!(
        ApiError::from(error).description,
        "Unable to find appropriate key"
    );
}

#[tokio::test]
async fn another_algorithm_is_refused() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    let claims = issuer.claims("c@clients", &["write"], Duration::from_secs(60));
    for alg in ["HS256", "none", "RS512"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "kid-0"});
        let token = issuer.try_sign_with_header(&header, &claims).unwrap();
        assert!(
            matches!(
                check(&validator, &token).await,
                Err(AuthError::Unparsable { .. })
            ),
            "{alg}"
        );
    }
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    // The evil key signs under the trusted kid.
    let evil = DevIssuer::new(key("evil-signing-key.priv.pem"), "kid-0", ISS, AUD);
    let token = evil.issue("c@clients", &["write"], Duration::from_secs(60));
    assert!(matches!(
        check(&validator, &token).await,
        Err(AuthError::Unparsable { .. })
    ));
    // A payload swapped after signing.
    let good = issuer.issue("c@clients", &["read"], Duration::from_secs(60));
    let other = issuer.issue("c@clients", &["write"], Duration::from_secs(60));
    let parts: Vec<&str> = good.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        other.split('.').nth(1).unwrap(),
        parts[2]
    );
    assert!(matches!(
        check(&validator, &forged).await,
        Err(AuthError::Unparsable { .. })
    ));
}

#[tokio::test]
async fn an_expired_token_is_refused_unless_within_the_leeway() {
    let issuer = issuer();
    let claims = claims_with(&issuer, "exp", json!(now() - 5));
    let token = issuer.sign(&claims);
    let (strict, _) = validator(&issuer);
    let error = check(&strict, &token).await.unwrap_err();
    assert_eq!(error, AuthError::Expired);
    let api = ApiError::from(error);
    assert_eq!(
        (api.code.as_ref(), api.description.as_str()),
        ("token_expired", "token is expired")
    );
    let (lenient, _) = validator_with_leeway(&issuer, Duration::from_secs(60));
    assert!(check(&lenient, &token).await.is_ok());
}

#[tokio::test]
async fn issuer_and_audience_must_match() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    let wrong = Err(AuthError::InvalidClaims(INCORRECT_CLAIMS.into()));
    for (claim, value) in [
        ("iss", json!("https://auth.test.example")),
        ("iss", Value::Null),
        ("aud", json!("https://change.sso.allizom.org")),
        ("aud", Value::Null),
        ("aud", json!(["other", 3])),
    ] {
        let token = issuer.sign(&claims_with(&issuer, claim, value.clone()));
        assert_eq!(check(&validator, &token).await, wrong, "{claim} = {value}");
    }
    let token = issuer.sign(&claims_with(&issuer, "aud", json!(["https://other/", AUD])));
    assert!(
        check(&validator, &token).await.is_ok(),
        "an audience array containing ours"
    );
    let api = ApiError::from(AuthError::InvalidClaims(INCORRECT_CLAIMS.into()));
    assert_eq!(
        api.description,
        "incorrect claims,please check the audience and issuer"
    );
}

#[tokio::test]
async fn time_claims_must_be_numbers_and_nbf_not_in_the_future() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    let cases = [
        ("exp", json!((now() + 600).to_string()), "exp"),
        ("exp", Value::Null, "exp"),
        ("nbf", json!(now() + 600), "nbf"),
        ("nbf", json!(now().to_string()), "nbf"),
    ];
    for (claim, value, named) in cases {
        let token = issuer.sign(&claims_with(&issuer, claim, value.clone()));
        match check(&validator, &token).await {
            Err(AuthError::InvalidClaims(description)) => {
                assert!(
                    description.contains(named),
                    "{claim} = {value}: {description}"
                );
            }
            other => panic!("{claim} = {value}: {other:?}"),
        }
    }
    let token = issuer.sign(&claims_with(&issuer, "nbf", json!(now() - 1)));
    assert!(check(&validator, &token).await.is_ok());
}

#[tokio::test]
async fn the_disabled_validator_grants_every_scope_without_a_token() {
    let validator = TokenValidator::disabled();
    let claims = validator.validate(None).await.unwrap();
    assert!(
        claims.bypass && claims.scopes.contains("write") && claims.scopes.contains("search:all")
    );
    assert!(validator.is_disabled());
}

#[tokio::test]
async fn headers_are_read_from_a_header_map() {
    let issuer = issuer();
    let validator = issuer.validator();
    let mut headers = http::HeaderMap::new();
    assert_eq!(
        validator.validate_headers(&headers).await,
        Err(AuthError::HeaderMissing)
    );
    headers.insert(
        http::header::AUTHORIZATION,
        issuer.bearer(&["write"]).parse().unwrap(),
    );
    assert!(
        validator
            .validate_headers(&headers)
            .await
            .unwrap()
            .scopes
            .contains("write")
    );
}

#[tokio::test]
async fn a_generated_issuer_serves_a_jwks_that_verifies_its_tokens() {
    let issuer = DevIssuer::generate("https://cis.local/", "cis-local").unwrap();
    let jwks = issuer.jwks();
    assert_eq!(jwks["keys"][0]["kid"], issuer.kid());
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    let validator = issuer.validator();
    let claims = validator
        .validate(Some(&issuer.bearer(&["write"])))
        .await
        .unwrap();
    assert_eq!(claims.sub.as_deref(), Some("dev-client@clients"));
}

#[tokio::test]
async fn a_payload_with_a_member_twice_is_refused() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    let claims = issuer.claims("c@clients", &["write"], Duration::from_secs(60));
    let valid = claims.to_string();
    // The same claims with `scope` twice: a reader keeping the last one would grant read:fullprofile.
    let twice = valid.replacen('{', r#"{"scope":"read:fullprofile display:all","#, 1);
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": issuer.kid()});
    let key = issuer.signing_key();
    let token = cis_crypto::sign_compact(&header, valid.as_bytes(), key).unwrap();
    assert!(check(&validator, &token).await.is_ok());
    let token = cis_crypto::sign_compact(&header, twice.as_bytes(), key).unwrap();
    let error = check(&validator, &token).await.unwrap_err();
    assert!(matches!(error, AuthError::Unparsable { .. }), "{error:?}");
}

#[tokio::test]
async fn a_remembered_token_is_accepted_only_while_its_kid_names_the_key_that_verified_it() {
    let issuer = issuer();
    // A JWKS copy that is never fresh: every request asks the source for the key again.
    let source = Arc::new(MemorySource::new(issuer.jwks()));
    let jwks = JwksCache::new(source.clone(), Duration::ZERO);
    let validator = TokenValidator::new(ISS, AUD, Duration::ZERO, jwks);
    let token = issuer.issue("c@clients", &["write"], Duration::from_secs(60));
    assert!(check(&validator, &token).await.is_ok());
    assert!(check(&validator, &token).await.is_ok(), "remembered");
    // The issuer's key under `kid-0` is replaced: the remembered verification no longer counts.
    let other = DevIssuer::new(key("evil-signing-key.priv.pem"), "kid-0", ISS, AUD);
    source.set(other.jwks());
    assert!(matches!(
        check(&validator, &token).await,
        Err(AuthError::Unparsable { .. })
    ));
    // And back: verified again from scratch.
    source.set(issuer.jwks());
    assert!(check(&validator, &token).await.is_ok());
}

#[tokio::test]
async fn a_remembered_token_still_expires() {
    let issuer = issuer();
    let (validator, _) = validator(&issuer);
    let claims = claims_with(&issuer, "exp", json!(now() + 1));
    let token = issuer.sign(&claims);
    assert!(check(&validator, &token).await.is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        check(&validator, &token).await.unwrap_err(),
        AuthError::Expired
    );
}
