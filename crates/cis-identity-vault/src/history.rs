//! A user's change history in memory: status records ordered newest first (by `processed_at`, then
//! sequence number, both descending) and paged with the history cursor of [`crate::cursor`]. The SQLite
//! and DynamoDB adapters order and page the same way in their queries; the contract suite checks all three.

use crate::cursor;
use crate::error::{VaultError, VaultResult};
use crate::model::{HistoryQuery, Page, StatusRecord};

/// The largest page a history query may ask for.
pub const MAX_HISTORY_PAGE: usize = 1000;

/// Checks a history query: a user to ask about (a poison record's status names none, and no history
/// lists it) and a limit of 1 to [`MAX_HISTORY_PAGE`].
pub fn check_query(user_id: &str, query: &HistoryQuery) -> VaultResult<usize> {
    if user_id.is_empty() {
        return Err(VaultError::InvalidRequest(
            "a history query needs a user_id".into(),
        ));
    }
    match query.limit {
        0 => Err(VaultError::InvalidRequest(
            "a history page needs a limit of at least 1".into(),
        )),
        n if n > MAX_HISTORY_PAGE => Err(VaultError::InvalidRequest(format!(
            "a history page is at most {MAX_HISTORY_PAGE} records"
        ))),
        n => Ok(n),
    }
}

/// The page `query` asks for of `records` (any order, `user_id`'s).
pub fn page_newest_first(
    user_id: &str,
    mut records: Vec<StatusRecord>,
    query: &HistoryQuery,
) -> VaultResult<Page<StatusRecord>> {
    let limit = check_query(user_id, query)?;
    records.sort_by(|a, b| {
        (&b.processed_at, &b.sequence_number).cmp(&(&a.processed_at, &a.sequence_number))
    });
    if let Some(cursor) = &query.cursor {
        let (at, seq) = cursor::decode_change(cursor)?;
        records.retain(|r| {
            (r.processed_at.as_str(), r.sequence_number.as_str()) < (at.as_str(), seq.as_str())
        });
    }
    Ok(page_of(records, limit))
}

/// A page from up to `limit + 1` records in order: the extra one only says that another page follows.
pub fn page_of(mut records: Vec<StatusRecord>, limit: usize) -> Page<StatusRecord> {
    if records.len() <= limit {
        return Page {
            items: records,
            next: None,
        };
    }
    records.truncate(limit);
    let next = records
        .last()
        .map(|last| cursor::encode_change(&last.processed_at, &last.sequence_number));
    Page {
        items: records,
        next,
    }
}
