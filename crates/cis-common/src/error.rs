//! The HTTP error of every CIS API: `{"code", "description"}` JSON with the right status and headers, one
//! constructor per row of docs/contract/change-api.md §11, mapped to a response in this one place.
//!
//! It must not leak internals: a 500 carries only `internal error, reference <id>`, and the cause is logged
//! under that id. `WWW-Authenticate: Bearer` goes on every 401, `Retry-After` on every 503, `Allow` on 405.

use std::borrow::Cow;
use std::fmt;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{ALLOW, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Method, StatusCode};
use serde_json::json;

/// Seconds a client should wait before retrying a 503.
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 5;

/// An API error: status, machine-readable `code`, one-sentence `description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub description: String,
    allow: Vec<Method>,
    retry_after_seconds: Option<u64>,
}

impl ApiError {
    /// An error with any status and code (prefer the named constructors).
    pub fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        let retry_after_seconds =
            (status == StatusCode::SERVICE_UNAVAILABLE).then_some(DEFAULT_RETRY_AFTER_SECONDS);
        ApiError {
            status,
            code: Cow::Borrowed(code),
            description: description.into(),
            allow: Vec::new(),
            retry_after_seconds,
        }
    }

    /// The same error with another description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The same error with another `Retry-After` (503 only).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    /// The methods of the `Allow` header (405).
    pub fn allow(&self) -> &[Method] {
        &self.allow
    }

    pub fn retry_after_seconds(&self) -> Option<u64> {
        self.retry_after_seconds
    }

    /// The body: `{"code": ..., "description": ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        let body = crate::openapi::ErrorBody {
            code: self.code.to_string(),
            description: self.description.clone(),
        };
        serde_json::to_value(body).unwrap_or_else(|_| json!({"code": self.code}))
    }

    // 400
    pub fn invalid_json(parser_message: impl fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("body is not JSON: {parser_message}"),
        )
    }
    pub fn invalid_profile(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_profile", description)
    }
    pub fn integration_exception() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "integration_exception",
            "user_id query parameter does not match profile, that looks wrong",
        )
    }
    pub fn user_id_missing() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "user_id_missing",
            "the profile has no user_id: set user_id.value (or the user_id query parameter for an existing user)",
        )
    }
    pub fn active_missing() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "active_missing",
            "a new profile must set active",
        )
    }
    pub fn duplicate_user_id(user_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "duplicate_user_id",
            format!("user {user_id} appears more than once in this batch"),
        )
    }
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    // 401
    pub fn authorization_header_missing() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "authorization_header_missing",
            "Authorization header is expected",
        )
    }
    pub fn invalid_header(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_header", description)
    }
    pub fn token_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "token is expired",
        )
    }
    pub fn invalid_claims(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_claims", description)
    }

    // 403
    /// The Change API's `write` scope is missing.
    pub fn scope_missing() -> Self {
        Self::scope_required("write")
    }
    /// `scope` is missing: `This endpoint requires the <scope> scope`.
    pub fn scope_required(scope: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "scope_missing",
            format!("This endpoint requires the {scope} scope"),
        )
    }
    pub fn invalid_signature(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "invalid_signature", description)
    }
    pub fn invalid_publisher(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "invalid_publisher", description)
    }
    pub fn uuid_or_primary_username_set() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "uuid_or_primary_username_set",
            "The fields primary_username or uuid have been set in a new profile.",
        )
    }
    pub fn delete_disabled() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "delete_disabled",
            "Deleting profiles is disabled in this environment",
        )
    }

    // 404, 405
    /// Unknown path (router fallback).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }
    pub fn user_not_found(user_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "user_not_found",
            format!("no profile for user: {user_id}"),
        )
    }
    /// Wrong method on a known path; `allow` fills the `Allow` header.
    pub fn method_not_allowed(allow: &[Method]) -> Self {
        let list: Vec<&str> = allow.iter().map(Method::as_str).collect();
        let mut error = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("method not allowed; allowed: {}", list.join(", ")),
        );
        error.allow = allow.to_vec();
        error
    }

    // 408
    /// The request body did not arrive within `seconds`.
    pub fn request_timeout(seconds: u64) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!("the request body did not arrive within {seconds} s"),
        )
    }

    // 413, 415
    pub fn payload_too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body is larger than {limit_bytes} bytes"),
        )
    }
    pub fn batch_too_large(count: usize, max: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("batch of {count} profiles is larger than the limit of {max}"),
        )
    }
    pub fn profile_too_large(size_bytes: usize, limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "profile_too_large",
            format!("stored profile would be {size_bytes} bytes, over the limit of {limit_bytes}"),
        )
    }
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Content-Type {content_type:?} is not JSON"),
        )
    }

    // 500, 503
    /// A bug: the cause is logged under a fresh reference id, the client sees only the id.
    pub fn internal(cause: impl fmt::Display) -> Self {
        let reference = uuid::Uuid::new_v4().simple().to_string();
        tracing::error!(reference = %reference, cause = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            format!("internal error, reference {reference}"),
        )
    }
    /// `what` names the backend in plain words (`the identity vault`, `the issuer's JWKS`).
    pub fn backend_unavailable(what: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "backend_unavailable",
            format!("{what} is unavailable, try again later"),
        )
    }
    pub fn write_conflict() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "write_conflict",
            "the profile kept changing while it was written, try again later",
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.description
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.to_json())).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after_seconds {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if !self.allow.is_empty() {
            let list: Vec<&str> = self.allow.iter().map(Method::as_str).collect();
            if let Ok(value) = HeaderValue::from_str(&list.join(", ")) {
                headers.insert(ALLOW, value);
            }
        }
        response
    }
}

/// Router fallback for unknown paths: `Router::new().fallback(cis_common::error::fallback_not_found)`.
pub async fn fallback_not_found() -> ApiError {
    ApiError::not_found()
}
