//! The vault's typed errors. Adapters map their backend's failures onto these; nothing above the vault
//! ever sees a SQLite or DynamoDB error type.

/// Why a vault operation did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The user does not exist (a conditional write on an absent item, a delete of an unknown user).
    #[error("no profile for user: {0}")]
    NotFound(String),
    /// The stored version is not the expected one: a concurrent writer won. Re-read, re-merge, retry.
    #[error("version conflict for user: {0}")]
    VersionConflict(String),
    /// A create found the user already stored (a concurrent create won).
    #[error("profile already exists for user: {0}")]
    AlreadyExists(String),
    /// The status record of this sequence number exists: the change was applied before.
    #[error("status record already exists for sequence number: {0}")]
    StatusExists(String),
    /// The backend did not answer or failed; `retryable` says whether trying again may help.
    #[error("vault unavailable: {message}")]
    Unavailable { message: String, retryable: bool },
    /// A stored item could not be read back (not a profile, missing key attributes).
    #[error("stored item for {id} is unreadable: {message}")]
    Corrupt { id: String, message: String },
    /// A pagination cursor that this vault did not issue.
    #[error("invalid pagination cursor")]
    InvalidCursor,
    /// A request the vault cannot serve (e.g. a limit of 0).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl VaultError {
    /// `Corrupt` for a stored text that `Profile::from_stored_text` refused: not JSON, or not a profile.
    pub fn corrupt_profile(id: impl Into<String>, error: cis_profile::ProfileError) -> VaultError {
        let message = match error {
            cis_profile::ProfileError::Json(e) => format!("profile is not JSON: {e}"),
            e => format!("profile is not a profile: {e}"),
        };
        VaultError::Corrupt {
            id: id.into(),
            message,
        }
    }

    /// A transient failure that a caller may retry (throttling, timeouts, conflicts).
    pub fn is_retryable(&self) -> bool {
        match self {
            VaultError::Unavailable { retryable, .. } => *retryable,
            VaultError::VersionConflict(_) | VaultError::AlreadyExists(_) => true,
            _ => false,
        }
    }

    pub fn unavailable(message: impl Into<String>) -> VaultError {
        VaultError::Unavailable {
            message: message.into(),
            retryable: true,
        }
    }
}

pub type VaultResult<T> = Result<T, VaultError>;
