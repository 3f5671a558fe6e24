//! The JSON error responses: body shape, status, and the headers 401, 405 and 503 must carry; router
//! fallbacks answered through an axum `Router` in process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::post;
use cis_common::error::{ApiError, fallback_not_found};
use http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn body_json(response: axum::response::Response) -> Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn an_error_is_a_json_object_with_code_and_description() {
    let response =
        ApiError::invalid_publisher("[update] ldap is NOT allowed to publish field first_name")
            .into_response();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    assert_eq!(
        body_json(response).await,
        json!({"code": "invalid_publisher", "description": "[update] ldap is NOT allowed to publish field first_name"})
    );
}

#[tokio::test]
async fn unauthorised_answers_carry_www_authenticate_bearer() {
    for error in [
        ApiError::authorization_header_missing(),
        ApiError::token_expired(),
        ApiError::invalid_header("Token not found"),
    ] {
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
    }
}

#[tokio::test]
async fn unavailable_answers_carry_retry_after() {
    for error in [
        ApiError::backend_unavailable("the identity vault"),
        ApiError::write_conflict(),
    ] {
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[RETRY_AFTER], "5");
    }
    let response = ApiError::backend_unavailable("the stream")
        .with_retry_after(30)
        .into_response();
    assert_eq!(response.headers()[RETRY_AFTER], "30");
}

#[tokio::test]
async fn internal_errors_leak_nothing_but_a_reference() {
    let error =
        ApiError::internal("dynamodb: ConditionalCheckFailed on table production-identity-vault");
    assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error.code, "internal_error");
    let reference = error
        .description
        .strip_prefix("internal error, reference ")
        .unwrap();
    assert_eq!(reference.len(), 32);
    assert!(reference.chars().all(|c| c.is_ascii_hexdigit()));
    let body = body_json(error.into_response()).await;
    assert!(!body.to_string().contains("dynamodb"));
    assert_ne!(
        ApiError::internal("a").description,
        ApiError::internal("a").description
    );
}

#[test]
fn the_catalogue_keeps_the_original_codes_and_texts() {
    let cases = [
        (
            ApiError::integration_exception(),
            400,
            "integration_exception",
            Some("user_id query parameter does not match profile, that looks wrong"),
        ),
        (
            ApiError::invalid_json("expected value at line 1 column 1"),
            400,
            "invalid_json",
            None,
        ),
        (
            ApiError::invalid_profile("/first_name: bad"),
            400,
            "invalid_profile",
            Some("/first_name: bad"),
        ),
        (ApiError::user_id_missing(), 400, "user_id_missing", None),
        (ApiError::active_missing(), 400, "active_missing", None),
        (
            ApiError::duplicate_user_id("ad|x"),
            400,
            "duplicate_user_id",
            None,
        ),
        (
            ApiError::invalid_request("sequenceNumber is required"),
            400,
            "invalid_request",
            None,
        ),
        (
            ApiError::invalid_claims("incorrect claims,please check the audience and issuer"),
            401,
            "invalid_claims",
            None,
        ),
        (
            ApiError::scope_missing(),
            403,
            "scope_missing",
            Some("This endpoint requires the write scope"),
        ),
        (
            ApiError::invalid_signature("first_name: malformed token"),
            403,
            "invalid_signature",
            None,
        ),
        (
            ApiError::uuid_or_primary_username_set(),
            403,
            "uuid_or_primary_username_set",
            Some("The fields primary_username or uuid have been set in a new profile."),
        ),
        (
            ApiError::delete_disabled(),
            403,
            "delete_disabled",
            Some("Deleting profiles is disabled in this environment"),
        ),
        (ApiError::not_found(), 404, "not_found", None),
        (
            ApiError::user_not_found("ad|Mozilla-LDAP|jdoe"),
            404,
            "user_not_found",
            Some("no profile for user: ad|Mozilla-LDAP|jdoe"),
        ),
        (
            ApiError::payload_too_large(6_291_456),
            413,
            "payload_too_large",
            None,
        ),
        (
            ApiError::batch_too_large(501, 500),
            413,
            "batch_too_large",
            None,
        ),
        (
            ApiError::profile_too_large(500_000, 400_000),
            413,
            "profile_too_large",
            None,
        ),
        (
            ApiError::unsupported_media_type("text/plain"),
            415,
            "unsupported_media_type",
            None,
        ),
    ];
    for (error, status, code, description) in cases {
        assert_eq!(error.status.as_u16(), status, "{code}");
        assert_eq!(error.code, code);
        assert!(!error.description.is_empty(), "{code}");
        if let Some(text) = description {
            assert_eq!(error.description, text);
        }
    }
}

fn router() -> Router {
    let allowed = [Method::POST, Method::PUT];
    Router::new()
        .route(
            "/v2/user",
            post(|| async { "ok" })
                .put(|| async { "ok" })
                .fallback(move || async move { ApiError::method_not_allowed(&allowed) }),
        )
        .fallback(fallback_not_found)
}

#[tokio::test]
async fn an_unknown_path_is_a_json_404() {
    let request = Request::get("/v2/").body(Body::empty()).unwrap();
    let response = router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_json(response).await["code"], "not_found");
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405_with_allow() {
    let request = Request::get("/v2/user").body(Body::empty()).unwrap();
    let response = router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[ALLOW], "POST, PUT");
    assert_eq!(body_json(response).await["code"], "method_not_allowed");
}
