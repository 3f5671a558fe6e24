//! The DynamoDB adapter of [`PendingChanges`]: one item per marked user in the status table, keyed
//! `pending#<user_id>` (sequence numbers are digits only, so the keys never meet a status record's), with
//! the marked change's number and `expires_at` — the table's TTL attribute, so lapsed marks also go away by
//! themselves. Clearing is conditional on the number, so a later change keeps its own mark.

use super::DynamoVault;
use super::errors::{service_code, vault_error};
use super::item::s;
use crate::error::VaultResult;
use crate::ports::PendingChanges;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

/// The status-table key of a user's mark.
fn key(user_id: &str) -> AttributeValue {
    s(&format!("pending#{user_id}"))
}

#[async_trait]
impl PendingChanges for DynamoVault {
    async fn mark_pending(
        &self,
        user_id: &str,
        sequence_number: &str,
        expires_at: i64,
    ) -> VaultResult<()> {
        self.client
            .put_item()
            .table_name(&self.tables.status)
            .item("sequence_number", key(user_id))
            .item("pending_sequence_number", s(sequence_number))
            .item("expires_at", AttributeValue::N(expires_at.to_string()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| vault_error("PutItem", &e))
    }

    async fn is_pending(&self, user_id: &str, now: i64) -> VaultResult<bool> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.status)
            .key("sequence_number", key(user_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| vault_error("GetItem", &e))?;
        let expires_at = out
            .item
            .as_ref()
            .and_then(|item| item.get("expires_at"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<i64>().ok());
        Ok(expires_at.is_some_and(|at| at > now))
    }

    async fn clear_pending(&self, user_id: &str, sequence_number: &str) -> VaultResult<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.tables.status)
            .key("sequence_number", key(user_id))
            .condition_expression("pending_sequence_number = :n")
            .expression_attribute_values(":n", s(sequence_number))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Marked again by a later change, or already gone.
            Err(e) if service_code(&e) == Some("ConditionalCheckFailedException") => Ok(()),
            Err(e) => Err(vault_error("DeleteItem", &e)),
        }
    }
}
