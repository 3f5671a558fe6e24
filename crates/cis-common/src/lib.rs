//! # cis-common — what every CIS service shares
//!
//! | module | owns |
//! |---|---|
//! | [`config`] | typed configuration: defaults, the INI file, the environment, validation (docs/configuration.md) |
//! | [`error`] | [`ApiError`]: the JSON error of every API, mapped to HTTP in one place (docs/contract/change-api.md §2, §11) |
//! | [`auth`] | bearer-token validation (JWKS cache, claims, scopes) and the development token issuer (§3) |
//! | [`keys`] | [`keys::VerificationKeys`]: the publishers' trusted keys from a file or the well-known document |
//! | [`fetch`] | fetching one JSON document over HTTP(S), from a file or from memory, with a timeout |
//! | [`openapi`] | what both APIs' OpenAPI documents share: the error body, the profile, security, common errors |
//! | [`openapi_markdown`] | the Markdown rendering of an OpenAPI document (docs/openapi/*.md) |
//! | [`well_known`] | building and checking the well-known documents a stage publishes (docs/contract/well-known.md) |
//!
//! No handler logic lives here, and nothing here logs a token, a key or a whole profile.

pub mod auth;
pub mod config;
pub mod error;
pub mod fetch;
pub mod keys;
pub mod openapi;
pub mod openapi_markdown;
pub mod well_known;

pub use auth::{AuthError, Claims, DevIssuer, Scopes, TokenValidator};
pub use config::{Config, ConfigError};
pub use error::ApiError;
pub use keys::{KeysUnavailable, VerificationKeys};
