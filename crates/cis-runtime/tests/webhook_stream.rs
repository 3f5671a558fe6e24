//! DynamoDB stream records of the vault table as notification events: the operation from the record, the
//! changed attributes and publishers from the writer's own lists, or from comparing the images for items
//! the original wrote; a curator backfill (same profile) is no news; unknown records are skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_notifications::Operation;
use cis_runtime::webhooks::stream::{StreamRecord, records};
use cis_testkit::profiles;
use serde_json::{Value, json};

fn s(text: &str) -> Value {
    json!({"S": text})
}

fn image(
    profile: &cis_profile::Profile,
    version: Option<u64>,
    changed: Option<&[&str]>,
    publishers: &[&str],
) -> Value {
    let mut item = json!({"id": s(profile.user_id().unwrap()), "profile": s(&profile.to_json())});
    if let Some(v) = version {
        item["version"] = json!({"N": v.to_string()});
    }
    if let Some(changed) = changed {
        item["changed_attributes"] = json!({"L": changed.iter().map(|c| s(c)).collect::<Vec<_>>()});
        item["change_publishers"] =
            json!({"L": publishers.iter().map(|c| s(c)).collect::<Vec<_>>()});
    }
    item
}

fn record(name: &str, seq: &str, user: &str, old: Option<Value>, new: Option<Value>) -> Value {
    let mut ddb = json!({"ApproximateCreationDateTime": 1_700_000_000.5, "Keys": {"id": s(user)}, "SequenceNumber": seq});
    if let Some(old) = old {
        ddb["OldImage"] = old;
    }
    if let Some(new) = new {
        ddb["NewImage"] = new;
    }
    json!({"eventID": format!("ev-{seq}"), "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": ddb})
}

fn event(r: &StreamRecord) -> &cis_notifications::Event {
    match r {
        StreamRecord::Event { event, .. } => event,
        StreamRecord::Skipped { reason, .. } => panic!("skipped: {reason}"),
    }
}

#[test]
fn writes_of_the_service_carry_their_changed_attributes_and_publishers() {
    let user = "ad|Mozilla-LDAP|stream";
    let created = profiles::new_user(user);
    let updated = profiles::change(
        user,
        "first_name",
        cis_profile::Publisher::Ldap,
        json!("Janet"),
    );
    let batch = json!({"Records": [
        record("INSERT", "1", user, None, Some(image(&created, Some(1), Some(&["first_name", "last_name"]), &["ldap"]))),
        record("MODIFY", "2", user, Some(image(&created, Some(1), Some(&["first_name"]), &["ldap"])),
            Some(image(&updated, Some(2), Some(&["first_name"]), &["mozilliansorg"]))),
        record("REMOVE", "3", user, Some(image(&updated, Some(2), None, &[])), None),
    ]});
    let got = records(&batch);
    assert_eq!(got.len(), 3);
    let (create, update, delete) = (event(&got[0]), event(&got[1]), event(&got[2]));
    assert_eq!(
        (create.operation, create.event_id.as_str(), create.time),
        (Operation::Create, "ev-1", 1_700_000_000)
    );
    assert_eq!(create.changed, ["first_name", "last_name"]);
    assert_eq!(
        (update.operation, update.publishers.clone()),
        (Operation::Update, vec!["mozilliansorg".to_string()])
    );
    assert_eq!(
        (
            delete.operation,
            delete.user_id.as_str(),
            delete.changed.len()
        ),
        (Operation::Delete, user, 0)
    );
    assert!(
        matches!(&got[1], StreamRecord::Event { sequence_number, .. } if sequence_number == "2")
    );
}

#[test]
fn items_of_the_original_are_compared_and_a_backfill_is_no_news() {
    let user = "ad|Mozilla-LDAP|original";
    let before = profiles::new_user(user);
    let after = profiles::change(
        user,
        "first_name",
        cis_profile::Publisher::Ldap,
        json!("Janet"),
    );
    let batch = json!({"Records": [
        // The original's write: no version, no lists.
        record("MODIFY", "1", user, Some(image(&before, None, None, &[])), Some(image(&after, None, None, &[]))),
        // The curator's backfill: version added, the profile untouched.
        record("MODIFY", "2", user, Some(image(&after, None, None, &[])), Some(image(&after, Some(1), None, &[]))),
        record("UNKNOWN", "3", user, None, None),
    ]});
    let got = records(&batch);
    let compared = event(&got[0]);
    assert!(
        compared.changed.contains(&"first_name".to_string()),
        "{:?}",
        compared.changed
    );
    assert!(compared.is_notable());
    let backfill = event(&got[1]);
    assert!(!backfill.is_notable(), "{:?}", backfill.changed);
    assert!(matches!(&got[2], StreamRecord::Skipped { .. }));
}
