//! The vault table's DynamoDB stream records (NEW_AND_OLD_IMAGES) as notification events (docs/webhooks.md
//! §1): INSERT → create, MODIFY → update, REMOVE → delete; the changed attributes and their publishers from
//! the new image's `changed_attributes` and `change_publishers`, or — for an item the original wrote, or a
//! curator backfill, which carry none of the writer's own — by comparing the profiles of the two images.
//! The record's `eventID` is the event's id; its `dynamodb.SequenceNumber` is the batch item identifier.

use cis_notifications::{Event, Operation};
use cis_profile::Profile;
use serde_json::Value;

/// What a stream record became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamRecord {
    Event {
        sequence_number: String,
        event: Event,
    },
    /// A record that is no profile write (its reason, for the log); acknowledged.
    Skipped {
        sequence_number: String,
        reason: String,
    },
}

/// The records of a DynamoDB stream event, in order.
pub fn records(event: &Value) -> Vec<StreamRecord> {
    event
        .get("Records")
        .and_then(Value::as_array)
        .map(|records| records.iter().map(record).collect())
        .unwrap_or_default()
}

fn record(record: &Value) -> StreamRecord {
    let ddb = &record["dynamodb"];
    let sequence_number = ddb["SequenceNumber"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let skipped = |reason: &str| StreamRecord::Skipped {
        sequence_number: sequence_number.clone(),
        reason: reason.to_string(),
    };
    let operation = match record["eventName"].as_str() {
        Some("INSERT") => Operation::Create,
        Some("MODIFY") => Operation::Update,
        Some("REMOVE") => Operation::Delete,
        _ => return skipped("not INSERT, MODIFY or REMOVE"),
    };
    let Some(user_id) = ddb.pointer("/Keys/id/S").and_then(Value::as_str) else {
        return skipped("no id key");
    };
    let time = ddb["ApproximateCreationDateTime"]
        .as_f64()
        .map_or_else(|| cis_notifications::now_ms() / 1000, |t| t as i64);
    let (changed, publishers) = match operation {
        Operation::Delete => (Vec::new(), Vec::new()),
        _ => changes(ddb.get("OldImage"), ddb.get("NewImage")),
    };
    StreamRecord::Event {
        sequence_number,
        event: Event {
            event_id: record["eventID"].as_str().unwrap_or_default().to_string(),
            operation,
            user_id: user_id.to_string(),
            time,
            changed,
            publishers,
        },
    }
}

/// The changed paths and their publishers: the writer's own lists when this write set them (its version
/// differs from the old image's), else a comparison of the two profiles.
fn changes(old: Option<&Value>, new: Option<&Value>) -> (Vec<String>, Vec<String>) {
    let Some(new) = new else {
        return (Vec::new(), Vec::new());
    };
    let written_now = version(Some(new)).is_some() && version(Some(new)) != version(old);
    if written_now && let Some(changed) = strings(new.get("changed_attributes")) {
        return (
            changed,
            strings(new.get("change_publishers")).unwrap_or_default(),
        );
    }
    let profile = |image: Option<&Value>| {
        image
            .and_then(|i| i.pointer("/profile/S"))
            .and_then(Value::as_str)
            .and_then(|text| Profile::parse(text.as_bytes()).ok())
    };
    let Some(new_profile) = profile(Some(new)) else {
        return (Vec::new(), Vec::new());
    };
    let old_profile = profile(old).unwrap_or_else(Profile::null);
    let paths = cis_profile::merge::changed_attributes(&old_profile, &new_profile);
    let changed = paths.iter().map(|p| p.dotted().to_string()).collect();
    (changed, Vec::new())
}

fn version(image: Option<&Value>) -> Option<&str> {
    image
        .and_then(|i| i.pointer("/version/N"))
        .and_then(Value::as_str)
}

/// A DynamoDB list of strings (`L` of `S`) or string set (`SS`).
fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    let value = value?;
    let items = value.get("L").or_else(|| value.get("SS"))?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|i| {
                i.get("S")
                    .or(Some(i))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect(),
    )
}
