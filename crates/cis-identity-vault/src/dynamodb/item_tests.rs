//! Unit tests of the item mapping: the flat-profile vector, the §5.1 attributes, round trips.

use super::*;
use crate::model::Expected;
use cis_profile::AttrPath;
use serde_json::{Map, json};

fn vector(name: &str) -> Value {
    let path = format!(
        "{}/../../fixtures/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The null profile with the overlay's attributes in place.
fn overlay(attrs: &Value) -> Profile {
    let mut profile = Profile::null();
    for (dotted, attr) in attrs.as_object().unwrap() {
        profile.set_attr(
            AttrPath::parse(dotted).unwrap(),
            attr.as_object().unwrap().clone(),
        );
    }
    profile
}

/// DynamoDB attribute-value JSON, as boto3 and the vector write it.
fn to_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(t) => json!({ "S": t }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(b) => json!({ "NULL": b }),
        AttributeValue::L(items) => json!({ "L": items.iter().map(to_json).collect::<Vec<_>>() }),
        AttributeValue::M(map) => {
            json!({ "M": map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect::<Map<_, _>>() })
        }
        other => panic!("unexpected attribute value {other:?}"),
    }
}

fn with_value(profile: &mut Profile, path: AttrPath, value: Value) {
    let mut attr = profile.attr_or_null(path);
    attr.insert("value".into(), value);
    profile.set_attr(path, attr);
}

fn write_of(profile: Profile) -> ProfileWrite {
    ProfileWrite {
        profile,
        expected: Expected::Absent,
        sequence_number: "42".into(),
        changed_attributes: vec!["first_name".into()],
        change_publishers: vec!["ldap".into()],
    }
}

#[test]
fn the_flat_profile_vector_is_encoded_exactly() {
    let doc = vector("flat-profile.json");
    let AttributeValue::M(encoded) = flat_profile(&overlay(&doc["profile"])) else {
        panic!("not a map")
    };
    let encoded: Map<String, Value> = encoded
        .iter()
        .map(|(k, v)| (k.clone(), to_json(v)))
        .collect();
    assert_eq!(Value::Object(encoded), doc["expected_flat_profile"]);
}

#[test]
fn an_item_carries_every_section_5_1_attribute() {
    let mut profile = Profile::null();
    with_value(
        &mut profile,
        AttrPath::USER_ID,
        json!("ad|Mozilla-LDAP|jdoe"),
    );
    with_value(
        &mut profile,
        AttrPath::UUID,
        json!("7c4e3a6e-0000-5000-8000-000000000001"),
    );
    with_value(
        &mut profile,
        AttrPath::PRIMARY_EMAIL,
        json!("jdoe@mozilla.com"),
    );
    with_value(&mut profile, AttrPath::PRIMARY_USERNAME, json!("r--abc"));
    with_value(&mut profile, AttrPath::ACTIVE, json!(false));
    let item = profile_item(&write_of(profile.clone()), 3).unwrap();
    assert_eq!(get_s(&item, "id"), Some("ad|Mozilla-LDAP|jdoe"));
    assert_eq!(
        get_s(&item, "user_uuid"),
        Some("7c4e3a6e-0000-5000-8000-000000000001")
    );
    assert_eq!(get_s(&item, "primary_email"), Some("jdoe@mozilla.com"));
    assert_eq!(get_s(&item, "primary_username"), Some("r--abc"));
    assert_eq!(get_s(&item, "sequence_number"), Some("42"));
    assert_eq!(get_s(&item, "connection_method"), Some("ad"));
    assert_eq!(item.get("active"), Some(&AttributeValue::Bool(false)));
    assert_eq!(item.get("version"), Some(&AttributeValue::N("3".into())));
    assert_eq!(
        item.get("changed_attributes"),
        Some(&AttributeValue::L(vec![s("first_name")]))
    );
    assert_eq!(
        item.get("change_publishers"),
        Some(&AttributeValue::L(vec![s("ldap")]))
    );
    assert!(matches!(
        item.get("flat_profile"),
        Some(AttributeValue::M(_))
    ));
    assert_eq!(get_s(&item, "profile"), Some(profile.to_json().as_str()));
}

#[test]
fn null_identifiers_and_null_active_are_left_out() {
    let mut profile = Profile::null();
    with_value(&mut profile, AttrPath::USER_ID, json!("email|abc"));
    with_value(&mut profile, AttrPath::PRIMARY_EMAIL, json!(""));
    let item = profile_item(&write_of(profile), 1).unwrap();
    for absent in ["user_uuid", "primary_email", "primary_username", "active"] {
        assert!(!item.contains_key(absent), "{absent} should be left out");
    }
    assert_eq!(get_s(&item, "connection_method"), Some("email"));
}

#[test]
fn a_profile_without_user_id_cannot_become_an_item() {
    assert!(matches!(
        profile_item(&write_of(Profile::null()), 1),
        Err(VaultError::InvalidRequest(_))
    ));
}

#[test]
fn an_item_reads_back_as_the_stored_profile() {
    let mut profile = Profile::null();
    with_value(&mut profile, AttrPath::USER_ID, json!("github|1"));
    let stored =
        StoredProfile::try_from(profile_item(&write_of(profile.clone()), 7).unwrap()).unwrap();
    assert_eq!(
        stored,
        StoredProfile {
            profile,
            version: Some(7),
            sequence_number: Some("42".into())
        }
    );
}

#[test]
fn an_item_of_the_original_has_no_version() {
    let mut item = Item::new();
    item.insert("id".into(), s("github|1"));
    item.insert("profile".into(), s(&Profile::null().to_json()));
    let stored = StoredProfile::try_from(item).unwrap();
    assert_eq!((stored.version, stored.sequence_number), (None, None));
}

#[test]
fn an_item_without_a_readable_profile_is_corrupt() {
    let mut item = Item::new();
    item.insert("id".into(), s("github|1"));
    item.insert("profile".into(), s("{not json"));
    assert!(
        matches!(StoredProfile::try_from(item.clone()), Err(VaultError::Corrupt { id, .. }) if id == "github|1")
    );
    item.remove("profile");
    assert!(matches!(
        StoredProfile::try_from(item),
        Err(VaultError::Corrupt { .. })
    ));
}

#[test]
fn status_records_round_trip_with_and_without_optional_members() {
    let full = StatusRecord {
        sequence_number: "1".into(),
        user_id: "ad|x".into(),
        state: ChangeState::Failed,
        condition: Condition::Update,
        processed_at: "2026-11-23T08:00:00.123Z".into(),
        version: None,
        source: ChangeSource::Stream,
        error: Some(StatusError {
            code: "invalid_signature".into(),
            description: "bad".into(),
        }),
        expires_at: Some(1_800_000_000),
        origin: Default::default(),
    };
    assert_eq!(StatusRecord::try_from(status_item(&full)).unwrap(), full);
    let bare = StatusRecord {
        state: ChangeState::Processed,
        version: Some(2),
        error: None,
        expires_at: None,
        origin: Default::default(),
        source: ChangeSource::Direct,
        ..full
    };
    let item = status_item(&bare);
    assert!(!item.contains_key("expires_at") && !item.contains_key("error_code"));
    assert_eq!(StatusRecord::try_from(item).unwrap(), bare);
}

#[test]
fn a_status_record_without_a_user_has_no_user_id_attribute_and_reads_back() {
    let poison = StatusRecord {
        sequence_number: "7".into(),
        user_id: String::new(),
        state: ChangeState::Failed,
        condition: Condition::Create,
        processed_at: "2026-11-23T08:00:00.123Z".into(),
        version: None,
        source: ChangeSource::Stream,
        error: None,
        expires_at: None,
        origin: Default::default(),
    };
    let item = status_item(&poison);
    assert!(!item.contains_key("user_id"), "{item:?}");
    assert_eq!(StatusRecord::try_from(item).unwrap(), poison);
}
