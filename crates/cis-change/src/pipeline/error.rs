//! [`PipelineError`]: why a change was not applied — the change itself was refused (a [`Rejection`]), or a
//! backend failed and the same change may succeed later.
//!
//! It does not know HTTP: the Change API maps errors to responses in one place, the processor turns them
//! into `failed` status records or a stopped batch. The internal cause of an `Unavailable` is only in
//! `Display` (for logs), never in anything a client sees.

use crate::rejection::Rejection;
use cis_identity_vault::{StatusError, VaultError};
use cis_profile::UserId;

/// Why a change was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// The change is wrong; sending it again will not help.
    #[error("rejected, {code}: {0}", code = .0.code())]
    Rejected(#[from] Rejection),
    /// A backend failed (vault, key set, salt, signing): worth retrying.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    /// Version conflicts were still unresolved after the configured retries.
    #[error("write conflict for user {0} after retries")]
    Conflict(UserId),
}

impl PipelineError {
    /// True for a transient failure: the processor stops its batch, the Change API answers 503.
    pub fn is_transient(&self) -> bool {
        !matches!(self, PipelineError::Rejected(_))
    }

    /// The rejection, when the change itself was refused.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            PipelineError::Rejected(r) => Some(r),
            _ => None,
        }
    }

    /// The code and description a `failed` status record keeps (rejections only record as `failed`).
    pub fn status_error(&self) -> Option<StatusError> {
        self.rejection().map(status_error)
    }
}

/// The code and description of a rejection, as a status record keeps them.
pub fn status_error(rejection: &Rejection) -> StatusError {
    StatusError {
        code: rejection.code().to_string(),
        description: rejection.to_string(),
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
    fn rejections_are_final_and_keep_their_code_for_status_records() {
        let e = PipelineError::from(Rejection::InvalidPublisher(
            "[update] ldap is NOT allowed to publish field first_name".into(),
        ));
        assert!(!e.is_transient());
        let status = e.status_error().unwrap();
        assert_eq!(status.code, "invalid_publisher");
        assert_eq!(
            status.description,
            "[update] ldap is NOT allowed to publish field first_name"
        );
    }

    #[test]
    fn backend_failures_are_transient_and_keep_the_cause_for_logs_only() {
        let e = PipelineError::from(VaultError::unavailable(
            "dynamodb: connection refused 10.0.0.1",
        ));
        assert!(e.is_transient());
        assert!(e.status_error().is_none());
        assert!(e.to_string().contains("connection refused"));
        let user = UserId::parse("u").unwrap();
        assert!(PipelineError::Conflict(user).is_transient());
    }
}
