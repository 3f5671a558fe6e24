//! A publisher keeps and signs only what the rules let it publish.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use cis_crypto::{KeySet, SigningKey};
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use cis_publisher::{PrepareError, prepare_for_publisher};

fn key() -> SigningKey {
    let pem = include_str!("../../../fixtures/keys/fake-publisher-key_0.priv.pem");
    SigningKey::from_pem(pem).expect("fixture key")
}

fn trusted() -> KeySet {
    KeySet::trust_for_all(vec![key().public_key().clone()])
}

#[test]
fn ldap_signs_what_it_may_create_and_drops_the_rest_on_a_new_user() {
    let mut profile = cis_profile::fake::fake_profile(7);
    let prepared = prepare_for_publisher(
        &mut profile,
        Publisher::Ldap,
        &key(),
        PublisherRules::embedded(),
        None,
    )
    .expect("prepared");
    assert!(
        prepared.signed.contains(&AttrPath::FIRST_NAME),
        "ldap may create first_name"
    );
    let moz_groups = AttrPath::parse("access_information.mozilliansorg").expect("path");
    if profile.attr(moz_groups).is_some_and(|a| !a.is_null()) {
        panic!("mozilliansorg groups must have been reset");
    }
    for path in &prepared.signed {
        let attr = profile.attr(*path).expect("present");
        assert_eq!(
            attr.publisher_name(),
            Some("ldap"),
            "{path} claimed by ldap"
        );
    }
    cis_crypto::verify_profile(&profile, &trusted()).expect("every kept attribute verifies");
    // The result is still a valid profile a Change API accepts.
    Profile::from_value(profile.to_value()).expect("valid");
}

#[test]
fn mozilliansorg_may_not_touch_ldap_groups_of_an_existing_user() {
    let stored = cis_profile::fake::fake_profile(8);
    let mut update = stored.clone();
    let prepared = prepare_for_publisher(
        &mut update,
        Publisher::Mozilliansorg,
        &key(),
        PublisherRules::embedded(),
        Some(&stored),
    )
    .expect("prepared");
    let ldap_groups = AttrPath::parse("access_information.ldap").expect("path");
    assert!(!prepared.signed.contains(&ldap_groups));
    assert!(update.attr(ldap_groups).is_none_or(|a| a.is_null()));
    assert!(
        !prepared.signed.contains(&AttrPath::ACTIVE),
        "only cis and the directories own active"
    );
}

#[test]
fn a_profile_without_user_id_is_refused() {
    let mut profile = Profile::null();
    let err = prepare_for_publisher(
        &mut profile,
        Publisher::Ldap,
        &key(),
        PublisherRules::embedded(),
        None,
    )
    .expect_err("no user id");
    assert!(matches!(err, PrepareError::NoUserId));
}
