//! `POST`/`PUT /v2/user` (docs/contract/change-api.md §4 steps 2–4): body handling (size, content type, JSON, the
//! "JSON string" form), schema validation and the user of the change.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change_service::Limits;
use cis_profile::{AttrPath, Publisher};
use common::*;
use http::Method;
use serde_json::{Value, json};
#[tokio::test]
async fn a_body_that_is_a_json_string_holding_a_profile_is_accepted() {
    let app = spawn_app();
    let profile = new_profile_json(15);
    let wrapped = Value::String(serde_json::to_string(&profile).unwrap());
    assert_accepted(
        &app.post_user(&wrapped).await,
        "create",
        &user_id_of(&profile),
    );
}

#[tokio::test]
async fn malformed_json_is_400_invalid_json_naming_the_position() {
    let app = spawn_app();
    let auth = app.writer();
    let answer = app
        .send(
            Method::POST,
            "/v2/user",
            Some(&auth),
            Some(b"{\"user_id\": }".to_vec()),
            Some("application/json"),
        )
        .await;
    let description = answer.assert_error(400, "invalid_json");
    assert!(description.contains("line 1 column"), "{description}");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_400_invalid_profile() {
    let app = spawn_app();
    for body in [json!([1, 2]), json!(7), json!(null), json!("\"just text\"")] {
        app.post_user(&body)
            .await
            .assert_error(400, "invalid_profile");
    }
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let app = spawn_app();
    let auth = app.writer();
    let body = serde_json::to_vec(&new_profile_json(16)).unwrap();
    let answer = app
        .send(
            Method::POST,
            "/v2/user",
            Some(&auth),
            Some(body.clone()),
            Some("text/plain"),
        )
        .await;
    answer.assert_error(415, "unsupported_media_type");
    let answer = app
        .send(
            Method::POST,
            "/v2/user",
            Some(&auth),
            Some(body),
            Some("application/vnd.cis+json; charset=utf-8"),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
}

#[tokio::test]
async fn a_body_over_max_body_bytes_is_413() {
    let limits = Limits {
        max_body_bytes: 1000,
        ..Limits::default()
    };
    let app = spawn_app_with(Options {
        limits,
        ..Options::default()
    });
    let answer = app.post_user(&new_profile_json(17)).await;
    answer.assert_error(413, "payload_too_large");
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn an_endless_body_is_cut_off_at_the_limit_instead_of_being_buffered() {
    use tower::ServiceExt;
    let limits = Limits {
        max_body_bytes: 64 * 1024,
        ..Limits::default()
    };
    let app = spawn_app_with(Options {
        limits,
        ..Options::default()
    });
    let chunks = futures::stream::repeat_with(|| {
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 4096]))
    });
    let request = http::Request::post("/v2/user")
        .header("authorization", app.writer())
        .header("content-type", "application/json")
        .body(axum::body::Body::from_stream(chunks))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status().as_u16(), 413);
}

#[tokio::test]
async fn a_declared_content_length_over_the_limit_is_413_before_reading() {
    let limits = Limits {
        max_body_bytes: 10,
        ..Limits::default()
    };
    let app = spawn_app_with(Options {
        limits,
        ..Options::default()
    });
    let auth = app.writer();
    let request = http::Request::post("/v2/user")
        .header("authorization", auth)
        .header("content-length", "1000000")
        .body(axum::body::Body::empty())
        .unwrap();
    use tower::ServiceExt;
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status().as_u16(), 413);
}

#[tokio::test]
async fn a_schema_invalid_profile_is_400_with_the_pointer_of_the_first_violation() {
    let app = spawn_app();
    let mut profile = new_profile_json(18);
    profile["first_name"]["metadata"]["classification"] = json!("TOP SECRET");
    let description = app
        .post_user(&profile)
        .await
        .assert_error(400, "invalid_profile");
    assert!(
        description.starts_with("/first_name/metadata/classification: "),
        "{description}"
    );
    let mut profile = new_profile_json(18);
    profile
        .as_object_mut()
        .unwrap()
        .insert("surprise".into(), json!(1));
    let description = app
        .post_user(&profile)
        .await
        .assert_error(400, "invalid_profile");
    assert!(description.starts_with("/surprise: "), "{description}");
}

#[tokio::test]
async fn a_query_user_id_that_differs_from_the_body_is_400_integration_exception() {
    let app = spawn_app();
    let answer = app
        .write(
            Method::POST,
            "/v2/user?user_id=someone-else",
            &new_profile_json(19),
        )
        .await;
    let description = answer.assert_error(400, "integration_exception");
    assert_eq!(
        description,
        "user_id query parameter does not match profile, that looks wrong"
    );
}

#[tokio::test]
async fn a_profile_without_any_user_id_is_400_user_id_missing() {
    let app = spawn_app();
    let change = partial(
        AttrPath::parse("first_name").unwrap(),
        json!("Jo"),
        Publisher::Mozilliansorg,
    );
    app.post_user(&change.into_value())
        .await
        .assert_error(400, "user_id_missing");
}

#[tokio::test]
async fn a_new_user_known_only_from_the_query_is_400_user_id_missing() {
    let app = spawn_app();
    let change = partial(AttrPath::ACTIVE, json!(true), Publisher::AccessProvider).into_value();
    app.write(
        Method::POST,
        "/v2/user?user_id=ad|Mozilla-LDAP|nobody",
        &change,
    )
    .await
    .assert_error(400, "user_id_missing");
}
