//! Typed configuration (docs/configuration.md): built-in defaults, then the first configuration file that
//! exists (`$CIS_CONFIG_INI`, `~/.mozilla-cis.ini`, `/etc/mozilla-cis.ini`), then the environment
//! (`<SECTION>_<KEY>`, empty = unset), key by key. Loaded once per cold start; every problem found is
//! reported at once and the binary refuses to start.
//!
//! | file | owns |
//! |---|---|
//! | `ini.rs` | the INI syntax |
//! | `reader.rs` | typed reading of one section, precedence, unknown-key warnings |
//! | `kinds.rs` | enum-valued settings and the environment name |
//! | `cis.rs`, `services.rs`, `curator.rs` | the four sections, their defaults and derived values |
//! | `validate.rs` | rules across keys (local-only switches, URL schemes) |
//! | `summary.rs` | the redacted start-up summary |
//!
//! This module never logs: it returns `warnings` for the binary to log after logging is set up.

mod cis;
mod curator;
mod ini;
mod kinds;
mod reader;
mod services;
mod summary;
mod validate;
mod webhooks;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use cis::CisConfig;
pub use cis_logging::LogFormat;
pub use curator::CuratorConfig;
pub use ini::IniSyntaxError;
pub use kinds::{Environment, SecretManager, UnknownValue, VaultBackend, WellKnownMode};
pub use services::{ChangeServiceConfig, PersonApiConfig, TokenSettings};
pub use webhooks::WebhookConfig;

use ini::IniFile;
use reader::SectionReader;

/// The whole configuration of a CIS process.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub cis: CisConfig,
    pub change_service: ChangeServiceConfig,
    pub person_api: PersonApiConfig,
    pub curator: CuratorConfig,
    /// The webhook notifier's `[cis] webhook_*` keys.
    pub webhooks: WebhookConfig,
    /// One line per unknown or ignored key: the binary logs them once logging is set up.
    pub warnings: Vec<String>,
    /// The configuration file that was read, if any.
    pub source_file: Option<PathBuf>,
}

/// Which built-in defaults apply where the tables of docs/configuration.md give two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Defaults {
    /// Lambda functions and other deployed processes: `vault_backend = dynamodb`.
    #[default]
    Deployed,
    /// `cis serve`: `vault_backend = sqlite`, and one audience for both APIs.
    LocalServe,
}

/// Why the configuration cannot be used; the process must not start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("CIS_CONFIG_INI is {path:?}, which does not exist")]
    MissingFile { path: PathBuf },
    #[error("cannot read configuration file {path:?}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Syntax(#[from] IniSyntaxError),
    #[error("invalid configuration: {}", problems.join("; "))]
    Invalid { problems: Vec<String> },
}

const SECTIONS: [&str; 4] = ["cis", "change_service", "person_api", "curator"];

impl Config {
    /// Loads from the process environment and the first configuration file that exists.
    pub fn load() -> Result<Config, ConfigError> {
        Config::load_from_env(&process_env(), Defaults::Deployed)
    }

    /// As [`Config::load`], with the given environment (for tests and for `cis serve`).
    pub fn load_from_env(
        env: &HashMap<String, String>,
        defaults: Defaults,
    ) -> Result<Config, ConfigError> {
        let path = find_config_file(env)?;
        Config::load_path(path.as_deref(), env, defaults)
    }

    /// Loads from one named file (it must exist) and the process environment (`cis serve --config FILE`).
    pub fn load_file(path: &Path, defaults: Defaults) -> Result<Config, ConfigError> {
        Config::load_path(Some(path), &process_env(), defaults)
    }

    fn load_path(
        path: Option<&Path>,
        env: &HashMap<String, String>,
        defaults: Defaults,
    ) -> Result<Config, ConfigError> {
        let text = match path {
            Some(path) => {
                Some(
                    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                        path: path.to_owned(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        let mut config = Config::from_sources_with(text.as_deref(), env, defaults)?;
        config.source_file = path.map(Path::to_owned);
        Ok(config)
    }

    /// Builds the configuration from the file's text (if any) and an environment, with deployed defaults.
    pub fn from_sources(
        file_text: Option<&str>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        Config::from_sources_with(file_text, env, Defaults::Deployed)
    }

    /// As [`Config::from_sources`], choosing the built-in defaults.
    pub fn from_sources_with(
        file_text: Option<&str>,
        env: &HashMap<String, String>,
        defaults: Defaults,
    ) -> Result<Config, ConfigError> {
        let mut file = match file_text {
            Some(text) => IniFile::parse(text)?,
            None => IniFile::default(),
        };
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        for (key, line) in &file.orphans {
            warnings.push(format!(
                "configuration key {key} (configuration file line {line}) is outside any section and is ignored"
            ));
        }
        let mut section = |name: &'static str| file.sections.remove(name).unwrap_or_default();
        let (cis_file, change_file, person_file, curator_file) = (
            section(SECTIONS[0]),
            section(SECTIONS[1]),
            section(SECTIONS[2]),
            section(SECTIONS[3]),
        );

        let backend = match defaults {
            Defaults::Deployed => VaultBackend::DynamoDb,
            Defaults::LocalServe => VaultBackend::Sqlite,
        };
        let mut r = SectionReader::new("cis", cis_file, env, &mut problems, &mut warnings);
        let cis = CisConfig::read(&mut r, backend);
        let webhooks = WebhookConfig::read(&mut r, &cis);
        r.finish();
        let mut r = SectionReader::new(
            "change_service",
            change_file,
            env,
            &mut problems,
            &mut warnings,
        );
        let change_audience = match defaults {
            Defaults::Deployed => services::CHANGE_AUDIENCE,
            Defaults::LocalServe => services::PERSON_AUDIENCE,
        };
        let change_service = ChangeServiceConfig::read(&mut r, change_audience);
        r.finish();
        let mut r =
            SectionReader::new("person_api", person_file, env, &mut problems, &mut warnings);
        let person_api = PersonApiConfig::read(&mut r);
        r.finish();
        let mut r = SectionReader::new("curator", curator_file, env, &mut problems, &mut warnings);
        let curator = CuratorConfig::read(&mut r, &cis.environment);
        r.finish();
        for (name, keys) in &file.sections {
            for (key, value) in keys {
                warnings.push(format!(
                    "unknown configuration key [{name}] {key} (configuration file line {}) is ignored",
                    value.line
                ));
            }
        }

        let config = Config {
            cis,
            change_service,
            person_api,
            curator,
            webhooks,
            warnings,
            source_file: None,
        };
        problems.extend(validate::problems(&config));
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid { problems })
        }
    }
}

/// The process environment; variables that are not valid Unicode are left out (none of ours can be).
fn process_env() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// The first configuration file that exists; `CIS_CONFIG_INI` naming a missing file is an error.
fn find_config_file(env: &HashMap<String, String>) -> Result<Option<PathBuf>, ConfigError> {
    if let Some(named) = env.get("CIS_CONFIG_INI").filter(|v| !v.is_empty()) {
        let path = reader::expand_home(named, env.get("HOME").map(String::as_str));
        return if path.is_file() {
            Ok(Some(path))
        } else {
            Err(ConfigError::MissingFile { path })
        };
    }
    let mut candidates = Vec::new();
    if let Some(home) = env.get("HOME").filter(|v| !v.is_empty()) {
        candidates.push(Path::new(home).join(".mozilla-cis.ini"));
    }
    candidates.push(PathBuf::from("/etc/mozilla-cis.ini"));
    Ok(candidates.into_iter().find(|p| p.is_file()))
}
