//! Test harness for the Change API router: `spawn_app` wires the router in process with a `MemoryVault`,
//! a `MemoryChangeStream`, `DevIssuer` tokens and the fixture keys (publishers sign with
//! fake-publisher-key_0, `cis` is fake-publisher-key_1, trusted keys = vectors/well-known-test.json), and
//! requests go through `tower::ServiceExt::oneshot`.

// Test code: a failed unwrap is a failed test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use cis_change_service::{ChangeServiceState, Limits, router};
use cis_common::auth::{DevIssuer, JwksCache, MemorySource, TokenValidator};
use cis_crypto::{KeySet, SigningKey, sign_attribute};
use cis_identity_vault::{MemoryVault, Vault};
use cis_processor::{
    ChangeEnvelope, KeyProvider, KeysUnavailable, MemoryChangeStream, Pipeline, PipelineDeps,
    StaticKeys, Switches,
};
use cis_profile::attr::set_payload;
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const ISSUER: &str = "https://auth.test.example/";
pub const AUDIENCE: &str = "https://change.test.example";
pub const KID: &str = "test-issuer-key";
pub const SALT: &str = "12345";

pub fn fixture(path: &str) -> String {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

/// The key every publisher signs with in the fixtures.
pub fn publisher_key() -> SigningKey {
    SigningKey::from_pem(&fixture("keys/fake-publisher-key_0.priv.pem")).unwrap()
}

/// The `cis` key of the fixtures.
pub fn cis_key() -> SigningKey {
    SigningKey::from_pem(&fixture("keys/fake-publisher-key_1.priv.pem")).unwrap()
}

/// A key nobody trusts.
pub fn evil_key() -> SigningKey {
    SigningKey::from_pem(&fixture("keys/evil-signing-key.priv.pem")).unwrap()
}

/// How the app under test is configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub direct: bool,
    pub allow_delete: bool,
    pub limits: Limits,
    /// The local development bypass: no token needed.
    pub bypass_auth: bool,
    /// The issuer's JWKS cannot be fetched (and nothing is cached).
    pub jwks_unreachable: bool,
    /// The publishers' verification keys cannot be had.
    pub keys_unavailable: bool,
}

/// A key provider that never has keys.
struct NoKeys;

#[async_trait::async_trait]
impl KeyProvider for NoKeys {
    async fn key_set(&self) -> Result<Arc<KeySet>, KeysUnavailable> {
        Err(KeysUnavailable("well-known document unreachable".into()))
    }
    async fn refresh_after_miss(&self) -> Option<Arc<KeySet>> {
        None
    }
}

pub struct TestApp {
    pub router: Router,
    pub issuer: DevIssuer,
    pub vault: Arc<MemoryVault>,
    pub stream: Arc<MemoryChangeStream>,
}

/// Stream mode, deletes disabled, default limits.
pub fn spawn_app() -> TestApp {
    spawn_app_with(Options::default())
}

pub fn spawn_direct_app() -> TestApp {
    spawn_app_with(Options {
        direct: true,
        ..Options::default()
    })
}

pub fn spawn_app_with(options: Options) -> TestApp {
    let issuer = DevIssuer::new(cis_key(), KID, ISSUER, AUDIENCE);
    let vault = Arc::new(MemoryVault::new());
    let stream = Arc::new(MemoryChangeStream::new());
    let state = state_for(&options, vault.clone(), stream.clone(), &issuer);
    TestApp {
        router: router(state),
        issuer,
        vault,
        stream,
    }
}

/// The state of an app under test over any vault (tests that need a vault with special behaviour).
pub fn state_for(
    options: &Options,
    vault: Arc<dyn Vault>,
    stream: Arc<MemoryChangeStream>,
    issuer: &DevIssuer,
) -> ChangeServiceState {
    let keys: Arc<dyn KeyProvider> = if options.keys_unavailable {
        Arc::new(NoKeys)
    } else {
        Arc::new(StaticKeys::new(
            KeySet::from_well_known(&fixture_json("vectors/well-known-test.json")).unwrap(),
        ))
    };
    let pipeline = Pipeline::new(PipelineDeps {
        vault: vault.clone(),
        keys,
        cis_signer: Arc::new(cis_key()),
        rules: Arc::new(PublisherRules::embedded().clone()),
        uuid_salt: Some(SALT.to_string()),
        switches: Switches::default(),
        write_retries: 5,
        status_retention_days: 90,
    });
    let tokens = if options.bypass_auth {
        TokenValidator::disabled()
    } else if options.jwks_unreachable {
        let jwks = JwksCache::new(Arc::new(MemorySource::unreachable()), one_hour());
        TokenValidator::new(ISSUER, AUDIENCE, Duration::ZERO, jwks)
    } else {
        issuer.validator()
    };
    ChangeServiceState {
        tokens: Arc::new(tokens),
        pipeline: Arc::new(pipeline),
        stream: (!options.direct).then_some(stream as Arc<dyn cis_processor::ChangeStream>),
        vault,
        limits: options.limits,
        allow_delete: options.allow_delete,
        version: Arc::from("9.9.9-test"),
    }
}

/// An answer, fully read.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Asserts an error answer and returns its description.
    pub fn assert_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert_eq!(self.header("content-type"), Some("application/json"));
        let body = self.json();
        assert_eq!(body["code"], code, "body: {body}");
        body["description"].as_str().unwrap_or_default().to_string()
    }
}

impl TestApp {
    /// A bearer header with `scopes`.
    pub fn bearer(&self, scopes: &[&str]) -> String {
        self.issuer.bearer(scopes)
    }

    pub fn writer(&self) -> String {
        self.bearer(&["write"])
    }

    /// Sends a request with optional `Authorization`, body and `Content-Type`.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        auth: Option<&str>,
        body: Option<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// A JSON request with a write token.
    pub async fn write(&self, method: Method, uri: &str, body: &Value) -> Answer {
        let auth = self.writer();
        self.send(
            method,
            uri,
            Some(&auth),
            Some(serde_json::to_vec(body).unwrap()),
            Some("application/json"),
        )
        .await
    }

    pub async fn post_user(&self, body: &Value) -> Answer {
        self.write(Method::POST, "/v2/user", body).await
    }

    pub async fn post_users(&self, body: &Value) -> Answer {
        self.write(Method::POST, "/v2/users", body).await
    }

    pub async fn get(&self, uri: &str, auth: Option<&str>) -> Answer {
        self.send(Method::GET, uri, auth, None, None).await
    }

    /// The envelopes appended to the in-memory stream so far (without taking them).
    pub fn envelopes(&self) -> Vec<ChangeEnvelope> {
        self.stream
            .records()
            .iter()
            .map(|r| ChangeEnvelope::decode(&r.data, &r.id).unwrap().envelope)
            .collect()
    }
}

/// Signs every non-null attribute as the publisher it claims, with the key `key_for` gives that publisher.
pub fn sign_claimed_with(profile: &mut Profile, key_for: impl Fn(Publisher) -> SigningKey) {
    for path in AttrPath::all() {
        let claimed = profile
            .attr(path)
            .filter(|a| !a.is_null())
            .and_then(|a| a.publisher());
        if let (Some(publisher), Some(attr)) = (claimed, profile.attr_mut(path)) {
            sign_attribute(attr, publisher, &key_for(publisher)).unwrap();
        }
    }
}

/// The fixture keys: `cis` signs with key_1, every other publisher with key_0.
pub fn fixture_key_for(publisher: Publisher) -> SigningKey {
    if publisher == Publisher::Cis {
        cis_key()
    } else {
        publisher_key()
    }
}

/// A new user's profile as a publisher sends it: `fake_profile(seed)` without `last_modified` (CIS sets
/// it on every write, so a publisher that sent one would never see a no-op), signed with the fixture keys.
pub fn new_profile(seed: u64) -> Profile {
    let mut profile = cis_profile::fake::fake_profile(seed);
    let null = Profile::null().attr_or_null(AttrPath::LAST_MODIFIED);
    profile.set_attr(AttrPath::LAST_MODIFIED, null);
    sign_claimed_with(&mut profile, fixture_key_for);
    profile
}

pub fn new_profile_json(seed: u64) -> Value {
    new_profile(seed).into_value()
}

pub fn user_id_of(profile: &Value) -> String {
    profile["user_id"]["value"].as_str().unwrap().to_string()
}

/// Sets one attribute's payload, claims it for `publisher` and signs it with `key`.
pub fn set_signed(
    profile: &mut Profile,
    path: AttrPath,
    payload: Value,
    publisher: Publisher,
    key: &SigningKey,
) {
    let mut attr = profile.attr_or_null(path);
    set_payload(&mut attr, path.kind(), payload);
    sign_attribute(&mut attr, publisher, key).unwrap();
    profile.set_attr(path, attr);
}

/// The null profile with only `path` set (a partial update sent with `?user_id=`).
pub fn partial(path: AttrPath, payload: Value, publisher: Publisher) -> Profile {
    let mut profile = Profile::null();
    set_signed(&mut profile, path, payload, publisher, &publisher_key());
    profile
}

/// A publisher the embedded rules do not let create `path`.
pub fn non_creator(path: AttrPath) -> Publisher {
    let rules = PublisherRules::embedded();
    [
        Publisher::Mozilliansorg,
        Publisher::Hris,
        Publisher::Ldap,
        Publisher::AccessProvider,
    ]
    .into_iter()
    .find(|p| !rules.creators(path).contains(p))
    .expect("some publisher may not create the attribute")
}

/// A publisher other than the updater of `path` (so it may not change an existing value).
pub fn non_updater(path: AttrPath) -> Publisher {
    let rules = PublisherRules::embedded();
    [
        Publisher::Mozilliansorg,
        Publisher::Hris,
        Publisher::Ldap,
        Publisher::AccessProvider,
    ]
    .into_iter()
    .find(|p| rules.updater(path) != Some(*p))
    .expect("some publisher is not the updater")
}

pub fn one_hour() -> Duration {
    Duration::from_secs(3600)
}

/// Asserts a §5 success answer (keys in the original's order) and returns its sequence number.
pub fn assert_accepted(answer: &Answer, condition: &str, user_id: &str) -> String {
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    let body = answer.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["sequence_number", "status_code", "condition", "user_id"]
    );
    assert_eq!(body["status_code"], 200);
    assert_eq!(body["condition"], condition);
    assert_eq!(body["user_id"], user_id);
    let number = body["sequence_number"].as_str().unwrap().to_string();
    assert!(
        !number.is_empty() && number.len() <= 39 && number.bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );
    number
}

/// Percent-encodes the `|` of user ids for a query string.
pub fn urlencode(text: &str) -> String {
    text.replace('|', "%7C")
}
