//! The [`Profile`] type: a whole profile v2 document, parsed and checked once, kept in canonical order.
//!
//! A `Profile` is a JSON object underneath (so signed attributes stay exactly as signed) with typed access
//! by [`AttrPath`]. Constructors are the only way in: [`Profile::parse`] for untrusted input (strict JSON and
//! both validation layers), [`Profile::from_stored`] for what CIS wrote itself (structure only, lenient about
//! legacy labels and timestamps), [`Profile::null`] for the null profile. This module does no I/O.

use crate::attr::Attr;
use crate::catalogue::{AttrPath, Group, TOP_LEVEL};
use crate::json::{JsonError, parse_strict};
use crate::validate::{self, Violation};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The `schema` string CIS writes.
pub const SCHEMA_URL: &str = "https://auth.mozilla.com/.well-known/profile.schema";

/// The draft-04 profile schema, byte-identical to the original's (published as `/.well-known/profile.schema`).
pub const SCHEMA_JSON: &str = include_str!("../data/profile.schema.json");

/// The null profile as the original ships it (docs/contract/profile.md §7).
pub const NULL_PROFILE_JSON: &str = include_str!("../data/user_profile_null.json");

/// Why a document is not an acceptable profile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProfileError {
    #[error("not JSON: {0}")]
    Json(#[from] JsonError),
    /// Every violation found, first one first; never empty.
    #[error("{}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<Violation>),
}

impl ProfileError {
    /// The violations (empty for a JSON syntax error).
    pub fn violations(&self) -> &[Violation] {
        match self {
            ProfileError::Invalid(v) => v,
            ProfileError::Json(_) => &[],
        }
    }
}

/// A profile v2 document in canonical member order.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    doc: Map<String, Value>,
}

impl Profile {
    /// The null profile: every attribute present, every payload null.
    pub fn null() -> Profile {
        static NULL_PROFILE: OnceLock<Profile> = OnceLock::new();
        NULL_PROFILE
            .get_or_init(|| match serde_json::from_str::<Value>(NULL_PROFILE_JSON) {
                Ok(Value::Object(doc)) => Profile {
                    doc: canonical_document(doc),
                },
                // The embedded file is fixed at compile time and checked by tests.
                _ => Profile { doc: Map::new() },
            })
            .clone()
    }

    /// Parses untrusted JSON text: strict JSON (docs/contract/profile.md §4.2), then both validation layers.
    /// The text is read into a borrowed tree ([`crate::tree`]) and checked there, and only a valid document
    /// becomes `serde_json` values; what the tree reader does not plainly take goes through `parse_strict`.
    pub fn parse(bytes: &[u8]) -> Result<Profile, ProfileError> {
        let Some(doc) = crate::tree::parse(bytes) else {
            return Profile::from_value(parse_strict(bytes)?);
        };
        validate::validate_tree(&doc).map_err(ProfileError::Invalid)?;
        match doc.into_value() {
            Some(value) => Profile::take(value),
            None => Profile::from_value(parse_strict(bytes)?),
        }
    }

    /// The verdict of [`Profile::parse`] without keeping the profile: strict JSON and both validation layers
    /// over a borrowed tree ([`crate::tree`]), no `serde_json` values built. Input the borrowed reader does
    /// not plainly accept goes through `parse` itself, so verdicts and messages are the same.
    pub fn check(bytes: &[u8]) -> Result<(), ProfileError> {
        match crate::tree::parse(bytes) {
            Some(doc) => validate::validate_tree(&doc).map_err(ProfileError::Invalid),
            None => Profile::parse(bytes).map(drop),
        }
    }

    /// Validates an already parsed document (both layers) and takes it.
    pub fn from_value(value: Value) -> Result<Profile, ProfileError> {
        validate::validate(&value).map_err(ProfileError::Invalid)?;
        Profile::take(value)
    }

    /// Takes a profile CIS stored itself: only the structure is checked (every attribute an object with
    /// metadata and signature objects), so legacy labels and timestamps survive (docs/contract/profile.md §4.3).
    pub fn from_stored(value: Value) -> Result<Profile, ProfileError> {
        validate::check_structure(&value).map_err(ProfileError::Invalid)?;
        Profile::take(value)
    }

    /// [`Profile::from_stored`] of a stored JSON text: read through the borrowed tree when it takes the text
    /// (the structure checked there, then values built), else by serde_json as before — a stored text with
    /// duplicate members keeps the last, as it always did. `ProfileError::Json` when it is not JSON.
    pub fn from_stored_text(text: &str) -> Result<Profile, ProfileError> {
        if let Some(doc) = crate::tree::parse(text.as_bytes()) {
            validate::check_structure_tree(&doc).map_err(ProfileError::Invalid)?;
            if let Some(value) = doc.into_value() {
                return Profile::take(value);
            }
        }
        let value = serde_json::from_str(text).map_err(crate::json::from_serde)?;
        Profile::from_stored(value)
    }

    fn take(value: Value) -> Result<Profile, ProfileError> {
        match value {
            Value::Object(doc) => Ok(Profile {
                doc: canonical_document(doc),
            }),
            _ => Err(ProfileError::Invalid(vec![Violation::new(
                "",
                "a profile must be a JSON object",
            )])),
        }
    }

    /// The document.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.doc
    }
    pub fn into_value(self) -> Value {
        Value::Object(self.doc)
    }
    pub fn to_value(&self) -> Value {
        Value::Object(self.doc.clone())
    }
    /// Compact JSON in canonical order (what the vault stores).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.doc).unwrap_or_default()
    }
    /// Indented JSON in canonical order (what the CLI prints).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.doc).unwrap_or_default()
    }

    /// The `schema` string.
    pub fn schema(&self) -> &str {
        self.doc
            .get("schema")
            .and_then(Value::as_str)
            .unwrap_or(SCHEMA_URL)
    }

    /// The attribute at `path`; `None` only for an `identities` member the document leaves out.
    pub fn attr(&self, path: AttrPath) -> Option<Attr<'_>> {
        self.attr_map(path).map(Attr)
    }

    pub fn attr_map(&self, path: AttrPath) -> Option<&Map<String, Value>> {
        let holder = match path.group() {
            Some(g) => self.doc.get(g.as_str())?.as_object()?,
            None => &self.doc,
        };
        holder.get(path.leaf())?.as_object()
    }

    /// Mutable access to the attribute at `path`.
    pub fn attr_mut(&mut self, path: AttrPath) -> Option<&mut Map<String, Value>> {
        let holder = match path.group() {
            Some(g) => self.doc.get_mut(g.as_str())?.as_object_mut()?,
            None => &mut self.doc,
        };
        holder.get_mut(path.leaf())?.as_object_mut()
    }

    /// The attribute at `path`, or the null profile's when the document leaves it out.
    pub fn attr_or_null(&self, path: AttrPath) -> Map<String, Value> {
        self.attr_map(path)
            .cloned()
            .or_else(|| Profile::null().attr_map(path).cloned())
            .unwrap_or_default()
    }

    /// Replaces (or adds) the attribute at `path`, keeping canonical order.
    pub fn set_attr(&mut self, path: AttrPath, attr: Map<String, Value>) {
        let attr = canonical_attribute(attr);
        match path.group() {
            None => {
                self.doc
                    .insert(path.leaf().to_string(), Value::Object(attr));
            }
            Some(g) => {
                let group = self
                    .doc
                    .entry(g.as_str())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !group.is_object() {
                    *group = Value::Object(Map::new());
                }
                if let Value::Object(members) = group {
                    let is_new = !members.contains_key(path.leaf());
                    members.insert(path.leaf().to_string(), Value::Object(attr));
                    if is_new {
                        let taken = std::mem::take(members);
                        *members = canonical_group(g, taken);
                    }
                }
            }
        }
    }

    /// Every attribute present, in canonical order.
    pub fn attrs(&self) -> impl Iterator<Item = (AttrPath, Attr<'_>)> {
        AttrPath::all().filter_map(|p| self.attr(p).map(|a| (p, a)))
    }

    /// The string payload of a `value` attribute.
    pub fn value_str(&self, path: AttrPath) -> Option<&str> {
        self.attr(path)?.payload().as_str()
    }
    pub fn user_id(&self) -> Option<&str> {
        self.value_str(AttrPath::USER_ID)
    }
    pub fn uuid(&self) -> Option<&str> {
        self.value_str(AttrPath::UUID)
    }
    pub fn primary_email(&self) -> Option<&str> {
        self.value_str(AttrPath::PRIMARY_EMAIL)
    }
    pub fn primary_username(&self) -> Option<&str> {
        self.value_str(AttrPath::PRIMARY_USERNAME)
    }
    pub fn active(&self) -> Option<bool> {
        self.attr(AttrPath::ACTIVE)?.payload().as_bool()
    }
}

impl serde::Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.doc.serialize(s)
    }
}

/// Reorders a document: top-level members, group members and attribute members into canonical order.
/// Members the catalogue does not know are kept after the known ones (validation rejects them in input).
pub fn canonical_document(doc: Map<String, Value>) -> Map<String, Value> {
    // Most documents arrive in canonical order: then nothing is moved, only each attribute is checked.
    let mut doc = reorder(doc, &TOP_LEVEL);
    for (name, value) in doc.iter_mut() {
        let taken = std::mem::take(value);
        *value = match (Group::parse(name), AttrPath::find(None, name), taken) {
            (Some(g), _, Value::Object(m)) => Value::Object(canonical_group(g, m)),
            (None, Some(_), Value::Object(m)) => Value::Object(canonical_attribute(m)),
            (_, _, v) => v,
        };
    }
    doc
}

fn canonical_group(group: Group, members: Map<String, Value>) -> Map<String, Value> {
    let order: Vec<&str> = group.members().map(|p| p.leaf()).collect();
    let mut members = reorder(members, &order);
    for (leaf, value) in members.iter_mut() {
        if !order.contains(&leaf.as_str()) {
            continue;
        }
        let taken = std::mem::take(value);
        *value = match taken {
            Value::Object(m) => Value::Object(canonical_attribute(m)),
            v => v,
        };
    }
    members
}

/// Reorders one attribute: `signature, metadata, value|values`; metadata and publisher members too.
pub fn canonical_attribute(attr: Map<String, Value>) -> Map<String, Value> {
    let mut attr = reorder(attr, &["signature", "metadata", "value", "values"]);
    if let Some(Value::Object(meta)) = attr.get_mut("metadata") {
        let taken = std::mem::take(meta);
        *meta = reorder(
            taken,
            &[
                "classification",
                "last_modified",
                "created",
                "verified",
                "display",
            ],
        );
    }
    if let Some(Value::Object(sig)) = attr.get_mut("signature") {
        let taken = std::mem::take(sig);
        *sig = reorder(taken, &["publisher", "additional"]);
        if let Some(Value::Object(p)) = sig.get_mut("publisher") {
            let taken = std::mem::take(p);
            *p = reorder(taken, &["alg", "typ", "name", "value"]);
        }
    }
    attr
}

fn reorder(mut map: Map<String, Value>, order: &[&str]) -> Map<String, Value> {
    if in_order(&map, order) {
        return map;
    }
    let mut out = Map::with_capacity(map.len());
    for key in order {
        if let Some(v) = map.shift_remove(*key) {
            out.insert((*key).to_string(), v);
        }
    }
    out.extend(map);
    out
}

/// Every member known and in `order`'s order (no hashing: documents in canonical order are the common case).
fn in_order(map: &Map<String, Value>, order: &[&str]) -> bool {
    let mut rest = order;
    map.keys()
        .all(|key| match rest.iter().position(|name| name == key) {
            Some(i) => {
                rest = &rest[i + 1..];
                true
            }
            None => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_means_known_members_in_canonical_order() {
        let map = |keys: &[&str]| -> Map<String, Value> {
            keys.iter().map(|k| (k.to_string(), Value::Null)).collect()
        };
        let order = ["a", "b", "c"];
        assert!(in_order(&map(&["a", "c"]), &order));
        assert!(in_order(&map(&[]), &order));
        assert!(!in_order(&map(&["c", "a"]), &order));
        assert!(!in_order(&map(&["a", "x"]), &order));
        assert_eq!(
            reorder(map(&["x", "c", "a"]), &order)
                .keys()
                .collect::<Vec<_>>(),
            ["a", "c", "x"]
        );
    }

    #[test]
    fn the_null_profile_has_every_attribute_and_the_original_order() {
        let null = Profile::null();
        let keys: Vec<&str> = null.as_map().keys().map(String::as_str).collect();
        assert_eq!(keys, TOP_LEVEL);
        assert_eq!(null.attrs().count(), 53);
        assert!(null.attrs().all(|(_, a)| a.is_null()));
        assert_eq!(null.schema(), SCHEMA_URL);
        // Output order equals the original file's order, byte for byte after normalising whitespace.
        let original: Value = serde_json::from_str(NULL_PROFILE_JSON).unwrap();
        assert_eq!(serde_json::to_string(&original).unwrap(), null.to_json());
    }

    #[test]
    fn set_attr_adds_a_missing_identity_in_canonical_position() {
        let mut p = Profile::null();
        let ids = p
            .doc
            .get_mut("identities")
            .and_then(Value::as_object_mut)
            .unwrap();
        let github = ids.shift_remove("github_id_v3").unwrap();
        assert!(
            p.attr(AttrPath::parse("identities.github_id_v3").unwrap())
                .is_none()
        );
        let path = AttrPath::parse("identities.github_id_v3").unwrap();
        p.set_attr(path, github.as_object().unwrap().clone());
        let first = p.doc["identities"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .cloned();
        assert_eq!(first.as_deref(), Some("github_id_v3"));
    }
}
