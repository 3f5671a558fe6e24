//! Reading and checking the publisher rules document (docs/contract/publisher-rules.md §1).
//!
//! Turns the JSON document into one typed entry per attribute path (who may create, who may update) and
//! refuses anything else: a missing attribute, an unknown attribute, a wrong shape, an unknown publisher name.
//! It makes no decision about a change (rules.rs does) and does no I/O: callers hand it the text.

use crate::catalogue::{AttrPath, Group, TOP_LEVEL};
use crate::enums::Publisher;
use crate::json::{JsonError, parse_strict};
use serde_json::{Map, Value};

/// Who may create and who may update one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub creators: Vec<Publisher>,
    /// `None` = nobody (`""` in the document).
    pub updater: Option<Publisher>,
}

/// Why a publisher rules document cannot be used (a start-up error).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RulesDocumentError {
    #[error("the publisher rules are not JSON: {0}")]
    Json(#[from] JsonError),
    #[error(
        "the publisher rules must be an object with `create` and `update` objects; `{0}` is missing"
    )]
    MissingSection(&'static str),
    #[error("publisher rules `{section}` has no entry for `{path}`")]
    MissingAttribute {
        section: &'static str,
        path: &'static str,
    },
    #[error("publisher rules `{section}` names `{name}`, which is not a profile attribute")]
    UnknownAttribute { section: &'static str, name: String },
    #[error("publisher rules `{section}.{path}` must be {expected}")]
    WrongShape {
        section: &'static str,
        path: String,
        expected: &'static str,
    },
    #[error("publisher rules `{section}.{path}` names unknown publisher `{name}`")]
    UnknownPublisher {
        section: &'static str,
        path: String,
        name: String,
    },
}

const CREATE: &str = "create";
const UPDATE: &str = "update";

/// Parses and checks the document; returns one entry per attribute, in canonical order.
pub(crate) fn parse_document(text: &str) -> Result<Vec<(AttrPath, Entry)>, RulesDocumentError> {
    let doc = parse_strict(text.as_bytes())?;
    let create = section(&doc, CREATE)?;
    let update = section(&doc, UPDATE)?;
    check_known_names(create, CREATE)?;
    check_known_names(update, UPDATE)?;
    AttrPath::all()
        .map(|path| {
            let creators = creators_of(lookup(create, CREATE, path)?, path)?;
            let updater = updater_of(lookup(update, UPDATE, path)?, path)?;
            Ok((path, Entry { creators, updater }))
        })
        .collect()
}

fn section<'a>(
    doc: &'a Value,
    name: &'static str,
) -> Result<&'a Map<String, Value>, RulesDocumentError> {
    doc.get(name)
        .and_then(Value::as_object)
        .ok_or(RulesDocumentError::MissingSection(name))
}

/// Every key of a section is a top-level attribute or a group, and every key of a group map is a member.
fn check_known_names(
    section: &Map<String, Value>,
    name: &'static str,
) -> Result<(), RulesDocumentError> {
    for (key, value) in section {
        let unknown = || RulesDocumentError::UnknownAttribute {
            section: name,
            name: key.clone(),
        };
        if let Some(group) = Group::parse(key) {
            for member in value.as_object().into_iter().flat_map(Map::keys) {
                if AttrPath::find(Some(group), member).is_none() {
                    return Err(RulesDocumentError::UnknownAttribute {
                        section: name,
                        name: format!("{key}.{member}"),
                    });
                }
            }
        } else if key == "schema" || !TOP_LEVEL.contains(&key.as_str()) {
            return Err(unknown());
        }
    }
    Ok(())
}

/// The entry that applies to `path`: a group's map member, or the group's single entry for every member.
fn lookup<'a>(
    section: &'a Map<String, Value>,
    name: &'static str,
    path: AttrPath,
) -> Result<&'a Value, RulesDocumentError> {
    let missing = || RulesDocumentError::MissingAttribute {
        section: name,
        path: path.dotted(),
    };
    match path.group() {
        None => section.get(path.leaf()).ok_or_else(missing),
        Some(group) => match section.get(group.as_str()).ok_or_else(missing)? {
            Value::Object(members) => members.get(path.leaf()).ok_or_else(missing),
            whole_group => Ok(whole_group),
        },
    }
}

fn creators_of(value: &Value, path: AttrPath) -> Result<Vec<Publisher>, RulesDocumentError> {
    let wrong = || RulesDocumentError::WrongShape {
        section: CREATE,
        path: path.dotted().to_string(),
        expected: "a list of publisher names",
    };
    let items = value.as_array().ok_or_else(wrong)?;
    items
        .iter()
        .map(|item| {
            let name = item.as_str().ok_or_else(wrong)?;
            Publisher::parse(name).ok_or_else(|| RulesDocumentError::UnknownPublisher {
                section: CREATE,
                path: path.dotted().to_string(),
                name: name.to_string(),
            })
        })
        .collect()
}

fn updater_of(value: &Value, path: AttrPath) -> Result<Option<Publisher>, RulesDocumentError> {
    let name = value
        .as_str()
        .ok_or_else(|| RulesDocumentError::WrongShape {
            section: UPDATE,
            path: path.dotted().to_string(),
            expected: "one publisher name (or \"\" for nobody)",
        })?;
    if name.is_empty() {
        return Ok(None);
    }
    Publisher::parse(name)
        .map(Some)
        .ok_or_else(|| RulesDocumentError::UnknownPublisher {
            section: UPDATE,
            path: path.dotted().to_string(),
            name: name.to_string(),
        })
}
