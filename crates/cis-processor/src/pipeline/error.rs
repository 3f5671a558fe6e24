//! [`PipelineError`]: why a change was not applied, in the Change API's terms (status, code, description).
//!
//! Owns the mapping from domain failures (signature, rules, schema, vault) to the codes of change-api.md §11.
//! It does not know HTTP types: the Change API turns these into its own error responses, the processor into
//! `failed` status records or a stopped batch. Descriptions never carry internal details; the internal cause
//! of an `Unavailable` is only in `Display` (for logs).

use cis_identity_vault::{StatusError, VaultError};

/// Description of a 503 `backend_unavailable`: the wording is free but must not leak internals.
const UNAVAILABLE: &str =
    "a backend (identity vault, change stream or key source) is unavailable, try again later";
const CONFLICT: &str = "the profile changed concurrently too often, try again later";

/// Why a change was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// The change itself is wrong (schema, signature, publisher rule, new-user checks, size, permission);
    /// sending it again will not help.
    #[error("{status} {code}: {description}")]
    Rejected {
        status: u16,
        code: &'static str,
        description: String,
    },
    /// A backend failed (vault, key set, salt): 503 `backend_unavailable`, worth retrying.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    /// Version conflicts were still unresolved after the configured retries: 503 `write_conflict`.
    #[error("write conflict for user {0} after retries")]
    Conflict(String),
}

impl PipelineError {
    pub fn rejected(
        status: u16,
        code: &'static str,
        description: impl Into<String>,
    ) -> PipelineError {
        PipelineError::Rejected {
            status,
            code,
            description: description.into(),
        }
    }

    /// The HTTP status the Change API answers with.
    pub fn status(&self) -> u16 {
        match self {
            PipelineError::Rejected { status, .. } => *status,
            PipelineError::Unavailable(_) | PipelineError::Conflict(_) => 503,
        }
    }

    /// The error code of change-api.md §11.
    pub fn code(&self) -> &'static str {
        match self {
            PipelineError::Rejected { code, .. } => code,
            PipelineError::Unavailable(_) => "backend_unavailable",
            PipelineError::Conflict(_) => "write_conflict",
        }
    }

    /// The description a client may see.
    pub fn description(&self) -> &str {
        match self {
            PipelineError::Rejected { description, .. } => description,
            PipelineError::Unavailable(_) => UNAVAILABLE,
            PipelineError::Conflict(_) => CONFLICT,
        }
    }

    /// True for a transient failure: the processor stops its batch, the Change API answers 503.
    pub fn is_transient(&self) -> bool {
        !matches!(self, PipelineError::Rejected { .. })
    }

    /// True for the delete of a user that is not stored (404 `user_not_found`).
    pub fn is_user_not_found(&self) -> bool {
        matches!(
            self,
            PipelineError::Rejected {
                code: "user_not_found",
                ..
            }
        )
    }

    /// The code and description a `failed` status record keeps.
    pub fn status_error(&self) -> StatusError {
        StatusError {
            code: self.code().to_string(),
            description: self.description().to_string(),
        }
    }
}

impl From<VaultError> for PipelineError {
    /// Every vault failure that reaches here is transient for the change: conflicts are handled by the
    /// retry loops before, and a corrupt or refused item must not turn a valid change into a rejection.
    fn from(e: VaultError) -> PipelineError {
        PipelineError::Unavailable(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_keep_their_status_code_and_description() {
        let e = PipelineError::rejected(
            403,
            "invalid_publisher",
            "[update] ldap is NOT allowed to publish field first_name",
        );
        assert_eq!((e.status(), e.code()), (403, "invalid_publisher"));
        assert_eq!(
            e.description(),
            "[update] ldap is NOT allowed to publish field first_name"
        );
        assert!(!e.is_transient());
        assert_eq!(e.status_error().code, "invalid_publisher");
    }

    #[test]
    fn backend_failures_are_transient_503s_without_internal_details() {
        let e = PipelineError::from(VaultError::unavailable(
            "dynamodb: connection refused 10.0.0.1",
        ));
        assert_eq!((e.status(), e.code()), (503, "backend_unavailable"));
        assert!(!e.description().contains("10.0.0.1"));
        assert!(
            e.to_string().contains("connection refused"),
            "the cause stays available for logs"
        );
        assert!(e.is_transient());
        let c = PipelineError::Conflict("u".into());
        assert_eq!((c.status(), c.code()), (503, "write_conflict"));
        assert!(c.is_transient());
    }

    #[test]
    fn only_user_not_found_rejections_count_as_not_found() {
        assert!(
            PipelineError::rejected(404, "user_not_found", "no profile for user: u")
                .is_user_not_found()
        );
        assert!(!PipelineError::rejected(403, "invalid_publisher", "x").is_user_not_found());
        assert!(!PipelineError::Unavailable("x".into()).is_user_not_found());
    }
}
