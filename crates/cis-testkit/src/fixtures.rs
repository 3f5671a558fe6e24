//! The repository's `fixtures/` folder (facts copied from the original implementation: its keys, vectors
//! and well-known documents, see fixtures/README.md) and the keys the suites sign and verify with:
//! every publisher signs with `fake-publisher-key_0`, `cis` with `fake-publisher-key_1`, and
//! `vectors/well-known-test.json` trusts exactly those; `evil-signing-key` is trusted by nobody.

use cis_crypto::{KeySet, SigningKey};
use cis_profile::Publisher;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The absolute path of `fixtures/<path>`.
pub fn fixture_path(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(path)
}

/// The text of `fixtures/<path>`.
pub fn fixture(path: &str) -> String {
    let full = fixture_path(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// `fixtures/<path>` as JSON.
pub fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

fn key(path: &str, cell: &'static OnceLock<Arc<SigningKey>>) -> Arc<SigningKey> {
    cell.get_or_init(|| Arc::new(SigningKey::from_pem(&fixture(path)).unwrap()))
        .clone()
}

/// A fixture private key by file stem (`fake-publisher-key_0`, `fake-publisher-key_1`, `evil-signing-key`),
/// parsed anew (for APIs that take a key by value).
pub fn load_key(stem: &str) -> SigningKey {
    SigningKey::from_pem(&fixture(&format!("keys/{stem}.priv.pem"))).unwrap()
}

/// The key every publisher but `cis` signs with (parsed once per test process).
pub fn publisher_key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    key("keys/fake-publisher-key_0.priv.pem", &KEY)
}

/// The `cis` key.
pub fn cis_key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    key("keys/fake-publisher-key_1.priv.pem", &KEY)
}

/// A key no well-known document trusts.
pub fn evil_key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    key("keys/evil-signing-key.priv.pem", &KEY)
}

/// The fixture key of `publisher`: key_1 for `cis`, key_0 for everyone else.
pub fn key_for(publisher: Publisher) -> Arc<SigningKey> {
    if publisher == Publisher::Cis {
        cis_key()
    } else {
        publisher_key()
    }
}

/// `vectors/well-known-test.json`'s key set: key_1 for `cis`, key_0 for the four other publishers.
pub fn trusted_keys() -> KeySet {
    KeySet::from_well_known(&fixture_json("vectors/well-known-test.json")).unwrap()
}
