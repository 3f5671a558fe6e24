//! Trusted verification keys: the [`KeySet`] (publisher name → RSA public keys, in order) and the
//! [`KeySource`] port with its file and in-memory adapters (docs/contract/signatures.md §5).
//!
//! Owns reading `api.publishers_jwks` from a well-known document, the file mode's "one key file trusted for
//! every publisher" (PEM, one JWK or a JWKS), and skipping unusable JWKs with a warning. It does not fetch
//! anything over the network or cache documents: fetching and refreshing belong to `cis-common`, which hands
//! the parsed document to [`KeySet::from_well_known`]. Adapters read files synchronously.

use crate::keys::{KeyError, PublicKey};
use cis_profile::Publisher;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The trusted public keys of each publisher. Keys are tried in order; the JWK `kid` plays no part.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    by_publisher: HashMap<String, Vec<PublicKey>>,
    for_all: Vec<PublicKey>,
}

impl KeySet {
    /// An empty set: every publisher is unknown.
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// File mode: the same keys trusted for every publisher (the five publisher names).
    pub fn trust_for_all(keys: Vec<PublicKey>) -> KeySet {
        KeySet {
            by_publisher: HashMap::new(),
            for_all: keys,
        }
    }

    /// Appends a trusted key of `publisher` (after the ones it already has: rotation lists old and new).
    pub fn insert(&mut self, publisher: &str, key: PublicKey) {
        self.by_publisher
            .entry(publisher.to_string())
            .or_default()
            .push(key);
    }

    /// The keys of one publisher, in order; empty when it has none.
    pub fn keys_for(&self, publisher: &str) -> &[PublicKey] {
        match self.by_publisher.get(publisher) {
            Some(keys) => keys,
            None if Publisher::parse(publisher).is_some() => &self.for_all,
            None => &[],
        }
    }

    /// True when no publisher has a key.
    pub fn is_empty(&self) -> bool {
        self.for_all.is_empty() && self.by_publisher.values().all(Vec::is_empty)
    }

    /// The keys of one publisher from a JWKS (`{"keys": [...]}`), a `{"keys": {...}}` object or a single JWK.
    /// Unusable JWKs are skipped with a warning; the result may be empty.
    pub fn from_jwks(publisher: &str, jwks: &Value) -> Result<KeySet, KeyError> {
        let mut set = KeySet::new();
        let list =
            jwk_list(jwks).ok_or_else(|| KeyError::Jwk("neither a JWKS nor a JWK".into()))?;
        set.add_usable(publisher, &list);
        Ok(set)
    }

    /// Reads `api.publishers_jwks.<publisher>.keys[]` of a well-known document (docs/contract/well-known.md §1). A document
    /// without that object is an error; unusable JWKs are skipped with a warning naming publisher and index.
    pub fn from_well_known(doc: &Value) -> Result<KeySet, KeyError> {
        let publishers = doc
            .pointer("/api/publishers_jwks")
            .and_then(Value::as_object)
            .ok_or_else(|| KeyError::WellKnown("no api.publishers_jwks object".into()))?;
        let mut set = KeySet::new();
        for (publisher, jwks) in publishers {
            match jwk_list(jwks) {
                Some(list) => set.add_usable(publisher, &list),
                None => {
                    tracing::warn!(publisher = %publisher, "publishers_jwks entry has no keys; skipped")
                }
            }
        }
        Ok(set)
    }

    fn add_usable(&mut self, publisher: &str, list: &[&Value]) {
        for (index, jwk) in list.iter().enumerate() {
            match PublicKey::from_jwk(jwk) {
                Ok(key) => self.insert(publisher, key),
                Err(error) => {
                    tracing::warn!(publisher = %publisher, index, %error, "unusable JWK skipped")
                }
            }
        }
    }
}

/// The JWK objects of a JWKS, of `{"keys": {one JWK}}`, or of a bare JWK.
fn jwk_list(value: &Value) -> Option<Vec<&Value>> {
    match value.get("keys") {
        Some(Value::Array(items)) => Some(items.iter().collect()),
        Some(one @ Value::Object(_)) => Some(vec![one]),
        Some(_) => None,
        None if value.get("kty").is_some() => Some(vec![value]),
        None => None,
    }
}

/// Public keys from the text of a key file: a PEM public key, one JWK, or a JWKS (every usable key in it).
pub fn public_keys_from_text(text: &str) -> Result<Vec<PublicKey>, KeyError> {
    if !text.trim_start().starts_with('{') {
        return Ok(vec![PublicKey::from_pem(text)?]);
    }
    let value = cis_profile::json::parse_strict(text.as_bytes())
        .map_err(|e| KeyError::Jwk(format!("not valid JSON ({e})")))?;
    if value.get("keys").is_none() {
        return Ok(vec![PublicKey::from_jwk(&value)?]);
    }
    let set = KeySet::from_jwks("file", &value)?;
    let keys = set.by_publisher.get("file").cloned().unwrap_or_default();
    if keys.is_empty() {
        Err(KeyError::NoUsableKey)
    } else {
        Ok(keys)
    }
}

pub(crate) fn read_text(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn in_file(path: &Path) -> impl FnOnce(KeyError) -> KeyError + '_ {
    move |e| match e {
        e @ KeyError::Io { .. } => e,
        e => KeyError::InFile {
            path: path.to_path_buf(),
            source: Box::new(e),
        },
    }
}

/// The port: where the verifier's trusted keys come from. Loaded once per cold start (and on refresh).
pub trait KeySource: Send + Sync {
    fn load(&self) -> Result<KeySet, KeyError>;
}

/// File mode: one public-key file (PEM, JWK or JWKS) trusted for every publisher.
#[derive(Debug, Clone)]
pub struct FileKeySource {
    pub path: PathBuf,
}

impl FileKeySource {
    pub fn new(path: impl Into<PathBuf>) -> FileKeySource {
        FileKeySource { path: path.into() }
    }
}

impl KeySource for FileKeySource {
    fn load(&self) -> Result<KeySet, KeyError> {
        let text = read_text(&self.path)?;
        public_keys_from_text(&text)
            .map(KeySet::trust_for_all)
            .map_err(in_file(&self.path))
    }
}

/// A well-known document on disk (`file://` discovery URLs, tests): per-publisher keys.
#[derive(Debug, Clone)]
pub struct WellKnownFileSource {
    pub path: PathBuf,
}

impl WellKnownFileSource {
    pub fn new(path: impl Into<PathBuf>) -> WellKnownFileSource {
        WellKnownFileSource { path: path.into() }
    }
}

impl KeySource for WellKnownFileSource {
    fn load(&self) -> Result<KeySet, KeyError> {
        let text = read_text(&self.path)?;
        let doc = cis_profile::json::parse_strict(text.as_bytes())
            .map_err(|e| KeyError::WellKnown(format!("not valid JSON ({e})")))
            .map_err(in_file(&self.path))?;
        KeySet::from_well_known(&doc).map_err(in_file(&self.path))
    }
}

/// A key set held in memory (tests, `cis serve` development keys).
#[derive(Debug, Clone, Default)]
pub struct MemoryKeySource(pub KeySet);

impl KeySource for MemoryKeySource {
    fn load(&self) -> Result<KeySet, KeyError> {
        Ok(self.0.clone())
    }
}
