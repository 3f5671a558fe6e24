//! Test harness for the Person API router: [`TestApp`] wires the router in process over any vault, with
//! development tokens and requests through `tower::ServiceExt::oneshot` (both from `cis-testkit`). Profiles come from `cis_profile::fake::fake_profile(seed)` made unique
//! and given identifiers ([`user`]), or from the fixture vectors.

#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

pub mod data;

use std::sync::Arc;

use axum::Router;
use cis_common::auth::DevIssuer;
use cis_identity_vault::Vault;
use cis_person_api::{PageLimits, PersonApiState, router};
use http::Method;
use serde_json::Value;

#[allow(unused_imports)]
pub use data::*;

pub use cis_testkit::http::{Answer, encode};
pub use cis_testkit::tokens::{ISSUER, KID, PERSON_AUDIENCE as AUDIENCE};
pub use cis_testkit::{fixture, fixture_json};

/// Everything, as `read:fullprofile display:all`.
pub const FULL: &[&str] = &["read:fullprofile", "display:all"];
/// Everything plus the attribute search.
pub const SEARCHER: &[&str] = &["read:fullprofile", "display:all", "search:all"];

/// The issuer of test tokens (a fixture key, so no key generation per test).
pub fn issuer() -> DevIssuer {
    cis_testkit::tokens::issuer(AUDIENCE)
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

impl TestApp {
    /// `Bearer <token>` with `scopes`.
    pub fn bearer(&self, scopes: &[&str]) -> String {
        self.issuer.bearer(scopes)
    }

    pub async fn send(&self, method: Method, uri: &str, auth: Option<&str>) -> Answer {
        cis_testkit::http::send(&self.router, method, uri, auth, None, None).await
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
            match next_page(&body) {
                None => return (items, pages),
                Some(next) => uri = with_next_page(first_uri, &next),
            }
        }
        panic!("walk of {first_uri} does not end");
    }
}

/// What a client passes back from an answer's `nextPage`: the JSON text of the object `{"id": "<token>"}`
/// (as cis_client-rust does), or `None` when the answer is the last page. Asserts the original's shape.
pub fn next_page(body: &Value) -> Option<String> {
    let next = &body["nextPage"];
    if next.is_null() {
        return None;
    }
    assert!(
        next["id"].is_string() && next.as_object().unwrap().len() == 1,
        "nextPage shape: {next}"
    );
    Some(next.to_string())
}

/// The opaque token inside an answer's `nextPage` object.
pub fn page_token(body: &Value) -> Option<String> {
    body["nextPage"]["id"].as_str().map(str::to_string)
}

/// `uri` with `nextPage=<token>` added (percent-encoded).
pub fn with_next_page(uri: &str, token: &str) -> String {
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}nextPage={}", encode(token))
}

/// The user_id a `nextPage` token continues after (tests know the token format; clients must not).
pub fn token_user_id(token: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let envelope: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token).unwrap()).unwrap();
    let cursor = envelope["c"].as_str().unwrap();
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap()
}
