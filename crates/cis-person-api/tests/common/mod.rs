//! Test harness for the Person API router: [`TestApp`] wires the router in process over any vault, with
//! `DevIssuer` tokens (the fixture key `fake-publisher-key_1`), and requests go through
//! `tower::ServiceExt::oneshot`. Profiles come from `cis_profile::fake::fake_profile(seed)` made unique
//! and given identifiers ([`user`]), or from the fixture vectors.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod data;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use cis_common::auth::DevIssuer;
use cis_crypto::SigningKey;
use cis_identity_vault::Vault;
use cis_person_api::{PageLimits, PersonApiState, router};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

#[allow(unused_imports)]
pub use data::*;

pub const ISSUER: &str = "https://auth.test.example/";
pub const AUDIENCE: &str = "api.test.example";
pub const KID: &str = "person-test-key";

/// Everything, as `read:fullprofile display:all`.
pub const FULL: &[&str] = &["read:fullprofile", "display:all"];
/// Everything plus the attribute search.
pub const SEARCHER: &[&str] = &["read:fullprofile", "display:all", "search:all"];

pub fn fixture(path: &str) -> String {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

/// The issuer of test tokens (a fixture key, so no key generation per test).
pub fn issuer() -> DevIssuer {
    let key = SigningKey::from_pem(&fixture("keys/fake-publisher-key_1.priv.pem")).unwrap();
    DevIssuer::new(key, KID, ISSUER, AUDIENCE)
}

/// Small pages, so that a few dozen users make several pages.
pub fn small_pages() -> PageLimits {
    PageLimits {
        users_items: 7,
        ids_items: 5,
        search_items: 3,
        first_chunk: 3,
        ..PageLimits::default()
    }
}

pub struct TestApp {
    pub router: Router,
    pub issuer: DevIssuer,
    pub vault: Arc<dyn Vault>,
}

/// Attribute search on, small pages.
pub fn app(vault: Arc<dyn Vault>) -> TestApp {
    app_with(vault, |state| {
        state.with_advanced_search(true).with_limits(small_pages())
    })
}

/// An app whose state `configure` adjusts (it starts from search off and default limits).
pub fn app_with(
    vault: Arc<dyn Vault>,
    configure: impl FnOnce(PersonApiState) -> PersonApiState,
) -> TestApp {
    let issuer = issuer();
    let state = configure(PersonApiState::new(
        Arc::new(issuer.validator()),
        vault.clone(),
    ));
    TestApp {
        router: router(state),
        issuer,
        vault,
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
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Asserts a 200 JSON answer and returns the body.
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text());
        assert_eq!(self.header("content-type"), Some("application/json"));
        self.json()
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
    /// `Bearer <token>` with `scopes`.
    pub fn bearer(&self, scopes: &[&str]) -> String {
        self.issuer.bearer(scopes)
    }

    pub async fn send(&self, method: Method, uri: &str, auth: Option<&str>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
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

    pub async fn get(&self, uri: &str, auth: Option<&str>) -> Answer {
        self.send(Method::GET, uri, auth).await
    }

    /// GET with a token carrying `scopes`.
    pub async fn get_as(&self, uri: &str, scopes: &[&str]) -> Answer {
        let auth = self.bearer(scopes);
        self.get(uri, Some(&auth)).await
    }

    /// Follows `nextPage` from `first_uri` (whose query continues with `&nextPage=`) to the end; the
    /// items of every page under `key`, and the number of pages.
    pub async fn walk(&self, first_uri: &str, key: &str, scopes: &[&str]) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut uri = first_uri.to_owned();
        for pages in 1..10_000 {
            let body = self.get_as(&uri, scopes).await.ok();
            items.extend(body[key].as_array().unwrap().iter().cloned());
            match body["nextPage"].as_str() {
                None => {
                    assert!(body["nextPage"].is_null());
                    return (items, pages);
                }
                Some(token) => uri = with_next_page(first_uri, token),
            }
        }
        panic!("walk of {first_uri} does not end");
    }
}

/// `uri` with `nextPage=<token>` added (percent-encoded).
pub fn with_next_page(uri: &str, token: &str) -> String {
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}nextPage={}", encode(token))
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The user_id a `nextPage` token continues after (tests know the token format; clients must not).
pub fn token_user_id(token: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let envelope: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token).unwrap()).unwrap();
    let cursor = envelope["c"].as_str().unwrap();
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap()
}
