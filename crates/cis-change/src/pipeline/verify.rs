//! Step 5: the attributes a change alters must carry a valid signature of the publisher they claim
//! (docs/contract/signatures.md §4 step 8), with one key refresh when a key is missing (key rotation, §5).
//! Attributes equal to the stored ones are not verified: the stored copy, which CIS wrote, is kept
//! (docs/contract/decisions.md, revised).
//!
//! Owns the port the pipeline reads trusted keys through ([`KeyProvider`]) and its fixed adapter
//! ([`StaticKeys`]). The well-known adapter (fetching, caching, refreshing) is wired in by the services'
//! start-up; this crate never fetches anything.

use super::Pipeline;
use super::error::PipelineError;
use crate::rejection::Rejection;
use cis_crypto::{KeySet, ProfileVerifyError, verify_attributes};
use cis_profile::{AttrPath, Profile};
use std::sync::Arc;

/// No key set could be obtained (503 `backend_unavailable`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("publisher keys unavailable: {0}")]
pub struct KeysUnavailable(pub String);

/// Where the pipeline gets the trusted publisher keys.
#[async_trait::async_trait]
pub trait KeyProvider: Send + Sync {
    /// The key set in force.
    async fn key_set(&self) -> Result<Arc<KeySet>, KeysUnavailable>;
    /// Called after a signature failed for want of a key: a fresher set when one could be had (the provider
    /// rate-limits refetches), `None` when there is nothing newer.
    async fn refresh_after_miss(&self) -> Option<Arc<KeySet>>;
}

/// A key set that never changes (file mode, tests, `cis serve` development keys).
#[derive(Debug, Clone)]
pub struct StaticKeys(pub Arc<KeySet>);

impl StaticKeys {
    pub fn new(keys: KeySet) -> StaticKeys {
        StaticKeys(Arc::new(keys))
    }
}

#[async_trait::async_trait]
impl KeyProvider for StaticKeys {
    async fn key_set(&self) -> Result<Arc<KeySet>, KeysUnavailable> {
        Ok(self.0.clone())
    }
    async fn refresh_after_miss(&self) -> Option<Arc<KeySet>> {
        None
    }
}

impl Pipeline {
    /// Step 5 (when `verify_signatures` is on) for the attributes at `paths`: 403 `invalid_signature`
    /// `<path>: <reason>` on the first failing one, 503 when no key set is available.
    pub(super) async fn verify(
        &self,
        incoming: &Profile,
        paths: &[AttrPath],
    ) -> Result<(), PipelineError> {
        if !self.deps.switches.verify_signatures || paths.is_empty() {
            return Ok(());
        }
        let keys = self
            .deps
            .keys
            .key_set()
            .await
            .map_err(|e| PipelineError::Unavailable(e.to_string()))?;
        let failure = match verify_attributes(incoming, paths, &keys) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if failure.error.is_key_miss()
            && let Some(fresh) = self.deps.keys.refresh_after_miss().await
        {
            return verify_attributes(incoming, paths, &fresh).map_err(invalid_signature);
        }
        Err(invalid_signature(failure))
    }
}

fn invalid_signature(e: ProfileVerifyError) -> PipelineError {
    Rejection::InvalidSignature(e.to_string()).into()
}
