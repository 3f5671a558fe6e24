//! The Change API's OpenAPI document: served at `GET /v2/openapi.json` without a token, equal to the copy
//! committed as docs/openapi/change-api.json and rendered as docs/openapi/change-api.md
//! (`CIS_UPDATE_OPENAPI=1` rewrites both after a change), and covering every route and method of the router.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn_app();
    let answer = app.get("/v2/openapi.json", None).await;
    assert_eq!(answer.status.as_u16(), 200);
    let served = answer.text();
    assert_eq!(served, cis_change_service::openapi_document());
    cis_testkit::openapi::check_committed("change-api", "cis-change-service", &served);
}

#[test]
fn every_route_and_method_is_documented_with_its_scope() {
    let doc: Value = serde_json::from_str(cis_change_service::openapi_document()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let scopes = op["security"][0]["oauth2"].as_array().map(|s| {
                s.iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            operations.insert(format!(
                "{} {path} {}",
                method.to_uppercase(),
                scopes.unwrap_or("-".into())
            ));
        }
    }
    assert_eq!(
        cis_testkit::openapi::operations(cis_change_service::openapi_document()).len(),
        operations.len()
    );
    let expected: BTreeSet<String> = [
        "GET /v2 -",
        "GET /v2/version -",
        "GET /v2/openapi.json -",
        "POST /v2/user write",
        "PUT /v2/user write",
        "DELETE /v2/user write",
        "POST /v2/users write",
        "PUT /v2/users write",
        "GET /v2/status ",
        "GET /v2/changes read:changes",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(operations, expected);
    let scopes =
        &doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"];
    assert!(
        scopes["write"].is_string() && scopes["read:changes"].is_string(),
        "{scopes}"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}
