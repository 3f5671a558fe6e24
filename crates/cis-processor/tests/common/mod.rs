//! Test support: fixture keys and key set, signed profiles built attribute by attribute, a pipeline on a
//! `MemoryVault`, and [`TestVault`], a vault wrapper that can hold reads at a barrier or fail one user.
#![allow(dead_code)]

pub mod test_vault;

use cis_crypto::{KeySet, SigningKey, sign_attribute};
use cis_identity_vault::{MemoryVault, Vault};
use cis_processor::{Pipeline, PipelineDeps, StaticKeys, Switches};
use cis_profile::attr::{set_metadata, set_payload};
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
#[allow(unused_imports)]
pub use test_vault::TestVault;

pub const SALT: &str = "12345";

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).unwrap()
}

/// Signs every publisher's attributes (`fake-publisher-key_0`).
pub fn publisher_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_pem(&read("keys/fake-publisher-key_0.priv.pem")).unwrap())
}

/// The `cis` key (`fake-publisher-key_1`).
pub fn cis_key() -> Arc<SigningKey> {
    Arc::new(SigningKey::from_pem(&read("keys/fake-publisher-key_1.priv.pem")).unwrap())
}

/// A key no well-known document trusts.
pub fn evil_key() -> SigningKey {
    SigningKey::from_pem(&read("keys/evil-signing-key.priv.pem")).unwrap()
}

/// `well-known-test.json`: key_1 for `cis`, key_0 for the four other publishers.
pub fn key_set() -> KeySet {
    let doc: Value = serde_json::from_str(&read("vectors/well-known-test.json")).unwrap();
    KeySet::from_well_known(&doc).unwrap()
}

pub fn deps(vault: Arc<dyn Vault>, keys: KeySet) -> PipelineDeps {
    PipelineDeps {
        vault,
        keys: Arc::new(StaticKeys::new(keys)),
        cis_signer: cis_key(),
        rules: Arc::new(PublisherRules::embedded().clone()),
        uuid_salt: Some(SALT.to_string()),
        switches: Switches::default(),
        write_retries: 5,
        status_retention_days: 90,
    }
}

pub fn pipeline_on(vault: Arc<dyn Vault>) -> Arc<Pipeline> {
    Arc::new(Pipeline::new(deps(vault, key_set())))
}

pub fn memory_pipeline() -> (Arc<MemoryVault>, Arc<Pipeline>) {
    let vault = Arc::new(MemoryVault::new());
    let pipeline = pipeline_on(vault.clone());
    (vault, pipeline)
}

/// `profile` with the attribute at `dotted` set to `payload`, claimed by `publisher` and signed with `key`.
pub fn with_signed(
    profile: &Profile,
    dotted: &str,
    publisher: Publisher,
    payload: Value,
    key: &SigningKey,
) -> Profile {
    let path = AttrPath::parse(dotted).unwrap();
    let mut attr = profile.attr_or_null(path);
    set_payload(&mut attr, path.kind(), payload);
    set_metadata(
        &mut attr,
        "last_modified",
        Value::from("2026-01-15T10:00:00.000Z"),
    );
    sign_attribute(&mut attr, publisher, key).unwrap();
    let mut out = profile.clone();
    out.set_attr(path, attr);
    out
}

/// [`with_signed`] with the publisher key.
pub fn with(profile: &Profile, dotted: &str, publisher: Publisher, payload: Value) -> Profile {
    with_signed(profile, dotted, publisher, payload, publisher_key())
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
    let p = with(
        &p,
        "primary_email",
        Publisher::Ldap,
        Value::from(format!("{}@example.com", user_id.replace('|', "."))),
    );
    with(&p, "first_name", Publisher::Ldap, Value::from("Jane"))
}

/// A partial update: the null profile with one attribute set.
pub fn change(user_id: &str, dotted: &str, publisher: Publisher, payload: Value) -> Profile {
    let p = with(
        &Profile::null(),
        "user_id",
        Publisher::AccessProvider,
        Value::from(user_id),
    );
    with(&p, dotted, publisher, payload)
}

/// `signed-profile.json` with uuid and primary_username nulled: a complete create (every attribute signed).
pub fn full_signed_profile() -> Profile {
    let mut p = Profile::parse(read("vectors/signed-profile.json").as_bytes()).unwrap();
    for path in [AttrPath::UUID, AttrPath::PRIMARY_USERNAME] {
        p.set_attr(path, Profile::null().attr_or_null(path));
    }
    p
}
