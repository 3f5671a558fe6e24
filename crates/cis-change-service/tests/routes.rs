//! The route table: fixed answers, CORS preflight, 404 and 405 (docs/contract/change-api.md §1, §2).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use http::{Method, StatusCode};

#[tokio::test]
async fn get_v2_answers_plain_text() {
    let app = spawn_app();
    let answer = app.get("/v2", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(answer.text(), "Mozilla Change Integration Service Endpoint");
}

#[tokio::test]
async fn get_version_answers_the_service_version() {
    let app = spawn_app();
    let answer = app.get("/v2/version", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), serde_json::json!({"message": "9.9.9-test"}));
}

#[tokio::test]
async fn unknown_paths_are_json_404s_and_the_trailing_slash_is_not_special() {
    let app = spawn_app();
    for path in ["/v2/", "/v2/nope", "/", "/v2/user/", "/v3/user"] {
        let answer = app.get(path, None).await;
        answer.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn get_on_the_write_routes_is_405_with_allow_and_never_touches_the_vault() {
    let app = spawn_direct_app();
    let body = serde_json::to_vec(&new_profile_json(1)).unwrap();
    let auth = app.writer();
    let answer = app
        .send(
            Method::GET,
            "/v2/user",
            Some(&auth),
            Some(body.clone()),
            Some("application/json"),
        )
        .await;
    answer.assert_error(405, "method_not_allowed");
    assert_eq!(answer.header("allow"), Some("POST, PUT, DELETE, OPTIONS"));
    let answer = app
        .send(
            Method::GET,
            "/v2/users",
            Some(&auth),
            Some(body),
            Some("application/json"),
        )
        .await;
    answer.assert_error(405, "method_not_allowed");
    assert_eq!(answer.header("allow"), Some("POST, PUT, OPTIONS"));
    assert!(app.vault.is_empty());
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn write_methods_on_read_routes_are_405_with_allow() {
    let app = spawn_app();
    for path in ["/v2", "/v2/version", "/v2/status"] {
        let answer = app.send(Method::POST, path, None, None, None).await;
        answer.assert_error(405, "method_not_allowed");
        assert_eq!(answer.header("allow"), Some("GET, HEAD, OPTIONS"));
    }
    let answer = app.send(Method::PATCH, "/v2/user", None, None, None).await;
    answer.assert_error(405, "method_not_allowed");
}

#[tokio::test]
async fn options_preflight_answers_204_with_the_cors_headers_and_no_auth() {
    let app = spawn_app();
    let cases = [
        ("/v2/user", "POST, PUT, DELETE, OPTIONS"),
        ("/v2/users", "POST, PUT, OPTIONS"),
        ("/v2/status", "GET, OPTIONS"),
        ("/v2", "GET, OPTIONS"),
        ("/v2/version", "GET, OPTIONS"),
    ];
    for (path, methods) in cases {
        let answer = app.send(Method::OPTIONS, path, None, None, None).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{path}");
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        assert_eq!(answer.header("access-control-allow-methods"), Some(methods));
        assert_eq!(
            answer.header("access-control-allow-headers"),
            Some(
                "x-requested-with, content-type, accept, origin, authorization, x-csrftoken, withcredentials, cache-control, cookie, session-id"
            )
        );
        assert_eq!(answer.header("access-control-allow-credentials"), None);
        assert!(answer.body.is_empty());
    }
}
