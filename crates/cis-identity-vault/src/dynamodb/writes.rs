//! Conditional writes (docs/contract/processor-and-vault.md §5.3): every profile write is one `TransactWriteItems` of
//! the item `Put`/`Delete` (conditional on the expected version) and the status record `Put` (conditional
//! on its absence). Nothing here writes the vault unconditionally. The cancellation reasons decide the
//! error; when DynamoDB gives none, or the outcome is unknown (timeout), the tables are re-read.

use super::DynamoVault;
use super::errors::{TRANSIENT_REASONS, describe, outcome_unknown, service_code, vault_error};
use super::item::{Item, profile_item, s, status_item};
use crate::error::{VaultError, VaultResult};
use crate::model::{Expected, ProfileWrite, StatusRecord};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use std::collections::HashMap;

/// A condition expression with its names and values.
struct Cond {
    expression: &'static str,
    names: HashMap<String, String>,
    values: Option<HashMap<String, AttributeValue>>,
}

/// The item condition of §5.3. An unversioned update also requires the item to exist, so that it can
/// never create a user.
fn item_condition(expected: Expected) -> Cond {
    let names = HashMap::from([
        ("#id".to_string(), "id".to_string()),
        ("#v".to_string(), "version".to_string()),
    ]);
    match expected {
        Expected::Absent => Cond {
            expression: "attribute_not_exists(#id)",
            names: HashMap::from([("#id".to_string(), "id".to_string())]),
            values: None,
        },
        Expected::Version(v) => Cond {
            expression: "#v = :v",
            names: HashMap::from([("#v".to_string(), "version".to_string())]),
            values: Some(HashMap::from([(
                ":v".to_string(),
                AttributeValue::N(v.to_string()),
            )])),
        },
        Expected::Unversioned => Cond {
            expression: "attribute_exists(#id) AND attribute_not_exists(#v)",
            names,
            values: None,
        },
    }
}

/// How the transaction ended, before mapping to the caller's error.
enum Failed {
    ItemCondition,
    StatusCondition,
    Other(VaultError),
    /// No answer: the transaction may or may not have been applied.
    Unknown(VaultError),
}

impl DynamoVault {
    pub(crate) async fn write_profile(
        &self,
        write: ProfileWrite,
        status: StatusRecord,
    ) -> VaultResult<u64> {
        let version = write
            .expected
            .next_version()
            .ok_or_else(|| VaultError::Corrupt {
                id: write.profile.user_id().unwrap_or_default().to_string(),
                message: "version overflow".into(),
            })?;
        let item = profile_item(&write, version)?;
        let id = write.profile.user_id().unwrap_or_default().to_string();
        let cond = item_condition(write.expected);
        let put = Put::builder()
            .table_name(&self.tables.vault)
            .set_item(Some(item))
            .condition_expression(cond.expression)
            .set_expression_attribute_names(Some(cond.names))
            .set_expression_attribute_values(cond.values)
            .build()
            .map_err(|e| VaultError::InvalidRequest(e.to_string()))?;
        let action = TransactWriteItem::builder().put(put).build();
        self.transact(action, &id, write.expected, &status).await?;
        Ok(version)
    }

    pub(crate) async fn delete_profile(
        &self,
        id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()> {
        if expected == Expected::Absent {
            return Err(VaultError::InvalidRequest(
                "a delete needs the version of the stored profile".into(),
            ));
        }
        let cond = item_condition(expected);
        let delete = Delete::builder()
            .table_name(&self.tables.vault)
            .key("id", s(id))
            .condition_expression(cond.expression)
            .set_expression_attribute_names(Some(cond.names))
            .set_expression_attribute_values(cond.values)
            .build()
            .map_err(|e| VaultError::InvalidRequest(e.to_string()))?;
        let action = TransactWriteItem::builder().delete(delete).build();
        self.transact(action, id, expected, &status).await
    }

    /// A status record on its own (noop, failed).
    pub(crate) async fn write_status(&self, status: StatusRecord) -> VaultResult<()> {
        let result = self
            .client
            .put_item()
            .table_name(&self.tables.status)
            .set_item(Some(status_item(&status)))
            .condition_expression("attribute_not_exists(#sn)")
            .expression_attribute_names("#sn", "sequence_number")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if service_code(&e) == Some("ConditionalCheckFailedException") => {
                Err(VaultError::StatusExists(status.sequence_number))
            }
            Err(e) if outcome_unknown(&e) => {
                match self.read_status(&status.sequence_number).await {
                    Ok(Some(stored)) if stored == status => Ok(()),
                    Ok(Some(_)) => Err(VaultError::StatusExists(status.sequence_number)),
                    _ => Err(vault_error("PutItem", &e)),
                }
            }
            Err(e) => Err(vault_error("PutItem", &e)),
        }
    }

    /// Runs the item action and the status `Put` as one transaction and maps its failure.
    async fn transact(
        &self,
        action: TransactWriteItem,
        id: &str,
        expected: Expected,
        status: &StatusRecord,
    ) -> VaultResult<()> {
        let status_put = Put::builder()
            .table_name(&self.tables.status)
            .set_item(Some(status_item(status)))
            .condition_expression("attribute_not_exists(#sn)")
            .expression_attribute_names("#sn", "sequence_number")
            .build()
            .map_err(|e| VaultError::InvalidRequest(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(action)
            .transact_items(TransactWriteItem::builder().put(status_put).build())
            .send()
            .await;
        let failed = match result {
            Ok(_) => return Ok(()),
            Err(e) => self.classify(e, status).await?,
        };
        match failed {
            Failed::StatusCondition => {
                Err(VaultError::StatusExists(status.sequence_number.clone()))
            }
            Failed::ItemCondition => Err(self.item_condition_error(id, expected).await?),
            Failed::Other(e) => Err(e),
            Failed::Unknown(e) => match self.read_status(&status.sequence_number).await {
                // Our own status record is there: the transaction was applied before the answer was lost.
                Ok(Some(stored)) if stored == *status => Ok(()),
                Ok(Some(_)) => Err(VaultError::StatusExists(status.sequence_number.clone())),
                _ => Err(e),
            },
        }
    }

    async fn classify(
        &self,
        err: SdkError<TransactWriteItemsError>,
        status: &StatusRecord,
    ) -> VaultResult<Failed> {
        if outcome_unknown(&err) {
            return Ok(Failed::Unknown(vault_error("TransactWriteItems", &err)));
        }
        let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) =
            err.as_service_error()
        else {
            return Ok(Failed::Other(vault_error("TransactWriteItems", &err)));
        };
        let codes: Vec<&str> = cancel
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None"))
            .collect();
        let message = format!(
            "DynamoDB TransactWriteItems: {} (reasons: {})",
            describe(&err),
            codes.join(", ")
        );
        Ok(match codes.as_slice() {
            [_, "ConditionalCheckFailed"] => Failed::StatusCondition,
            ["ConditionalCheckFailed", _] => Failed::ItemCondition,
            codes if codes.iter().any(|c| TRANSIENT_REASONS.contains(c)) => {
                Failed::Other(VaultError::Unavailable {
                    message,
                    retryable: true,
                })
            }
            codes if codes.contains(&"ValidationError") => {
                Failed::Other(VaultError::InvalidRequest(message))
            }
            [] => self.classify_by_reading(status).await?,
            _ => Failed::Other(VaultError::Unavailable {
                message,
                retryable: false,
            }),
        })
    }

    /// A cancellation without reasons (some emulators): the status table tells whether the change was
    /// applied; otherwise the item condition failed.
    async fn classify_by_reading(&self, status: &StatusRecord) -> VaultResult<Failed> {
        Ok(match self.read_status(&status.sequence_number).await? {
            Some(_) => Failed::StatusCondition,
            None => Failed::ItemCondition,
        })
    }

    /// What a failed item condition means: for a create, a concurrent create won; otherwise the item is
    /// gone or another writer moved its version.
    async fn item_condition_error(&self, id: &str, expected: Expected) -> VaultResult<VaultError> {
        if expected == Expected::Absent {
            return Ok(VaultError::AlreadyExists(id.to_string()));
        }
        let current: Option<Item> = self.get_item(id).await?;
        Ok(match current {
            None => VaultError::NotFound(id.to_string()),
            Some(_) => VaultError::VersionConflict(id.to_string()),
        })
    }
}
