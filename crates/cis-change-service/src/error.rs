//! [`ChangeError`]: every way a Change API request (or one batch item) can fail, and the one place where
//! each — the pipeline's [`Rejection`]s included — is mapped to its HTTP status and JSON [`ApiError`]
//! (docs/contract/change-api.md §11).
//!
//! Handlers return `Result<_, ChangeError>`; nothing else in the crate decides a status for an error.
//! Internal causes (vault, stream, key source) are logged here, never sent to the client.

use axum::response::{IntoResponse, Response};
use cis_change::{PipelineError, Rejection, SinkError, StreamError};
use cis_common::ApiError;
use cis_common::auth::AuthError;
use cis_identity_vault::VaultError;
use http::{Method, StatusCode};
use tracing::warn;

/// Why a request, or one item of a batch, was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The bearer token was missing or not acceptable (§3 steps 1–4).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A write route without the `write` scope (§3 step 5).
    #[error("the write scope is missing")]
    ScopeMissing,
    /// Another route's scope is missing.
    #[error("the {0} scope is missing")]
    ScopeRequired(&'static str),
    #[error("request body over {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("request body could not be read")]
    BodyUnreadable,
    /// The body did not arrive within the deadline.
    #[error("request body not received within {0:?}")]
    BodyTimeout(std::time::Duration),
    #[error("unsupported Content-Type {0:?}")]
    UnsupportedMediaType(String),
    /// The parser's message with the position where it stopped.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("batch of {count} over the limit of {max}")]
    BatchTooLarge { count: usize, max: usize },
    #[error("deletes are disabled")]
    DeleteDisabled,
    /// `/v2/status` without `sequenceNumber`.
    #[error("sequenceNumber is missing")]
    MissingSequenceNumber,
    /// A query parameter with a value it cannot take.
    #[error("{0}")]
    InvalidParameter(String),
    /// The change itself was refused (schema, user, signature, rules, size).
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// A backend failed while the change was judged or written; the cause is for the log only.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    /// Version conflicts still unresolved after the configured retries.
    #[error("write conflict")]
    WriteConflict,
    /// The change stream did not take the change.
    #[error("change stream unavailable: {0}")]
    StreamUnavailable(String),
    /// The vault failed outside the pipeline (status lookups).
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("unknown path")]
    NotFound,
    /// A bug: logged under a reference id, the client sees only the id.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("method not allowed")]
    MethodNotAllowed(&'static [Method]),
}

impl From<PipelineError> for ChangeError {
    fn from(e: PipelineError) -> ChangeError {
        match e {
            PipelineError::Rejected(r) => ChangeError::Rejected(r),
            PipelineError::Unavailable(cause) => ChangeError::Unavailable(cause),
            PipelineError::Conflict(_) => ChangeError::WriteConflict,
        }
    }
}

impl From<SinkError> for ChangeError {
    fn from(e: SinkError) -> ChangeError {
        match e {
            SinkError::Pipeline(e) => e.into(),
            SinkError::Stream(StreamError::Unavailable(cause)) => {
                ChangeError::StreamUnavailable(cause)
            }
            SinkError::Stream(e @ StreamError::Refused(_)) => ChangeError::Internal(e.to_string()),
            SinkError::Internal(cause) => ChangeError::Internal(cause),
        }
    }
}

impl From<ChangeError> for ApiError {
    fn from(error: ChangeError) -> ApiError {
        match error {
            ChangeError::Auth(e) => e.into(),
            ChangeError::ScopeMissing => ApiError::scope_missing(),
            ChangeError::ScopeRequired(scope) => ApiError::scope_required(scope),
            ChangeError::PayloadTooLarge { limit } => ApiError::payload_too_large(limit),
            ChangeError::BodyUnreadable => {
                ApiError::invalid_json("the request body could not be read completely")
            }
            ChangeError::BodyTimeout(deadline) => ApiError::request_timeout(deadline.as_secs()),
            ChangeError::UnsupportedMediaType(content_type) => {
                ApiError::unsupported_media_type(&content_type)
            }
            ChangeError::InvalidJson(message) => ApiError::invalid_json(message),
            ChangeError::BatchTooLarge { count, max } => ApiError::batch_too_large(count, max),
            ChangeError::DeleteDisabled => ApiError::delete_disabled(),
            ChangeError::InvalidParameter(text) => ApiError::invalid_request(text),
            ChangeError::MissingSequenceNumber => {
                ApiError::invalid_request("the sequenceNumber query parameter is required")
            }
            ChangeError::Rejected(r) => {
                ApiError::new(rejection_status(&r), r.code(), r.to_string())
            }
            ChangeError::Unavailable(cause) => {
                warn!(cause = %cause, "change not judged: backend unavailable");
                ApiError::backend_unavailable("a backend (identity vault or publisher keys)")
            }
            ChangeError::WriteConflict => ApiError::write_conflict(),
            ChangeError::StreamUnavailable(cause) => {
                warn!(cause = %cause, "change stream unavailable");
                ApiError::backend_unavailable("the change stream")
            }
            ChangeError::Vault(e) => {
                warn!(cause = %e, "identity vault unavailable");
                ApiError::backend_unavailable("the identity vault")
            }
            ChangeError::NotFound => ApiError::not_found(),
            ChangeError::Internal(cause) => ApiError::internal(cause),
            ChangeError::MethodNotAllowed(allow) => ApiError::method_not_allowed(allow),
        }
    }
}

/// The HTTP status of each rejection (docs/contract/change-api.md §11): 400 for a malformed or incomplete
/// change, 403 when signatures or publisher rules refuse it, 404 for an unknown user, 413 when too large.
fn rejection_status(rejection: &Rejection) -> StatusCode {
    match rejection {
        Rejection::InvalidProfile(_)
        | Rejection::UserIdMismatch
        | Rejection::UserIdMissing
        | Rejection::NewUserIdMissing
        | Rejection::ActiveMissing
        | Rejection::DuplicateUserId(_)
        | Rejection::Undecodable(_) => StatusCode::BAD_REQUEST,
        Rejection::UuidOrPrimaryUsernameSet
        | Rejection::InvalidSignature(_)
        | Rejection::InvalidPublisher(_) => StatusCode::FORBIDDEN,
        Rejection::UserNotFound(_) => StatusCode::NOT_FOUND,
        Rejection::ProfileTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
    }
}

impl IntoResponse for ChangeError {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_keep_their_code_and_description_and_get_their_status() {
        let e = Rejection::InvalidPublisher(
            "[update] ldap is NOT allowed to publish field first_name".into(),
        );
        let api = ApiError::from(ChangeError::from(PipelineError::from(e)));
        assert_eq!(api.status, StatusCode::FORBIDDEN);
        assert_eq!(api.code, "invalid_publisher");
        assert_eq!(
            api.description,
            "[update] ldap is NOT allowed to publish field first_name"
        );
        let big = Rejection::ProfileTooLarge { size: 2, limit: 1 };
        let api = ApiError::from(ChangeError::Rejected(big));
        assert_eq!(api.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn internal_errors_are_500_with_only_a_reference() {
        let api = ApiError::from(ChangeError::Internal(
            "index out of range in users.rs".into(),
        ));
        assert_eq!(
            (api.status, api.code.as_ref()),
            (StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
        );
        assert!(api.description.starts_with("internal error, reference "));
        assert!(!api.description.contains("users.rs"));
    }

    #[test]
    fn backend_failures_become_503_without_internal_details() {
        let api = ApiError::from(ChangeError::from(VaultError::unavailable(
            "sqlite at /secret/path locked",
        )));
        assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(api.code, "backend_unavailable");
        assert!(!api.description.contains("/secret/path"));
        let api = ApiError::from(ChangeError::from(SinkError::Stream(
            StreamError::Unavailable("kinesis 10.1.2.3".into()),
        )));
        assert_eq!(
            (api.status, api.code.as_ref()),
            (StatusCode::SERVICE_UNAVAILABLE, "backend_unavailable")
        );
        assert!(!api.description.contains("10.1.2.3"));
        let api = ApiError::from(ChangeError::from(PipelineError::Unavailable(
            "dynamodb 10.0.0.9".into(),
        )));
        assert!(!api.description.contains("10.0.0.9"));
    }
}
