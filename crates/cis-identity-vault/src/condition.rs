//! The write conditions of docs/contract/processor-and-vault.md §5.3, decided once for every adapter: given what is
//! stored (nothing, or an item with or without a version) and what the write expects, the version the item
//! will have, or the typed error. Adapters still enforce the condition atomically in their backend (a
//! transaction, a `ConditionExpression`); this module only says what the outcome must be.

use crate::error::{VaultError, VaultResult};
use crate::model::Expected;

/// What the vault holds for a user: `None` = no item; `Some(None)` = an item without a version (written by
/// the original CIS); `Some(Some(v))` = version `v`.
pub type Current = Option<Option<u64>>;

/// The version a put over `current` writes when it expects `expected`: 1 on create, and on the first write
/// over an unversioned item; `v + 1` over version `v`.
///
/// Errors: `AlreadyExists` (create over an item), `NotFound` (update of no item), `VersionConflict`.
pub fn next_version(current: Current, expected: Expected, user_id: &str) -> VaultResult<u64> {
    match (expected, current) {
        (Expected::Absent, None) => Ok(1),
        (Expected::Absent, Some(_)) => Err(VaultError::AlreadyExists(user_id.to_string())),
        (_, None) => Err(VaultError::NotFound(user_id.to_string())),
        (Expected::Version(v), Some(Some(stored))) if v == stored => {
            overflow_checked(expected, user_id)
        }
        (Expected::Unversioned, Some(None)) => overflow_checked(expected, user_id),
        _ => Err(VaultError::VersionConflict(user_id.to_string())),
    }
}

fn overflow_checked(expected: Expected, user_id: &str) -> VaultResult<u64> {
    expected.next_version().ok_or_else(|| VaultError::Corrupt {
        id: user_id.to_string(),
        message: "version overflow".into(),
    })
}

/// Checks a delete of the item in `current`. `Expected::Absent` makes no sense for a delete
/// (`InvalidRequest`); otherwise the errors of [`next_version`].
pub fn check_delete(current: Current, expected: Expected, user_id: &str) -> VaultResult<()> {
    if expected == Expected::Absent {
        return Err(VaultError::InvalidRequest(
            "a delete must expect a stored version".into(),
        ));
    }
    next_version(current, expected, user_id).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_combination_of_stored_and_expected_has_one_outcome() {
        let id = "u";
        assert_eq!(next_version(None, Expected::Absent, id), Ok(1));
        assert_eq!(
            next_version(Some(Some(3)), Expected::Absent, id),
            Err(VaultError::AlreadyExists("u".into()))
        );
        assert_eq!(
            next_version(Some(None), Expected::Absent, id),
            Err(VaultError::AlreadyExists("u".into()))
        );
        assert_eq!(
            next_version(None, Expected::Version(1), id),
            Err(VaultError::NotFound("u".into()))
        );
        assert_eq!(
            next_version(None, Expected::Unversioned, id),
            Err(VaultError::NotFound("u".into()))
        );
        assert_eq!(next_version(Some(Some(3)), Expected::Version(3), id), Ok(4));
        assert_eq!(
            next_version(Some(Some(3)), Expected::Version(2), id),
            Err(VaultError::VersionConflict("u".into()))
        );
        assert_eq!(
            next_version(Some(Some(3)), Expected::Unversioned, id),
            Err(VaultError::VersionConflict("u".into()))
        );
        assert_eq!(next_version(Some(None), Expected::Unversioned, id), Ok(1));
        assert_eq!(
            next_version(Some(None), Expected::Version(1), id),
            Err(VaultError::VersionConflict("u".into()))
        );
    }

    #[test]
    fn a_delete_cannot_expect_absence() {
        assert!(matches!(
            check_delete(Some(Some(1)), Expected::Absent, "u"),
            Err(VaultError::InvalidRequest(_))
        ));
        assert_eq!(
            check_delete(Some(Some(1)), Expected::Version(1), "u"),
            Ok(())
        );
        assert_eq!(
            check_delete(None, Expected::Version(1), "u"),
            Err(VaultError::NotFound("u".into()))
        );
    }
}
