//! The INI syntax of docs/configuration.md §1: `[section]` headers, `key = value` pairs, whole-line comments
//! (`#` or `;`), inline comments starting at a `#` preceded by whitespace, one pair of matching surrounding
//! quotes removed.
//!
//! This module only turns text into `section → key → value` with line numbers; it knows no key and gives
//! values no type (that is `reader.rs`).

use std::collections::BTreeMap;

/// One value read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileValue {
    pub(crate) value: String,
    pub(crate) line: usize,
}

/// The parsed file: section name (lower case) → key (lower case) → value.
#[derive(Debug, Default, Clone)]
pub(crate) struct IniFile {
    pub(crate) sections: BTreeMap<String, BTreeMap<String, FileValue>>,
    /// Keys written before any `[section]` header: reported as unknown.
    pub(crate) orphans: Vec<(String, usize)>,
}

/// A line that is neither a header, a comment, nor a `key = value` pair, or a key given twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration file line {line}: {message}")]
pub struct IniSyntaxError {
    pub line: usize,
    pub message: String,
}

impl IniFile {
    pub(crate) fn parse(text: &str) -> Result<IniFile, IniSyntaxError> {
        let mut file = IniFile::default();
        let mut current: Option<String> = None;
        for (index, raw_line) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw_line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if let Some(header) = trimmed.strip_prefix('[') {
                let name = section_name(header).ok_or_else(|| IniSyntaxError {
                    line,
                    message: format!("malformed section header {trimmed:?}"),
                })?;
                file.sections.entry(name.clone()).or_default();
                current = Some(name);
                continue;
            }
            let Some((key, value)) = trimmed.split_once('=') else {
                return Err(IniSyntaxError {
                    line,
                    message: "expected `key = value`, a `[section]` header or a comment".into(),
                });
            };
            let key = key.trim().to_ascii_lowercase();
            if key.is_empty() {
                return Err(IniSyntaxError {
                    line,
                    message: "empty key before `=`".into(),
                });
            }
            let value = clean_value(value);
            let Some(section) = &current else {
                file.orphans.push((key, line));
                continue;
            };
            let entries = file.sections.entry(section.clone()).or_default();
            if let Some(first) = entries.get(&key) {
                return Err(IniSyntaxError {
                    line,
                    message: format!(
                        "[{section}] {key} is set twice (first on line {})",
                        first.line
                    ),
                });
            }
            entries.insert(key, FileValue { value, line });
        }
        Ok(file)
    }
}

fn section_name(header: &str) -> Option<String> {
    let inner = strip_inline_comment(header).trim_end().strip_suffix(']')?;
    let name = inner.trim();
    if name.is_empty() || name.contains(['[', ']']) {
        return None;
    }
    Some(name.to_ascii_lowercase())
}

/// Removes an inline comment and one pair of matching surrounding quotes. A quoted value may contain ` #`.
fn clean_value(raw: &str) -> String {
    let value = raw.trim();
    if let Some(inner) = unquote(value) {
        return inner.to_owned();
    }
    // A quoted value followed by an inline comment: `"https" # mode`.
    if let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = &value[1..];
        if let Some(end) = body.find(quote) {
            let rest = &body[end + 1..];
            if rest.starts_with(char::is_whitespace) && rest.trim_start().starts_with('#') {
                return body[..end].to_owned();
            }
        }
    }
    let uncommented = strip_inline_comment(value).trim();
    unquote(uncommented).unwrap_or(uncommented).to_owned()
}

/// The text inside one pair of matching surrounding quotes, if it has them.
fn unquote(value: &str) -> Option<&str> {
    let first = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    (value.len() >= 2 && value.ends_with(first)).then(|| &value[1..value.len() - 1])
}

/// Cuts the text at the first `#` preceded by whitespace.
fn strip_inline_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return &text[..i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(file: &IniFile, section: &str, key: &str) -> String {
        file.sections[section][key].value.clone()
    }

    #[test]
    fn sections_keys_and_comments_are_read() {
        let text = "# top comment\n; another\n[cis]\nenvironment = purple # inline\n\n[Change_Service]\nAPI_identifier=x#y\n";
        let file = IniFile::parse(text).unwrap();
        assert_eq!(value(&file, "cis", "environment"), "purple");
        assert_eq!(file.sections["cis"]["environment"].line, 4);
        // A `#` not preceded by whitespace is part of the value.
        assert_eq!(value(&file, "change_service", "api_identifier"), "x#y");
    }

    #[test]
    fn one_pair_of_matching_quotes_is_removed() {
        let text = "[cis]\na = 'file'\nb = \"https\" # mode\nc = \"it's\"\nd = ''quoted''\ne = 'open\nf = \"a #b\"\n";
        let file = IniFile::parse(text).unwrap();
        assert_eq!(value(&file, "cis", "a"), "file");
        assert_eq!(value(&file, "cis", "b"), "https");
        assert_eq!(value(&file, "cis", "c"), "it's");
        assert_eq!(value(&file, "cis", "d"), "'quoted'");
        assert_eq!(value(&file, "cis", "e"), "'open");
        assert_eq!(value(&file, "cis", "f"), "a #b");
    }

    #[test]
    fn empty_values_are_kept_as_empty() {
        let file = IniFile::parse("[cis]\nuuid_salt =\n").unwrap();
        assert_eq!(value(&file, "cis", "uuid_salt"), "");
    }

    #[test]
    fn a_line_without_equals_is_a_syntax_error_naming_the_line() {
        let err = IniFile::parse("[cis]\nenvironment local\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn a_key_given_twice_is_an_error() {
        let err = IniFile::parse("[cis]\na = 1\na = 2\n").unwrap_err();
        assert!(err.message.contains("set twice"), "{}", err.message);
    }

    #[test]
    fn keys_before_any_section_are_orphans() {
        let file = IniFile::parse("stray = 1\n[cis]\n").unwrap();
        assert_eq!(file.orphans, vec![("stray".to_owned(), 1)]);
    }

    #[test]
    fn a_malformed_header_is_an_error() {
        assert!(IniFile::parse("[cis\n").is_err());
        assert!(IniFile::parse("[]\n").is_err());
        assert!(IniFile::parse("[cis] # comment\n").is_ok());
    }
}
