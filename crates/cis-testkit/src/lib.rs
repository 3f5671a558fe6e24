//! # cis-testkit — what the test suites share (dev-dependency only)
//!
//! | module | owns |
//! |---|---|
//! | [`fixtures`] | the repository's `fixtures/` folder: files, the fixture keys and the trusted key set |
//! | [`profiles`] | signed profiles and partial changes built attribute by attribute |
//! | [`tokens`] | development bearer tokens and validators for router tests |
//! | [`moto`] | moto_server: its URL (a test that needs it fails loudly without it), clients, unique names, fresh vault tables |
//! | [`faults`] | [`faults::FaultyVault`]: one decorator that makes any vault fail, conflict, stall or serialise |
//! | [`http`] | requests through a router in process and their fully read [`http::Answer`]s |
//! | [`openapi`] | the APIs' OpenAPI documents against their committed copies in docs/openapi/, their operations |
//! | [`suite`] | [`suite::Subject`] and [`per_scenario!`]: one `#[tokio::test]` per scenario of a shared suite |
//!
//! The kit sits above the vault, the crypto and the common crates and below every crate whose tests use
//! it, so that no dev-dependency forms a cycle (docs/architecture.md). Nothing here is built into a
//! deployed binary. Test code: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod faults;
pub mod fixtures;
pub mod http;
pub mod moto;
pub mod openapi;
pub mod profiles;
pub mod suite;
pub mod tokens;

pub use faults::{FaultyVault, Op};
pub use fixtures::{
    cis_key, evil_key, fixture, fixture_json, fixture_path, publisher_key, trusted_keys,
};
pub use http::Answer;

/// The uuid salt of every test vault.
pub const SALT: &str = "12345";

/// A configuration from these environment variables only (no file), with the deployed defaults.
pub fn config(env: &[(&str, &str)]) -> cis_common::Config {
    let env: std::collections::HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    cis_common::Config::from_sources(None, &env).unwrap()
}
