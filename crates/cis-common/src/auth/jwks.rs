//! [`JwksCache`]: the token issuer's signing keys by `kid`, fetched through a [`DocumentSource`] and cached
//! (docs/contract/change-api.md §3 step 3).
//!
//! Rules: a copy is used for `ttl`; an unknown `kid` triggers one refetch, at most one per
//! [`MIN_REFETCH_INTERVAL`]; concurrent requests share a fetch (one async mutex serialises fetching, and a
//! waiter re-reads the copy before deciding); a failed fetch keeps the last copy and is not retried for
//! [`FAILURE_BACKOFF`]; no copy at all → [`AuthError::Unavailable`]. Only RSA keys with `use` absent or
//! `sig` and a string `kid` are kept. Keys are never logged.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use cis_crypto::PublicKey;
use serde_json::Value;

use super::AuthError;
use crate::fetch::{DocumentSource, FetchError};

/// At most one refetch for an unknown `kid` per this interval.
pub const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// After a failed fetch, the next attempt waits this long (the last copy, if any, is used meanwhile).
pub const FAILURE_BACKOFF: Duration = Duration::from_secs(5);
/// Timeout of a JWKS fetch.
pub const DEFAULT_JWKS_TIMEOUT: Duration = Duration::from_secs(5);

struct Snapshot {
    keys: HashMap<String, PublicKey>,
    fetched_at: Instant,
}

#[derive(Default)]
struct FetchState {
    /// The last refetch made for an unknown `kid` (the rate-limited kind).
    last_kid_refetch: Option<Instant>,
    last_failure: Option<Instant>,
}

/// The issuer's keys, cached.
pub struct JwksCache {
    source: Arc<dyn DocumentSource>,
    ttl: Duration,
    min_refetch: Duration,
    failure_backoff: Duration,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    fetching: tokio::sync::Mutex<FetchState>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("source", &self.source.location())
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl JwksCache {
    pub fn new(source: Arc<dyn DocumentSource>, ttl: Duration) -> JwksCache {
        JwksCache {
            source,
            ttl,
            min_refetch: MIN_REFETCH_INTERVAL,
            failure_backoff: FAILURE_BACKOFF,
            snapshot: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(FetchState::default()),
        }
    }

    /// Changes the unknown-`kid` refetch limit (tests).
    pub fn with_min_refetch_interval(mut self, interval: Duration) -> JwksCache {
        self.min_refetch = interval;
        self
    }

    /// Changes the wait after a failed fetch (tests).
    pub fn with_failure_backoff(mut self, backoff: Duration) -> JwksCache {
        self.failure_backoff = backoff;
        self
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn is_fresh(&self, snapshot: &Snapshot) -> bool {
        snapshot.fetched_at.elapsed() < self.ttl
    }

    /// The key with `kid`: from a fresh copy, else after at most one fetch.
    pub async fn key(&self, kid: &str) -> Result<PublicKey, AuthError> {
        if let Some(snapshot) = self.current().filter(|s| self.is_fresh(s))
            && let Some(key) = snapshot.keys.get(kid)
        {
            return Ok(key.clone());
        }
        let mut state = self.fetching.lock().await;
        // Another request may have fetched while this one waited.
        let current = self.current();
        if let Some(snapshot) = current.as_ref().filter(|s| self.is_fresh(s))
            && let Some(key) = snapshot.keys.get(kid)
        {
            return Ok(key.clone());
        }
        let backing_off = state
            .last_failure
            .is_some_and(|t| t.elapsed() < self.failure_backoff);
        let should_fetch = !backing_off
            && match &current {
                None => true,
                Some(snapshot) if !self.is_fresh(snapshot) => true,
                // A fresh copy without this kid: the rate-limited refetch.
                Some(_) => {
                    let allowed = state
                        .last_kid_refetch
                        .is_none_or(|t| t.elapsed() >= self.min_refetch);
                    if allowed {
                        state.last_kid_refetch = Some(Instant::now());
                    }
                    allowed
                }
            };
        if should_fetch {
            match self.fetch().await {
                Ok(snapshot) => {
                    state.last_failure = None;
                    *self
                        .snapshot
                        .write()
                        .unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(snapshot));
                }
                Err(error) => {
                    state.last_failure = Some(Instant::now());
                    tracing::warn!(source = %self.source.location(), %error, "JWKS fetch failed");
                }
            }
        }
        drop(state);
        let snapshot = self.current().ok_or(AuthError::Unavailable)?;
        snapshot
            .keys
            .get(kid)
            .cloned()
            .ok_or(AuthError::KeyNotFound)
    }

    async fn fetch(&self) -> Result<Snapshot, FetchError> {
        let document = self.source.fetch().await?;
        let keys = parse_jwks(&document)?;
        tracing::debug!(source = %self.source.location(), keys = keys.len(), "JWKS fetched");
        Ok(Snapshot {
            keys,
            fetched_at: Instant::now(),
        })
    }
}

/// The usable signing keys of a JWKS document by `kid`.
fn parse_jwks(document: &Value) -> Result<HashMap<String, PublicKey>, FetchError> {
    let list = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| FetchError("the JWKS has no keys array".into()))?;
    let mut keys = HashMap::new();
    for (index, jwk) in list.iter().enumerate() {
        let Some(kid) = jwk.get("kid").and_then(Value::as_str) else {
            continue;
        };
        let usable_use = matches!(jwk.get("use"), None | Some(Value::Null))
            || jwk.get("use").and_then(Value::as_str) == Some("sig");
        if jwk.get("kty").and_then(Value::as_str) != Some("RSA") || !usable_use {
            continue;
        }
        match PublicKey::from_jwk(jwk) {
            Ok(key) => {
                keys.insert(kid.to_owned(), key);
            }
            Err(error) => tracing::warn!(index, kid, %error, "unusable JWKS key skipped"),
        }
    }
    Ok(keys)
}
