//! The route table (docs/contract/change-api.md §1): exact paths, each with its methods, the CORS preflight, a JSON 405
//! with `Allow` for any other method, and a JSON 404 for any other path (`/v2/` included).
//!
//! Owns which handler serves which method; it holds no request logic. A 405 never reaches a handler, so
//! `GET /v2/user` and `GET /v2/users` never touch the vault.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    CONTENT_TYPE,
};
use http::{HeaderValue, Method, StatusCode};
use serde_json::json;

use crate::error::ChangeError;
use crate::state::ChangeServiceState;
use crate::{changes, status, user, users};

/// The body of `GET /v2`.
pub const ROOT_TEXT: &str = "Mozilla Change Integration Service Endpoint";

/// `Access-Control-Allow-Headers` of every preflight.
pub const CORS_ALLOW_HEADERS: &str = "x-requested-with, content-type, accept, origin, authorization, x-csrftoken, withcredentials, cache-control, cookie, session-id";

static READ_ONLY: [Method; 3] = [Method::GET, Method::HEAD, Method::OPTIONS];
static USER: [Method; 4] = [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS];
static USERS: [Method; 3] = [Method::POST, Method::PUT, Method::OPTIONS];

/// The Change API.
pub fn router(state: ChangeServiceState) -> Router {
    Router::new()
        .route("/v2", guarded(get(root), &READ_ONLY))
        .route("/v2/version", guarded(get(version), &READ_ONLY))
        .route("/v2/status", guarded(get(status::status), &READ_ONLY))
        .route("/v2/changes", guarded(get(changes::changes), &READ_ONLY))
        .route(
            "/v2/openapi.json",
            guarded(get(crate::openapi::serve), &READ_ONLY),
        )
        .route(
            "/v2/user",
            guarded(
                axum::routing::post(user::upsert)
                    .put(user::upsert)
                    .delete(user::delete),
                &USER,
            ),
        )
        .route(
            "/v2/users",
            guarded(
                axum::routing::post(users::upsert_many).put(users::upsert_many),
                &USERS,
            ),
        )
        .fallback(not_found)
        .with_state(state)
}

/// Adds the route's preflight and its JSON 405 to a method router.
fn guarded(
    methods: MethodRouter<ChangeServiceState>,
    allow: &'static [Method],
) -> MethodRouter<ChangeServiceState> {
    methods
        .options(move || async move { preflight(allow) })
        .fallback(move || async move { ChangeError::MethodNotAllowed(allow) })
}

/// `OPTIONS`: 204 with the CORS headers of docs/contract/change-api.md §1, no credentials, no auth.
fn preflight(allow: &'static [Method]) -> Response {
    let methods: Vec<&str> = allow
        .iter()
        .filter(|m| **m != Method::HEAD)
        .map(Method::as_str)
        .collect();
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, value);
    }
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(CORS_ALLOW_HEADERS),
    );
    response
}

/// `GET /v2`: the service's name, as plain text.
#[utoipa::path(get, path = "/v2", summary = "The service's name", description = "Plain text, for liveness checks.", tag = "service",
    responses((status = 200, description = "The service's name", body = String, content_type = "text/plain")))]
pub(crate) async fn root() -> Response {
    ([(CONTENT_TYPE, "text/plain; charset=utf-8")], ROOT_TEXT).into_response()
}

/// `GET /v2/version`.
#[utoipa::path(get, path = "/v2/version", summary = "The service's version", tag = "service",
    responses((status = 200, description = "The service version", body = cis_common::openapi::VersionAnswer)))]
pub(crate) async fn version(State(state): State<ChangeServiceState>) -> Response {
    axum::Json(json!({"message": &*state.version})).into_response()
}

async fn not_found() -> ChangeError {
    ChangeError::NotFound
}
