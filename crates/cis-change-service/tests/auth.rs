//! Authentication and scopes (docs/contract/change-api.md §3): checked before the body is read, `write` for changes,
//! any valid token for `/v2/status`.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_common::auth::DevIssuer;
use common::*;
use http::Method;
use serde_json::json;

async fn post_with(app: &TestApp, auth: Option<&str>) -> Answer {
    let body = serde_json::to_vec(&new_profile_json(3)).unwrap();
    app.send(
        Method::POST,
        "/v2/user",
        auth,
        Some(body),
        Some("application/json"),
    )
    .await
}

#[tokio::test]
async fn a_missing_authorization_header_is_401_with_www_authenticate() {
    let app = spawn_app();
    let answer = post_with(&app, None).await;
    let description = answer.assert_error(401, "authorization_header_missing");
    assert_eq!(description, "Authorization header is expected");
    assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn a_header_that_is_not_a_bearer_token_is_401_invalid_header() {
    let app = spawn_app();
    let token = app.writer();
    let token = token.trim_start_matches("Bearer ");
    let cases = [
        (
            format!("Basic {token}"),
            "Authorization header must start with Bearer",
        ),
        ("Bearer".to_string(), "Token not found"),
        (
            format!("Bearer {token} extra"),
            "Authorization header must be Bearer token",
        ),
        (
            "Bearer not.a.token".to_string(),
            "Unable to parse authentication token.",
        ),
    ];
    for (header, expected) in cases {
        let description = post_with(&app, Some(&header))
            .await
            .assert_error(401, "invalid_header");
        assert_eq!(description, expected);
    }
}

#[tokio::test]
async fn an_expired_token_is_401_token_expired() {
    let app = spawn_app();
    let mut claims = app.issuer.claims("c@clients", &["write"], one_hour());
    claims["exp"] = json!(1_000_000_000);
    let header = format!("Bearer {}", app.issuer.sign(&claims));
    let description = post_with(&app, Some(&header))
        .await
        .assert_error(401, "token_expired");
    assert_eq!(description, "token is expired");
}

#[tokio::test]
async fn a_token_for_another_audience_is_401_invalid_claims() {
    let app = spawn_app();
    let other = DevIssuer::new(
        load_key("fake-publisher-key_1"),
        KID,
        ISSUER,
        "https://person.test.example",
    );
    let header = other.bearer(&["write"]);
    let description = post_with(&app, Some(&header))
        .await
        .assert_error(401, "invalid_claims");
    assert_eq!(
        description,
        "incorrect claims,please check the audience and issuer"
    );
}

#[tokio::test]
async fn a_token_forged_with_another_key_is_401_invalid_header() {
    let app = spawn_app();
    let forger = DevIssuer::new(load_key("evil-signing-key"), KID, ISSUER, AUDIENCE);
    let description = post_with(&app, Some(&forger.bearer(&["write"])))
        .await
        .assert_error(401, "invalid_header");
    assert_eq!(description, "Unable to parse authentication token.");
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn a_token_with_an_unknown_kid_is_401_unable_to_find_key() {
    let app = spawn_app();
    let stranger = DevIssuer::new(
        load_key("fake-publisher-key_1"),
        "another-kid",
        ISSUER,
        AUDIENCE,
    );
    let description = post_with(&app, Some(&stranger.bearer(&["write"])))
        .await
        .assert_error(401, "invalid_header");
    assert_eq!(description, "Unable to find appropriate key");
}

#[tokio::test]
async fn a_token_without_the_write_scope_is_403_on_every_write_route() {
    let app = spawn_app_with(Options {
        allow_delete: true,
        ..Options::default()
    });
    let reader = app.bearer(&["read:fullprofile", "display:all"]);
    let body = serde_json::to_vec(&new_profile_json(4)).unwrap();
    for (method, path) in [
        (Method::POST, "/v2/user"),
        (Method::PUT, "/v2/user"),
        (Method::DELETE, "/v2/user"),
        (Method::POST, "/v2/users"),
        (Method::PUT, "/v2/users"),
    ] {
        let answer = app
            .send(
                method,
                path,
                Some(&reader),
                Some(body.clone()),
                Some("application/json"),
            )
            .await;
        let description = answer.assert_error(403, "scope_missing");
        assert_eq!(description, "This endpoint requires the write scope");
    }
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn auth_is_checked_before_the_body_is_read() {
    let app = spawn_app();
    let answer = app
        .send(
            Method::POST,
            "/v2/user",
            None,
            Some(b"{not json".to_vec()),
            Some("text/plain"),
        )
        .await;
    answer.assert_error(401, "authorization_header_missing");
}

#[tokio::test]
async fn status_needs_a_token_but_no_particular_scope() {
    let app = spawn_app();
    app.get("/v2/status?sequenceNumber=1", None)
        .await
        .assert_error(401, "authorization_header_missing");
    let no_scope = app.bearer(&[]);
    let answer = app
        .get("/v2/status?sequenceNumber=1", Some(&no_scope))
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
}

#[tokio::test]
async fn the_local_bypass_needs_no_token_and_records_no_client() {
    let app = spawn_app_with(Options {
        bypass_auth: true,
        ..Options::default()
    });
    let body = serde_json::to_vec(&new_profile_json(5)).unwrap();
    let answer = app
        .send(
            Method::POST,
            "/v2/user",
            None,
            Some(body),
            Some("application/json"),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    assert_eq!(app.envelopes()[0].client_id, None);
}

#[tokio::test]
async fn the_envelope_records_the_token_client() {
    let app = spawn_app();
    let answer = post_with(&app, Some(&app.writer())).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    assert_eq!(app.envelopes()[0].client_id.as_deref(), Some("dev-client"));
}
