//! [`VerificationKeys`]: the publishers' trusted keys for the Change API and the processor (docs/contract/signatures.md §5,
//! docs/contract/well-known.md §4), chosen by `well_known_mode`:
//!
//! - `file`: the one key file `<secret_manager_file_path>/<public_key_name>` (cis-crypto's `FileKeySource`),
//!   loaded once and reloaded only by [`VerificationKeys::refresh_if_stale`];
//! - `https`: the well-known document at `discovery_url` (`https://`, `file://`, `http://` in local), fetched
//!   with a timeout, used for `well_known_cache_seconds`; on a failed refresh the last good copy is used (and
//!   each failure logged) for up to [`MAX_STALE`]; a refetch when a signature fails against every key and the
//!   copy is older than [`MIN_REFRESH_AGE`].
//!
//! No packaged fallback: with no key set, [`VerificationKeys::key_set`] returns [`KeysUnavailable`] (503
//! `backend_unavailable`) and the service keeps running. Parsing keys is cis-crypto's job; verifying is the
//! caller's. Keys are never logged.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use cis_crypto::{FileKeySource, KeySet, KeySource};

use crate::config::{Config, WellKnownMode};
use crate::error::ApiError;
use crate::fetch::{DocumentSource, FetchError, source_for_url};

/// How long the last good well-known copy is used while refreshes fail.
pub const MAX_STALE: Duration = Duration::from_secs(24 * 3600);
/// A copy younger than this is not refetched after a failed verification.
pub const MIN_REFRESH_AGE: Duration = Duration::from_secs(60);
/// After a failed load, the next attempt waits this long.
pub const LOAD_FAILURE_BACKOFF: Duration = Duration::from_secs(5);

/// No key set can be had: requests needing verification answer 503.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("verification keys are unavailable: {reason}")]
pub struct KeysUnavailable {
    pub reason: String,
}

impl From<KeysUnavailable> for ApiError {
    fn from(_: KeysUnavailable) -> ApiError {
        ApiError::backend_unavailable("the publishers' verification keys")
    }
}

enum Loader {
    Fixed(Arc<KeySet>),
    File(FileKeySource),
    WellKnown(Arc<dyn DocumentSource>),
}

impl Loader {
    async fn load(&self) -> Result<KeySet, String> {
        match self {
            Loader::Fixed(set) => Ok(KeySet::clone(set)),
            Loader::File(source) => {
                let source = source.clone();
                tokio::task::spawn_blocking(move || source.load())
                    .await
                    .map_err(|e| format!("key file loader stopped: {e}"))?
                    .map_err(|e| e.to_string())
            }
            Loader::WellKnown(source) => {
                let document = source.fetch().await.map_err(|e| e.to_string())?;
                KeySet::from_well_known(&document)
                    .map_err(|e| format!("{}: {e}", source.location()))
            }
        }
    }

    fn location(&self) -> String {
        match self {
            Loader::Fixed(_) => "memory".into(),
            Loader::File(source) => source.path.display().to_string(),
            Loader::WellKnown(source) => source.location(),
        }
    }
}

struct Copy {
    keys: Arc<KeySet>,
    loaded_at: Instant,
}

#[derive(Default)]
struct LoadState {
    last_failure: Option<(Instant, String)>,
}

/// The trusted publisher keys, loaded and refreshed by the rules above.
pub struct VerificationKeys {
    loader: Loader,
    /// `None`: a loaded copy never expires by age (file mode, fixed sets).
    ttl: Option<Duration>,
    max_stale: Duration,
    min_refresh_age: Duration,
    failure_backoff: Duration,
    copy: RwLock<Option<Arc<Copy>>>,
    loading: tokio::sync::Mutex<LoadState>,
}

impl std::fmt::Debug for VerificationKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKeys")
            .field("source", &self.loader.location())
            .finish()
    }
}

impl VerificationKeys {
    fn with_loader(loader: Loader, ttl: Option<Duration>) -> VerificationKeys {
        VerificationKeys {
            loader,
            ttl,
            max_stale: MAX_STALE,
            min_refresh_age: MIN_REFRESH_AGE,
            failure_backoff: LOAD_FAILURE_BACKOFF,
            copy: RwLock::new(None),
            loading: tokio::sync::Mutex::new(LoadState::default()),
        }
    }

    /// The provider `well_known_mode` selects. Fails only when no HTTP client can be built.
    pub fn from_config(config: &Config) -> Result<VerificationKeys, FetchError> {
        let cis = &config.cis;
        Ok(match cis.well_known_mode {
            WellKnownMode::File => VerificationKeys::file(cis.public_key_path()),
            WellKnownMode::Https => {
                let timeout = Duration::from_secs(cis.well_known_timeout_seconds);
                let source = source_for_url(&cis.discovery_url, timeout)?;
                VerificationKeys::well_known(
                    source,
                    Duration::from_secs(cis.well_known_cache_seconds),
                )
            }
        })
    }

    /// A set held in memory (tests, `cis serve` development keys).
    pub fn fixed(keys: KeySet) -> VerificationKeys {
        VerificationKeys::with_loader(Loader::Fixed(Arc::new(keys)), None)
    }

    /// File mode: one public-key file trusted for every publisher.
    pub fn file(path: impl Into<PathBuf>) -> VerificationKeys {
        VerificationKeys::with_loader(Loader::File(FileKeySource::new(path)), None)
    }

    /// Well-known mode: the document from `source`, cached for `ttl`.
    pub fn well_known(source: Arc<dyn DocumentSource>, ttl: Duration) -> VerificationKeys {
        VerificationKeys::with_loader(Loader::WellKnown(source), Some(ttl))
    }

    /// Changes how long a last good copy outlives failed refreshes (tests).
    pub fn with_max_stale(mut self, max_stale: Duration) -> VerificationKeys {
        self.max_stale = max_stale;
        self
    }

    /// Changes the age below which [`VerificationKeys::refresh_if_stale`] does nothing (tests).
    pub fn with_min_refresh_age(mut self, age: Duration) -> VerificationKeys {
        self.min_refresh_age = age;
        self
    }

    /// Changes the wait after a failed load (tests).
    pub fn with_failure_backoff(mut self, backoff: Duration) -> VerificationKeys {
        self.failure_backoff = backoff;
        self
    }

    /// Where the keys come from (for the start-up log).
    pub fn location(&self) -> String {
        self.loader.location()
    }

    fn current(&self) -> Option<Arc<Copy>> {
        self.copy
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn is_fresh(&self, copy: &Copy) -> bool {
        self.ttl.is_none_or(|ttl| copy.loaded_at.elapsed() < ttl)
    }

    /// The key set to verify with.
    pub async fn key_set(&self) -> Result<Arc<KeySet>, KeysUnavailable> {
        if let Some(copy) = self.current().filter(|c| self.is_fresh(c)) {
            return Ok(Arc::clone(&copy.keys));
        }
        let mut state = self.loading.lock().await;
        if let Some(copy) = self.current().filter(|c| self.is_fresh(c)) {
            return Ok(Arc::clone(&copy.keys));
        }
        if !self.backing_off(&state) {
            self.load(&mut state).await;
        }
        match self.current() {
            Some(copy) if copy.loaded_at.elapsed() < self.max_stale => {
                if !self.is_fresh(&copy) {
                    tracing::warn!(source = %self.location(), age_seconds = copy.loaded_at.elapsed().as_secs(), "using the last good verification key set");
                }
                Ok(Arc::clone(&copy.keys))
            }
            Some(_) => Err(KeysUnavailable {
                reason: "the last good key set is older than 24 hours".into(),
            }),
            None => Err(KeysUnavailable {
                reason: state
                    .last_failure
                    .as_ref()
                    .map_or_else(|| "not loaded".into(), |(_, r)| r.clone()),
            }),
        }
    }

    /// After a signature failed against every key of its publisher: reloads when the copy is older than
    /// [`MIN_REFRESH_AGE`]. True when a newer key set than the caller's is now available (then verify once
    /// more with [`VerificationKeys::key_set`]).
    pub async fn refresh_if_stale(&self) -> bool {
        let before = self.current().map(|c| c.loaded_at);
        let mut state = self.loading.lock().await;
        let current = self.current();
        if current.as_ref().map(|c| c.loaded_at) != before {
            return true; // another request reloaded while this one waited
        }
        if current.is_some_and(|c| c.loaded_at.elapsed() < self.min_refresh_age)
            || self.backing_off(&state)
        {
            return false;
        }
        self.load(&mut state).await
    }

    fn backing_off(&self, state: &LoadState) -> bool {
        state
            .last_failure
            .as_ref()
            .is_some_and(|(at, _)| at.elapsed() < self.failure_backoff)
    }

    /// One load attempt; true on success.
    async fn load(&self, state: &mut LoadState) -> bool {
        match self.loader.load().await {
            Ok(keys) => {
                state.last_failure = None;
                let copy = Copy {
                    keys: Arc::new(keys),
                    loaded_at: Instant::now(),
                };
                *self.copy.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(copy));
                tracing::info!(source = %self.location(), "verification keys loaded");
                true
            }
            Err(reason) => {
                tracing::warn!(source = %self.location(), %reason, "loading verification keys failed");
                state.last_failure = Some((Instant::now(), reason));
                false
            }
        }
    }
}
