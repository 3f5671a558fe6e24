//! The change pipeline core shared by the Change API's direct mode and the stream processor
//! (change-api.md §4 steps 5–14, §7; processor-and-vault.md §3, §5.3).
//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | [`Pipeline`], its dependencies and switches, [`Prepared`], [`Outcome`] |
//! | `upsert.rs` | steps 5–13 ([`Pipeline::prepare_upsert`]) and the conditional write loop ([`Pipeline::apply_upsert`]) |
//! | `delete.rs` | the delete checks and the conditional delete loop |
//! | `verify.rs` | step 5: every non-null incoming signature, with one key refresh on a key miss |
//! | `cis_attrs.rs` | the attributes CIS derives and signs as `cis` |
//! | `status.rs` | status records, and writing `noop` / `failed` ones |
//! | `size.rs` | the vault item size (413 `profile_too_large`) |
//! | `retry.rs` | full-jitter backoff between conflicting writes |
//! | `error.rs` | [`PipelineError`] with the Change API's status, code and description |
//!
//! The pipeline never parses request bodies or envelopes (its callers hand it a validated [`Profile`]), never
//! speaks HTTP, and never logs profile contents.

mod cis_attrs;
mod delete;
mod error;
mod retry;
mod size;
mod status;
mod upsert;
mod verify;

pub use error::PipelineError;
pub use retry::backoff;
pub use size::{MAX_ITEM_BYTES, item_size};
pub use status::StatusInput;
pub use verify::{KeyProvider, KeysUnavailable, StaticKeys};

use cis_crypto::SigningKey;
use cis_identity_vault::{Condition, Expected, StatusRecord, Vault};
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile};
use std::sync::Arc;

/// The checks that may be switched off, only in `environment = local` (configuration.md §1.1). The Change
/// API passes its `verify_*`/`validate_schema` settings, the processor its `processor_verify_*` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    pub verify_signatures: bool,
    pub verify_publishers: bool,
    pub validate_schema: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            verify_signatures: true,
            verify_publishers: true,
            validate_schema: true,
        }
    }
}

/// Everything the pipeline needs, built once per cold start.
pub struct PipelineDeps {
    pub vault: Arc<dyn Vault>,
    /// Trusted publisher keys (signatures.md §5).
    pub keys: Arc<dyn KeyProvider>,
    /// The `cis` private key: signs uuid, primary_username, last_modified and active.
    pub cis_signer: Arc<SigningKey>,
    pub rules: Arc<PublisherRules>,
    /// `None`: creating profiles is refused (503) rather than deriving unreproducible identifiers.
    pub uuid_salt: Option<String>,
    pub switches: Switches,
    /// Attempts after a version conflict before `write_conflict` (`vault_write_retries`, default 5).
    pub write_retries: u32,
    /// Lifetime of status records in days; 0 = forever (`status_retention_days`, default 90).
    pub status_retention_days: u32,
}

/// The change pipeline. Cheap to share: hold it in an `Arc`.
pub struct Pipeline {
    deps: PipelineDeps,
}

impl std::fmt::Debug for Pipeline {
    // The signing key and salt stay out of debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("switches", &self.deps.switches)
            .field("write_retries", &self.deps.write_retries)
            .field("status_retention_days", &self.deps.status_retention_days)
            .finish_non_exhaustive()
    }
}

/// The result of steps 5–13 for one profile: what would be written, and under which condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// `create` when nothing was stored, else `update`.
    pub condition: Condition,
    /// An existing user and nothing changed: nothing to write (step 9).
    pub noop: bool,
    /// The profile to store (for a no-op: the stored profile).
    pub merged: Profile,
    /// Attributes the write changes, in canonical order (CIS's own included, e.g. `last_modified`).
    pub changed: Vec<AttrPath>,
    /// Distinct publishers of the publisher-made changes (processor-and-vault.md §5.1).
    pub change_publishers: Vec<String>,
    /// The condition the write must carry.
    pub expected: Expected,
}

/// How an applied change ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Stored (or deleted), with its `processed` status record in the same transaction.
    Written {
        condition: Condition,
        version: Option<u64>,
    },
    /// Nothing to change; no vault write and no status record yet (see [`Pipeline::record_noop`]).
    Noop { condition: Condition },
    /// The change's status record already existed: it was applied before; this is the stored outcome.
    AlreadyApplied(StatusRecord),
}

impl Pipeline {
    pub fn new(deps: PipelineDeps) -> Pipeline {
        Pipeline { deps }
    }

    pub fn switches(&self) -> Switches {
        self.deps.switches
    }

    pub fn vault(&self) -> &Arc<dyn Vault> {
        &self.deps.vault
    }
}
