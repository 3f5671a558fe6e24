//! The names of the vault's DynamoDB tables and indexes (docs/contract/processor-and-vault.md §5.1, §5.4, §6;
//! docs/configuration.md §2). Pure naming: no AWS calls here (discovery by tags lives in `cis-aws`).

/// The vault table and the status table a [`super::DynamoVault`] and the curator work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    /// The identity vault table (`<environment>-identity-vault`).
    pub vault: String,
    /// The status records table (`<environment>-identity-vault-status`).
    pub status: String,
}

/// The suffix of the status table's history index.
pub const STATUS_USER_INDEX_SUFFIX: &str = "user_id";

/// The five global secondary indexes of the vault table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    SequenceNumber,
    PrimaryEmail,
    PrimaryUsername,
    UserUuid,
    Connection,
}

impl Index {
    pub const ALL: [Index; 5] = [
        Index::SequenceNumber,
        Index::PrimaryEmail,
        Index::PrimaryUsername,
        Index::UserUuid,
        Index::Connection,
    ];

    /// The index name's suffix after `<table>-`.
    pub fn suffix(self) -> &'static str {
        match self {
            Index::SequenceNumber => "sequence_number",
            Index::PrimaryEmail => "primary_email",
            Index::PrimaryUsername => "primary_username",
            Index::UserUuid => "user_uuid",
            Index::Connection => "connection",
        }
    }

    /// The item attribute that is the index's hash key.
    pub fn hash_key(self) -> &'static str {
        match self {
            Index::Connection => "connection_method",
            other => other.suffix(),
        }
    }

    /// The index's range key (`id`), except for the original's sequence-number index which has none.
    pub fn range_key(self) -> Option<&'static str> {
        match self {
            Index::SequenceNumber => None,
            _ => Some("id"),
        }
    }
}

impl TableNames {
    /// The default names for an environment: `<environment>-identity-vault` and
    /// `<environment>-identity-vault-status`.
    pub fn for_environment(environment: &str) -> TableNames {
        TableNames {
            vault: format!("{environment}-identity-vault"),
            status: format!("{environment}-identity-vault-status"),
        }
    }

    /// Explicit names.
    pub fn new(vault: impl Into<String>, status: impl Into<String>) -> TableNames {
        TableNames {
            vault: vault.into(),
            status: status.into(),
        }
    }

    /// The name of one of the vault table's indexes: `<table>-<suffix>`.
    pub fn index(&self, index: Index) -> String {
        format!("{}-{}", self.vault, index.suffix())
    }

    /// The status table's index of a user's records by time (`<status>-user_id`: HASH `user_id`, RANGE
    /// `processed_at`, all attributes), for the change history.
    pub fn status_user_index(&self) -> String {
        format!("{}-{STATUS_USER_INDEX_SUFFIX}", self.status)
    }
}

/// The table name inside a DynamoDB table ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`, possibly
/// followed by `/stream/<label>`); `None` when the text is not a table ARN.
pub fn table_name_from_arn(arn: &str) -> Option<&str> {
    if !arn.starts_with("arn:") {
        return None;
    }
    let (_, rest) = arn.split_once(":table/")?;
    let name = rest.split('/').next().unwrap_or(rest);
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_follow_the_original() {
        let names = TableNames::for_environment("production");
        assert_eq!(names.vault, "production-identity-vault");
        assert_eq!(names.status, "production-identity-vault-status");
        assert_eq!(
            names.index(Index::Connection),
            "production-identity-vault-connection"
        );
        assert_eq!(
            names.index(Index::UserUuid),
            "production-identity-vault-user_uuid"
        );
    }

    #[test]
    fn the_table_name_is_the_part_after_table_slash() {
        let arn = "arn:aws:dynamodb:us-west-2:123456789012:table/production-identity-vault";
        assert_eq!(table_name_from_arn(arn), Some("production-identity-vault"));
        let stream = format!("{arn}/stream/2019-01-01T00:00:00.000");
        assert_eq!(
            table_name_from_arn(&stream),
            Some("production-identity-vault")
        );
        assert_eq!(table_name_from_arn("production-identity-vault"), None);
        assert_eq!(
            table_name_from_arn("arn:aws:dynamodb:us-west-2:1:table/"),
            None
        );
    }
}
