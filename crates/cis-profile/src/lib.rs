//! # cis-profile — the profile v2 domain
//!
//! Pure domain logic for Mozilla IAM user profiles: no I/O, no async, no AWS, no HTTP.
//!
//! | module | owns |
//! |---|---|
//! | [`enums`] | classification labels, display levels, publisher names |
//! | [`catalogue`] | every attribute path, its kind and schema rules ([`AttrPath`]) |
//! | [`json`] | strict JSON parsing and JSON-value equality |
//! | [`tree`] | a borrowed JSON tree: checking input without building `serde_json` values |
//! | [`attr`] | the typed view of one attribute object |
//! | [`profile`] | the [`Profile`] document: constructors, access, canonical order, the null profile |
//! | [`validate`] | both validation layers of docs/contract/profile.md §4 |
//! | [`timestamp`] | RFC 3339 checks and the timestamps CIS writes |
//! | [`fake`] | deterministic, realistic fake profiles for demos, tests and benchmarks |
//! | [`merge`] | applying a publisher's profile to the stored one (null = no change) |
//! | [`filter`] | classification and display filtering by scopes |
//! | [`filter_raw`] | the same filter over a stored profile's JSON text, kept attributes copied through |
//! | [`rules`] | the publisher rules document and the create/update decision |
//! | [`identifiers`] | [`UserId`], uuid and primary_username derivation from the salt |
//! | [`flat`] | the flattened search copy (`flat_profile`) of a profile |
//!
//! The contract is `docs/contract/profile.md` and `docs/contract/publisher-rules.md`.

pub mod attr;
pub mod catalogue;
pub mod enums;
pub mod fake;
pub mod filter;
pub mod filter_raw;
pub mod flat;
pub mod identifiers;
pub mod json;
pub mod merge;
pub mod profile;
pub mod rules;
mod rules_document;
mod scan;
pub mod timestamp;
pub mod tree;
pub mod validate;

pub use attr::Attr;
pub use catalogue::{AttrPath, Group, Kind};
pub use enums::{Classification, ClassificationSet, Display, DisplaySet, Publisher};
pub use identifiers::UserId;
pub use profile::{Profile, ProfileError, SCHEMA_URL};
pub use validate::Violation;
