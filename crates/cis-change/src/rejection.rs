//! [`Rejection`]: every reason a change itself is refused — one catalogue, so that the Change API's answer,
//! a batch item's verdict and a `failed` status record all carry the same code and text.
//!
//! Owns each rejection's `code` and its client-visible description (docs/contract/change-api.md §11). It does
//! not know HTTP: the Change API maps a rejection to its status in one `match` (its `error.rs`). A rejection
//! is final: sending the same change again gets the same answer. Descriptions never carry internal details
//! or profile contents beyond the offending path and the user id.

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Schema or structure: `<json-pointer>: <message>` of the first violation.
    #[error("{0}")]
    InvalidProfile(String),
    /// The query's user_id and the body's differ (step 4).
    #[error("user_id query parameter does not match profile, that looks wrong")]
    UserIdMismatch,
    /// Neither the query nor the body names the user (step 4).
    #[error(
        "the profile has no user_id: set user_id.value (or the user_id query parameter for an existing user)"
    )]
    UserIdMissing,
    /// A new user named only by the query (step 7).
    #[error("a new profile must carry user_id in the body, not only in the query")]
    NewUserIdMissing,
    /// A new user without `active` (step 7).
    #[error("a new profile must set active")]
    ActiveMissing,
    /// A new user carrying identifiers only CIS derives (step 7).
    #[error("The fields primary_username or uuid have been set in a new profile.")]
    UuidOrPrimaryUsernameSet,
    /// `<path>: <reason>` of the first attribute whose signature fails (step 5).
    #[error("{0}")]
    InvalidSignature(String),
    /// `[create|update|delete] <publisher> is NOT allowed to publish field <leaf>` (step 11, deletes).
    #[error("{0}")]
    InvalidPublisher(String),
    /// A delete of a user that is not stored.
    #[error("no profile for user: {0}")]
    UserNotFound(String),
    /// The vault item would be over DynamoDB's limit (step 13).
    #[error("the stored profile would be {size} bytes, over the {limit}-byte limit")]
    ProfileTooLarge { size: usize, limit: usize },
    /// The same user twice in one batch (the second occurrence).
    #[error("user {0} appears more than once in this batch")]
    DuplicateUserId(String),
    /// A stream record that is not a change (poison): what is wrong with it, never its content.
    #[error("{0}")]
    Undecodable(String),
}

impl Rejection {
    /// The machine-readable code (docs/contract/change-api.md §11).
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::InvalidProfile(_) => "invalid_profile",
            Rejection::UserIdMismatch => "integration_exception",
            Rejection::UserIdMissing | Rejection::NewUserIdMissing => "user_id_missing",
            Rejection::ActiveMissing => "active_missing",
            Rejection::UuidOrPrimaryUsernameSet => "uuid_or_primary_username_set",
            Rejection::InvalidSignature(_) => "invalid_signature",
            Rejection::InvalidPublisher(_) => "invalid_publisher",
            Rejection::UserNotFound(_) => "user_not_found",
            Rejection::ProfileTooLarge { .. } => "profile_too_large",
            Rejection::DuplicateUserId(_) => "duplicate_user_id",
            Rejection::Undecodable(_) => "undecodable_record",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_error_catalogue() {
        assert_eq!(Rejection::UserIdMismatch.code(), "integration_exception");
        assert_eq!(Rejection::NewUserIdMissing.code(), "user_id_missing");
        assert_eq!(
            Rejection::UserIdMismatch.to_string(),
            "user_id query parameter does not match profile, that looks wrong"
        );
        let big = Rejection::ProfileTooLarge {
            size: 500_000,
            limit: 409_600,
        };
        assert_eq!(big.code(), "profile_too_large");
        assert!(big.to_string().contains("500000 bytes"));
    }
}
