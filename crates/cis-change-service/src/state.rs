//! [`ChangeServiceState`]: what every Change API handler shares, built once per cold start by the services'
//! start-up (`cis-runtime`), which also chooses the [`ChangeSink`] — direct or stream mode is decided there,
//! once, and no handler asks again.
//!
//! Owns the request limits (docs/configuration.md §3) and nothing else: it builds no adapter.

use std::sync::Arc;

use cis_change::{ChangeSink, Pipeline};
use cis_common::auth::TokenValidator;
use cis_identity_vault::Vault;

/// The service version `GET /v2/version` reports.
pub const SERVICE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Request limits (docs/configuration.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request bodies over this many bytes are refused with 413 `payload_too_large`.
    pub max_body_bytes: usize,
    /// `/v2/users` requests with more profiles are refused with 413 `batch_too_large`.
    pub max_batch_size: usize,
    /// Profiles of one batch parsed at the same time (at least 1); the sink has its own bound.
    pub write_concurrency: usize,
    /// A request body must have arrived within this (408 `request_timeout`).
    pub body_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 6_291_456,
            max_batch_size: 500,
            write_concurrency: 16,
            body_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// Everything the handlers need; cheap to clone (all `Arc`s).
#[derive(Clone)]
pub struct ChangeServiceState {
    pub tokens: Arc<TokenValidator>,
    /// Parses changes (schema, user) with the Change API's switches.
    pub pipeline: Arc<Pipeline>,
    /// Where parsed changes go: applied now, or checked and queued.
    pub sink: Arc<dyn ChangeSink>,
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
            .field("mode", &self.sink.mode())
            .field("limits", &self.limits)
            .field("allow_delete", &self.allow_delete)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl ChangeServiceState {
    /// A state with default limits and deletes disabled.
    pub fn new(
        tokens: Arc<TokenValidator>,
        pipeline: Arc<Pipeline>,
        sink: Arc<dyn ChangeSink>,
        vault: Arc<dyn Vault>,
    ) -> ChangeServiceState {
        ChangeServiceState {
            tokens,
            pipeline,
            sink,
            vault,
            limits: Limits::default(),
            allow_delete: false,
            version: Arc::from(SERVICE_VERSION),
        }
    }

    pub fn with_limits(mut self, limits: Limits) -> ChangeServiceState {
        self.limits = limits;
        self
    }

    pub fn with_allow_delete(mut self, allow: bool) -> ChangeServiceState {
        self.allow_delete = allow;
        self
    }
}
