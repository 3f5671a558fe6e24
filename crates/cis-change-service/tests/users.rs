//! `POST /v2/users` (docs/contract/change-api.md §6): per-item verdicts in input order, duplicates, limits,
//! and the status of the whole: 200 only when every item was accepted, else the first refused item's.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use cis_change_service::Limits;
use cis_profile::AttrPath;
use common::*;
use http::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_batch_with_mixed_verdicts_answers_one_element_per_item_in_input_order() {
    let app = spawn_direct_app();
    let stored = new_profile_json(30);
    assert_eq!(app.post_user(&stored).await.status.as_u16(), 200);
    let fresh = new_profile_json(31);
    let tampered = fixture_json("vectors/signed-profile-tampered.json");
    let path = AttrPath::parse("staff_information.title").unwrap();
    let intruder = non_creator(path);
    let mut forbidden = new_profile(32);
    set_signed(
        &mut forbidden,
        path,
        json!("Chief"),
        intruder,
        &publisher_key(),
    );
    let forbidden = forbidden.into_value();
    let batch = json!([fresh, stored, tampered, forbidden, fresh, 42]);

    let answer = app.post_users(&batch).await;
    // Not every item was accepted: the status is the first refused item's (the tampered one, 403), so a
    // client that reads only the status sees the failure; the body still has every verdict.
    assert_eq!(answer.status.as_u16(), 403, "{}", answer.text());
    let items = answer.json();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(items[0]["status_code"], 200);
    assert_eq!(items[0]["condition"], "create");
    assert_eq!(items[0]["user_id"], user_id_of(&fresh));
    assert!(items[0]["sequence_number"].is_string());
    assert_eq!(
        items[1],
        json!({"sequence_number": null, "status_code": 202, "condition": "noop", "user_id": user_id_of(&stored)})
    );
    assert_eq!(
        (items[2]["status_code"].as_u64(), items[2]["code"].as_str()),
        (Some(403), Some("invalid_signature"))
    );
    assert_eq!(items[2]["user_id"], user_id_of(&tampered));
    assert_eq!(
        (items[3]["status_code"].as_u64(), items[3]["code"].as_str()),
        (Some(403), Some("invalid_publisher"))
    );
    assert_eq!(
        items[3]["description"],
        format!("[create] {intruder} is NOT allowed to publish field title")
    );
    assert_eq!(
        (items[4]["status_code"].as_u64(), items[4]["code"].as_str()),
        (Some(400), Some("duplicate_user_id"))
    );
    assert!(items[4]["sequence_number"].is_null());
    assert_eq!(
        (items[5]["status_code"].as_u64(), items[5]["code"].as_str()),
        (Some(400), Some("invalid_profile"))
    );
    assert!(items[5]["user_id"].is_null());
    // Only the accepted item was written; the rejected ones were not.
    assert_eq!(app.vault.len(), 2);
    assert!(app.vault.item(&user_id_of(&forbidden)).is_none());
}

#[tokio::test]
async fn each_profile_of_a_stream_mode_batch_gets_its_own_sequence_number_and_envelope() {
    let app = spawn_app_with(Options {
        limits: Limits {
            write_concurrency: 3,
            ..Limits::default()
        },
        ..Options::default()
    });
    let profiles: Vec<Value> = (40..48).map(new_profile_json).collect();
    let answer = app.post_users(&Value::Array(profiles.clone())).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    let items = answer.json();
    let numbers: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sequence_number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        numbers.iter().collect::<HashSet<_>>().len(),
        profiles.len(),
        "one number per profile"
    );
    let users: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["user_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(users, profiles.iter().map(user_id_of).collect::<Vec<_>>());
    let envelopes = app.envelopes();
    assert_eq!(envelopes.len(), profiles.len());
    for ((envelope, profile), number) in envelopes.iter().zip(&profiles).zip(&numbers) {
        assert_eq!(&envelope.sequence_number, number);
        assert_eq!(
            &envelope.profile, profile,
            "the publisher's profile, not a merge"
        );
    }
}

#[tokio::test]
async fn a_batch_answers_the_status_of_its_first_refused_item() {
    let app = spawn_direct_app();
    let good = new_profile_json(60);
    let mut bad = new_profile_json(61);
    bad["first_name"]["value"] = json!("Mallory");
    let mut incomplete = new_profile_json(62);
    incomplete["active"]["value"] = Value::Null;
    // 400 (active_missing) before 403 (invalid_signature): the first refused item decides.
    let answer = app
        .post_users(&json!([good, incomplete, bad.clone()]))
        .await;
    assert_eq!(answer.status.as_u16(), 400, "{}", answer.text());
    let items = answer.json();
    assert_eq!(items[0]["status_code"], 200);
    assert_eq!(items[1]["code"], "active_missing");
    assert_eq!(items[2]["code"], "invalid_signature");
    // The accepted item stays accepted: sent again it is nothing to change.
    let again = app.post_users(&json!([new_profile_json(60)])).await;
    assert_eq!(again.status.as_u16(), 200, "{}", again.text());
    let answer = app.post_users(&json!([bad])).await;
    assert_eq!(answer.status.as_u16(), 403);
}

#[tokio::test]
async fn an_empty_batch_answers_an_empty_array() {
    let app = spawn_app();
    let answer = app.post_users(&json!([])).await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(answer.json(), json!([]));
}

#[tokio::test]
async fn a_batch_over_max_batch_size_is_413_and_nothing_is_looked_at() {
    let app = spawn_app_with(Options {
        limits: Limits {
            max_batch_size: 2,
            ..Limits::default()
        },
        ..Options::default()
    });
    let batch = json!([
        new_profile_json(50),
        new_profile_json(51),
        new_profile_json(52)
    ]);
    let description = app
        .post_users(&batch)
        .await
        .assert_error(413, "batch_too_large");
    assert!(
        description.contains('3') && description.contains('2'),
        "{description}"
    );
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn a_batch_body_that_is_not_an_array_is_400_invalid_profile() {
    let app = spawn_app();
    app.post_users(&new_profile_json(53))
        .await
        .assert_error(400, "invalid_profile");
    let auth = app.writer();
    let answer = app
        .send(
            Method::POST,
            "/v2/users",
            Some(&auth),
            Some(b"[{".to_vec()),
            None,
        )
        .await;
    answer.assert_error(400, "invalid_json");
}

#[tokio::test]
async fn a_batch_whose_hand_off_partly_fails_is_503_with_the_failed_items_marked() {
    let app = spawn_app();
    let profiles: Vec<Value> = (60..63).map(new_profile_json).collect();
    app.stream.fail_next(1);
    let answer = app.post_users(&Value::Array(profiles.clone())).await;
    assert_eq!(answer.status.as_u16(), 503, "{}", answer.text());
    assert!(answer.header("retry-after").is_some());
    let items = answer.json();
    assert_eq!(items[0]["status_code"], 503);
    assert_eq!(items[0]["code"], "backend_unavailable");
    assert!(items[0]["sequence_number"].is_null());
    assert_eq!(items[1]["status_code"], 200);
    assert_eq!(items[2]["status_code"], 200);
    assert_eq!(app.stream.len(), 2);
}

#[tokio::test]
async fn re_sending_a_whole_batch_in_direct_mode_answers_noops() {
    let app = spawn_direct_app();
    let batch = Value::Array((70..73).map(new_profile_json).collect());
    assert_eq!(app.post_users(&batch).await.status.as_u16(), 200);
    let again = app.post_users(&batch).await.json();
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["condition"] == "noop" && i["status_code"] == 202)
    );
}
