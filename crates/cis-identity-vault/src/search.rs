//! What every adapter derives from a profile, and the one definition of attribute search
//! (docs/contract/processor-and-vault.md §5.1; person-api's `by_attribute_contains`).
//!
//! Backend-neutral: the item fields stored beside the profile ([`ItemFields`]), the index entry of a user
//! ([`entry_of`]), list filters ([`list_matches`]) and attribute search ([`matches`], [`query_matches`]).
//! The SQLite, DynamoDB and in-memory adapters all decide with these functions, so they cannot disagree.
//! No I/O, no backend types; which attributes the Person API lets a client search is the Person API's call.

use crate::error::{VaultError, VaultResult};
use crate::model::{AttributeQuery, IdEntry, ListQuery, SearchValue};
use cis_profile::identifiers::connection_method;
use cis_profile::{AttrPath, Kind, Profile};

/// The attributes an adapter stores beside the profile, as §5.1 derives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFields {
    /// `user_id.value`: the key, never empty.
    pub user_id: String,
    /// `uuid.value`; `None` when null or empty (an index key cannot be empty).
    pub uuid: Option<String>,
    /// `primary_email.value`; `None` when null or empty.
    pub primary_email: Option<String>,
    /// `primary_username.value`; `None` when null or empty.
    pub primary_username: Option<String>,
    /// `user_id` up to its first `|`.
    pub connection_method: String,
    /// `active.value`; `None` when null.
    pub active: Option<bool>,
}

impl ItemFields {
    /// The fields of a profile about to be written. `InvalidRequest` when it has no (or an empty) user_id.
    pub fn of(profile: &Profile) -> VaultResult<ItemFields> {
        let user_id = non_empty(profile.user_id())
            .ok_or_else(|| VaultError::InvalidRequest("the profile has no user_id".into()))?;
        Ok(ItemFields {
            connection_method: connection_method(&user_id).to_string(),
            uuid: non_empty(profile.uuid()),
            primary_email: non_empty(profile.primary_email()),
            primary_username: non_empty(profile.primary_username()),
            active: profile.active(),
            user_id,
        })
    }

    /// The index entry these fields give.
    pub fn entry(&self) -> IdEntry {
        IdEntry {
            user_id: self.user_id.clone(),
            uuid: self.uuid.clone(),
            primary_email: self.primary_email.clone(),
            active: self.active,
        }
    }
}

/// The index entry of a stored profile (what `list_ids` returns for it). A profile without user_id (never
/// stored: writes refuse it) gives an empty `user_id`.
pub fn entry_of(profile: &Profile) -> IdEntry {
    IdEntry {
        user_id: profile.user_id().unwrap_or_default().to_string(),
        uuid: non_empty(profile.uuid()),
        primary_email: non_empty(profile.primary_email()),
        active: profile.active(),
    }
}

/// `Some(text)` for a non-empty text, `None` for null or `""`.
pub fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

/// Whether a user's `active` passes a filter (`None` = everyone; a null `active` passes only `None`).
pub fn active_matches(active: Option<bool>, wanted: Option<bool>) -> bool {
    wanted.is_none_or(|w| active == Some(w))
}

/// Whether a user_id passes a connection filter (§5.4): its connection method is the prefix's first segment
/// and it starts with the whole prefix. So `ad|Mozilla-LDAP` finds `ad|Mozilla-LDAP|jdoe`, and `git` finds
/// nobody (no connection method is `git`).
pub fn connection_matches(user_id: &str, prefix: Option<&str>) -> bool {
    prefix.is_none_or(|p| {
        connection_method(user_id) == connection_method(p) && user_id.starts_with(p)
    })
}

/// Whether a user passes a list query's filters (the cursor and limit are the adapter's).
pub fn list_matches(entry: &IdEntry, query: &ListQuery) -> bool {
    active_matches(entry.active, query.active)
        && connection_matches(&entry.user_id, query.connection.as_deref())
}

/// Attribute search: whether `profile`'s `attribute` matches `value`.
///
/// - `values` attributes (`access_information.ldap`, `.mozilliansorg`, ...) with a text: the map has the
///   text as a member name (groups are stored as `{"group": null}`);
/// - string attributes (`staff_information.title`, ...) with a text: the payload equals the text;
/// - boolean attributes (`staff_information.staff`, ...) with a bool: the payload equals the bool.
///
/// Any other combination (a bool for a string attribute, a null payload) does not match.
pub fn matches(profile: &Profile, attribute: AttrPath, value: &SearchValue) -> bool {
    let Some(attr) = profile.attr(attribute) else {
        return false;
    };
    let payload = attr.payload();
    match (attribute.kind(), value) {
        (Kind::AccessInfo | Kind::Values, SearchValue::Text(name)) => payload
            .as_object()
            .is_some_and(|members| members.contains_key(name)),
        (Kind::String, SearchValue::Text(text)) => payload.as_str() == Some(text.as_str()),
        (Kind::Bool, SearchValue::Bool(b)) => payload.as_bool() == Some(*b),
        _ => false,
    }
}

/// Whether a user is in the result of an attribute query: `active` passes and [`matches`] (negated when
/// the query is).
pub fn query_matches(profile: &Profile, query: &AttributeQuery) -> bool {
    active_matches(profile.active(), query.active)
        && matches(profile, query.attribute, &query.value) != query.negate
}

/// `InvalidRequest` for a page size of 0.
pub fn check_limit(limit: usize) -> VaultResult<()> {
    if limit == 0 {
        return Err(VaultError::InvalidRequest(
            "the page limit must be at least 1".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
