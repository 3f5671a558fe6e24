//! Sync targets (docs/scim.md §3): a JSON file `{"targets": [...]}`, each target with its SCIM base
//! URL, where its bearer token comes from (never the file itself in production: an environment variable,
//! or an SSM parameter on AWS), which users it receives (a SCIM filter over the CIS User, e.g.
//! `groups.value eq "ldap:team_moco"`), `userName`'s source, which CIS groups it receives and under which
//! name, how users who leave are disabled, and its rate limit and concurrency.

use cis_scim::Filter;
use cis_scim::desired::UserNameSource;
use cis_scim::plan::{DisableMode, GroupSpec};
use serde::Deserialize;

/// The targets file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    pub targets: Vec<TargetConfig>,
}

/// Why a targets file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the targets file is not valid: {0}")]
    Invalid(String),
    #[error("no target named {0:?} (the file has: {1})")]
    UnknownTarget(String, String),
}

impl TargetsFile {
    /// Parses and validates every target.
    pub fn parse(text: &str) -> Result<TargetsFile, ConfigError> {
        let file: TargetsFile =
            serde_json::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        for target in &file.targets {
            target.validate()?;
        }
        Ok(file)
    }

    /// From a setting that is either the JSON document itself or the path of a file holding it
    /// (`[cis] scim_targets`).
    pub fn from_setting(setting: &str) -> Result<TargetsFile, ConfigError> {
        let text = setting.trim();
        if text.starts_with('{') {
            return TargetsFile::parse(text);
        }
        let read = std::fs::read_to_string(text)
            .map_err(|e| ConfigError::Invalid(format!("cannot read {text}: {e}")))?;
        TargetsFile::parse(&read)
    }

    /// The target called `name`.
    pub fn target(&self, name: &str) -> Result<&TargetConfig, ConfigError> {
        self.targets.iter().find(|t| t.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.targets.iter().map(|t| t.name.as_str()).collect();
            ConfigError::UnknownTarget(name.to_string(), names.join(", "))
        })
    }
}

/// One SCIM application.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub name: String,
    /// The SCIM base URL (`https://chat.example/scim/v2`).
    pub url: String,
    /// Where the bearer token comes from.
    #[serde(default)]
    pub token: TokenSource,
    /// A SCIM filter over the CIS User: who the target receives. Absent: everyone (active).
    #[serde(default)]
    pub select: Option<String>,
    /// `primary_email` (default), `primary_username` or `user_id`.
    #[serde(default = "default_user_name")]
    pub user_name: String,
    /// CIS groups the target receives.
    #[serde(default)]
    pub groups: Vec<GroupConfig>,
    /// `deactivate` (default: `active: false`) or `delete`.
    #[serde(default = "default_disable")]
    pub disable: String,
    /// Requests per second at most.
    #[serde(default = "default_rate_limit")]
    pub rate_limit: f64,
    /// Requests in flight at most.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
}

/// A CIS group and its name in the target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// `ldap:team_moco` or `mozilliansorg:nda`.
    pub cis: String,
    /// The target's displayName; default: the CIS group's name.
    #[serde(default)]
    pub name: Option<String>,
}

/// Where a target's bearer token comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum TokenSource {
    /// No token (a target on loopback that needs none).
    #[default]
    None,
    /// An environment variable's value.
    Env(String),
    /// An SSM SecureString's value (AWS).
    Ssm(String),
}

fn default_user_name() -> String {
    "primary_email".into()
}
fn default_disable() -> String {
    "deactivate".into()
}
fn default_rate_limit() -> f64 {
    50.0
}
fn default_concurrency() -> usize {
    4
}

impl TargetConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(format!("target {:?}: {m}", self.name)));
        if self.name.is_empty() {
            return invalid("a target needs a name".into());
        }
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return invalid(format!("url {:?} is not an http(s) URL", self.url));
        }
        if let Some(select) = &self.select
            && let Err(e) = Filter::parse(select)
        {
            return invalid(format!("select: {}", e.detail));
        }
        if UserNameSource::parse(&self.user_name).is_none() {
            return invalid("user_name is primary_email, primary_username or user_id".into());
        }
        if !matches!(self.disable.as_str(), "deactivate" | "delete") {
            return invalid("disable is deactivate or delete".into());
        }
        for group in &self.groups {
            if cis_scim::group::GroupRef::parse(&group.cis).is_none() {
                return invalid(format!(
                    "group {:?} is not ldap:<name> or mozilliansorg:<name>",
                    group.cis
                ));
            }
        }
        if !(self.rate_limit > 0.0 && self.rate_limit.is_finite()) || self.concurrency == 0 {
            return invalid("rate_limit and concurrency must be positive".into());
        }
        Ok(())
    }

    /// The selection filter (validated).
    pub fn selection(&self) -> Option<Filter> {
        self.select.as_deref().and_then(|s| Filter::parse(s).ok())
    }

    pub fn user_name_source(&self) -> UserNameSource {
        UserNameSource::parse(&self.user_name).unwrap_or_default()
    }

    pub fn disable_mode(&self) -> DisableMode {
        if self.disable == "delete" {
            DisableMode::Delete
        } else {
            DisableMode::Deactivate
        }
    }

    pub fn group_specs(&self) -> Vec<GroupSpec> {
        self.groups
            .iter()
            .map(|g| GroupSpec {
                cis: g.cis.clone(),
                name: g.name.clone().unwrap_or_else(|| {
                    g.cis
                        .split_once(':')
                        .map_or(g.cis.clone(), |(_, n)| n.to_string())
                }),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_file_parses_with_defaults_and_bad_values_are_named() {
        let file = TargetsFile::parse(
            r#"{"targets": [{"name": "chat", "url": "http://127.0.0.1:1/scim/v2",
                "token": {"env": "CHAT_TOKEN"}, "select": "active eq true",
                "groups": [{"cis": "ldap:team_moco"}]}]}"#,
        )
        .unwrap();
        let chat = file.target("chat").unwrap();
        assert_eq!(chat.token, TokenSource::Env("CHAT_TOKEN".into()));
        assert_eq!(chat.disable_mode(), DisableMode::Deactivate);
        assert_eq!(chat.group_specs()[0].name, "team_moco");
        assert_eq!(chat.concurrency, 4);
        assert!(file.target("mail").is_err());
        for bad in [
            r#"{"targets": [{"name": "x", "url": "ftp://x"}]}"#,
            r#"{"targets": [{"name": "x", "url": "http://x", "select": "userName zz 1"}]}"#,
            r#"{"targets": [{"name": "x", "url": "http://x", "disable": "burn"}]}"#,
            r#"{"targets": [{"name": "x", "url": "http://x", "groups": [{"cis": "hris:x"}]}]}"#,
            r#"{"targets": [{"name": "x", "url": "http://x", "token": "literal"}]}"#,
            r#"{"targets": [{"name": "x", "url": "http://x", "surprise": 1}]}"#,
        ] {
            assert!(TargetsFile::parse(bad).is_err(), "{bad}");
        }
    }
}
