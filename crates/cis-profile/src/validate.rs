//! Profile validation: both layers of docs/contract/profile.md §4 for untrusted input, and the lenient structure check for
//! profiles CIS stored itself (§4.3).
//!
//! [`validate`] gives the verdicts of the original JSON schema (`data/profile.schema.json`, draft-04, without its
//! `format` keywords) plus the project's stricter rules (§4.2), evaluated by typed checks driven by the
//! [`catalogue`](crate::catalogue) rather than by a schema interpreter: no regex, and no allocation unless
//! something is wrong. It returns every violation with its JSON pointer, in document order: the members of each
//! object in the order they appear, then the object's missing required members in canonical order.
//! Strict JSON (duplicate members, integer range, lone surrogates) is `json::parse_strict`'s business, not
//! this module's. Nothing here changes or reorders the document.

mod node;
mod walk;

use crate::catalogue::{AttrPath, AttrSpec, Group, Kind};
use crate::enums::{Classification, Display, Publisher};
use crate::timestamp::is_rfc3339;
use crate::tree::Json;
use node::Node;
use serde_json::Value;
use walk::{Ptr, ROOT, Report, Top, fields, tables};

/// One validation failure: where (JSON pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

impl Violation {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

const NOT_OBJECT: &str = "must be an object";
const NOT_STRING: &str = "must be a string";
const NOT_PROFILE: &str = "a profile must be a JSON object";
const DATE_TIME: &str = "must be an RFC 3339 date-time with a zone, e.g. 2026-01-15T10:00:00.000Z";
const ALGS: [&str; 4] = ["HS256", "RS256", "RSA", "ED25519"];
const TYPS: [&str; 2] = ["JWS", "PGP"];
const SIGNATURE: [&str; 2] = ["publisher", "additional"];
const PUBLISHER: [&str; 4] = ["alg", "typ", "name", "value"];
const METADATA: [&str; 5] = [
    "classification",
    "last_modified",
    "created",
    "verified",
    "display",
];

/// Checks untrusted input against both validation layers (docs/contract/profile.md §4.1 and §4.2).
pub fn validate(doc: &Value) -> Result<(), Vec<Violation>> {
    check(doc)
}

/// [`validate`] over a borrowed tree: the same checks, the same violations in the same order.
pub fn validate_tree(doc: &Json<'_>) -> Result<(), Vec<Violation>> {
    check(doc)
}

fn check<N: Node>(doc: &N) -> Result<(), Vec<Violation>> {
    let mut report = Report::default();
    if !doc.is_object() {
        report.add(&ROOT, NOT_PROFILE);
    }
    let t = tables();
    fields(
        doc,
        &ROOT,
        &t.top_names,
        true,
        &mut report,
        |i, value, at, report| match t.top[i] {
            Top::Schema if !value.is_string() => report.add(at, NOT_STRING),
            Top::Schema => {}
            Top::Attr(path) => check_attr(path, value, at, report),
            Top::Group(group) => check_group(group, value, at, report),
        },
    );
    report.finish()
}

/// The lenient check for a profile CIS stored itself (docs/contract/profile.md §4.3): a JSON object of known top-level
/// members; each present attribute an object with object `metadata` and `signature` and its payload member.
/// Missing members, unknown classification labels and odd timestamps are accepted.
pub fn check_structure(doc: &Value) -> Result<(), Vec<Violation>> {
    structure(doc)
}

/// [`check_structure`] over a borrowed tree.
pub fn check_structure_tree(doc: &Json<'_>) -> Result<(), Vec<Violation>> {
    structure(doc)
}

fn structure<N: Node>(doc: &N) -> Result<(), Vec<Violation>> {
    let mut report = Report::default();
    if !doc.is_object() {
        report.add(&ROOT, NOT_PROFILE);
    }
    let t = tables();
    fields(
        doc,
        &ROOT,
        &t.top_names,
        false,
        &mut report,
        |i, value, at, report| match t.top[i] {
            Top::Schema => {}
            Top::Attr(path) => check_attr_shape(path, value, at, report),
            Top::Group(group) => {
                let (names, paths) = t.members(group);
                fields(value, at, names, false, report, |i, attr, at, report| {
                    check_attr_shape(paths[i], attr, at, report);
                });
            }
        },
    );
    report.finish()
}

fn check_attr_shape<N: Node>(path: AttrPath, value: &N, at: &Ptr<'_>, report: &mut Report) {
    let Some(members) = value.members() else {
        return report.add(at, NOT_OBJECT);
    };
    let payload = path.kind().payload_key();
    let (mut signature, mut metadata, mut has_payload) = (None, None, false);
    for (name, member) in members {
        match name {
            "signature" => signature = Some(member),
            "metadata" => metadata = Some(member),
            _ => has_payload |= name == payload,
        }
    }
    for (name, found) in [("signature", signature), ("metadata", metadata)] {
        match found {
            Some(member) if member.is_object() => {}
            Some(_) => report.add(&at.key(name), NOT_OBJECT),
            None => report.add(&at.key(name), walk::MISSING),
        }
    }
    if !has_payload {
        report.add(&at.key(payload), walk::MISSING);
    }
}

/// A group: an object of attributes; `identities` members are optional, the others' required. The schema's
/// display/classification rules on the groups themselves never apply (docs/contract/profile.md §2).
fn check_group<N: Node>(group: Group, value: &N, at: &Ptr<'_>, report: &mut Report) {
    let (names, paths) = tables().members(group);
    fields(
        value,
        at,
        names,
        group.members_required(),
        report,
        |i, attr, at, report| {
            check_attr(paths[i], attr, at, report);
        },
    );
}

/// `{signature, metadata, value|values}`; the other payload member is an unknown member.
fn check_attr<N: Node>(path: AttrPath, value: &N, at: &Ptr<'_>, report: &mut Report) {
    let spec = path.spec();
    let names = ["signature", "metadata", spec.kind.payload_key()];
    fields(
        value,
        at,
        &names,
        true,
        report,
        |i, value, at, report| match i {
            0 => check_signature(value, at, report),
            1 => check_metadata(spec, value, at, report),
            _ => check_payload(path, value, at, report),
        },
    );
}

fn check_signature<N: Node>(value: &N, at: &Ptr<'_>, report: &mut Report) {
    fields(
        value,
        at,
        &SIGNATURE,
        true,
        report,
        |i, value, at, report| match (i, value.items()) {
            (0, _) => check_publisher(value, false, at, report),
            (_, Some(items)) => {
                for (n, item) in items.iter().enumerate() {
                    check_publisher(item, true, &at.index(n), report);
                }
            }
            _ => report.add(at, "must be an array"),
        },
    );
}

/// `signature.publisher` (`lax` false: `name` in the publisher enum) or an `additional` item (`lax` true:
/// `name` null or any string).
fn check_publisher<N: Node>(value: &N, lax: bool, at: &Ptr<'_>, report: &mut Report) {
    fields(
        value,
        at,
        &PUBLISHER,
        true,
        report,
        |i, value, at, report| {
            let text = value.as_str();
            let (ok, message) = match i {
                0 => (
                    text.is_some_and(|s| ALGS.contains(&s)),
                    "must be one of HS256, RS256, RSA, ED25519",
                ),
                1 => (
                    text.is_some_and(|s| TYPS.contains(&s)),
                    "must be one of JWS, PGP",
                ),
                2 if lax => (
                    text.is_some() || value.is_null(),
                    "must be a string or null",
                ),
                2 => (
                    text.and_then(Publisher::parse).is_some(),
                    "must be one of ldap, mozilliansorg, hris, cis, access_provider",
                ),
                _ => (text.is_some(), NOT_STRING),
            };
            if !ok {
                report.add(at, message);
            }
        },
    );
}

fn check_metadata<N: Node>(spec: &AttrSpec, value: &N, at: &Ptr<'_>, report: &mut Report) {
    fields(
        value,
        at,
        &METADATA,
        true,
        report,
        |i, value, at, report| match i {
            0 => match value.as_str().and_then(Classification::parse) {
                Some(c) if spec.classification.contains(c) => {}
                Some(_) => report.add(at, not_allowed_classification(spec)),
                None => report.add(at, "must be one of the five classification labels"),
            },
            1 | 2 => match value.as_str() {
                Some(s) if is_rfc3339(s) => {}
                Some(_) => report.add(at, DATE_TIME),
                None => report.add(at, NOT_STRING),
            },
            3 if !value.is_boolean() => report.add(at, "must be a boolean"),
            3 => {}
            _ => {
                let level = match value.as_str() {
                    _ if value.is_null() => Some(None),
                    Some(s) => Display::parse(s).map(Some),
                    None => None,
                };
                match level {
                Some(d) if spec.display.contains(d) => {}
                Some(_) => report.add(at, not_allowed_display(spec)),
                None => report.add(at, "must be null or one of public, authenticated, vouched, ndaed, staff, private"),
            }
            }
        },
    );
}

/// The payload by kind (docs/contract/profile.md §2), with the §4.2 tightening of V and AI maps and of the timestamps.
fn check_payload<N: Node>(path: AttrPath, value: &N, at: &Ptr<'_>, report: &mut Report) {
    if value.is_null() {
        return;
    }
    match path.kind() {
        Kind::Bool if value.is_boolean() => {}
        Kind::Bool => report.add(at, "must be a boolean or null"),
        Kind::String => match value.as_str() {
            Some(s) => {
                let is_time = path == AttrPath::CREATED || path == AttrPath::LAST_MODIFIED;
                if is_time && !is_rfc3339(s) {
                    report.add(at, DATE_TIME);
                }
            }
            None => report.add(at, "must be a string or null"),
        },
        kind @ (Kind::Values | Kind::AccessInfo) => {
            let Some(members) = value.members() else {
                return report.add(at, "must be null or an object");
            };
            for (key, member) in members {
                if kind == Kind::Values && !(member.is_string() || member.is_null()) {
                    report.add(&at.key(key), "must be a string or null");
                }
                if kind == Kind::AccessInfo && (member.is_array() || member.is_object()) {
                    report.add(&at.key(key), "must be a string, number, boolean or null");
                }
            }
        }
    }
}

fn not_allowed_classification(spec: &AttrSpec) -> String {
    let allowed = Classification::ALL
        .into_iter()
        .filter(|c| spec.classification.contains(*c));
    let allowed: Vec<&str> = allowed.map(Classification::as_str).collect();
    format!(
        "classification not allowed for {} (allowed: {})",
        spec.dotted,
        allowed.join(", ")
    )
}

fn not_allowed_display(spec: &AttrSpec) -> String {
    let levels = Display::ALL.into_iter().map(Some).chain([None]);
    let allowed = levels.filter(|d| spec.display.contains(*d));
    let allowed: Vec<&str> = allowed.map(|d| d.map_or("null", Display::as_str)).collect();
    format!(
        "display not allowed for {} (allowed: {})",
        spec.dotted,
        allowed.join(", ")
    )
}
