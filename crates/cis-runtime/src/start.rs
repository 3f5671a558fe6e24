//! Loading the configuration once per process, then logging (so that the configuration's warnings and its
//! redacted summary are logged), and [`StartupError`], every reason a binary refuses to start.

use cis_common::Config;
use cis_common::config::{ConfigError, Defaults};
use std::sync::OnceLock;
use std::time::Instant;

/// Why a CIS process cannot start. Each names what to fix; none carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("cannot read the publisher rules file {path}: {source}")]
    RulesFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the publisher rules file {path} is not a valid rules document: {message}")]
    RulesDocument { path: String, message: String },
    #[error("no usable cis signing key: {0}")]
    SigningKey(String),
    #[error("uuid salt: {0}")]
    Salt(String),
    #[error("verification keys: {0}")]
    VerificationKeys(String),
    #[error("token validator: {0}")]
    Tokens(String),
    #[error("vault tables: {0}")]
    Tables(String),
    #[error("client_publishers: {0}")]
    ClientPublishers(String),
    #[error("webhooks: {0}")]
    Webhooks(String),
    #[error("SCIM targets: {0}")]
    Scim(String),
}

/// The process's configuration (deployed defaults: environment over the first configuration file found),
/// with logging set up from it and its warnings logged.
pub fn load_config() -> Result<Config, StartupError> {
    STARTED.get_or_init(Instant::now);
    let config = Config::load()?;
    start_logging(&config);
    Ok(config)
}

/// When [`load_config`] was first called: the start of a function's cold start, as far as it can see.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Logs (info) that the cold start is over: configuration, clients, keys and backends are ready, and the
/// function is about to ask the runtime for its first event. `init_ms` is the time since [`load_config`]
/// (docs/benchmarks.md, "Lambda functions").
pub fn ready(function: &str) {
    let init_ms = STARTED
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
    tracing::info!(
        function,
        init_ms = format!("{init_ms:.1}"),
        "ready for invocations"
    );
}

/// Sets up logging from `config` and logs its warnings and redacted summary (debug).
pub fn start_logging(config: &Config) {
    cis_logging::init(&config.cis.log_level, config.cis.log_format);
    for warning in &config.warnings {
        tracing::warn!(warning = %warning, "configuration");
    }
    tracing::debug!(config = %config.redacted_summary(), "configuration");
}

/// `cis serve`'s configuration: `file` when given (it must exist), else as [`load_config`], with the local
/// defaults (SQLite vault).
pub fn load_local_config(file: Option<&std::path::Path>) -> Result<Config, StartupError> {
    let config = match file {
        Some(path) => Config::load_file(path, Defaults::LocalServe)?,
        None => Config::load_from_env(&std::env::vars().collect(), Defaults::LocalServe)?,
    };
    start_logging(&config);
    Ok(config)
}
