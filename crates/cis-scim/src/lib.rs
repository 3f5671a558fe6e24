//! # cis-scim — SCIM 2.0 (RFC 7643, RFC 7644) for CIS, with no I/O
//!
//! | module | owns |
//! |---|---|
//! | [`user`] | a (scope-filtered) CIS profile → SCIM User, core and enterprise extension (docs/scim.md §1) |
//! | [`group`] | the CIS groups of profiles → SCIM Groups (`ldap:<name>`, `mozilliansorg:<name>`) |
//! | [`filter`] | the SCIM filter language: parsing, evaluation, and the indexed lookup a filter allows |
//! | [`project`] | `attributes` / `excludedAttributes` projections |
//! | [`list`] | `startIndex` / `count` and the ListResponse |
//! | [`discovery`] | ServiceProviderConfig, Schemas and ResourceTypes |
//! | [`desired`] | what a sync target should hold for one profile: managed attributes, selection |
//! | [`plan`] | the reconcile plan of one target: creates, minimal updates, disables, group members |
//! | [`error`] | [`ScimError`]: the SCIM error body and its status |
//!
//! The mapping reads a profile that the caller's scopes have already filtered: a SCIM reader sees nothing
//! the same token could not read from the Person API. Nothing here logs, reads the vault or speaks HTTP.

pub mod desired;
pub mod discovery;
pub mod error;
pub mod filter;
pub mod group;
pub mod list;
pub mod plan;
pub mod project;
pub mod user;

pub use error::ScimError;
pub use filter::{Filter, IndexedLookup};

/// The media type of every SCIM answer.
pub const SCIM_JSON: &str = "application/scim+json";
/// Core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Enterprise User extension.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// ListResponse message.
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Error message.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
