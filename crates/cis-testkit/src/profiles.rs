//! Profiles as publishers send them, signed with the fixture keys: whole new users, partial changes (the
//! null profile with a few attributes set), and helpers that pick publishers the rules refuse.

use crate::fixtures::{fixture, key_for, publisher_key};
use cis_crypto::{SigningKey, sign_attribute};
use cis_profile::attr::{set_metadata, set_payload};
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use serde_json::Value;
use std::sync::Arc;

/// The publishers a client may be (everyone but `cis`).
pub const PUBLISHERS: [Publisher; 4] = [
    Publisher::Mozilliansorg,
    Publisher::Hris,
    Publisher::Ldap,
    Publisher::AccessProvider,
];

/// `profile` with the attribute at `dotted` set to `payload`, claimed by `publisher` and signed with `key`.
pub fn with_signed(
    profile: &Profile,
    dotted: &str,
    publisher: Publisher,
    payload: Value,
    key: &SigningKey,
) -> Profile {
    let path = AttrPath::parse(dotted).unwrap();
    let mut out = profile.clone();
    set_signed(&mut out, path, payload, publisher, key);
    out
}

/// [`with_signed`] with the fixture publisher key.
pub fn with(profile: &Profile, dotted: &str, publisher: Publisher, payload: Value) -> Profile {
    with_signed(profile, dotted, publisher, payload, &publisher_key())
}

/// Sets one attribute's payload (and its `metadata.last_modified`), claims it for `publisher` and signs it.
pub fn set_signed(
    profile: &mut Profile,
    path: AttrPath,
    payload: Value,
    publisher: Publisher,
    key: &SigningKey,
) {
    let mut attr = profile.attr_or_null(path);
    set_payload(&mut attr, path.kind(), payload);
    set_metadata(
        &mut attr,
        "last_modified",
        Value::from("2026-01-15T10:00:00.000Z"),
    );
    sign_attribute(&mut attr, publisher, key).unwrap();
    profile.set_attr(path, attr);
}

/// What LDAP sends to create a user: user_id, active, primary_email and first_name.
pub fn new_user(user_id: &str) -> Profile {
    let p = with(
        &Profile::null(),
        "user_id",
        Publisher::Ldap,
        Value::from(user_id),
    );
    let p = with(&p, "active", Publisher::Ldap, Value::Bool(true));
    let email = format!("{}@example.com", user_id.replace('|', "."));
    let p = with(&p, "primary_email", Publisher::Ldap, Value::from(email));
    with(&p, "first_name", Publisher::Ldap, Value::from("Jane"))
}

/// A partial update of `user_id`: the null profile with `user_id` and one attribute set.
pub fn change(user_id: &str, dotted: &str, publisher: Publisher, payload: Value) -> Profile {
    let p = with(
        &Profile::null(),
        "user_id",
        Publisher::AccessProvider,
        Value::from(user_id),
    );
    with(&p, dotted, publisher, payload)
}

/// The null profile with only `path` set (a partial update sent with `?user_id=`).
pub fn partial(path: AttrPath, payload: Value, publisher: Publisher) -> Profile {
    let mut profile = Profile::null();
    set_signed(&mut profile, path, payload, publisher, &publisher_key());
    profile
}

/// Signs every non-null attribute as the publisher it claims, with that publisher's fixture key.
pub fn sign_claimed(profile: &mut Profile) {
    sign_claimed_with(profile, key_for);
}

/// Signs every non-null attribute as the publisher it claims, with the key `key_for` gives that publisher.
pub fn sign_claimed_with(profile: &mut Profile, key_for: impl Fn(Publisher) -> Arc<SigningKey>) {
    for path in AttrPath::all() {
        let claimed = profile
            .attr(path)
            .filter(|a| !a.is_null())
            .and_then(|a| a.publisher());
        if let (Some(publisher), Some(attr)) = (claimed, profile.attr_mut(path)) {
            sign_attribute(attr, publisher, &key_for(publisher)).unwrap();
        }
    }
}

/// A new user's whole profile as publishers send it: `fake_profile(seed)` with CIS's own attributes left
/// to CIS (`cis`-claimed ones null, `active` claimed by ldap, a directory publisher), every attribute
/// signed by the publisher it claims.
pub fn new_profile(seed: u64) -> Profile {
    let mut profile = cis_profile::fake::fake_profile(seed);
    for path in AttrPath::all() {
        let by_cis = profile
            .attr(path)
            .is_some_and(|a| a.publisher() == Some(Publisher::Cis));
        if !by_cis {
            continue;
        }
        if path == AttrPath::ACTIVE {
            if let Some(attr) = profile.attr_mut(path) {
                cis_profile::attr::set_publisher(attr, "ldap", "");
            }
        } else {
            profile.set_attr(path, Profile::null().attr_or_null(path));
        }
    }
    sign_claimed(&mut profile);
    profile
}

/// [`new_profile`] as JSON.
pub fn new_profile_json(seed: u64) -> Value {
    new_profile(seed).into_value()
}

/// `user_id.value` of a profile document.
pub fn user_id_of(profile: &Value) -> String {
    profile["user_id"]["value"].as_str().unwrap().to_string()
}

/// `signed-profile.json` as it is: a stored profile of the original, every attribute signed by the original
/// (CIS's own — uuid, primary_username, active, last_modified, created — as `cis`).
pub fn original_signed_profile() -> Profile {
    Profile::parse(fixture("vectors/signed-profile.json").as_bytes()).unwrap()
}

/// [`original_signed_profile`] as a publisher would send it to create the user: CIS's own attributes
/// nulled, `active` claimed and signed by ldap — every other attribute still signed by the original.
pub fn full_signed_profile() -> Profile {
    let mut p = original_signed_profile();
    for path in [
        AttrPath::UUID,
        AttrPath::PRIMARY_USERNAME,
        AttrPath::CREATED,
        AttrPath::LAST_MODIFIED,
    ] {
        p.set_attr(path, Profile::null().attr_or_null(path));
    }
    set_signed(
        &mut p,
        AttrPath::ACTIVE,
        Value::Bool(true),
        Publisher::Ldap,
        &publisher_key(),
    );
    p
}

/// A publisher the embedded rules do not let create `path`.
pub fn non_creator(path: AttrPath) -> Publisher {
    let rules = PublisherRules::embedded();
    PUBLISHERS
        .into_iter()
        .find(|p| !rules.creators(path).contains(p))
        .expect("some publisher may not create the attribute")
}

/// A publisher other than the updater of `path` (so it may not change an existing value).
pub fn non_updater(path: AttrPath) -> Publisher {
    let rules = PublisherRules::embedded();
    PUBLISHERS
        .into_iter()
        .find(|p| rules.updater(path) != Some(*p))
        .expect("some publisher is not the updater")
}
