//! The route table: fixed answers, 404 and 405 as JSON, the CORS preflight, HEAD, and the attribute search
//! mounted only when `advanced_search` is on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use cis_identity_vault::MemoryVault;
use common::*;
use http::{Method, StatusCode};

fn empty_app() -> TestApp {
    app(Arc::new(MemoryVault::new()))
}

const DATA_ROUTES: [&str; 8] = [
    "/v2/user/user_id/x",
    "/v2/user/uuid/x",
    "/v2/user/primary_email/x",
    "/v2/user/primary_username/x",
    "/v2/user/metadata/x",
    "/v2/users",
    "/v2/users/id/all?connectionMethod=ad",
    "/v2/users/id/all/by_attribute_contains?staff_information.staff=true",
];

#[tokio::test]
async fn get_v2_answers_plain_text_without_a_token() {
    let answer = empty_app().get("/v2", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(answer.text(), "Mozilla Profile Retrieval Service Endpoint");
}

#[tokio::test]
async fn get_version_answers_the_service_version_without_a_token() {
    let body = empty_app().get("/v2/version", None).await.ok();
    assert_eq!(
        body,
        serde_json::json!({"message": env!("CARGO_PKG_VERSION")})
    );
}

#[tokio::test]
async fn unknown_paths_are_json_404s() {
    let app = empty_app();
    for path in [
        "/",
        "/v2/",
        "/v2/nope",
        "/v2/user",
        "/v2/user/user_id",
        "/v2/user/user_id/",
        "/v2/user/login_method/x",
        "/v2/user/user_id/a/b",
        "/v2/users/",
        "/v2/users/id",
        "/graphql",
        "/v1/profile/x",
    ] {
        app.get(path, None).await.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn the_attribute_search_is_a_404_unless_advanced_search_is_on() {
    let app = app_with(Arc::new(MemoryVault::new()), |state| state);
    let auth = app.bearer(SEARCHER);
    let uri = "/v2/users/id/all/by_attribute_contains?staff_information.staff=true";
    app.get(uri, Some(&auth))
        .await
        .assert_error(404, "not_found");
    let on = empty_app();
    on.get(uri, Some(&auth)).await.ok();
}

#[tokio::test]
async fn other_methods_are_405_with_allow_on_every_route() {
    let app = empty_app();
    let auth = app.bearer(FULL);
    for path in DATA_ROUTES.iter().chain(&["/v2", "/v2/version"]) {
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
            let answer = app.send(method.clone(), path, Some(&auth)).await;
            answer.assert_error(405, "method_not_allowed");
            assert_eq!(
                answer.header("allow"),
                Some("GET, HEAD, OPTIONS"),
                "{method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn options_preflight_answers_204_with_cors_headers_and_no_auth() {
    let app = empty_app();
    for path in DATA_ROUTES.iter().chain(&["/v2", "/v2/version"]) {
        let answer = app.send(Method::OPTIONS, path, None).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{path}");
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            answer.header("access-control-allow-methods"),
            Some("GET, OPTIONS")
        );
        assert!(
            answer
                .header("access-control-allow-headers")
                .unwrap()
                .contains("authorization")
        );
        assert_eq!(answer.header("access-control-allow-credentials"), None);
        assert!(answer.body.is_empty());
    }
}

#[tokio::test]
async fn every_answer_allows_any_origin_errors_included() {
    let app = empty_app();
    for (path, status) in [("/v2", 200), ("/v2/users", 401), ("/nope", 404)] {
        let answer = app.get(path, None).await;
        assert_eq!(answer.status.as_u16(), status);
        assert_eq!(
            answer.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn head_is_answered_like_get_without_a_body() {
    let app = empty_app();
    let auth = app.bearer(FULL);
    let answer = app.send(Method::HEAD, "/v2/users", Some(&auth)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.is_empty());
    let answer = app.send(Method::HEAD, "/v2/users", None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_undecodable_path_is_a_json_400_and_query_values_are_percent_decoded() {
    let app = empty_app();
    let auth = app.bearer(FULL);
    // %FF is not UTF-8
    app.get("/v2/user/user_id/%FF", Some(&auth))
        .await
        .assert_error(400, "invalid_request");
    app.get("/v2/users?active=%41ny", Some(&auth)).await.ok();
    app.get("/v2/users?active=%41nx", Some(&auth))
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn an_active_value_with_whitespace_is_400_on_every_route_that_takes_it() {
    let app = empty_app();
    for route in [
        "/v2/user/user_id/x",
        "/v2/user/uuid/x",
        "/v2/user/primary_email/x",
        "/v2/user/primary_username/x",
        "/v2/users",
        "/v2/users/id/all?connectionMethod=ad",
    ] {
        for value in ["true%20", "%20false", "any%09", "true%C2%A0"] {
            let separator = if route.contains('?') { '&' } else { '?' };
            let uri = format!("{route}{separator}active={value}");
            let answer = app.get_as(&uri, FULL).await;
            let description = answer.assert_error(400, "invalid_request");
            assert!(description.contains("active"), "{uri}: {description}");
        }
    }
}
