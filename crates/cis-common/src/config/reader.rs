//! Typed reading of one configuration section: a key's value is the environment variable
//! `<SECTION>_<KEY>` when set and non-empty, else the file's value, else the default (docs/configuration.md §1).
//!
//! Every problem is collected (not returned at the first) and names the key, the value and where the value
//! came from, so that one start-up reports every mistake. Keys of the file that no getter asked for are
//! unknown keys. This module knows no key names: the section modules do.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use super::ini::FileValue;

/// Where a raw value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    File { line: usize },
    Env { var: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { line } => write!(f, "configuration file line {line}"),
            Origin::Env { var } => write!(f, "environment variable {var}"),
        }
    }
}

/// One raw (untyped) value and its origin.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub(crate) value: String,
    pub(crate) origin: Origin,
}

/// Reads the keys of one section.
pub(crate) struct SectionReader<'a> {
    section: &'static str,
    file: BTreeMap<String, FileValue>,
    env: &'a HashMap<String, String>,
    problems: &'a mut Vec<String>,
    warnings: &'a mut Vec<String>,
}

impl<'a> SectionReader<'a> {
    pub(crate) fn new(
        section: &'static str,
        file: BTreeMap<String, FileValue>,
        env: &'a HashMap<String, String>,
        problems: &'a mut Vec<String>,
        warnings: &'a mut Vec<String>,
    ) -> Self {
        SectionReader {
            section,
            file,
            env,
            problems,
            warnings,
        }
    }

    /// The environment variable of `key` in this section.
    pub(crate) fn env_var(&self, key: &str) -> String {
        format!("{}_{}", self.section, key).to_ascii_uppercase()
    }

    /// A variable of the environment itself (not of a section), when set and non-empty.
    pub(crate) fn env_value(&self, var: &str) -> Option<String> {
        self.env.get(var).filter(|v| !v.is_empty()).cloned()
    }

    /// The raw value of `key`, consuming the file entry (so that it is not reported as unknown).
    pub(crate) fn raw(&mut self, key: &str) -> Option<Raw> {
        let from_file = self.file.remove(key);
        let var = self.env_var(key);
        match self.env.get(&var) {
            Some(value) if !value.is_empty() => Some(Raw {
                value: value.clone(),
                origin: Origin::Env { var },
            }),
            _ => from_file.map(|v| Raw {
                value: v.value,
                origin: Origin::File { line: v.line },
            }),
        }
    }

    /// Records a problem with `key`'s value.
    pub(crate) fn problem(&mut self, key: &str, raw: &Raw, expected: &str) {
        self.problems.push(format!(
            "[{}] {} = {:?} ({}): {}",
            self.section, key, raw.value, raw.origin, expected
        ));
    }

    /// Records a problem not tied to one raw value.
    pub(crate) fn problem_text(&mut self, text: String) {
        self.problems.push(text);
    }

    pub(crate) fn string(&mut self, key: &str, default: &str) -> String {
        self.raw(key)
            .map_or_else(|| default.to_owned(), |raw| raw.value)
    }

    /// A string that may be unset; an empty file value counts as unset.
    pub(crate) fn opt_string(&mut self, key: &str) -> Option<String> {
        self.raw(key).map(|raw| raw.value).filter(|v| !v.is_empty())
    }

    pub(crate) fn bool(&mut self, key: &str, default: bool) -> bool {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        match parse_bool(&raw.value) {
            Some(value) => value,
            None => {
                self.problem(key, &raw, "expected true or false");
                default
            }
        }
    }

    pub(crate) fn integer<T: FromStr>(&mut self, key: &str, default: T) -> T {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        let digits = raw.value.trim();
        let parsed = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        };
        match parsed {
            Some(value) => value,
            None => {
                self.problem(
                    key,
                    &raw,
                    "expected a non-negative decimal integer in range",
                );
                default
            }
        }
    }

    pub(crate) fn list(&mut self, key: &str, default: &[&str]) -> Vec<String> {
        match self.raw(key) {
            Some(raw) => parse_list(&raw.value),
            None => default.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// A value of an enum-like type; `expected` names the accepted spellings.
    pub(crate) fn parsed<T: FromStr>(&mut self, key: &str, default: T, expected: &str) -> T {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        match raw.value.parse() {
            Ok(value) => value,
            Err(_) => {
                self.problem(key, &raw, expected);
                default
            }
        }
    }

    /// A path with `~` expanded from `HOME` of the given environment.
    pub(crate) fn path(&mut self, key: &str, default: &str) -> PathBuf {
        let text = self.string(key, default);
        expand_home(&text, self.env.get("HOME").map(String::as_str))
    }

    pub(crate) fn opt_path(&mut self, key: &str) -> Option<PathBuf> {
        let text = self.opt_string(key)?;
        Some(expand_home(&text, self.env.get("HOME").map(String::as_str)))
    }

    /// Reads a key that is accepted but ignored, with one warning saying why.
    pub(crate) fn ignored(&mut self, key: &str, why: &str) {
        if let Some(raw) = self.raw(key) {
            self.warnings.push(format!(
                "[{}] {} ({}) is ignored: {}",
                self.section, key, raw.origin, why
            ));
        }
    }

    /// Warns once for each file key that no getter asked for.
    pub(crate) fn finish(self) {
        for (key, value) in self.file {
            self.warnings.push(format!(
                "unknown configuration key [{}] {} (configuration file line {}) is ignored",
                self.section, key, value.line
            ));
        }
    }
}

/// `true` / `false` in any case; anything else is `None`.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Comma-separated, items trimmed, empty items dropped.
pub(crate) fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Replaces a leading `~` (alone or followed by `/`) with `home`; other paths are returned as written.
pub(crate) fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{}{}", home.trim_end_matches('/'), rest))
        }
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_are_strict_but_case_insensitive() {
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_bool("1"), None);
    }

    #[test]
    fn lists_are_trimmed_and_empty_items_dropped() {
        assert_eq!(parse_list(" a, b ,,c ,"), vec!["a", "b", "c"]);
        assert!(parse_list("").is_empty());
    }

    #[test]
    fn a_leading_tilde_is_expanded_from_home() {
        assert_eq!(
            expand_home("~/.mozilla-iam/keys/", Some("/home/u/")),
            PathBuf::from("/home/u/.mozilla-iam/keys/")
        );
        assert_eq!(expand_home("~", Some("/home/u")), PathBuf::from("/home/u"));
        assert_eq!(
            expand_home("~other/x", Some("/home/u")),
            PathBuf::from("~other/x")
        );
        assert_eq!(expand_home("~/x", None), PathBuf::from("~/x"));
        assert_eq!(
            expand_home("/etc/x", Some("/home/u")),
            PathBuf::from("/etc/x")
        );
    }
}
