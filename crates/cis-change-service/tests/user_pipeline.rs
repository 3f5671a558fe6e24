//! `POST`/`PUT /v2/user` (docs/contract/change-api.md §4 steps 5–15, §5, §8): stream and direct mode, no-ops, updates,
//! signatures, publisher rules, new-user checks and backend outages.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::Op;
use cis_profile::{AttrPath, Publisher};
use common::*;
use http::Method;
use serde_json::{Value, json};
#[tokio::test]
async fn stream_mode_appends_the_publishers_profile_with_a_fresh_sequence_number() {
    let app = spawn_app();
    let profile = new_profile_json(10);
    let user = user_id_of(&profile);
    let number = assert_accepted(&app.post_user(&profile).await, "create", &user);
    let envelopes = app.envelopes();
    assert_eq!(envelopes.len(), 1);
    let envelope = &envelopes[0];
    assert_eq!(
        (
            envelope.op,
            envelope.sequence_number.as_str(),
            envelope.user_id.as_str()
        ),
        (Op::Upsert, number.as_str(), user.as_str())
    );
    // Exactly as sent, member order kept (not the merged profile: no uuid, no cis attributes).
    assert_eq!(
        serde_json::to_string(&envelope.profile).unwrap(),
        serde_json::to_string(&profile).unwrap()
    );
    assert!(
        app.vault.is_empty(),
        "stream mode leaves the write to the processor"
    );
}

#[tokio::test]
async fn stream_mode_keeps_the_member_order_the_publisher_used() {
    let app = spawn_app();
    let profile = new_profile_json(11);
    let mut reversed = serde_json::Map::new();
    for (k, v) in profile.as_object().unwrap().iter().rev() {
        reversed.insert(k.clone(), v.clone());
    }
    let reversed = Value::Object(reversed);
    assert_accepted(
        &app.post_user(&reversed).await,
        "create",
        &user_id_of(&profile),
    );
    let sent = serde_json::to_string(&reversed).unwrap();
    assert_eq!(
        serde_json::to_string(&app.envelopes()[0].profile).unwrap(),
        sent
    );
}

#[tokio::test]
async fn direct_mode_stores_the_profile_with_cis_attributes_before_answering() {
    let app = spawn_direct_app();
    let profile = new_profile_json(12);
    let user = user_id_of(&profile);
    let number = assert_accepted(&app.post_user(&profile).await, "create", &user);
    let item = app.vault.item(&user).expect("stored");
    assert_eq!(
        item.stored.sequence_number.as_deref(),
        Some(number.as_str())
    );
    let stored = &item.stored.profile;
    assert!(stored.uuid().is_some() && stored.primary_username().is_some());
    assert_eq!(
        stored.attr(AttrPath::UUID).unwrap().publisher(),
        Some(Publisher::Cis)
    );
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn re_sending_a_stored_profile_is_a_noop_with_http_200() {
    let app = spawn_direct_app();
    let profile = new_profile_json(13);
    let user = user_id_of(&profile);
    assert_accepted(&app.post_user(&profile).await, "create", &user);
    let answer = app.post_user(&profile).await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(
        answer.json(),
        json!({"sequence_number": null, "status_code": 202, "condition": "noop", "user_id": user})
    );
    assert_eq!(
        app.vault.item(&user).unwrap().stored.version,
        Some(1),
        "nothing written"
    );
}

#[tokio::test]
async fn an_update_is_accepted_with_condition_update_and_the_put_alias_works() {
    let app = spawn_direct_app();
    let profile = new_profile_json(14);
    let user = user_id_of(&profile);
    assert_accepted(&app.post_user(&profile).await, "create", &user);
    let path = AttrPath::parse("first_name").unwrap();
    let updater = cis_profile::rules::PublisherRules::embedded()
        .updater(path)
        .unwrap();
    let change = partial(path, json!("Renamed"), updater).into_value();
    let answer = app
        .write(
            Method::PUT,
            &format!("/v2/user?user_id={}", urlencode(&user)),
            &change,
        )
        .await;
    assert_accepted(&answer, "update", &user);
    let stored = app.vault.item(&user).unwrap().stored;
    assert_eq!(stored.profile.value_str(path), Some("Renamed"));
    assert_eq!(stored.version, Some(2));
}

#[tokio::test]
async fn a_tampered_signature_is_403_invalid_signature_naming_the_attribute() {
    let app = spawn_app();
    let description = app
        .post_user(&fixture_json("vectors/signed-profile-tampered.json"))
        .await
        .assert_error(403, "invalid_signature");
    assert!(description.starts_with("first_name: "), "{description}");
    assert!(app.stream.is_empty());
}

#[tokio::test]
async fn a_signature_by_an_untrusted_key_is_403_invalid_signature() {
    let app = spawn_app();
    let mut profile = cis_profile::fake::fake_profile(20);
    sign_claimed_with(&mut profile, |_| evil_key());
    let description = app
        .post_user(&profile.into_value())
        .await
        .assert_error(403, "invalid_signature");
    assert!(description.contains("does not verify"), "{description}");
    app.post_user(&fixture_json("vectors/signed-profile-evil-key.json"))
        .await
        .assert_error(403, "invalid_signature");
}

#[tokio::test]
async fn uuid_or_primary_username_on_a_new_user_is_403() {
    let app = spawn_app();
    // The signed fixture carries uuid and primary_username (signed as cis, trusted): allowed only for CIS.
    let description = app
        .post_user(&fixture_json("vectors/signed-profile.json"))
        .await
        .assert_error(403, "uuid_or_primary_username_set");
    assert_eq!(
        description,
        "The fields primary_username or uuid have been set in a new profile."
    );
}

#[tokio::test]
async fn a_publisher_that_may_not_create_an_attribute_is_403_invalid_publisher() {
    let app = spawn_app();
    let path = AttrPath::parse("staff_information.title").unwrap();
    let intruder = non_creator(path);
    let mut profile = new_profile(21);
    set_signed(
        &mut profile,
        path,
        json!("Chief Intruder"),
        intruder,
        &publisher_key(),
    );
    let description = app
        .post_user(&profile.into_value())
        .await
        .assert_error(403, "invalid_publisher");
    assert_eq!(
        description,
        format!("[create] {intruder} is NOT allowed to publish field title")
    );
}

#[tokio::test]
async fn a_publisher_that_may_not_update_an_attribute_is_403_invalid_publisher() {
    let app = spawn_direct_app();
    let profile = new_profile_json(22);
    let user = user_id_of(&profile);
    assert_accepted(&app.post_user(&profile).await, "create", &user);
    let path = AttrPath::parse("first_name").unwrap();
    let intruder = non_updater(path);
    let change = partial(path, json!("Mallory"), intruder).into_value();
    let answer = app
        .write(
            Method::POST,
            &format!("/v2/user?user_id={}", urlencode(&user)),
            &change,
        )
        .await;
    let description = answer.assert_error(403, "invalid_publisher");
    assert_eq!(
        description,
        format!("[update] {intruder} is NOT allowed to publish field first_name")
    );
    assert_eq!(app.vault.item(&user).unwrap().stored.version, Some(1));
}

#[tokio::test]
async fn a_vault_outage_is_503_with_retry_after() {
    let app = spawn_app();
    app.vault
        .fail_next(cis_identity_vault::VaultError::unavailable("down"));
    let answer = app.post_user(&new_profile_json(23)).await;
    answer.assert_error(503, "backend_unavailable");
    assert!(answer.header("retry-after").is_some());
}

#[tokio::test]
async fn a_stream_outage_is_503_and_nothing_is_queued() {
    let app = spawn_app();
    app.stream.fail_next(1);
    let answer = app.post_user(&new_profile_json(24)).await;
    answer.assert_error(503, "backend_unavailable");
    assert!(app.stream.is_empty());
}
