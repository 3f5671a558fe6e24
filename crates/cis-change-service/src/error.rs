//! [`ChangeError`]: every way a Change API request (or one batch item) can fail, and the one place where
//! each is mapped to the JSON [`ApiError`] of change-api.md §11.
//!
//! Handlers return `Result<_, ChangeError>`; nothing else in the crate builds status codes for errors.
//! Internal causes (vault, stream, key source) are logged here, never sent to the client.

use axum::response::{IntoResponse, Response};
use cis_common::ApiError;
use cis_common::auth::AuthError;
use cis_identity_vault::VaultError;
use cis_processor::{PipelineError, StreamError};
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
    #[error("request body over {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("request body could not be read")]
    BodyUnreadable,
    #[error("unsupported Content-Type {0:?}")]
    UnsupportedMediaType(String),
    /// The parser's message with the position where it stopped.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// `<json-pointer>: <message>` of the first violation, or the shape problem.
    #[error("invalid profile: {0}")]
    InvalidProfile(String),
    /// The query `user_id` and the body's differ (§4 step 4).
    #[error("user_id query parameter does not match the body")]
    UserIdMismatch,
    #[error("no user_id in the query or the body")]
    UserIdMissing,
    #[error("user appears twice in the batch")]
    DuplicateUserId(String),
    #[error("batch of {count} over the limit of {max}")]
    BatchTooLarge { count: usize, max: usize },
    #[error("deletes are disabled")]
    DeleteDisabled,
    /// `/v2/status` without `sequenceNumber`.
    #[error("sequenceNumber is missing")]
    MissingSequenceNumber,
    /// The pipeline refused the change or could not reach a backend.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The change stream did not take the change.
    #[error(transparent)]
    Stream(#[from] StreamError),
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

impl From<ChangeError> for ApiError {
    fn from(error: ChangeError) -> ApiError {
        match error {
            ChangeError::Auth(e) => e.into(),
            ChangeError::ScopeMissing => ApiError::scope_missing(),
            ChangeError::PayloadTooLarge { limit } => ApiError::payload_too_large(limit),
            ChangeError::BodyUnreadable => {
                ApiError::invalid_json("the request body could not be read completely")
            }
            ChangeError::UnsupportedMediaType(content_type) => {
                ApiError::unsupported_media_type(&content_type)
            }
            ChangeError::InvalidJson(message) => ApiError::invalid_json(message),
            ChangeError::InvalidProfile(description) => ApiError::invalid_profile(description),
            ChangeError::UserIdMismatch => ApiError::integration_exception(),
            ChangeError::UserIdMissing => ApiError::user_id_missing(),
            ChangeError::DuplicateUserId(user_id) => ApiError::duplicate_user_id(&user_id),
            ChangeError::BatchTooLarge { count, max } => ApiError::batch_too_large(count, max),
            ChangeError::DeleteDisabled => ApiError::delete_disabled(),
            ChangeError::MissingSequenceNumber => {
                ApiError::invalid_request("the sequenceNumber query parameter is required")
            }
            ChangeError::Pipeline(e) => from_pipeline(e),
            ChangeError::Stream(StreamError::Unavailable(cause)) => {
                warn!(cause = %cause, "change stream unavailable");
                ApiError::backend_unavailable("the change stream")
            }
            ChangeError::Stream(e @ StreamError::Refused(_)) => ApiError::internal(e),
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

fn from_pipeline(e: PipelineError) -> ApiError {
    if e.is_transient() {
        // The cause (`Display`) may name hosts or tables: it goes to the log only.
        warn!(cause = %e, code = e.code(), "change not applied: backend problem");
    }
    match StatusCode::from_u16(e.status()) {
        Ok(status) => ApiError::new(status, e.code(), e.description()),
        Err(_) => ApiError::internal(format!("pipeline error with invalid status {}", e.status())),
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
    fn pipeline_rejections_keep_status_code_and_description() {
        let e = PipelineError::rejected(
            403,
            "invalid_publisher",
            "[update] ldap is NOT allowed to publish field first_name",
        );
        let api = ApiError::from(ChangeError::from(e));
        assert_eq!(api.status, StatusCode::FORBIDDEN);
        assert_eq!(api.code, "invalid_publisher");
        assert_eq!(
            api.description,
            "[update] ldap is NOT allowed to publish field first_name"
        );
    }

    #[test]
    fn internal_errors_are_500_with_only_a_reference() {
        let api = ApiError::from(ChangeError::Internal(
            "index out of range in accept.rs".into(),
        ));
        assert_eq!(
            (api.status, api.code.as_ref()),
            (StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
        );
        assert!(
            api.description.starts_with("internal error, reference "),
            "{}",
            api.description
        );
        assert!(!api.description.contains("accept.rs"));
    }

    #[test]
    fn backend_failures_become_503_without_internal_details() {
        let api = ApiError::from(ChangeError::from(VaultError::unavailable(
            "sqlite at /secret/path locked",
        )));
        assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(api.code, "backend_unavailable");
        assert!(!api.description.contains("/secret/path"));
        let api = ApiError::from(ChangeError::from(StreamError::Unavailable(
            "kinesis 10.1.2.3".into(),
        )));
        assert_eq!(
            (api.status, api.code.as_ref()),
            (StatusCode::SERVICE_UNAVAILABLE, "backend_unavailable")
        );
        assert!(!api.description.contains("10.1.2.3"));
    }
}
