//! What the pipeline suites share: a pipeline over any vault with the fixture keys (`cis-testkit`), a
//! [`Change`] for a profile and a user, and the rejection code of an error.
#![allow(dead_code, unused_imports)]

use cis_change::{Caller, Change, Pipeline, PipelineDeps, PipelineError, StaticKeys};
use cis_crypto::KeySet;
use cis_identity_vault::{MemoryVault, Vault};
use cis_profile::rules::PublisherRules;
use cis_profile::{Profile, UserId};
use std::sync::Arc;

pub use cis_testkit::profiles::*;
pub use cis_testkit::{SALT, cis_key, evil_key, publisher_key, trusted_keys};

/// The pipeline's dependencies on `vault`, trusting `keys`, with the fixture `cis` key and the salt.
pub fn deps(vault: Arc<dyn Vault>, keys: KeySet) -> PipelineDeps {
    let rules = Arc::new(PublisherRules::embedded().clone());
    PipelineDeps::new(vault, Arc::new(StaticKeys::new(keys)), cis_key(), rules).with_salt(SALT)
}

pub fn pipeline_on(vault: Arc<dyn Vault>) -> Arc<Pipeline> {
    Arc::new(Pipeline::new(deps(vault, trusted_keys())))
}

pub fn memory_pipeline() -> (Arc<MemoryVault>, Arc<Pipeline>) {
    let vault = Arc::new(MemoryVault::new());
    let pipeline = pipeline_on(vault.clone());
    (vault, pipeline)
}

/// `profile` as a change of `user_id` (what the Change API or the processor parsed).
pub fn ch(profile: &Profile, user_id: &str) -> Change {
    Change {
        user_id: UserId::parse(user_id).unwrap(),
        profile: profile.clone(),
        caller: Caller::Unchecked,
    }
}

/// The code an error answers with: the rejection's, or the backend codes of the Change API.
pub fn code(err: &PipelineError) -> &'static str {
    match err {
        PipelineError::Rejected(r) => r.code(),
        PipelineError::Unavailable(_) => "backend_unavailable",
        PipelineError::Conflict(_) => "write_conflict",
    }
}

/// The rejection's description (empty for a backend failure).
pub fn description(err: &PipelineError) -> String {
    err.rejection().map(ToString::to_string).unwrap_or_default()
}
