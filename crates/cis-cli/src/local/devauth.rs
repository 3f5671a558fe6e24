//! The development authorizer of `cis serve`: an OAuth client-credentials token endpoint shaped like
//! Auth0's, its JWKS and OIDC discovery document, and the `/.well-known/mozilla-iam` documents built from
//! the keys in use — so a new user can publish and read with no Auth0 tenant and no network.
//! Tokens are minted by `cis_common::auth::DevIssuer`; secrets and tokens are never logged.

use crate::local::datadir::{ALL_SCOPES, DevClient};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cis_common::auth::DevIssuer;
use cis_crypto::PublicKey;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long dev tokens live.
pub const TOKEN_TTL: Duration = Duration::from_secs(3600);

/// Everything the dev authorizer serves.
pub struct DevAuthorizer {
    pub issuer: DevIssuer,
    /// Audiences a client may ask for: the Change API's and the Person API's.
    pub audiences: Vec<String>,
    pub clients: Vec<DevClient>,
    /// The `/.well-known/mozilla-iam` document.
    pub well_known: Value,
    /// This server's base URL, e.g. `http://127.0.0.1:8002`.
    pub base_url: String,
}

/// The routes of the dev authorizer.
pub fn router(auth: Arc<DevAuthorizer>) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/.well-known/mozilla-iam", get(mozilla_iam))
        .route(
            "/.well-known/mozilla-iam-publisher-rules",
            get(publisher_rules),
        )
        .route("/.well-known/profile.schema", get(profile_schema))
        .fallback(cis_common::error::fallback_not_found)
        .with_state(auth)
}

impl DevAuthorizer {
    /// A token for `client_id` with `scopes`, for `audiences` (one, or both APIs for `cis token`).
    pub fn mint(
        &self,
        client_id: &str,
        scopes: &[&str],
        audiences: &[String],
    ) -> Result<String, String> {
        let mut claims = self
            .issuer
            .claims(&format!("{client_id}@clients"), scopes, TOKEN_TTL);
        claims["aud"] = match audiences {
            [one] => Value::from(one.as_str()),
            many => Value::from(many.to_vec()),
        };
        self.issuer.try_sign(&claims).map_err(|e| e.to_string())
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /oauth/token`: JSON (Auth0 style) or form-encoded client-credentials request.
async fn token(
    State(auth): State<Arc<DevAuthorizer>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let request: Value = if is_form {
        let pairs: BTreeMap<String, String> = form_urlencoded(&body);
        json!(pairs)
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "body must be JSON",
                );
            }
        }
    };
    let field = |name: &str| request.get(name).and_then(Value::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    let Some(client) = auth
        .clients
        .iter()
        .find(|c| c.client_id == field("client_id") && c.client_secret == field("client_secret"))
    else {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    };
    let audience = field("audience");
    if !auth.audiences.iter().any(|a| a == audience) {
        return oauth_error(
            StatusCode::FORBIDDEN,
            "access_denied",
            "Service not enabled within domain",
        );
    }
    let requested: Vec<&str> = field("scope")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    let granted: Vec<&str> = if requested.is_empty() {
        client.scopes.iter().map(String::as_str).collect()
    } else {
        requested.clone()
    };
    if let Some(bad) = granted
        .iter()
        .find(|s| !client.scopes.iter().any(|c| c == *s))
    {
        let msg = format!("client {} may not request scope {bad}", client.client_id);
        return oauth_error(StatusCode::FORBIDDEN, "access_denied", &msg);
    }
    match auth.mint(&client.client_id, &granted, &[audience.to_string()]) {
        Ok(token) => Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL.as_secs(),
            "scope": granted.join(" "),
        }))
        .into_response(),
        Err(_) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "signing failed",
        ),
    }
}

fn form_urlencoded(body: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode_component(k), decode_component(v)))
        .collect()
}

fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn jwks(State(auth): State<Arc<DevAuthorizer>>) -> Json<Value> {
    Json(auth.issuer.jwks())
}

async fn openid_configuration(State(auth): State<Arc<DevAuthorizer>>) -> Json<Value> {
    let base = &auth.base_url;
    Json(json!({
        "issuer": auth.issuer.issuer(),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "token_endpoint": format!("{base}/oauth/token"),
        "grant_types_supported": ["client_credentials"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ALL_SCOPES,
    }))
}

async fn mozilla_iam(State(auth): State<Arc<DevAuthorizer>>) -> Json<Value> {
    Json(auth.well_known.clone())
}

async fn publisher_rules() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        cis_profile::rules::EMBEDDED_RULES_JSON,
    )
}

async fn profile_schema() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        cis_profile::profile::SCHEMA_JSON,
    )
}

/// Builds `/.well-known/mozilla-iam` (docs/contract/well-known.md §1) for the keys in use and this server's endpoints.
pub fn well_known_document(
    publisher_keys: &BTreeMap<String, Vec<PublicKey>>,
    base_url: &str,
    change_url: &str,
    person_url: &str,
    audience: &str,
) -> Value {
    let publishers_jwks: serde_json::Map<String, Value> = publisher_keys
        .iter()
        .map(|(name, keys)| {
            let jwks: Vec<Value> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| k.to_jwk(&format!("{name}-dev-{i}")))
                .collect();
            (name.clone(), json!({ "keys": jwks }))
        })
        .collect();
    let mut scopes: Vec<&str> = ALL_SCOPES.to_vec();
    scopes.sort_unstable();
    json!({
        "oidc_discovery_uri": format!("{base_url}/.well-known/openid-configuration"),
        "access_file": {"endpoint": "", "aai_mapping": {}, "jwks": {"keys": {}}},
        "api": {
            "endpoints": {"change": change_url, "person": person_url},
            "audience": audience,
            "profile_schema_uri": format!("{base_url}/.well-known/profile.schema"),
            "publishers_rules_uri": format!("{base_url}/.well-known/mozilla-iam-publisher-rules"),
            "scopes_supported": scopes,
            "publishers_jwks": publishers_jwks,
        }
    })
}
