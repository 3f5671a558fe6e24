//! One module per command family; each exposes `Args` (clap) and `run`.

pub mod changes;
pub mod crypto;
pub mod profile;
pub mod publish;
pub mod rules;
pub mod serve;
pub mod sync;
pub mod token;
pub mod vault;
pub mod vault_ensure;
pub mod webhooks;
pub mod well_known;
pub mod well_known_keys;
