//! Item mapping between the vault model and DynamoDB items (docs/contract/processor-and-vault.md §5.1, §5.2 step 3, §6).
//! Only conversions live here: no requests, no conditions, no retries.

use crate::error::{VaultError, VaultResult};
use crate::model::{
    ChangeOrigin, ChangeSource, ChangeState, Condition, IdEntry, ProfileWrite, StatusError,
    StatusRecord, StoredJson, StoredProfile,
};
use crate::search::ItemFields;
use aws_sdk_dynamodb::types::AttributeValue;
use cis_profile::Profile;
use serde_json::Value;
use std::collections::HashMap;

/// One DynamoDB item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// The vault item of a write, at the version it will have once written.
pub(crate) fn profile_item(write: &ProfileWrite, version: u64) -> VaultResult<Item> {
    let profile = &write.profile;
    let fields = ItemFields::of(profile)?;
    let mut item = Item::new();
    item.insert("id".into(), s(&fields.user_id));
    // Index keys cannot be empty strings: `ItemFields` leaves a null or empty identifier out.
    for (name, value) in [
        ("user_uuid", &fields.uuid),
        ("primary_email", &fields.primary_email),
        ("primary_username", &fields.primary_username),
    ] {
        if let Some(v) = value {
            item.insert(name.into(), s(v));
        }
    }
    item.insert("sequence_number".into(), s(&write.sequence_number));
    item.insert("profile".into(), s(&profile.to_json()));
    if let Some(active) = fields.active {
        item.insert("active".into(), AttributeValue::Bool(active));
    }
    item.insert("flat_profile".into(), flat_profile(profile));
    item.insert("version".into(), AttributeValue::N(version.to_string()));
    item.insert("connection_method".into(), s(&fields.connection_method));
    item.insert(
        "changed_attributes".into(),
        string_list(&write.changed_attributes),
    );
    item.insert(
        "change_publishers".into(),
        string_list(&write.change_publishers),
    );
    Ok(item)
}

/// The `flat_profile` map: `cis_profile::flat::flatten` encoded as attribute values (§5.2 step 3).
pub(crate) fn flat_profile(profile: &Profile) -> AttributeValue {
    encode_json(&cis_profile::flat::flatten(profile))
}

/// JSON → attribute value: string `S`, boolean `BOOL`, null `NULL`, number `N` (its JSON text), object `M`,
/// array `L`.
pub(crate) fn encode_json(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(text) => s(text),
        Value::Array(items) => AttributeValue::L(items.iter().map(encode_json).collect()),
        Value::Object(map) => AttributeValue::M(
            map.iter()
                .map(|(k, v)| (k.clone(), encode_json(v)))
                .collect(),
        ),
    }
}

impl TryFrom<Item> for StoredProfile {
    type Error = VaultError;

    fn try_from(item: Item) -> VaultResult<StoredProfile> {
        let id = get_s(&item, "id").unwrap_or_default().to_string();
        let corrupt = |message: String| VaultError::Corrupt {
            id: id.clone(),
            message,
        };
        let text = get_s(&item, "profile").ok_or_else(|| corrupt("no profile attribute".into()))?;
        let profile = Profile::from_stored_text(text)
            .map_err(|e| VaultError::corrupt_profile(id.clone(), e))?;
        let version = get_u64(&item, "version").map_err(corrupt)?;
        let sequence_number = get_s(&item, "sequence_number").map(str::to_string);
        Ok(StoredProfile {
            profile,
            version,
            sequence_number,
        })
    }
}

impl TryFrom<Item> for StoredJson {
    type Error = VaultError;

    /// The profile's text as stored, unparsed (the Person API's raw filter checks what it reads).
    fn try_from(mut item: Item) -> VaultResult<StoredJson> {
        let user_id = get_s(&item, "id").unwrap_or_default().to_string();
        let corrupt = |message: String| VaultError::Corrupt {
            id: user_id.clone(),
            message,
        };
        let version = get_u64(&item, "version").map_err(corrupt)?;
        let active = get_active(&item);
        let Some(AttributeValue::S(json)) = item.remove("profile") else {
            return Err(corrupt("no profile attribute".into()));
        };
        Ok(StoredJson {
            user_id,
            active,
            version,
            json,
        })
    }
}

/// The index entry of a (projected) item.
pub(crate) fn id_entry(item: &Item) -> VaultResult<IdEntry> {
    let user_id = get_s(item, "id").ok_or_else(|| VaultError::Corrupt {
        id: String::new(),
        message: "item without id".into(),
    })?;
    Ok(IdEntry {
        user_id: user_id.to_string(),
        uuid: get_s(item, "user_uuid").map(str::to_string),
        primary_email: get_s(item, "primary_email").map(str::to_string),
        active: get_active(item),
    })
}

/// The item's `active` attribute; `None` when absent or not a boolean (a null `active.value`).
fn get_active(item: &Item) -> Option<bool> {
    match item.get("active") {
        Some(AttributeValue::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// The status table item of a record (§6).
pub(crate) fn status_item(status: &StatusRecord) -> Item {
    let mut item = Item::new();
    item.insert("sequence_number".into(), s(&status.sequence_number));
    // A poison record has no user: DynamoDB refuses an empty string as the history index's key, so the
    // attribute is left out (and the record stays out of the index, where no user could ask for it).
    if !status.user_id.is_empty() {
        item.insert("user_id".into(), s(&status.user_id));
    }
    item.insert("state".into(), s(status.state.as_str()));
    item.insert("condition".into(), s(status.condition.as_str()));
    item.insert("processed_at".into(), s(&status.processed_at));
    if let Some(version) = status.version {
        item.insert("version".into(), AttributeValue::N(version.to_string()));
    }
    item.insert("source".into(), s(status.source.as_str()));
    if let Some(error) = &status.error {
        item.insert("error_code".into(), s(&error.code));
        item.insert("error_description".into(), s(&error.description));
    }
    if let Some(expires_at) = status.expires_at {
        item.insert(
            "expires_at".into(),
            AttributeValue::N(expires_at.to_string()),
        );
    }
    if let Some(client_id) = &status.origin.client_id {
        item.insert("client_id".into(), s(client_id));
    }
    item.insert("publishers".into(), string_list(&status.origin.publishers));
    item.insert("changed".into(), string_list(&status.origin.changed));
    item
}

/// A list of strings (`L` of `S`); absent or another type: empty.
fn get_strings(item: &Item, name: &str) -> Vec<String> {
    match item.get(name) {
        Some(AttributeValue::L(items)) => items
            .iter()
            .filter_map(|v| v.as_s().ok().cloned())
            .collect(),
        _ => Vec::new(),
    }
}

impl TryFrom<Item> for StatusRecord {
    type Error = VaultError;

    fn try_from(item: Item) -> VaultResult<StatusRecord> {
        let key = get_s(&item, "sequence_number")
            .unwrap_or_default()
            .to_string();
        let corrupt = |message: String| VaultError::Corrupt {
            id: key.clone(),
            message,
        };
        let text = |name: &str| {
            get_s(&item, name).ok_or_else(|| corrupt(format!("status record without {name}")))
        };
        let state =
            ChangeState::parse(text("state")?).ok_or_else(|| corrupt("unknown state".into()))?;
        let condition = Condition::parse(text("condition")?)
            .ok_or_else(|| corrupt("unknown condition".into()))?;
        let source =
            ChangeSource::parse(text("source")?).ok_or_else(|| corrupt("unknown source".into()))?;
        let error = match (
            get_s(&item, "error_code"),
            get_s(&item, "error_description"),
        ) {
            (None, None) => None,
            (code, description) => Some(StatusError {
                code: code.unwrap_or_default().to_string(),
                description: description.unwrap_or_default().to_string(),
            }),
        };
        let expires_at = match item.get("expires_at") {
            Some(AttributeValue::N(n)) => Some(
                n.parse::<i64>()
                    .map_err(|e| corrupt(format!("expires_at: {e}")))?,
            ),
            _ => None,
        };
        Ok(StatusRecord {
            sequence_number: key.clone(),
            user_id: get_s(&item, "user_id").unwrap_or_default().to_string(),
            state,
            condition,
            processed_at: text("processed_at")?.to_string(),
            version: get_u64(&item, "version").map_err(corrupt)?,
            source,
            error,
            expires_at,
            origin: ChangeOrigin {
                client_id: get_s(&item, "client_id").map(str::to_string),
                publishers: get_strings(&item, "publishers"),
                changed: get_strings(&item, "changed"),
            },
        })
    }
}

pub(crate) fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

fn string_list(items: &[String]) -> AttributeValue {
    AttributeValue::L(items.iter().map(|i| s(i)).collect())
}

pub(crate) fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Some(text),
        _ => None,
    }
}

/// A number attribute as u64; absent → `None`; present but not a u64 → the reason.
pub(crate) fn get_u64(item: &Item, name: &str) -> Result<Option<u64>, String> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::N(n)) => n
            .parse::<u64>()
            .map(Some)
            .map_err(|e| format!("{name} {n:?}: {e}")),
        Some(_) => Err(format!("{name} is not a number")),
    }
}

#[cfg(test)]
#[path = "item_tests.rs"]
mod tests;
