//! Reads of one profile or one status record. By user_id: a consistent `GetItem`. By uuid, email,
//! username or sequence number: a `Query` of the index for candidate ids (in id order), then a consistent
//! `GetItem` of each until one still carries the looked-up value. Indexes are eventually consistent, so the
//! index only nominates candidates; the answer always comes from the strongly consistent table read.

use super::DynamoVault;
use super::errors::vault_error;
use super::item::{Item, get_s, s};
use super::names::Index;
use crate::error::VaultResult;
use crate::model::{Lookup, StatusRecord, StoredProfile};

impl DynamoVault {
    /// The vault item of a user, read with `ConsistentRead`.
    pub(crate) async fn get_item(&self, id: &str) -> VaultResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.vault)
            .key("id", s(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| vault_error("GetItem", &e))?;
        Ok(out.item)
    }

    pub(crate) async fn read(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        let (index, value) = match lookup {
            Lookup::UserId(id) if id.is_empty() => return Ok(None),
            Lookup::UserId(id) => {
                return self
                    .get_item(id)
                    .await?
                    .map(StoredProfile::try_from)
                    .transpose();
            }
            Lookup::Uuid(v) => (Index::UserUuid, v),
            Lookup::PrimaryEmail(v) => (Index::PrimaryEmail, v),
            Lookup::PrimaryUsername(v) => (Index::PrimaryUsername, v),
            Lookup::SequenceNumber(v) => (Index::SequenceNumber, v),
        };
        // An index key is never empty, so nothing can be stored under an empty value.
        if value.is_empty() {
            return Ok(None);
        }
        self.read_by_index(index, value, lookup).await
    }

    async fn read_by_index(
        &self,
        index: Index,
        value: &str,
        lookup: &Lookup,
    ) -> VaultResult<Option<StoredProfile>> {
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.tables.vault)
                .index_name(self.tables.index(index))
                .key_condition_expression("#k = :v")
                .expression_attribute_names("#k", index.hash_key())
                .expression_attribute_names("#id", "id")
                .expression_attribute_values(":v", s(value))
                .projection_expression("#id")
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| vault_error("Query", &e))?;
            for candidate in out.items() {
                let Some(id) = get_s(candidate, "id") else {
                    continue;
                };
                let Some(item) = self.get_item(id).await? else {
                    continue;
                };
                let stored = StoredProfile::try_from(item)?;
                if still_matches(&stored, lookup) {
                    return Ok(Some(stored));
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(None),
            }
        }
    }

    pub(crate) async fn read_status(
        &self,
        sequence_number: &str,
    ) -> VaultResult<Option<StatusRecord>> {
        if sequence_number.is_empty() {
            return Ok(None);
        }
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.status)
            .key("sequence_number", s(sequence_number))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| vault_error("GetItem", &e))?;
        out.item.map(StatusRecord::try_from).transpose()
    }
}

/// Whether the consistently read profile still carries the value its (eventually consistent) index entry
/// was found by.
fn still_matches(stored: &StoredProfile, lookup: &Lookup) -> bool {
    let p = &stored.profile;
    match lookup {
        Lookup::UserId(v) => p.user_id() == Some(v.as_str()),
        Lookup::Uuid(v) => p.uuid() == Some(v.as_str()),
        Lookup::PrimaryEmail(v) => p.primary_email() == Some(v.as_str()),
        Lookup::PrimaryUsername(v) => p.primary_username() == Some(v.as_str()),
        Lookup::SequenceNumber(v) => stored.sequence_number.as_deref() == Some(v.as_str()),
    }
}
