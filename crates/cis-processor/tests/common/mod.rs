//! What the processor suites share: a pipeline over any vault with the fixture keys (`cis-testkit`), and a
//! memory vault behind the test kit's fault-injecting decorator.
#![allow(dead_code, unused_imports)]

use cis_change::{Pipeline, PipelineDeps, StaticKeys};
use cis_identity_vault::{MemoryVault, Vault};
use cis_profile::rules::PublisherRules;
use cis_testkit::FaultyVault;
use std::sync::Arc;

pub use cis_testkit::profiles::*;
pub use cis_testkit::{SALT, cis_key, evil_key, publisher_key, trusted_keys};

pub fn pipeline_on(vault: Arc<dyn Vault>) -> Arc<Pipeline> {
    let keys = Arc::new(StaticKeys::new(trusted_keys()));
    let rules = Arc::new(PublisherRules::embedded().clone());
    Arc::new(Pipeline::new(
        PipelineDeps::new(vault, keys, cis_key(), rules).with_salt(SALT),
    ))
}

pub fn memory_pipeline() -> (Arc<MemoryVault>, Arc<Pipeline>) {
    let vault = Arc::new(MemoryVault::new());
    let pipeline = pipeline_on(vault.clone());
    (vault, pipeline)
}

/// A memory vault and the same vault behind the fault-injecting decorator.
pub fn faulty() -> (Arc<MemoryVault>, Arc<FaultyVault>) {
    let memory = Arc::new(MemoryVault::new());
    (memory.clone(), Arc::new(FaultyVault::new(memory)))
}
