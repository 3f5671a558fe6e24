//! Reads on a reader connection: lookups through the §5.4-like indexes, keyset pages in user_id order,
//! and attribute search pages. Page rows come back unparsed ([`RawProfile`]) so the caller can return the
//! connection before the (costly) profile parsing. No writes here.

#[cfg(doc)]
use super::rows::JSON_COLUMNS;
use super::rows::{Db, PROFILE_COLUMNS, RawProfile};
use crate::error::VaultResult;
use crate::model::{AttributeQuery, IdEntry, Lookup, Page, SearchValue, StoredProfile};
use crate::{cursor, search};
use cis_profile::identifiers::connection_method;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};

/// Candidate rows an attribute search reads per statement.
const SEARCH_CHUNK: usize = 200;
/// Candidate rows one search page may examine before it returns what it has, with a cursor.
const SEARCH_BUDGET: usize = 20_000;

/// The one row a lookup finds; for an identifier several users share, the smallest user_id.
pub(super) fn get(conn: &Connection, lookup: &Lookup) -> VaultResult<Option<RawProfile>> {
    get_with(conn, lookup, PROFILE_COLUMNS, RawProfile::from_row)
}

/// [`get`] reading `columns` with `map` (the text path reads [`JSON_COLUMNS`]).
pub(super) fn get_with<T>(
    conn: &Connection,
    lookup: &Lookup,
    columns: &str,
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> VaultResult<Option<T>> {
    let (column, value) = match lookup {
        Lookup::UserId(v) => ("id", v),
        Lookup::Uuid(v) => ("user_uuid", v),
        Lookup::PrimaryEmail(v) => ("primary_email", v),
        Lookup::PrimaryUsername(v) => ("primary_username", v),
        Lookup::SequenceNumber(v) => ("sequence_number", v),
    };
    let sql = format!("SELECT {columns} FROM profiles WHERE {column} = ?1 ORDER BY id LIMIT 1");
    conn.prepare_cached(&sql)
        .db()?
        .query_row([value], map)
        .optional()
        .db()
}

/// A `WHERE` clause and its parameters.
#[derive(Default)]
pub(super) struct Filter {
    clauses: Vec<&'static str>,
    params: Vec<Value>,
}

impl Filter {
    /// Users after `after` (in user_id order), with `active` if given, under a connection prefix if given
    /// (its first segment is the connection method, and the whole prefix starts the user_id).
    pub(super) fn new(
        after: Option<&str>,
        active: Option<bool>,
        connection: Option<&str>,
    ) -> Filter {
        let mut f = Filter::default();
        if let Some(after) = after {
            f.push("id > ?", Value::Text(after.to_string()));
        }
        if let Some(active) = active {
            f.push("active = ?", Value::Integer(i64::from(active)));
        }
        if let Some(prefix) = connection {
            f.push(
                "connection_method = ?",
                Value::Text(connection_method(prefix).to_string()),
            );
            f.push("id >= ?", Value::Text(prefix.to_string()));
            if let Some(upper) = successor(prefix) {
                f.push("id < ?", Value::Text(upper));
            }
            f.push("instr(id, ?) = 1", Value::Text(prefix.to_string()));
        }
        f
    }

    fn push(&mut self, clause: &'static str, param: Value) {
        self.clauses.push(clause);
        self.params.push(param);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// The smallest text greater than every text that starts with `prefix` (its last character incremented),
/// so a prefix walk is an index range. `None` when there is none (empty, or only `char::MAX`).
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Up to `limit` profile rows matching `filter`, in user_id order.
pub(super) fn profiles(
    conn: &Connection,
    filter: Filter,
    limit: usize,
) -> VaultResult<Vec<RawProfile>> {
    profiles_with(conn, filter, limit, PROFILE_COLUMNS, RawProfile::from_row)
}

/// [`profiles`] reading `columns` with `map` (the text path reads [`JSON_COLUMNS`]).
pub(super) fn profiles_with<T>(
    conn: &Connection,
    filter: Filter,
    limit: usize,
    columns: &str,
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> VaultResult<Vec<T>> {
    let sql = format!(
        "SELECT {columns} FROM profiles {} ORDER BY id LIMIT {limit}",
        filter.sql()
    );
    let mut stmt = conn.prepare_cached(&sql).db()?;
    let rows = stmt.query_map(params_from_iter(filter.params), map).db()?;
    rows.collect::<Result<_, _>>().db()
}

/// Up to `limit` index entries matching `filter`, from the covering indexes (no profile is read).
pub(super) fn ids(conn: &Connection, filter: Filter, limit: usize) -> VaultResult<Vec<IdEntry>> {
    let sql = ids_sql(&filter, limit);
    let mut stmt = conn.prepare_cached(&sql).db()?;
    let rows = stmt
        .query_map(params_from_iter(filter.params), |r| {
            Ok(IdEntry {
                user_id: r.get(0)?,
                uuid: r.get(1)?,
                primary_email: r.get(2)?,
                active: r.get(3)?,
            })
        })
        .db()?;
    rows.collect::<Result<_, _>>().db()
}

pub(super) fn ids_sql(filter: &Filter, limit: usize) -> String {
    format!(
        "SELECT id, user_uuid, primary_email, active FROM profiles {} ORDER BY id LIMIT {limit}",
        filter.sql()
    )
}

/// The next `limit` rows after `after` that may match an attribute query. The SQL pre-filter is a
/// necessary condition only (the stored texts are serde_json's, so a matching text or member name appears
/// in them quoted); `crate::search::query_matches` decides.
pub(super) fn search_candidates(
    conn: &Connection,
    query: &AttributeQuery,
    after: Option<&str>,
    limit: usize,
) -> VaultResult<Vec<RawProfile>> {
    let mut filter = Filter::new(after, query.active, None);
    if !query.negate {
        match &query.value {
            SearchValue::Text(text) => {
                let quoted = serde_json::to_string(text).unwrap_or_default();
                filter.push("instr(profile, ?) > 0", Value::Text(quoted));
            }
            SearchValue::Bool(b) => {
                filter.push(
                    "json_extract(flat_profile, ?) IS ?",
                    Value::Text(json_path(query)),
                );
                filter.params.push(Value::Integer(i64::from(*b)));
            }
        }
    }
    profiles(conn, filter, limit)
}

/// One page of an attribute search: candidate rows in user_id order, each confirmed by
/// `search::query_matches`, until the page is full, the table ends, or the scan budget is spent (then the
/// page may be short, even empty, and carries a cursor).
pub(super) fn search_page(
    conn: &Connection,
    query: &AttributeQuery,
    mut after: Option<String>,
) -> VaultResult<Page<StoredProfile>> {
    let mut items = Vec::new();
    let mut examined = 0;
    loop {
        let chunk = search_candidates(conn, query, after.as_deref(), SEARCH_CHUNK)?;
        let complete = chunk.len() < SEARCH_CHUNK;
        let count = chunk.len();
        for (i, raw) in chunk.into_iter().enumerate() {
            let id = raw.id.clone();
            let stored = raw.parse()?;
            if search::query_matches(&stored.profile, query) {
                items.push(stored);
            }
            let last_of_table = complete && i + 1 == count;
            if items.len() == query.limit {
                let next = (!last_of_table).then(|| cursor::encode(&id));
                return Ok(Page { items, next });
            }
            after = Some(id);
        }
        examined += count;
        if complete {
            return Ok(Page { items, next: None });
        }
        if examined >= SEARCH_BUDGET {
            return Ok(Page {
                items,
                next: after.as_deref().map(cursor::encode),
            });
        }
    }
}

/// The attribute's path in `flat_profile` (`$."staff_information"."staff"`).
fn json_path(query: &AttributeQuery) -> String {
    match query.attribute.group() {
        Some(g) => format!("$.\"{}\".\"{}\"", g.as_str(), query.attribute.leaf()),
        None => format!("$.\"{}\"", query.attribute.leaf()),
    }
}

#[cfg(test)]
mod tests {
    use super::successor;

    #[test]
    fn the_successor_of_a_prefix_bounds_every_text_starting_with_it() {
        assert_eq!(
            successor("ad|Mozilla-LDAP").as_deref(),
            Some("ad|Mozilla-LDAQ")
        );
        assert_eq!(successor("ad|").as_deref(), Some("ad}"));
        assert_eq!(successor("a\u{d7ff}").as_deref(), Some("a\u{e000}"));
        assert_eq!(successor("a\u{10ffff}").as_deref(), Some("b"));
        assert_eq!(successor(""), None);
        for id in ["ad|", "ad|x", "ad|\u{10ffff}\u{10ffff}"] {
            assert!(id < successor("ad|").unwrap().as_str());
        }
    }
}
