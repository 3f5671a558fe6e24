//! The change pipeline shared by the Change API and the stream processor (docs/contract/change-api.md §4
//! steps 3–14, §7; docs/contract/processor-and-vault.md §3, §5.3), split in two:
//!
//! - **check** ([`Pipeline::check_upsert`], [`Pipeline::check_delete`]): everything that decides whether a
//!   change is acceptable — signatures, the stored profile, merge, new-user rules, publisher rules, size. It
//!   signs nothing and writes nothing; the Change API runs it in stream mode before it appends a change.
//! - **apply** ([`Pipeline::apply_upsert`], [`Pipeline::apply_delete`]): check against a fresh read, then
//!   what only a write needs — CIS's own attributes signed as `cis`, the conditional write with its status
//!   record, re-read and retry on conflicts.
//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | [`Pipeline`], its dependencies and switches, [`Checked`], [`Outcome`] |
//! | `change.rs` | [`Change`]: a schema-checked profile, its resolved [`UserId`] (steps 3–4) and its [`Caller`] |
//! | `binding.rs` | [`ClientPublishers`]: which client may publish as which publisher; nobody as `cis` |
//! | `check.rs` | steps 5–13 without signing: [`Pipeline::check_upsert`] |
//! | `apply.rs` | step 14: [`Pipeline::apply_upsert`], the conditional write loop |
//! | `delete.rs` | the delete checks and the conditional delete loop |
//! | `pending.rs` | changes queued behind pending ones: the marks and [`Pipeline::check_queued`] |
//! | `verify.rs` | step 5: incoming signatures, one key refresh on a key miss; the [`KeyProvider`] port |
//! | `cis_attrs.rs` | the attributes CIS derives and signs as `cis`; the [`CisSigner`] port |
//! | `status.rs` | status records, and writing `noop` / `failed` ones |
//! | `size.rs` | the vault item size (413 `profile_too_large`) |
//! | `error.rs` | [`PipelineError`]: a [`Rejection`](crate::Rejection), or a backend problem |
//!
//! The pipeline never parses request bodies or envelopes, never speaks HTTP, and never logs profile contents.

mod apply;
mod binding;
mod change;
mod check;
mod cis_attrs;
mod delete;
mod error;
mod pending;
mod size;
mod status;
mod verify;

pub use binding::{Caller, ClientPublishers};
pub use change::Change;
pub use cis_attrs::CisSigner;
pub use error::PipelineError;
pub use pending::PENDING_TTL_SECONDS;
pub use size::{MAX_ITEM_BYTES, item_size};
pub use status::{StatusInput, claimed_publishers};
pub use verify::{KeyProvider, KeysUnavailable, StaticKeys};

use cis_identity_vault::{Condition, Expected, StatusRecord, Vault};
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile};
use std::sync::Arc;

/// The checks that may be switched off, only in `environment = local` (docs/configuration.md §1.1). The
/// Change API runs with its `verify_*`/`validate_schema` settings, the processor with its
/// `processor_verify_*` ones.
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
    /// Trusted publisher keys (docs/contract/signatures.md §5).
    pub keys: Arc<dyn KeyProvider>,
    /// Signs uuid, primary_username, last_modified and active as `cis`; only `apply` uses it.
    pub cis_signer: Arc<dyn CisSigner>,
    pub rules: Arc<PublisherRules>,
    /// `None`: creating profiles is refused (503) rather than deriving unreproducible identifiers.
    pub uuid_salt: Option<String>,
    pub switches: Switches,
    /// Attempts after a version conflict before `write_conflict` (`vault_write_retries`, default 5).
    pub write_retries: u32,
    /// Lifetime of status records in days; 0 = forever (`status_retention_days`, default 90).
    pub status_retention_days: u32,
    /// Which client may publish as which publisher (`client_publishers`).
    pub client_publishers: ClientPublishers,
}

impl PipelineDeps {
    /// Dependencies with the configuration's defaults: every check on, 5 write retries, status records
    /// kept 90 days, and no uuid salt (set one with [`PipelineDeps::with_salt`] to allow creates).
    pub fn new(
        vault: Arc<dyn Vault>,
        keys: Arc<dyn KeyProvider>,
        cis_signer: Arc<dyn CisSigner>,
        rules: Arc<PublisherRules>,
    ) -> PipelineDeps {
        PipelineDeps {
            vault,
            keys,
            cis_signer,
            rules,
            uuid_salt: None,
            switches: Switches::default(),
            write_retries: 5,
            status_retention_days: 90,
            client_publishers: ClientPublishers::Unrestricted,
        }
    }

    pub fn with_client_publishers(mut self, binding: ClientPublishers) -> PipelineDeps {
        self.client_publishers = binding;
        self
    }

    pub fn with_salt(mut self, salt: &str) -> PipelineDeps {
        self.uuid_salt = Some(salt.to_string());
        self
    }

    pub fn with_switches(mut self, switches: Switches) -> PipelineDeps {
        self.switches = switches;
        self
    }
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

/// What the checks decided for one upsert against the profile stored when they ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// `create` when nothing was stored, else `update`.
    pub condition: Condition,
    /// An existing user and nothing changed: nothing to write (step 9).
    pub noop: bool,
    /// The merged profile, before CIS sets its own attributes (for a no-op: the stored profile).
    pub merged: Profile,
    /// Attributes the publishers change, in canonical order.
    pub changed: Vec<AttrPath>,
    /// Those of `changed` the stored profile did not set (a dry run reports them as created).
    pub created: Vec<AttrPath>,
    /// Distinct publishers of those changes (docs/contract/processor-and-vault.md §5.1).
    pub change_publishers: Vec<String>,
    /// The condition a write must carry.
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
    AlreadyApplied(Box<StatusRecord>),
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
