//! Signing keys by publisher name: the [`SigningKeySource`] port, a directory adapter and an in-memory one
//! (docs/contract/signatures.md §7).
//!
//! Owns choosing and caching a private key **per publisher name** (the original cached the first key it loaded
//! and signed everything with it). It does not talk to AWS: the SSM adapter lives in `cis-aws` and implements
//! the same trait. Key material is never logged; errors name files and publishers only.

use crate::keys::{KeyError, SigningKey};
use crate::keyset::{in_file, read_text};
use cis_profile::Publisher;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The port: the private key a publisher signs with.
pub trait SigningKeySource: Send + Sync {
    fn signing_key(&self, publisher: Publisher) -> Result<Arc<SigningKey>, KeyError>;
}

/// Keys in a directory: `<dir>/<publisher>`, else `<dir>/<publisher>.pem`, else `<dir>/<publisher>.priv.pem`
/// (what `cis crypto keygen --out <dir>/<publisher>` writes). Each file is a private JWK or PEM (PKCS#1 or
/// PKCS#8). A key is read once and cached under its publisher name.
#[derive(Debug)]
pub struct DirSigningKeySource {
    dir: PathBuf,
    cache: Mutex<HashMap<Publisher, Arc<SigningKey>>>,
}

impl DirSigningKeySource {
    pub fn new(dir: impl Into<PathBuf>) -> DirSigningKeySource {
        DirSigningKeySource {
            dir: dir.into(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn find(&self, publisher: Publisher) -> Option<PathBuf> {
        let name = publisher.as_str();
        [
            name.to_string(),
            format!("{name}.pem"),
            format!("{name}.priv.pem"),
        ]
        .into_iter()
        .map(|file| self.dir.join(file))
        .find(|path| path.is_file())
    }
}

impl SigningKeySource for DirSigningKeySource {
    fn signing_key(&self, publisher: Publisher) -> Result<Arc<SigningKey>, KeyError> {
        if let Some(key) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&publisher)
        {
            return Ok(Arc::clone(key));
        }
        let path = self.find(publisher).ok_or_else(|| KeyError::NoSigningKey {
            publisher: publisher.to_string(),
            location: self.dir.display().to_string(),
        })?;
        let key = Arc::new(SigningKey::parse(&read_text(&path)?).map_err(in_file(&path))?);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(Arc::clone(cache.entry(publisher).or_insert(key)))
    }
}

/// Keys held in memory, by publisher (tests, development keys generated at start-up).
#[derive(Debug, Clone, Default)]
pub struct MemorySigningKeySource {
    keys: HashMap<Publisher, Arc<SigningKey>>,
}

impl MemorySigningKeySource {
    pub fn new() -> MemorySigningKeySource {
        MemorySigningKeySource::default()
    }

    /// Sets the key of `publisher`.
    pub fn insert(&mut self, publisher: Publisher, key: Arc<SigningKey>) {
        self.keys.insert(publisher, key);
    }

    /// Builder form of [`insert`](Self::insert).
    pub fn with(mut self, publisher: Publisher, key: Arc<SigningKey>) -> MemorySigningKeySource {
        self.insert(publisher, key);
        self
    }
}

impl SigningKeySource for MemorySigningKeySource {
    fn signing_key(&self, publisher: Publisher) -> Result<Arc<SigningKey>, KeyError> {
        self.keys
            .get(&publisher)
            .cloned()
            .ok_or_else(|| KeyError::NoSigningKey {
                publisher: publisher.to_string(),
                location: "memory".into(),
            })
    }
}
