//! Reads of one profile or one status record. By user_id: a consistent `GetItem`. By uuid, email,
//! username or sequence number: a `Query` of the index for candidate ids (in id order), then a consistent
//! `GetItem` of each until one still carries the looked-up value. Indexes are eventually consistent, so the
//! index only nominates candidates; the answer always comes from the strongly consistent table read.

use super::DynamoVault;
use super::errors::vault_error;
use super::item::{Item, get_s, s};
use super::names::Index;
use crate::error::VaultResult;
use crate::model::{HistoryQuery, Lookup, Page, StatusRecord};
use crate::{cursor, history};

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

    /// The item a lookup finds (see the module's note on indexes), whole and unconverted.
    pub(crate) async fn read_item(&self, lookup: &Lookup) -> VaultResult<Option<Item>> {
        let (index, value) = match lookup {
            Lookup::UserId(id) if id.is_empty() => return Ok(None),
            Lookup::UserId(id) => return self.get_item(id).await,
            Lookup::Uuid(v) => (Index::UserUuid, v),
            Lookup::PrimaryEmail(v) => (Index::PrimaryEmail, v),
            Lookup::PrimaryUsername(v) => (Index::PrimaryUsername, v),
            Lookup::SequenceNumber(v) => (Index::SequenceNumber, v),
        };
        // An index key is never empty, so nothing can be stored under an empty value.
        if value.is_empty() {
            return Ok(None);
        }
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
                // The item (read consistently) must still carry the value its index entry was found by.
                if get_s(&item, index.hash_key()) == Some(value.as_str()) {
                    return Ok(Some(item));
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

    /// A user's records, newest first, through the status table's `-user_id` index (eventually
    /// consistent: a record written a moment ago may be missing from the first page).
    pub(crate) async fn read_changes(
        &self,
        user_id: &str,
        query: &HistoryQuery,
    ) -> VaultResult<Page<StatusRecord>> {
        let limit = history::check_query(user_id, query)?;
        let mut request = self
            .client
            .query()
            .table_name(&self.tables.status)
            .index_name(self.tables.status_user_index())
            .key_condition_expression("#u = :u")
            .expression_attribute_names("#u", "user_id")
            .expression_attribute_values(":u", s(user_id))
            .scan_index_forward(false);
        if let Some(cursor) = &query.cursor {
            let (at, seq) = cursor::decode_change(cursor)?;
            request = request
                .exclusive_start_key("user_id", s(user_id))
                .exclusive_start_key("processed_at", s(&at))
                .exclusive_start_key("sequence_number", s(&seq));
        }
        // Two records of one user in the same millisecond come from the index in its own order; a page
        // boundary between them could then repeat or skip one (the clock makes that all but impossible).
        let mut records = Vec::new();
        let mut start = None;
        loop {
            let mut page = request
                .clone()
                .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX));
            if start.is_some() {
                page = page.set_exclusive_start_key(start.take());
            }
            let out = page.send().await.map_err(|e| vault_error("Query", &e))?;
            for item in out.items.unwrap_or_default() {
                records.push(StatusRecord::try_from(item)?);
            }
            start = out.last_evaluated_key;
            if records.len() > limit || start.is_none() {
                break;
            }
        }
        records.sort_by(|a, b| {
            (&b.processed_at, &b.sequence_number).cmp(&(&a.processed_at, &a.sequence_number))
        });
        Ok(history::page_of(records, limit))
    }
}
