//! Mapping between the vault model and SQLite rows, and SQLite errors onto [`VaultError`]. Only
//! conversions live here: no transactions, no conditions.

use crate::error::{VaultError, VaultResult};
use crate::model::{ProfileWrite, StoredJson, StoredProfile};
use crate::search::ItemFields;
use cis_profile::Profile;
use rusqlite::{ErrorCode, Row};

/// `.db()?`: a rusqlite result as a vault result.
pub(super) trait Db<T> {
    fn db(self) -> VaultResult<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> VaultResult<T> {
        self.map_err(db_error)
    }
}

/// A lock held too long by another process is worth retrying; anything else (I/O, a full disk, a damaged
/// file) needs an operator. Messages carry SQLite's text only, never a bound value.
pub(super) fn db_error(error: rusqlite::Error) -> VaultError {
    let retryable = matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    );
    VaultError::Unavailable {
        message: format!("SQLite: {error}"),
        retryable,
    }
}

/// The column values of one profile write, computed before the write lock is taken.
pub(super) struct WriteRow {
    pub fields: ItemFields,
    pub sequence_number: String,
    pub changed_attributes: String,
    pub change_publishers: String,
    pub profile: String,
    pub flat_profile: String,
}

impl WriteRow {
    pub(super) fn of(write: &ProfileWrite) -> VaultResult<WriteRow> {
        WriteRow::new(
            &write.profile,
            &write.sequence_number,
            &write.changed_attributes,
            &write.change_publishers,
        )
    }

    pub(super) fn new(
        profile: &Profile,
        sequence_number: &str,
        changed_attributes: &[String],
        change_publishers: &[String],
    ) -> VaultResult<WriteRow> {
        let list = |items: &[String]| serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
        Ok(WriteRow {
            fields: ItemFields::of(profile)?,
            sequence_number: sequence_number.to_string(),
            changed_attributes: list(changed_attributes),
            change_publishers: list(change_publishers),
            profile: profile.to_json(),
            flat_profile: cis_profile::flat::flatten(profile).to_string(),
        })
    }
}

/// The columns [`RawProfile::from_row`] reads, in order.
pub(super) const PROFILE_COLUMNS: &str = "id, version, sequence_number, profile";

/// A profile row as read, not yet parsed (parsing happens after the connection is returned).
pub(super) struct RawProfile {
    pub id: String,
    version: Option<i64>,
    sequence_number: Option<String>,
    profile: String,
}

impl RawProfile {
    pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<RawProfile> {
        Ok(RawProfile {
            id: row.get(0)?,
            version: row.get(1)?,
            sequence_number: row.get(2)?,
            profile: row.get(3)?,
        })
    }

    /// The stored profile; `Corrupt` when the text is not a profile (`Profile::from_stored`).
    pub(super) fn parse(self) -> VaultResult<StoredProfile> {
        let corrupt = |message: String| VaultError::Corrupt {
            id: self.id.clone(),
            message,
        };
        let profile = Profile::from_stored_text(&self.profile)
            .map_err(|e| VaultError::corrupt_profile(self.id.clone(), e))?;
        let version = self
            .version
            .map(u64::try_from)
            .transpose()
            .map_err(|_| corrupt("negative version".into()))?;
        Ok(StoredProfile {
            profile,
            version,
            sequence_number: self.sequence_number,
        })
    }
}

/// The columns [`json_from_row`] reads, in order.
pub(super) const JSON_COLUMNS: &str = "id, active, version, profile";

/// A profile row as its stored text, unparsed; `Corrupt` only for a negative version.
pub(super) fn json_from_row(row: &Row<'_>) -> rusqlite::Result<VaultResult<StoredJson>> {
    let user_id: String = row.get(0)?;
    let version: Option<i64> = row.get(2)?;
    let Ok(version) = version.map(u64::try_from).transpose() else {
        return Ok(Err(VaultError::Corrupt {
            id: user_id,
            message: "negative version".into(),
        }));
    };
    Ok(Ok(StoredJson {
        user_id,
        active: row.get(1)?,
        version,
        json: row.get(3)?,
    }))
}
