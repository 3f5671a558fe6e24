//! Step 5: every non-null attribute of the incoming profile must carry a valid signature of the publisher it
//! claims (signatures.md §4 step 8), with one key refresh when a key is missing (key rotation, §5).
//!
//! Owns the port the pipeline reads trusted keys through ([`KeyProvider`]), its fixed adapter ([`StaticKeys`])
//! and its implementation for `cis_common::VerificationKeys`; fetching and caching the well-known document
//! belong to `cis-common`. Stored attributes are never verified here: CIS wrote them.

use super::Pipeline;
use super::error::PipelineError;
use cis_crypto::{KeySet, verify_profile};
use cis_profile::Profile;
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

/// The services' real provider (`cis-common`: file or well-known document, cached, refreshed): one refetch
/// after a key miss, when its copy is old enough (signatures.md §5).
#[async_trait::async_trait]
impl KeyProvider for cis_common::VerificationKeys {
    async fn key_set(&self) -> Result<Arc<KeySet>, KeysUnavailable> {
        cis_common::VerificationKeys::key_set(self)
            .await
            .map_err(|e| KeysUnavailable(e.reason))
    }
    async fn refresh_after_miss(&self) -> Option<Arc<KeySet>> {
        if self.refresh_if_stale().await {
            cis_common::VerificationKeys::key_set(self).await.ok()
        } else {
            None
        }
    }
}

impl Pipeline {
    /// Step 5 (when `verify_signatures` is on): 403 `invalid_signature` `<path>: <reason>` on the first
    /// failing attribute, 503 when no key set is available.
    pub async fn verify_signatures(&self, incoming: &Profile) -> Result<(), PipelineError> {
        if !self.deps.switches.verify_signatures {
            return Ok(());
        }
        let keys = self
            .deps
            .keys
            .key_set()
            .await
            .map_err(|e| PipelineError::Unavailable(e.to_string()))?;
        let failure = match verify_profile(incoming, &keys) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if failure.error.is_key_miss()
            && let Some(fresh) = self.deps.keys.refresh_after_miss().await
        {
            return verify_profile(incoming, &fresh).map_err(invalid_signature);
        }
        Err(invalid_signature(failure))
    }
}

fn invalid_signature(e: cis_crypto::ProfileVerifyError) -> PipelineError {
    PipelineError::rejected(403, "invalid_signature", e.to_string())
}
