//! # cis-runtime — the one start-up path
//!
//! Every binary that runs CIS builds it here, from the typed configuration: the Lambda functions with the
//! AWS adapters ([`aws::Aws`]), `cis serve` with the local ones. Both end in [`Backends`] — the vault, the
//! change stream, the trusted keys, the `cis` signer, the rules and the salt — from which the Change API,
//! the processor and the Person API are wired the same way.
//!
//! | module | owns |
//! |---|---|
//! | [`start`] | loading the configuration and setting up logging, once per process |
//! | [`backends`] | [`Backends`] and what is wired from them: pipelines (one per role), the Change API with its sink, the processor, the Person API |
//! | [`keys`] | the publisher rules, the `cis` key from files, the well-known key provider adapter |
//! | [`tokens`] | the bearer-token validator of each API, honouring that API's `jwt_validation` |
//! | [`aws`] | [`aws::Aws`]: clients once per cold start, tables, SSM key and salt, Kinesis |
//! | [`lambda`] | the Lambda handlers as named functions: Kinesis batches, the curator's schedule |
//! | [`scim`] | the deployment's SCIM targets and the scheduled sync of the `scim-sync` function |
//! | [`webhooks`] | the webhook notifier's subscriptions, policy and [`cis_notifications::Notifier`] |
//!
//! Start-up fails fast with a [`StartupError`] naming what is wrong; nothing here logs a key or a token.

pub mod aws;
pub mod backends;
pub mod keys;
pub mod lambda;
pub mod scim;
pub mod start;
pub mod tokens;
pub mod webhooks;

pub use backends::{Backends, Role};
pub use start::{StartupError, load_config, ready};
