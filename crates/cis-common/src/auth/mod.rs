//! Bearer-token authentication of the CIS APIs (docs/contract/change-api.md §3): header parsing, RS256 signature checked
//! against the issuer's JWKS (cached, refreshed on an unknown `kid`), claims (`exp`, `iss`, `aud`, `nbf`),
//! scopes; plus a development token issuer for `cis serve` and router tests.
//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | [`AuthError`]: every failure of §3 with its exact code and description |
//! | `scopes.rs` | [`Scopes`] |
//! | `claims.rs` | [`Claims`] and the claim checks |
//! | `jwks.rs` | [`JwksCache`]: cached issuer keys by `kid`, refetch limits |
//! | `validator.rs` | [`TokenValidator`]: the checks in order |
//! | `dev_issuer.rs` | [`DevIssuer`]: mints tokens and serves its JWKS |
//!
//! Never log a token, an `Authorization` header or a key: failures are logged by reason only.

mod claims;
mod dev_issuer;
mod jwks;
mod scopes;
mod validator;

pub use crate::fetch::DocumentSource as JwksSource;
pub use crate::fetch::{FileSource, HttpSource, MemorySource};
pub use claims::Claims;
pub use dev_issuer::DevIssuer;
pub use jwks::{DEFAULT_JWKS_TIMEOUT, JwksCache, MIN_REFETCH_INTERVAL};
pub use scopes::Scopes;
pub use validator::TokenValidator;

use crate::error::ApiError;

/// The description of a wrong or missing `iss` or `aud` (no space after the comma, as in the original).
pub const INCORRECT_CLAIMS: &str = "incorrect claims,please check the audience and issuer";

/// Why a request is not authenticated (401), not authorised (403), or cannot be checked now (503).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Authorization header is expected")]
    HeaderMissing,
    #[error("Authorization header must start with Bearer")]
    NotBearer,
    #[error("Token not found")]
    TokenNotFound,
    #[error("Authorization header must be Bearer token")]
    TooManyParts,
    /// No `kid` in the token header, or no JWKS key with that `kid` (after one refetch).
    #[error("Unable to find appropriate key")]
    KeyNotFound,
    /// Malformed token, an `alg` other than RS256, a bad signature, a payload that is not a JSON object.
    /// `reason` is for the server's debug log only; the client sees the fixed text.
    #[error("Unable to parse authentication token.")]
    Unparsable { reason: &'static str },
    #[error("token is expired")]
    Expired,
    /// `iss`/`aud` wrong or missing, `exp` missing, `nbf` in the future, a time claim that is not a number.
    #[error("{0}")]
    InvalidClaims(String),
    /// The token is valid but lacks `scope`.
    #[error("This endpoint requires the {0} scope")]
    ScopeMissing(String),
    /// The issuer's JWKS could not be fetched and nothing is cached.
    #[error("the token issuer's keys are unavailable")]
    Unavailable,
}

impl AuthError {
    /// The catalogue code (docs/contract/change-api.md §11).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::HeaderMissing => "authorization_header_missing",
            AuthError::NotBearer
            | AuthError::TokenNotFound
            | AuthError::TooManyParts
            | AuthError::KeyNotFound
            | AuthError::Unparsable { .. } => "invalid_header",
            AuthError::Expired => "token_expired",
            AuthError::InvalidClaims(_) => "invalid_claims",
            AuthError::ScopeMissing(_) => "scope_missing",
            AuthError::Unavailable => "backend_unavailable",
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> ApiError {
        match &error {
            AuthError::HeaderMissing => ApiError::authorization_header_missing(),
            AuthError::Expired => ApiError::token_expired(),
            AuthError::InvalidClaims(description) => ApiError::invalid_claims(description.clone()),
            AuthError::ScopeMissing(scope) => ApiError::scope_required(scope),
            AuthError::Unavailable => ApiError::backend_unavailable("the token issuer's keys"),
            AuthError::NotBearer
            | AuthError::TokenNotFound
            | AuthError::TooManyParts
            | AuthError::KeyNotFound
            | AuthError::Unparsable { .. } => ApiError::invalid_header(error.to_string()),
        }
    }
}
