//! `GET /scim/v2/ServiceProviderConfig`, `/Schemas[/{id}]` and `/ResourceTypes[/{id}]`: what this
//! provider supports and the shapes of its resources (`cis_scim::discovery`). They describe the service,
//! not people, and need no token (RFC 7644 §4 leaves it to the provider).

use axum::extract::Path;
use axum::response::Response;
use cis_scim::list::{Window, list_response};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::{Failure, base_url, scim_json};

pub async fn service_provider_config(headers: HeaderMap) -> Response {
    scim_json(
        StatusCode::OK,
        &cis_scim::discovery::service_provider_config(&base_url(&headers)),
    )
}

fn all(resources: Vec<Value>) -> Response {
    let window = Window {
        start_index: 1,
        count: resources.len(),
    };
    scim_json(
        StatusCode::OK,
        &list_response(resources.len(), window, resources),
    )
}

fn by_id(resources: Vec<Value>, id: &str, kind: &str) -> Result<Response, Failure> {
    resources
        .into_iter()
        .find(|r| r["id"] == id)
        .map(|r| scim_json(StatusCode::OK, &r))
        .ok_or_else(|| cis_scim::ScimError::not_found(format!("no {kind} {id:?}")).into())
}

pub async fn schemas(headers: HeaderMap) -> Response {
    all(cis_scim::discovery::schemas(&base_url(&headers)))
}

pub async fn schema(Path(id): Path<String>, headers: HeaderMap) -> Result<Response, Failure> {
    by_id(
        cis_scim::discovery::schemas(&base_url(&headers)),
        &id,
        "Schema",
    )
}

pub async fn resource_types(headers: HeaderMap) -> Response {
    all(cis_scim::discovery::resource_types(&base_url(&headers)))
}

pub async fn resource_type(
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    by_id(
        cis_scim::discovery::resource_types(&base_url(&headers)),
        &id,
        "ResourceType",
    )
}
