//! The change envelope (docs/contract/processor-and-vault.md §2): what the Change API appends to the change stream and what
//! the processor reads back, plus the stream's partition key and the API's sequence numbers (docs/contract/change-api.md §10).
//!
//! Owns the wire form (`v: 1`, member order of `profile` preserved), decoding from record bytes including the
//! historic form (a bare profile, as the original's stream carried), the partition key rule and
//! [`new_sequence_number`]. It does not validate the profile inside (the pipeline does, step 3) and never
//! puts profile contents into an error message.

use aws_lc_rs::digest::{SHA256, digest};
use cis_identity_vault::Condition;
use cis_profile::json::parse_strict;
use serde::Serialize;
use serde_json::{Map, Value};

/// The envelope version this code writes and reads.
pub const ENVELOPE_VERSION: u64 = 1;

/// Kinesis accepts partition keys of at most this many characters.
const MAX_PARTITION_KEY_CHARS: usize = 256;

/// What a change asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// POST/PUT of a profile: create or update.
    Upsert,
    /// DELETE of a profile.
    Delete,
}

/// One change as it travels through the change stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEnvelope {
    /// Always [`ENVELOPE_VERSION`] when written by this code.
    pub v: u64,
    pub op: Op,
    /// The number the Change API answered with; the status-record key.
    pub sequence_number: String,
    /// The user the change is for.
    pub user_id: String,
    /// When the API accepted the change (absent for historic records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    /// The API's view at acceptance; informational only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// The token's `azp`/`sub`, for the audit log; absent with the local bypass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The profile exactly as the publisher sent it (not merged), member order preserved.
    pub profile: Value,
}

/// A decoded stream record: the envelope and whether it came in the original's historic form.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub envelope: ChangeEnvelope,
    pub historic: bool,
}

/// Why record bytes are not a change (a poison record). The text names the problem, never the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record data is not JSON: {0}")]
    NotJson(String),
    #[error("record data is not a JSON object")]
    NotAnObject,
    #[error("record data is neither a change envelope nor a profile")]
    Unrecognised,
    #[error("unsupported envelope version (expected v = 1)")]
    UnsupportedVersion,
    #[error("envelope member `{0}` is missing or has the wrong type")]
    Member(&'static str),
    #[error("envelope member `op` must be \"upsert\" or \"delete\"")]
    Op,
    #[error("envelope member `condition` must be \"create\", \"update\" or \"delete\"")]
    Condition,
    #[error("historic record has no `user_id.value` string")]
    HistoricUserId,
}

impl ChangeEnvelope {
    /// An upsert accepted now.
    pub fn upsert(
        sequence_number: String,
        user_id: String,
        condition: Condition,
        client_id: Option<String>,
        profile: Value,
    ) -> ChangeEnvelope {
        ChangeEnvelope::new(
            Op::Upsert,
            sequence_number,
            user_id,
            condition,
            client_id,
            profile,
        )
    }

    /// A delete accepted now; `profile` is the body the publisher sent (it carries the `active` claim).
    pub fn delete(
        sequence_number: String,
        user_id: String,
        client_id: Option<String>,
        profile: Value,
    ) -> ChangeEnvelope {
        let condition = Condition::Delete;
        ChangeEnvelope::new(
            Op::Delete,
            sequence_number,
            user_id,
            condition,
            client_id,
            profile,
        )
    }

    fn new(
        op: Op,
        sequence_number: String,
        user_id: String,
        condition: Condition,
        client_id: Option<String>,
        profile: Value,
    ) -> ChangeEnvelope {
        ChangeEnvelope {
            v: ENVELOPE_VERSION,
            op,
            sequence_number,
            user_id,
            received_at: Some(cis_profile::timestamp::now()),
            condition: Some(condition),
            client_id,
            profile,
        }
    }

    /// The record bytes: compact UTF-8 JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising plain strings and a `Value` cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The stream partition key of this change.
    pub fn partition_key(&self) -> String {
        partition_key(&self.user_id)
    }

    /// Decodes record bytes. `stream_sequence_number` (the Kinesis number) becomes the change's sequence
    /// number when the record is in the historic form.
    pub fn decode(data: &[u8], stream_sequence_number: &str) -> Result<Decoded, DecodeError> {
        let value = parse_strict(data).map_err(|e| DecodeError::NotJson(e.to_string()))?;
        let Value::Object(mut doc) = value else {
            return Err(DecodeError::NotAnObject);
        };
        if doc.contains_key("v") {
            let envelope = from_envelope(&mut doc)?;
            return Ok(Decoded {
                envelope,
                historic: false,
            });
        }
        if doc.contains_key("schema") && doc.contains_key("user_id") {
            let envelope = from_historic(doc, stream_sequence_number)?;
            return Ok(Decoded {
                envelope,
                historic: true,
            });
        }
        Err(DecodeError::Unrecognised)
    }
}

fn from_envelope(doc: &mut Map<String, Value>) -> Result<ChangeEnvelope, DecodeError> {
    if doc.get("v").and_then(Value::as_u64) != Some(ENVELOPE_VERSION) {
        return Err(DecodeError::UnsupportedVersion);
    }
    let op = match doc.get("op").and_then(Value::as_str) {
        Some("upsert") => Op::Upsert,
        Some("delete") => Op::Delete,
        Some(_) => return Err(DecodeError::Op),
        None => return Err(DecodeError::Member("op")),
    };
    let condition = match doc.get("condition") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .and_then(Condition::parse)
                .ok_or(DecodeError::Condition)?,
        ),
    };
    let profile = match doc.shift_remove("profile") {
        Some(p @ Value::Object(_)) => p,
        _ => return Err(DecodeError::Member("profile")),
    };
    Ok(ChangeEnvelope {
        v: ENVELOPE_VERSION,
        op,
        sequence_number: required_text(doc, "sequence_number")?,
        user_id: required_text(doc, "user_id")?,
        received_at: optional_text(doc, "received_at")?,
        condition,
        client_id: optional_text(doc, "client_id")?,
        profile,
    })
}

fn from_historic(
    doc: Map<String, Value>,
    stream_sequence_number: &str,
) -> Result<ChangeEnvelope, DecodeError> {
    let user_id = doc
        .get("user_id")
        .and_then(|a| a.get("value"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(DecodeError::HistoricUserId)?
        .to_string();
    Ok(ChangeEnvelope {
        v: ENVELOPE_VERSION,
        op: Op::Upsert,
        sequence_number: stream_sequence_number.to_string(),
        user_id,
        received_at: None,
        condition: None,
        client_id: None,
        profile: Value::Object(doc),
    })
}

fn required_text(doc: &Map<String, Value>, name: &'static str) -> Result<String, DecodeError> {
    match doc.get(name).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s.to_string()),
        _ => Err(DecodeError::Member(name)),
    }
}

fn optional_text(
    doc: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, DecodeError> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DecodeError::Member(name)),
    }
}

/// The partition key for a user: the user_id itself, or the lower-case hex SHA-256 of it when it is longer
/// than Kinesis allows (256 characters). Either way every change of one user lands on one shard, in order.
pub fn partition_key(user_id: &str) -> String {
    if user_id.chars().count() <= MAX_PARTITION_KEY_CHARS {
        user_id.to_string()
    } else {
        hex::encode(digest(&SHA256, user_id.as_bytes()))
    }
}

/// A fresh sequence number: the decimal text of a random unsigned 128-bit integer (1 to 39 digits).
pub fn new_sequence_number() -> String {
    rand::random::<u128>().to_string()
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
