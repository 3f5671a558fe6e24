//! The Person API's OpenAPI document: served at `GET /v2/openapi.json` without a token, equal to the copy
//! committed as docs/openapi/person-api.json and rendered as docs/openapi/person-api.md
//! (`CIS_UPDATE_OPENAPI=1` rewrites both after a change), and covering every GET route of the router, each with its error answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_identity_vault::MemoryVault;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = app(Arc::new(MemoryVault::new()));
    let answer = app.get("/v2/openapi.json", None).await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let served = answer.text();
    assert_eq!(served, cis_person_api::openapi_document());
    cis_testkit::openapi::check_committed("person-api", "cis-person-api", &served);
}

#[test]
fn every_route_is_documented_with_its_errors_and_the_page_shapes() {
    let operations = cis_testkit::openapi::operations(cis_person_api::openapi_document());
    let expected: BTreeSet<String> = [
        "GET /v2",
        "GET /v2/version",
        "GET /v2/openapi.json",
        "GET /v2/user/user_id/{id}",
        "GET /v2/user/uuid/{id}",
        "GET /v2/user/primary_email/{id}",
        "GET /v2/user/primary_username/{id}",
        "GET /v2/user/metadata/{email}",
        "GET /v2/users",
        "GET /v2/users/id/all",
        "GET /v2/users/id/all/by_attribute_contains",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(operations, expected);
    let doc: Value = serde_json::from_str(cis_person_api::openapi_document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["UsersPage"]["properties"]["Items"].is_object());
    assert!(schemas["UsersPage"]["properties"]["nextPage"].is_object());
    assert!(schemas["SearchPage"]["properties"]["users"].is_object());
    let scopes =
        &doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"];
    assert!(scopes["search:all"].is_string(), "{scopes}");
}
