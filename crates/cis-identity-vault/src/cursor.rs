//! Pagination cursors: the opaque base64url (no padding) text of the last user_id a page covered (or, for
//! a change history, of the last record's `processed_at` and sequence number).
//!
//! Every adapter that pages in user_id order encodes its position with these two functions, so a cursor
//! means the same thing everywhere ("continue after this user_id"). Adapters must not put backend state in
//! a cursor; callers must not build or read one (they only hand it back).

use crate::error::{VaultError, VaultResult};
use crate::model::Cursor;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The cursor of the page that continues after `last_user_id`.
pub fn encode(last_user_id: &str) -> Cursor {
    Cursor(URL_SAFE_NO_PAD.encode(last_user_id.as_bytes()))
}

/// The user_id a cursor continues after. `InvalidCursor` for text this module did not produce (not
/// base64url, not UTF-8, or empty).
pub fn decode(cursor: &Cursor) -> VaultResult<String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.0.as_bytes())
        .map_err(|_| VaultError::InvalidCursor)?;
    match String::from_utf8(bytes) {
        Ok(id) if !id.is_empty() => Ok(id),
        _ => Err(VaultError::InvalidCursor),
    }
}

/// The cursor of a history page that continues after the record `(processed_at, sequence_number)`.
pub fn encode_change(processed_at: &str, sequence_number: &str) -> Cursor {
    encode(&format!("{processed_at}\u{1f}{sequence_number}"))
}

/// The `(processed_at, sequence_number)` a history cursor continues after.
pub fn decode_change(cursor: &Cursor) -> VaultResult<(String, String)> {
    let text = decode(cursor)?;
    text.split_once('\u{1f}')
        .map(|(at, seq)| (at.to_string(), seq.to_string()))
        .ok_or(VaultError::InvalidCursor)
}

/// The user_id to continue after, if the query carries a cursor.
pub fn decode_opt(cursor: Option<&Cursor>) -> VaultResult<Option<String>> {
    cursor.map(decode).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_any_user_id() {
        for id in [
            "ad|Mozilla-LDAP|jdoe",
            "email|Zoë@example.com",
            "a",
            "with space/slash+plus",
        ] {
            let cursor = encode(id);
            assert!(
                cursor
                    .0
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
            assert_eq!(decode(&cursor).unwrap(), id);
        }
    }

    #[test]
    fn text_that_is_not_a_cursor_is_an_invalid_cursor() {
        for text in ["%%%not a cursor%%%", "", "YQ=", "_w"] {
            assert_eq!(
                decode(&Cursor(text.into())),
                Err(VaultError::InvalidCursor),
                "{text}"
            );
        }
    }
}
