//! [`PersonApiError`]: every way a Person API request can fail, and the one place where each is mapped to
//! the JSON [`ApiError`] (`{"code", "description"}`) with its status.
//!
//! Handlers return `Result<_, PersonApiError>`; nothing else in the crate builds error statuses. Backend
//! causes are logged here and never sent to the client.

use axum::response::{IntoResponse, Response};
use cis_common::ApiError;
use cis_common::auth::AuthError;
use cis_identity_vault::VaultError;
use http::Method;
use tracing::warn;

/// Why a Person API request was not answered with data.
#[derive(Debug, thiserror::Error)]
pub enum PersonApiError {
    /// The bearer token is missing or not acceptable (401), lacks a scope (403), or the issuer's keys are
    /// unavailable (503).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A query parameter (or path segment) has a value this API does not accept (400).
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter { name: String, reason: String },
    /// `nextPage` is not a token of this route (400).
    #[error("invalid nextPage: {0}")]
    InvalidNextPage(String),
    /// No user matches the lookup, or the one that does is not in the requested `active` state (404).
    #[error("no such user")]
    UserNotFound(String),
    /// Unknown path (404).
    #[error("unknown path")]
    NotFound,
    /// Known path, other method (405).
    #[error("method not allowed")]
    MethodNotAllowed(&'static [Method]),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A bug: logged under a reference id, the client sees only the id.
    #[error("internal error: {0}")]
    Internal(String),
}

impl PersonApiError {
    /// A 400 for parameter `name`.
    pub fn invalid(name: &str, reason: impl Into<String>) -> PersonApiError {
        PersonApiError::InvalidParameter {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }
}

impl From<PersonApiError> for ApiError {
    fn from(error: PersonApiError) -> ApiError {
        match error {
            PersonApiError::Auth(e) => e.into(),
            PersonApiError::InvalidParameter { name, reason } => {
                ApiError::invalid_request(format!("query parameter {name}: {reason}"))
            }
            PersonApiError::InvalidNextPage(reason) => ApiError::invalid_request(format!(
                "nextPage: {reason}; pass back the nextPage value of the previous answer of this route"
            )),
            PersonApiError::UserNotFound(who) => ApiError::user_not_found(&who),
            PersonApiError::NotFound => ApiError::not_found(),
            PersonApiError::MethodNotAllowed(allow) => ApiError::method_not_allowed(allow),
            PersonApiError::Vault(e) => from_vault(e),
            PersonApiError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

fn from_vault(e: VaultError) -> ApiError {
    match e {
        VaultError::InvalidCursor => ApiError::invalid_request(
            "nextPage: not a pagination token of this vault; pass back the nextPage value of the previous answer",
        ),
        VaultError::Unavailable { .. } => {
            // The cause may name hosts, files or tables: it goes to the log only.
            warn!(cause = %e, "identity vault unavailable");
            ApiError::backend_unavailable("the identity vault")
        }
        other => ApiError::internal(other),
    }
}

impl IntoResponse for PersonApiError {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn api(e: PersonApiError) -> ApiError {
        ApiError::from(e)
    }

    #[test]
    fn each_error_has_its_status_and_code() {
        let cases = [
            (
                api(PersonApiError::invalid("active", "x")),
                400,
                "invalid_request",
            ),
            (
                api(PersonApiError::InvalidNextPage("x".into())),
                400,
                "invalid_request",
            ),
            (
                api(PersonApiError::UserNotFound("u".into())),
                404,
                "user_not_found",
            ),
            (api(PersonApiError::NotFound), 404, "not_found"),
            (
                api(PersonApiError::MethodNotAllowed(&[Method::GET])),
                405,
                "method_not_allowed",
            ),
            (
                api(AuthError::HeaderMissing.into()),
                401,
                "authorization_header_missing",
            ),
            (
                api(AuthError::ScopeMissing("search:all".into()).into()),
                403,
                "scope_missing",
            ),
            (
                api(VaultError::InvalidCursor.into()),
                400,
                "invalid_request",
            ),
            (
                api(VaultError::unavailable("db").into()),
                503,
                "backend_unavailable",
            ),
            (
                api(VaultError::Corrupt {
                    id: "u".into(),
                    message: "m".into(),
                }
                .into()),
                500,
                "internal_error",
            ),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status, StatusCode::from_u16(status).unwrap());
            assert_eq!(error.code, code);
        }
    }

    #[test]
    fn backend_details_never_reach_the_client() {
        let error = api(VaultError::unavailable("sqlite /secret/path locked").into());
        assert!(!error.description.contains("/secret/path"));
        let error = api(PersonApiError::Internal("table prod-x broke".into()));
        assert!(!error.description.contains("prod-x"));
    }
}
