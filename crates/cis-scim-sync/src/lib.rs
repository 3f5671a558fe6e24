//! # cis-scim-sync — provisioning SCIM applications from CIS (docs/scim.md §3)
//!
//! | module | owns |
//! |---|---|
//! | [`config`] | sync targets: the targets file, validation, the bearer token's source |
//! | [`target`] | [`ScimTarget`]: the role a SCIM application plays; [`MemoryTarget`], its in-memory adapter |
//! | [`http`] | [`HttpTarget`]: SCIM over HTTP with a rate limit, retries with backoff honouring `Retry-After`, PATCH or PUT, `If-Match` |
//! | [`run`] | one reconcile run: read the vault and the target, plan (`cis_scim::plan`), apply with bounded concurrency |
//! | [`user_sync`] | one user's sync, what a change event triggers (near-real-time) |
//! | [`report`] | what a run did: every action and failure, as JSON and as a table |
//!
//! The run reads the vault as the service (no scope filtering: a target's selection and mapping decide
//! what it receives) and never logs a token or a profile.

pub mod config;
pub mod http;
pub mod report;
pub mod run;
pub mod target;
pub mod user_sync;

pub use config::{TargetConfig, TargetsFile, TokenSource};
pub use http::HttpTarget;
pub use report::Report;
pub use run::{Options, sync};
pub use target::{MemoryTarget, ScimTarget, TargetError};
pub use user_sync::sync_user;
