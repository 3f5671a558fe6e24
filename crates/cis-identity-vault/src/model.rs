//! The vault's data model, independent of any backend: what is stored per user, status records of
//! changes, lookups, list queries and pages. Item mapping to SQLite rows or DynamoDB items happens only in
//! the adapters.

use cis_profile::{AttrPath, Profile};
use serde::{Deserialize, Serialize};

/// A profile as stored, with its optimistic-lock version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProfile {
    pub profile: Profile,
    /// `None` for an item written by the original CIS (no `version` attribute).
    pub version: Option<u64>,
    /// The change that last wrote the item.
    pub sequence_number: Option<String>,
}

impl StoredProfile {
    /// The condition a write over this profile must carry.
    pub fn expected(&self) -> Expected {
        match self.version {
            Some(v) => Expected::Version(v),
            None => Expected::Unversioned,
        }
    }
}

/// A profile as stored, as its JSON text (what the Person API filters without parsing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJson {
    pub user_id: String,
    /// `active.value`; `None` when null.
    pub active: Option<bool>,
    /// `None` for an item written by the original CIS (no `version` attribute).
    pub version: Option<u64>,
    /// The profile's JSON text; adapters that parse profiles give their compact serialisation.
    pub json: String,
}

impl StoredJson {
    /// The text form of a parsed profile (the ports' default implementations).
    pub fn of(stored: &StoredProfile) -> StoredJson {
        StoredJson {
            user_id: stored.profile.user_id().unwrap_or_default().to_string(),
            active: stored.profile.active(),
            version: stored.version,
            json: stored.profile.to_json(),
        }
    }
}

/// The condition of a write (docs/contract/processor-and-vault.md §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Create: the user must not exist.
    Absent,
    /// Update/delete: the stored version must be this one.
    Version(u64),
    /// Update/delete of an item written by the original, which has no version.
    Unversioned,
}

impl Expected {
    /// The version a write under this condition produces — the one version rule of every adapter and of
    /// the pipeline: 1 for a create and for the first write over an item the original wrote, `v + 1` over
    /// version `v`; `None` when the counter would overflow (the item is then refused as corrupt).
    pub fn next_version(self) -> Option<u64> {
        match self {
            Expected::Absent | Expected::Unversioned => Some(1),
            Expected::Version(v) => v.checked_add(1),
        }
    }
}

/// A whole-item write: the profile plus the attributes the stream consumers use.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileWrite {
    pub profile: Profile,
    pub expected: Expected,
    /// The change that writes the item.
    pub sequence_number: String,
    /// Dotted paths the write changed (`staff_information.title`).
    pub changed_attributes: Vec<String>,
    /// Distinct publishers of the changed attributes (docs/contract/processor-and-vault.md §5.1).
    pub change_publishers: Vec<String>,
}

/// How one change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeState {
    Processed,
    Noop,
    Failed,
}

/// What kind of change it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    Create,
    Update,
    Delete,
}

/// Who applied the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeSource {
    Direct,
    Stream,
    Historic,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident => $s:literal),* }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)* _ => None }
            }
        }
    };
}
text_enum!(ChangeState { Processed => "processed", Noop => "noop", Failed => "failed" });
text_enum!(Condition { Create => "create", Update => "update", Delete => "delete" });
text_enum!(ChangeSource { Direct => "direct", Stream => "stream", Historic => "historic" });

/// The error a failed change carries (the Change API's code and description).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusError {
    pub code: String,
    pub description: String,
}

/// Who made a change and what it touched: the change history of a user (`GET /v2/changes`). Paths and
/// publisher names only, never attribute values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeOrigin {
    /// The OAuth client of the token that sent the change (`None`: the local bypass, or unknown).
    pub client_id: Option<String>,
    /// The publishers that signed what it changed (for a refused change: what it claimed).
    pub publishers: Vec<String>,
    /// Dotted paths of the attributes it changed.
    pub changed: Vec<String>,
}

/// One page of a user's change history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub cursor: Option<Cursor>,
    pub limit: usize,
}

/// The durable outcome of one change, keyed by its sequence number; written once, never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    pub sequence_number: String,
    pub user_id: String,
    pub state: ChangeState,
    pub condition: Condition,
    /// RFC 3339, UTC, milliseconds.
    pub processed_at: String,
    /// The vault version written (`processed` only).
    pub version: Option<u64>,
    pub source: ChangeSource,
    pub error: Option<StatusError>,
    /// Epoch seconds after which the record may be dropped; `None` = keep forever.
    pub expires_at: Option<i64>,
    /// Who sent it and what it touched.
    pub origin: ChangeOrigin,
}

/// The four ways to find one user, plus the original's sequence-number index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    UserId(String),
    Uuid(String),
    PrimaryEmail(String),
    PrimaryUsername(String),
    /// The vault item whose last change carries this number (the `/v2/status` fallback).
    SequenceNumber(String),
}

/// An opaque pagination cursor issued by a vault adapter and given back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor(pub String);

/// A query over all users, in user_id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// `None` = active and inactive.
    pub active: Option<bool>,
    /// Only user_ids starting with this prefix (the connection method, e.g. `ad`, `oauth2|firefoxaccounts`).
    pub connection: Option<String>,
    pub cursor: Option<Cursor>,
    /// At most this many items per page (adapters may return fewer, and an empty page with a cursor).
    pub limit: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            active: None,
            connection: None,
            cursor: None,
            limit: 100,
        }
    }
}

/// One page of results and the cursor of the next page (`None` when the walk is complete).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// The index entry of one user (no profile read): what `/v2/users/id/all` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdEntry {
    pub user_id: String,
    pub uuid: Option<String>,
    pub primary_email: Option<String>,
    pub active: Option<bool>,
}

/// The value an attribute search compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchValue {
    /// A group name for `access_information.*`, a text for string attributes.
    Text(String),
    Bool(bool),
}

/// `/v2/users/id/all/by_attribute_contains`: users whose attribute matches (or, negated, does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeQuery {
    pub attribute: AttrPath,
    pub value: SearchValue,
    pub negate: bool,
    pub active: Option<bool>,
    pub cursor: Option<Cursor>,
    pub limit: usize,
}
