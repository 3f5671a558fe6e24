//! [`ChangeServiceState`]: what every Change API handler shares (built once per cold start), and
//! [`ChangeServiceState::from_config`], the wiring that `functions/change-api` and `cis serve` both use.
//!
//! Owns the choice between direct and stream mode (change-api.md §8) and the request limits
//! (configuration.md §3). It builds no adapter itself: callers hand in the vault, the stream, the keys.

use std::sync::Arc;

use cis_common::Config;
use cis_common::auth::TokenValidator;
use cis_crypto::SigningKey;
use cis_identity_vault::Vault;
use cis_processor::{ChangeStream, KeyProvider, Pipeline, PipelineDeps, Switches};
use cis_profile::rules::PublisherRules;

/// The service version `GET /v2/version` reports.
pub const SERVICE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Request limits (configuration.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request bodies over this many bytes are refused with 413 `payload_too_large`.
    pub max_body_bytes: usize,
    /// `/v2/users` requests with more profiles are refused with 413 `batch_too_large`.
    pub max_batch_size: usize,
    /// Profiles of one batch in flight at the same time (at least 1).
    pub write_concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 6_291_456,
            max_batch_size: 500,
            write_concurrency: 16,
        }
    }
}

impl Limits {
    pub fn from_config(config: &Config) -> Limits {
        let c = &config.change_service;
        Limits {
            max_body_bytes: c.max_body_bytes,
            max_batch_size: c.max_batch_size,
            write_concurrency: c.write_concurrency.max(1),
        }
    }
}

/// Everything the handlers need; cheap to clone (all `Arc`s).
#[derive(Clone)]
pub struct ChangeServiceState {
    pub tokens: Arc<TokenValidator>,
    pub pipeline: Arc<Pipeline>,
    /// `Some` = stream mode (the change is appended here), `None` = direct mode (`stream_bypass = true`:
    /// the pipeline writes the vault before the API answers).
    pub stream: Option<Arc<dyn ChangeStream>>,
    /// Read by `/v2/status`.
    pub vault: Arc<dyn Vault>,
    pub limits: Limits,
    /// `DELETE /v2/user` is refused with 403 `delete_disabled` unless this is true.
    pub allow_delete: bool,
    /// What `GET /v2/version` answers.
    pub version: Arc<str>,
}

impl std::fmt::Debug for ChangeServiceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeServiceState")
            .field(
                "mode",
                &if self.stream.is_some() {
                    "stream"
                } else {
                    "direct"
                },
            )
            .field("limits", &self.limits)
            .field("allow_delete", &self.allow_delete)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// The adapters a deployment provides; the rest comes from the configuration.
pub struct Adapters {
    pub tokens: Arc<TokenValidator>,
    pub vault: Arc<dyn Vault>,
    /// The change stream; used only in stream mode (`stream_bypass = false`).
    pub stream: Arc<dyn ChangeStream>,
    /// Trusted publisher keys (signatures.md §5).
    pub keys: Arc<dyn KeyProvider>,
    /// The `cis` signing key.
    pub cis_signer: Arc<SigningKey>,
    pub rules: Arc<PublisherRules>,
    /// `None`: creates answer 503 rather than derive identifiers without a salt.
    pub uuid_salt: Option<String>,
}

impl ChangeServiceState {
    /// Wires the Change API from a validated configuration: the pipeline with the Change API's switches
    /// (`verify_signatures`, `verify_publishers`, `validate_schema`), `vault_write_retries`,
    /// `status_retention_days`, the mode from `stream_bypass`, the limits and `allow_delete`.
    pub fn from_config(config: &Config, adapters: Adapters) -> ChangeServiceState {
        let cis = &config.cis;
        let switches = Switches {
            verify_signatures: cis.verify_signatures,
            verify_publishers: cis.verify_publishers,
            validate_schema: cis.validate_schema,
        };
        let pipeline = Pipeline::new(PipelineDeps {
            vault: Arc::clone(&adapters.vault),
            keys: adapters.keys,
            cis_signer: adapters.cis_signer,
            rules: adapters.rules,
            uuid_salt: adapters.uuid_salt,
            switches,
            write_retries: cis.vault_write_retries,
            status_retention_days: u32::try_from(cis.status_retention_days).unwrap_or(u32::MAX),
        });
        ChangeServiceState {
            tokens: adapters.tokens,
            pipeline: Arc::new(pipeline),
            stream: (!cis.stream_bypass).then_some(adapters.stream),
            vault: adapters.vault,
            limits: Limits::from_config(config),
            allow_delete: cis.allow_delete,
            version: Arc::from(SERVICE_VERSION),
        }
    }

    /// True in stream mode.
    pub fn is_stream_mode(&self) -> bool {
        self.stream.is_some()
    }
}
