//! The route table: exact paths, each `GET` (and so `HEAD`) plus a CORS preflight, a JSON 405 with `Allow`
//! for any other method, a JSON 404 for any other path (`/v2/` included), and
//! `Access-Control-Allow-Origin: *` on every answer (tokens travel in a header, never in cookies, so no
//! credentials are allowed).
//!
//! Owns which handler serves which path; it holds no request logic. The attribute search is mounted only
//! when `advanced_search` is on (otherwise its path is a 404, as in the original).

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

use crate::error::PersonApiError;
use crate::state::PersonApiState;
use crate::{ids, search, user, users};

/// The body of `GET /v2`.
pub const ROOT_TEXT: &str = "Mozilla Profile Retrieval Service Endpoint";

/// `Access-Control-Allow-Headers` of every preflight (the Change API's list).
pub const CORS_ALLOW_HEADERS: &str = "x-requested-with, content-type, accept, origin, authorization, x-csrftoken, withcredentials, cache-control, cookie, session-id";

static READ_ONLY: [Method; 3] = [Method::GET, Method::HEAD, Method::OPTIONS];

/// The Person API.
pub fn router(state: PersonApiState) -> Router {
    let mut router = Router::new()
        .route("/v2", read(get(root)))
        .route("/v2/version", read(get(version)))
        .route("/v2/user/user_id/{id}", read(get(user::by_user_id)))
        .route("/v2/user/uuid/{id}", read(get(user::by_uuid)))
        .route(
            "/v2/user/primary_email/{id}",
            read(get(user::by_primary_email)),
        )
        .route(
            "/v2/user/primary_username/{id}",
            read(get(user::by_primary_username)),
        )
        .route("/v2/user/metadata/{email}", read(get(user::metadata)))
        .route("/v2/users", read(get(users::users)))
        .route("/v2/users/id/all", read(get(ids::ids)))
        .route("/v2/openapi.json", read(get(crate::openapi::serve)));
    if state.advanced_search {
        router = router.route(
            "/v2/users/id/all/by_attribute_contains",
            read(get(search::by_attribute_contains)),
        );
    }
    router
        .merge(crate::scim::routes())
        .fallback(not_found)
        .layer(axum::middleware::map_response(allow_any_origin))
        .with_state(state)
}

/// Adds the route's preflight and its JSON 405 to a read-only route.
fn read(methods: MethodRouter<PersonApiState>) -> MethodRouter<PersonApiState> {
    methods
        .options(|| async { preflight() })
        .fallback(|| async { PersonApiError::MethodNotAllowed(&READ_ONLY) })
}

/// `OPTIONS`: 204 with the CORS headers, no auth.
fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, OPTIONS"),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(CORS_ALLOW_HEADERS),
    );
    response
}

async fn allow_any_origin(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

#[utoipa::path(get, path = "/v2", summary = "The service's name", description = "Plain text, for liveness checks.", tag = "service",
    responses((status = 200, description = "The service's name", body = String, content_type = "text/plain")))]
pub(crate) async fn root() -> Response {
    ([(CONTENT_TYPE, "text/plain; charset=utf-8")], ROOT_TEXT).into_response()
}

#[utoipa::path(get, path = "/v2/version", summary = "The service's version", tag = "service",
    responses((status = 200, description = "The service version", body = cis_common::openapi::VersionAnswer)))]
pub(crate) async fn version(State(state): State<PersonApiState>) -> Response {
    axum::Json(json!({"message": &*state.version})).into_response()
}

async fn not_found() -> PersonApiError {
    PersonApiError::NotFound
}
