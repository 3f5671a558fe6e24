//! Changes the Change API must refuse before it answers — a publisher overstepping the rules, a bad
//! signature, an untrusted key, identifiers set by a publisher, missing or weak tokens — and proof that a
//! refused change left the vault as it was.

use cis_e2e::Service;
use cis_e2e::profiles::{
    forge, ldap_user_id, new_staff_user, payload, set, signed_by, unsigned_update, untrusted_key,
};
use cis_profile::attr::set_payload;
use cis_profile::{AttrPath, Kind, Publisher};
use serde_json::json;

const FULL: &str = "read:fullprofile display:all";

#[tokio::test]
async fn ldap_changing_the_first_name_of_an_existing_user_is_refused_with_the_rule_text() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let write = service.token("write");
    let key = service.publisher_key(Publisher::Ldap);
    let user_id = ldap_user_id("rules", 1);
    let sent = signed_by(new_staff_user(&user_id, 3), Publisher::Ldap, &key, None);
    api.publish_processed(&write, &sent.to_value(), "create")
        .await;

    // first_name is created by ldap but updated only by mozilliansorg.
    let change = unsigned_update(&sent, &[("first_name", json!("Mallory"))]);
    let forged = forge(change, Publisher::Ldap, &key, &["user_id", "first_name"]);
    let reply = api.post_user(Some(&write), &forged.to_value()).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "invalid_publisher");
    assert_eq!(
        reply.str("description"),
        "[update] ldap is NOT allowed to publish field first_name"
    );

    let stored = api.read_user(&service.token(FULL), &user_id).await;
    assert_eq!(payload(&stored, "first_name"), Some(&json!("Ada")));
}

#[tokio::test]
async fn a_new_user_with_a_uuid_set_by_the_publisher_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let key = service.publisher_key(Publisher::Ldap);
    let user_id = ldap_user_id("uuid", 1);
    let mut profile = signed_by(new_staff_user(&user_id, 4), Publisher::Ldap, &key, None);
    set(
        &mut profile,
        "uuid",
        json!("9f5b0d5e-3c9a-5e1c-9d6b-1a2b3c4d5e6f"),
        None,
    );
    let profile = forge(profile, Publisher::Ldap, &key, &["uuid"]);

    let reply = api
        .post_user(Some(&service.token("write")), &profile.to_value())
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "uuid_or_primary_username_set");
    assert_eq!(
        reply.str("description"),
        "The fields primary_username or uuid have been set in a new profile."
    );
    assert_eq!(
        api.user(Some(&service.token(FULL)), &user_id).await.status,
        404
    );
}

#[tokio::test]
async fn a_tampered_signature_and_an_untrusted_key_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let write = service.token("write");

    // Signed by ldap's real key, then the value changed.
    let tampered_id = ldap_user_id("tampered", 1);
    let key = service.publisher_key(Publisher::Ldap);
    let mut tampered = signed_by(new_staff_user(&tampered_id, 5), Publisher::Ldap, &key, None);
    set_payload(
        tampered.attr_mut(AttrPath::FIRST_NAME).unwrap(),
        Kind::String,
        json!("Mallory"),
    );
    let reply = api.post_user(Some(&write), &tampered.to_value()).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "invalid_signature");
    assert!(
        reply.str("description").starts_with("first_name"),
        "{}",
        reply.body
    );

    // Signed as ldap with a key CIS does not trust for ldap.
    let untrusted_id = ldap_user_id("untrusted", 1);
    let untrusted = signed_by(
        new_staff_user(&untrusted_id, 6),
        Publisher::Ldap,
        &untrusted_key(),
        None,
    );
    let reply = api.post_user(Some(&write), &untrusted.to_value()).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "invalid_signature");

    // Signed with the hris key but claiming to be ldap.
    let impostor_id = ldap_user_id("impostor", 1);
    let mut impostor = new_staff_user(&impostor_id, 7);
    let hris_key = service.publisher_key(Publisher::Hris);
    impostor = signed_by(impostor, Publisher::Ldap, &hris_key, None);
    let reply = api.post_user(Some(&write), &impostor.to_value()).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "invalid_signature");

    let reader = service.token(FULL);
    for user_id in [tampered_id, untrusted_id, impostor_id] {
        assert_eq!(
            api.user(Some(&reader), &user_id).await.status,
            404,
            "{user_id} must not exist"
        );
    }
}

#[tokio::test]
async fn a_change_without_a_token_or_without_the_write_scope_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let user_id = ldap_user_id("scopes", 1);
    let key = service.publisher_key(Publisher::Ldap);
    let profile = signed_by(new_staff_user(&user_id, 8), Publisher::Ldap, &key, None).to_value();

    let reply = api.post_user(None, &profile).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.str("code"), "authorization_header_missing");

    let reply = api.post_user(Some("not-a-jwt"), &profile).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.str("code"), "invalid_header");

    let reply = api.post_user(Some(&service.token(FULL)), &profile).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "scope_missing");
    assert_eq!(
        reply.str("description"),
        "This endpoint requires the write scope"
    );

    let reply = api
        .post_users(
            Some(&service.token("display:all")),
            std::slice::from_ref(&profile),
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "scope_missing");

    assert_eq!(
        api.user(Some(&service.token(FULL)), &user_id).await.status,
        404
    );
    // The same profile with the write scope is accepted: the refusals were about the token only.
    let accepted = api.post_user(Some(&service.token("write")), &profile).await;
    api.accepted(&accepted, "create");
}
