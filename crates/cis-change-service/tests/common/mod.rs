//! Test harness for the Change API router: `spawn_app` wires the router in process with a `MemoryVault`,
//! a `MemoryChangeStream`, development tokens and the fixture keys (`cis-testkit`: publishers sign with
//! fake-publisher-key_0, `cis` is fake-publisher-key_1, trusted keys = vectors/well-known-test.json), and
//! requests go through `tower::ServiceExt::oneshot`.

// Test code: a failed unwrap is a failed test.
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use cis_change::{
    ChangeEnvelope, ChangeSink, ClientPublishers, DirectSink, KeyProvider, KeysUnavailable,
    MemoryChangeStream, Pipeline, PipelineDeps, StaticKeys, StreamSink,
};
use cis_change_service::{ChangeServiceState, Limits, router};
use cis_common::auth::{DevIssuer, TokenValidator};
use cis_crypto::KeySet;
use cis_identity_vault::{MemoryVault, Vault};
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use http::Method;
use serde_json::Value;

pub use cis_testkit::fixtures::{key_for as fixture_key_for, load_key};
pub use cis_testkit::http::{Answer, encode};
pub use cis_testkit::profiles::*;
pub use cis_testkit::tokens::{CHANGE_AUDIENCE as AUDIENCE, ISSUER, KID};
pub use cis_testkit::{SALT, cis_key, evil_key, fixture, fixture_json, publisher_key};

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
    /// `client_publishers` as JSON; `None` = unrestricted (any client, any publisher but `cis`).
    pub binding: Option<&'static str>,
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
    let issuer = cis_testkit::tokens::issuer(AUDIENCE);
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
        Arc::new(StaticKeys::new(cis_testkit::trusted_keys()))
    };
    let rules = Arc::new(PublisherRules::embedded().clone());
    let binding = options
        .binding
        .map_or(ClientPublishers::Unrestricted, |json| {
            ClientPublishers::from_json(json).unwrap()
        });
    let deps = PipelineDeps::new(vault.clone(), keys, cis_key(), rules)
        .with_salt(SALT)
        .with_client_publishers(binding);
    let pipeline = Arc::new(Pipeline::new(deps));
    let concurrency = options.limits.write_concurrency;
    let sink: Arc<dyn ChangeSink> = if options.direct {
        Arc::new(DirectSink::new(pipeline.clone(), concurrency))
    } else {
        Arc::new(StreamSink::new(pipeline.clone(), stream, concurrency))
    };
    let tokens = if options.bypass_auth {
        TokenValidator::disabled()
    } else if options.jwks_unreachable {
        cis_testkit::tokens::unreachable_jwks_validator(AUDIENCE)
    } else {
        issuer.validator()
    };
    let mut state = ChangeServiceState::new(Arc::new(tokens), pipeline, sink, vault)
        .with_limits(options.limits)
        .with_allow_delete(options.allow_delete);
    state.version = Arc::from("9.9.9-test");
    state
}

impl TestApp {
    /// A bearer header with `scopes`.
    pub fn bearer(&self, scopes: &[&str]) -> String {
        self.issuer.bearer(scopes)
    }

    pub fn writer(&self) -> String {
        self.bearer(&["write"])
    }

    /// A bearer header with `write` for OAuth client `client` (its `azp`).
    pub fn writer_as(&self, client: &str) -> String {
        let token = self
            .issuer
            .issue(&format!("{client}@clients"), &["write"], one_hour());
        format!("Bearer {token}")
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
        cis_testkit::http::send(&self.router, method, uri, auth, body, content_type).await
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
