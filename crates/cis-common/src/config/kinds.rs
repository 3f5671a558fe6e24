//! The enum-valued settings of docs/configuration.md §2 (`well_known_mode`, `secret_manager`, `vault_backend`)
//! and the environment name. Each has one fallible constructor (`FromStr`) and prints its configuration
//! spelling. No loading logic here.

use std::fmt;
use std::str::FromStr;

/// A value outside an enum's accepted spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unrecognised value")]
pub struct UnknownValue;

/// Where verification keys come from (`[cis] well_known_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WellKnownMode {
    /// One public key file trusted for every publisher.
    File,
    /// The well-known document at `discovery_url` (`http` is an alias).
    Https,
}

impl FromStr for WellKnownMode {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "file" => Ok(WellKnownMode::File),
            "https" | "http" => Ok(WellKnownMode::Https),
            _ => Err(UnknownValue),
        }
    }
}

impl fmt::Display for WellKnownMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WellKnownMode::File => "file",
            WellKnownMode::Https => "https",
        })
    }
}

/// Where private signing keys (and the salt) live (`[cis] secret_manager`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretManager {
    File,
    AwsSsm,
}

impl FromStr for SecretManager {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "file" => Ok(SecretManager::File),
            "aws-ssm" => Ok(SecretManager::AwsSsm),
            _ => Err(UnknownValue),
        }
    }
}

impl fmt::Display for SecretManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretManager::File => "file",
            SecretManager::AwsSsm => "aws-ssm",
        })
    }
}

/// The identity vault's storage (`[cis] vault_backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultBackend {
    DynamoDb,
    Sqlite,
}

impl FromStr for VaultBackend {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dynamodb" => Ok(VaultBackend::DynamoDb),
            "sqlite" => Ok(VaultBackend::Sqlite),
            _ => Err(UnknownValue),
        }
    }
}

impl fmt::Display for VaultBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VaultBackend::DynamoDb => "dynamodb",
            VaultBackend::Sqlite => "sqlite",
        })
    }
}

/// The stage name (`[cis] environment`): lower-cased, `[a-z0-9-]+`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Environment(String);

impl Environment {
    pub const LOCAL: &'static str = "local";
    pub const PRODUCTION: &'static str = "production";

    pub fn local() -> Self {
        Environment(Self::LOCAL.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `local` allows the switches of docs/configuration.md §1.1.
    pub fn is_local(&self) -> bool {
        self.0 == Self::LOCAL
    }

    pub fn is_production(&self) -> bool {
        self.0 == Self::PRODUCTION
    }
}

impl FromStr for Environment {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().to_ascii_lowercase();
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Environment(name))
        } else {
            Err(UnknownValue)
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `log_level` value: `error`, `warn`, `info`, `debug`, `trace` or `off`, any case.
pub(crate) fn parse_log_level(text: &str) -> Option<String> {
    let level = text.trim().to_ascii_lowercase();
    matches!(
        level.as_str(),
        "error" | "warn" | "info" | "debug" | "trace" | "off"
    )
    .then_some(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_an_alias_of_https() {
        assert_eq!("http".parse(), Ok(WellKnownMode::Https));
        assert_eq!("HTTPS".parse(), Ok(WellKnownMode::Https));
        assert_eq!("file".parse(), Ok(WellKnownMode::File));
        assert_eq!("ssm".parse::<WellKnownMode>(), Err(UnknownValue));
    }

    #[test]
    fn environment_names_are_lower_cased_and_restricted() {
        assert_eq!(
            "Production".parse::<Environment>().unwrap().as_str(),
            "production"
        );
        assert!("test-42".parse::<Environment>().is_ok());
        assert!("my env".parse::<Environment>().is_err());
        assert!("a_b".parse::<Environment>().is_err());
        assert!("".parse::<Environment>().is_err());
    }

    #[test]
    fn secret_manager_and_backend_spellings_round_trip() {
        for text in ["file", "aws-ssm"] {
            assert_eq!(text.parse::<SecretManager>().unwrap().to_string(), text);
        }
        for text in ["dynamodb", "sqlite"] {
            assert_eq!(text.parse::<VaultBackend>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn log_levels_are_checked() {
        assert_eq!(parse_log_level("DEBUG").as_deref(), Some("debug"));
        assert_eq!(parse_log_level("verbose"), None);
    }
}
