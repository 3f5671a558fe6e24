//! Shared helpers for the integration tests: fixture paths, keys and key sets from `fixtures/`.
// Test code: a failed unwrap is a failed test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cis_crypto::{KeySet, PublicKey, SigningKey};
use serde_json::Value;
use std::path::PathBuf;

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(rel)
}

pub fn text(rel: &str) -> String {
    std::fs::read_to_string(fixture(rel)).unwrap()
}

pub fn json(rel: &str) -> Value {
    cis_profile::json::parse_strict(text(rel).as_bytes()).unwrap()
}

pub fn signing_key(rel: &str) -> SigningKey {
    SigningKey::parse(&text(rel)).unwrap()
}

pub fn public_key(rel: &str) -> PublicKey {
    PublicKey::parse(&text(rel)).unwrap()
}

/// The key set of `vectors/well-known-test.json`: `cis` trusts key_1, the four others key_0.
pub fn well_known_test() -> KeySet {
    KeySet::from_well_known(&json("vectors/well-known-test.json")).unwrap()
}

/// The main test signing key (RSA-2048).
pub fn key0() -> SigningKey {
    signing_key("keys/fake-publisher-key_0.priv.pem")
}

pub fn key1() -> SigningKey {
    signing_key("keys/fake-publisher-key_1.priv.pem")
}

pub fn profile(rel: &str) -> cis_profile::Profile {
    cis_profile::Profile::parse(text(rel).as_bytes()).unwrap()
}
