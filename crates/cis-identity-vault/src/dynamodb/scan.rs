//! Walks over many users: `list_profiles` and `search` by paged `Scan` of the vault table, `list_ids` by
//! `Query` of the `-connection` index (with a connection prefix) or a projected `Scan`.
//!
//! A page is made of at most [`MAX_REQUESTS`] requests; its cursor ([`crate::cursor`]) is the user_id to
//! continue after (the last key DynamoDB evaluated, or the last item returned when the page filled up
//! mid-response); the `ExclusiveStartKey` is rebuilt from it (for the index, with the id's connection method).
//! A failed request fails the whole page: a walk never returns partial data as complete. Scan order is
//! DynamoDB's hash order; items are sorted by user_id within a page only.

use super::DynamoVault;
use super::errors::vault_error;
use super::item::{Item, get_s, id_entry, s};
use super::names::Index;
use crate::cursor;
use crate::error::{VaultError, VaultResult};
use crate::model::{Cursor, IdEntry, ListQuery, Page};
use crate::search::{check_limit, connection_matches};
use cis_profile::identifiers::connection_method;
use std::collections::HashMap;

/// Requests per page, so that a selective filter cannot make one call scan the whole table.
pub(crate) const MAX_REQUESTS: usize = 10;

/// Which key a walk continues from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// A scan of the vault table (key: `id`).
    Table,
    /// A query of the `-connection` index (key: `connection_method`, `id`).
    Connection,
}

/// What one walk reads and how.
pub(crate) struct Source {
    pub walk: Walk,
    /// `None` = the table itself.
    pub index: Option<String>,
    pub key_condition: Option<&'static str>,
    pub filter: Vec<&'static str>,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    pub projection: &'static str,
    /// Items are filtered here after reading (search), so each request reads as much as DynamoDB returns.
    pub filtered_locally: bool,
}

impl Source {
    fn new(walk: Walk, projection: &'static str, names: &[(&str, &str)]) -> Source {
        Source {
            walk,
            index: None,
            key_condition: None,
            filter: Vec::new(),
            names: names
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            values: HashMap::new(),
            projection,
            filtered_locally: false,
        }
    }

    /// Full items for profiles: the key, the profile, its version and `active`, not the flat copy.
    pub(crate) fn profiles(active: Option<bool>) -> Source {
        let names = [
            ("#id", "id"),
            ("#p", "profile"),
            ("#v", "version"),
            ("#sn", "sequence_number"),
            ("#a", "active"),
        ];
        let mut source = Source::new(Walk::Table, "#id, #p, #v, #sn, #a", &names);
        source.filter_active(active);
        source
    }

    fn filter_active(&mut self, active: Option<bool>) {
        if let Some(active) = active {
            self.filter.push("#a = :a");
            self.names.insert("#a".into(), "active".into());
            self.values.insert(
                ":a".into(),
                aws_sdk_dynamodb::types::AttributeValue::Bool(active),
            );
        }
    }
}

/// The items of one page and the cursor to continue from.
pub(crate) struct Walked<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl DynamoVault {
    /// A page of profiles, each as a `T` made from its item (parsed, or its stored text).
    pub(crate) async fn walk_profiles<T>(
        &self,
        query: &ListQuery,
        user_id: impl Fn(&T) -> &str,
    ) -> VaultResult<Page<T>>
    where
        T: TryFrom<Item, Error = VaultError>,
    {
        if no_connection_can_match(query)? {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let mut source = Source::profiles(query.active);
        if let Some(prefix) = query.connection.as_deref().filter(|p| !p.is_empty()) {
            source.filter.push("begins_with(#id, :prefix)");
            source.values.insert(":prefix".into(), s(prefix));
        }
        let start = start_key(Walk::Table, query.cursor.as_ref(), None)?;
        // `begins_with` narrows in DynamoDB; the shared rule decides (`goo` is no connection method).
        let walked = self
            .walk(&source, start, query.limit, |item| {
                let stored = T::try_from(item)?;
                let matches = connection_matches(user_id(&stored), query.connection.as_deref());
                Ok(matches.then_some(stored))
            })
            .await?;
        let mut items = walked.items;
        items.sort_by(|a, b| user_id(a).cmp(user_id(b)));
        Ok(Page {
            items,
            next: walked.next,
        })
    }

    pub(crate) async fn walk_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>> {
        if no_connection_can_match(query)? {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let names = [
            ("#id", "id"),
            ("#u", "user_uuid"),
            ("#e", "primary_email"),
            ("#a", "active"),
        ];
        let prefix = query.connection.as_deref().filter(|p| !p.is_empty());
        let mut source = Source::new(Walk::Table, "#id, #u, #e, #a", &names);
        if let Some(prefix) = prefix {
            // The index is keyed by the id's first segment; the prefix narrows within it.
            source.walk = Walk::Connection;
            source.index = Some(self.tables.index(Index::Connection));
            source.key_condition = Some("#cm = :cm AND begins_with(#id, :prefix)");
            source
                .names
                .insert("#cm".into(), "connection_method".into());
            source
                .values
                .insert(":cm".into(), s(connection_method(prefix)));
            source.values.insert(":prefix".into(), s(prefix));
        }
        if let Some(active) = query.active {
            source.filter.push("#a = :a");
            source.values.insert(
                ":a".into(),
                aws_sdk_dynamodb::types::AttributeValue::Bool(active),
            );
        }
        let start = start_key(source.walk, query.cursor.as_ref(), prefix)?;
        let walked = self
            .walk(&source, start, query.limit, |item| {
                id_entry(&item).map(Some)
            })
            .await?;
        let mut items = walked.items;
        items.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        Ok(Page {
            items,
            next: walked.next,
        })
    }

    /// Reads up to `limit` items that `accept` turns into a `T`, from `start` on.
    pub(crate) async fn walk<T>(
        &self,
        source: &Source,
        mut start: Option<Item>,
        limit: usize,
        mut accept: impl FnMut(Item) -> VaultResult<Option<T>>,
    ) -> VaultResult<Walked<T>> {
        check_limit(limit)?;
        let mut kept: Vec<T> = Vec::new();
        for _ in 0..MAX_REQUESTS {
            let request_limit = if source.filtered_locally {
                None
            } else {
                Some(limit - kept.len())
            };
            let (items, last_key) = self.fetch(source, start.take(), request_limit).await?;
            let count = items.len();
            for (i, item) in items.into_iter().enumerate() {
                let id = get_s(&item, "id").map(str::to_string);
                let Some(accepted) = accept(item)? else {
                    continue;
                };
                kept.push(accepted);
                if kept.len() == limit {
                    let more = i + 1 < count || last_key.is_some();
                    return Ok(Walked {
                        items: kept,
                        next: id.filter(|_| more).map(|id| cursor::encode(&id)),
                    });
                }
            }
            match last_key {
                Some(key) => start = Some(key),
                None => {
                    return Ok(Walked {
                        items: kept,
                        next: None,
                    });
                }
            }
        }
        Ok(Walked {
            items: kept,
            next: start
                .as_ref()
                .and_then(|k| get_s(k, "id"))
                .map(cursor::encode),
        })
    }

    /// One `Scan` or `Query` request: its items and its `LastEvaluatedKey`.
    async fn fetch(
        &self,
        source: &Source,
        start: Option<Item>,
        limit: Option<usize>,
    ) -> VaultResult<(Vec<Item>, Option<Item>)> {
        let filter = (!source.filter.is_empty()).then(|| source.filter.join(" AND "));
        let values = (!source.values.is_empty()).then(|| source.values.clone());
        let limit = limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX));
        let (items, last) = match source.key_condition {
            Some(condition) => {
                let out = self
                    .client
                    .query()
                    .table_name(&self.tables.vault)
                    .set_index_name(source.index.clone())
                    .key_condition_expression(condition)
                    .set_filter_expression(filter)
                    .set_expression_attribute_names(Some(source.names.clone()))
                    .set_expression_attribute_values(values)
                    .projection_expression(source.projection)
                    .set_exclusive_start_key(start)
                    .set_limit(limit)
                    .send()
                    .await
                    .map_err(|e| vault_error("Query", &e))?;
                (out.items, out.last_evaluated_key)
            }
            None => {
                let out = self
                    .client
                    .scan()
                    .table_name(&self.tables.vault)
                    .set_index_name(source.index.clone())
                    .set_filter_expression(filter)
                    .set_expression_attribute_names(Some(source.names.clone()))
                    .set_expression_attribute_values(values)
                    .projection_expression(source.projection)
                    .set_exclusive_start_key(start)
                    .set_limit(limit)
                    .send()
                    .await
                    .map_err(|e| vault_error("Scan", &e))?;
                (out.items, out.last_evaluated_key)
            }
        };
        Ok((items.unwrap_or_default(), last.filter(|k| !k.is_empty())))
    }
}

/// An empty connection prefix names no connection method (`search::connection_matches`): nobody matches.
fn no_connection_can_match(query: &ListQuery) -> VaultResult<bool> {
    check_limit(query.limit)?;
    Ok(query.connection.as_deref() == Some(""))
}

/// The `ExclusiveStartKey` of a cursor. A cursor whose user_id cannot be in the queried index partition
/// (another connection method) is invalid.
pub(crate) fn start_key(
    walk: Walk,
    cursor: Option<&Cursor>,
    prefix: Option<&str>,
) -> VaultResult<Option<Item>> {
    let Some(id) = cursor::decode_opt(cursor)? else {
        return Ok(None);
    };
    let mut key = Item::from([("id".to_string(), s(&id))]);
    if walk == Walk::Connection {
        let method = connection_method(&id);
        if prefix.is_some_and(|p| connection_method(p) != method) {
            return Err(VaultError::InvalidCursor);
        }
        key.insert("connection_method".into(), s(method));
    }
    Ok(Some(key))
}
