//! SCIM 2.0 on the Person API (docs/scim.md): CIS as a read-only SCIM service provider under `/scim/v2`.
//! Users and Groups are mapped by `cis_scim` from each profile **as the caller's token may read it**
//! (the same filtering as `/v2/user/...`), so SCIM shows nothing the Person API would not. Writes answer
//! 403 with a SCIM error: profiles change only through signed publisher changes.
//!
//! | module | owns |
//! |---|---|
//! | [`users`] | `GET /Users` (filter, paging, projections; `eq` on identifiers from the vault's indexes) and `GET /Users/{id}` (ETag, If-None-Match) |
//! | [`groups`] | `GET /Groups`, `GET /Groups/{id}` |
//! | [`discovery`] | `ServiceProviderConfig`, `Schemas`, `ResourceTypes` |
//!
//! Answers are `application/scim+json`; errors are SCIM error bodies whatever their cause (token,
//! parameter, vault), with the status the Person API would give.

mod discovery;
mod groups;
mod users;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get};
use cis_common::ApiError;
use cis_scim::ScimError;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;

use crate::error::PersonApiError;
use crate::params::Params;
use crate::state::PersonApiState;

/// Where the SCIM endpoint is mounted.
pub const PREFIX: &str = "/scim/v2";

/// The SCIM routes.
pub fn routes() -> Router<PersonApiState> {
    Router::new()
        .route("/scim/v2/Users", read(get(users::list)))
        .route("/scim/v2/Users/{id}", read(get(users::one)))
        .route("/scim/v2/Groups", read(get(groups::list)))
        .route("/scim/v2/Groups/{id}", read(get(groups::one)))
        .route(
            "/scim/v2/ServiceProviderConfig",
            describe(get(discovery::service_provider_config)),
        )
        .route("/scim/v2/Schemas", describe(get(discovery::schemas)))
        .route("/scim/v2/Schemas/{id}", describe(get(discovery::schema)))
        .route(
            "/scim/v2/ResourceTypes",
            describe(get(discovery::resource_types)),
        )
        .route(
            "/scim/v2/ResourceTypes/{id}",
            describe(get(discovery::resource_type)),
        )
        .route("/scim/v2/Bulk", any(read_only))
        .route("/scim/v2/{*rest}", any(unknown))
}

/// Reads, and 403 for every method that would write.
fn read(methods: MethodRouter<PersonApiState>) -> MethodRouter<PersonApiState> {
    methods.fallback(read_only)
}

/// Discovery documents: reads, and 405 for anything else (they describe the service; nothing writes them).
fn describe(methods: MethodRouter<PersonApiState>) -> MethodRouter<PersonApiState> {
    methods.fallback(|| async {
        let mut response = Failure::Scim(ScimError::new(
            405,
            None,
            "discovery endpoints answer GET only",
        ))
        .into_response();
        response
            .headers_mut()
            .insert(http::header::ALLOW, HeaderValue::from_static("GET"));
        response
    })
}

async fn read_only() -> Failure {
    Failure::Scim(ScimError::read_only())
}

async fn unknown() -> Failure {
    Failure::Scim(ScimError::not_found("no such SCIM endpoint"))
}

/// Why a SCIM request failed: a SCIM refusal, or a Person API error (token, vault) said the SCIM way.
#[derive(Debug)]
pub enum Failure {
    Scim(ScimError),
    Api(PersonApiError),
}

impl From<ScimError> for Failure {
    fn from(e: ScimError) -> Failure {
        Failure::Scim(e)
    }
}

impl From<PersonApiError> for Failure {
    fn from(e: PersonApiError) -> Failure {
        Failure::Api(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Scim(e) => {
                let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
                scim_json(status, &e.body())
            }
            Failure::Api(e) => {
                // The Person API's answer (its status and headers: WWW-Authenticate, Retry-After), with
                // a SCIM body.
                let api = ApiError::from(e);
                let body = api.to_json();
                let detail = format!(
                    "{}: {}",
                    body["code"].as_str().unwrap_or_default(),
                    body["description"].as_str().unwrap_or_default()
                );
                let scim_type = (api.status == StatusCode::BAD_REQUEST).then_some("invalidValue");
                let scim = ScimError::new(api.status.as_u16(), scim_type, detail).body();
                let mut response = api.into_response();
                let (mut parts, _) = response.into_parts();
                parts
                    .headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static(cis_scim::SCIM_JSON));
                response = Response::from_parts(parts, axum::body::Body::from(scim.to_string()));
                response
            }
        }
    }
}

/// A SCIM answer.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, cis_scim::SCIM_JSON)],
        body.to_string(),
    )
        .into_response()
}

/// The SCIM base URL of this request (`http[s]://host/scim/v2`), for `meta.location` and `$ref`s:
/// the scheme from `X-Forwarded-Proto` (API Gateway, CloudFront) or `http`, the host from `Host`.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http");
    format!("{scheme}://{host}{PREFIX}")
}

/// What a request for one resource brings: the caller, the projection asked for, the base URL.
pub struct OneRequest {
    pub caller: crate::auth::Caller,
    pub projection: cis_scim::project::Projection,
    pub base: String,
}

impl OneRequest {
    /// The token first, then `attributes` / `excludedAttributes`.
    pub async fn read(
        state: &PersonApiState,
        headers: &HeaderMap,
        uri: &http::Uri,
    ) -> Result<OneRequest, Failure> {
        let caller = crate::auth::authenticate(state, headers).await?;
        let params = Params::from_uri(uri)?;
        let projection = cis_scim::project::Projection::parse(
            params.get("attributes")?,
            params.get("excludedAttributes")?,
        )?;
        Ok(OneRequest {
            caller,
            projection,
            base: base_url(headers),
        })
    }
}

/// `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes` of a list request.
pub struct ListParams {
    pub filter: Option<cis_scim::Filter>,
    pub window: cis_scim::list::Window,
    pub projection: cis_scim::project::Projection,
}

impl ListParams {
    pub fn parse(params: &Params) -> Result<ListParams, Failure> {
        let filter = params
            .get("filter")?
            .map(cis_scim::Filter::parse)
            .transpose()?;
        let window =
            cis_scim::list::Window::parse(params.get("startIndex")?, params.get("count")?)?;
        let projection = cis_scim::project::Projection::parse(
            params.get("attributes")?,
            params.get("excludedAttributes")?,
        )?;
        Ok(ListParams {
            filter,
            window,
            projection,
        })
    }
}
