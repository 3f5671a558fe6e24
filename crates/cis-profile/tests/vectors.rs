//! The original's vectors (fixtures/vectors/README.md): merge, publisher rules, filtering, identifiers and the
//! flat profile. Overlays are whole attributes replacing the null profile's.

// A test crate: its helpers panic on broken fixtures, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_profile::filter::{ScopeSet, filter, filter_into};
use cis_profile::flat::flatten;
use cis_profile::identifiers::{derive_identifiers, derive_primary_username, derive_uuid};
use cis_profile::merge::merge;
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Display, Group, Profile};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

fn vector(name: &str) -> Value {
    let path = format!(
        "{}/../../fixtures/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn path(dotted: &str) -> AttrPath {
    AttrPath::parse(dotted).unwrap_or_else(|| panic!("unknown path {dotted}"))
}

/// The null profile with the overlay's attributes in place.
fn overlay(attrs: &Value) -> Profile {
    let mut profile = Profile::null();
    for (dotted, attr) in attrs.as_object().unwrap() {
        profile.set_attr(path(dotted), attr.as_object().unwrap().clone());
    }
    profile
}

/// The attributes of `profile` that differ from the null profile's, as an overlay.
fn difference_from_null(profile: &Profile) -> Map<String, Value> {
    let null = Profile::null();
    profile
        .attrs()
        .filter(|(p, a)| null.attr_map(*p) != Some(a.0))
        .map(|(p, a)| (p.dotted().to_string(), Value::Object(a.0.clone())))
        .collect()
}

#[test]
fn every_merge_vector_gives_the_expected_profile_and_changed_set() {
    for case in vector("merge.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let merged = merge(&overlay(&case["base"]), &overlay(&case["patch"]));
        let expected = case["expected_merged"].as_object().unwrap();
        assert_eq!(&difference_from_null(&merged.profile), expected, "{name}");
        let changed: BTreeSet<&str> = merged.changed.iter().map(|p| p.leaf()).collect();
        let expected_changed: BTreeSet<&str> = case["expected_changed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(changed, expected_changed, "{name}");
    }
}

#[test]
fn every_publisher_rule_vector_gives_the_same_decision_and_text() {
    let rules = PublisherRules::embedded();
    for case in vector("publisher-rules.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let p = path(case["path"].as_str().unwrap());
        assert_eq!(
            case["new"]["signature"]["publisher"]["name"], case["publisher"],
            "{name}"
        );
        let previous = overlay(&json!({ p.dotted(): case["previous"] }));
        let new = overlay(&json!({ p.dotted(): case["new"] }));
        let single = rules.may_publish(p, previous.attr(p).unwrap(), new.attr(p).unwrap());
        let whole = rules.check_profile(&previous, &new);
        assert_eq!(single, whole, "{name}");
        match case["expected"]["allowed"].as_bool().unwrap() {
            true => assert_eq!(single, Ok(()), "{name}"),
            false => {
                let err = single.expect_err(name);
                assert_eq!(
                    err.to_string(),
                    case["expected"]["error"].as_str().unwrap(),
                    "{name}"
                );
                assert_eq!(err.path, p, "{name}");
                assert_eq!(err.publisher, case["publisher"].as_str().unwrap(), "{name}");
            }
        }
    }
}

#[test]
fn every_filtering_case_keeps_exactly_the_expected_attributes() {
    let doc = vector("filtering.json");
    let profile = overlay(&doc["profile"]);
    for case in doc["cases"].as_array().unwrap() {
        let scopes: ScopeSet = case["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        let level = case["filterDisplay"]
            .as_str()
            .map(|s| Display::parse(s).unwrap());
        let out = filter(&profile, &scopes, level);
        assert_eq!(filter_into(profile.clone(), &scopes, level), out);
        let label = format!("{:?} / {:?}", case["scopes"], case["filterDisplay"]);
        let kept: Vec<&str> = AttrPath::all()
            .filter(|p| out.pointer(&p.pointer()).is_some())
            .map(|p| p.dotted())
            .collect();
        let expected_kept: Vec<&str> = case["expected_kept"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(kept, expected_kept, "{label}");
        for removed in case["expected_removed"].as_array().unwrap() {
            assert!(
                out.pointer(&path(removed.as_str().unwrap()).pointer())
                    .is_none(),
                "{label}"
            );
        }
        for group in Group::ALL {
            let members = out[group.as_str()]
                .as_object()
                .expect("groups are never removed");
            let expected_empty = case["empty_groups"]
                .as_array()
                .unwrap()
                .contains(&json!(group.as_str()));
            assert_eq!(
                members.is_empty(),
                expected_empty,
                "{label} {}",
                group.as_str()
            );
        }
        assert_eq!(out["schema"], json!(cis_profile::SCHEMA_URL), "{label}");
        for p in AttrPath::all().filter(|p| out.pointer(&p.pointer()).is_some()) {
            let whole = Value::Object(profile.attr_map(p).unwrap().clone());
            assert_eq!(
                out.pointer(&p.pointer()),
                Some(&whole),
                "kept attributes are whole: {label}"
            );
        }
    }
}

#[test]
fn every_identifier_vector_is_derived_exactly() {
    for case in vector("identifiers.json").as_array().unwrap() {
        let user_id = case["user_id"].as_str().unwrap();
        // The original formatted a missing salt as the text `None`: the project can only reproduce that row
        // by being handed that text, never from an empty or absent salt.
        let salt = case["salt"].as_str().unwrap_or("None");
        let name = format!("{salt}#{user_id}");
        assert_eq!(name, case["name"].as_str().unwrap());
        let (uuid, username) = derive_identifiers(salt, user_id);
        assert_eq!(uuid, case["uuid"].as_str().unwrap(), "{name}");
        assert_eq!(
            username,
            case["primary_username"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(derive_uuid(salt, user_id), uuid);
        assert_eq!(derive_primary_username(&uuid), Some(username));
    }
}

#[test]
fn the_empty_salt_does_not_give_the_missing_salt_identifiers() {
    let cases = vector("identifiers.json");
    let missing = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["salt"].is_null())
        .unwrap();
    let empty = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["salt"] == json!(""))
        .unwrap();
    assert_eq!(
        derive_uuid("None", "test"),
        missing["uuid"].as_str().unwrap()
    );
    assert_eq!(derive_uuid("", "test"), empty["uuid"].as_str().unwrap());
    assert_ne!(derive_uuid("", "test"), missing["uuid"].as_str().unwrap());
}

/// docs/contract/processor-and-vault.md §5.2 step 3, as the vault adapter does it (test-only copy).
fn attribute_value(v: &Value) -> Value {
    match v {
        Value::Null => json!({"NULL": true}),
        Value::Bool(b) => json!({"BOOL": b}),
        Value::Number(n) => json!({"N": n.to_string()}),
        Value::String(s) => json!({"S": s}),
        Value::Array(items) => json!({"L": items.iter().map(attribute_value).collect::<Vec<_>>()}),
        Value::Object(m) => {
            json!({"M": m.iter().map(|(k, v)| (k.clone(), attribute_value(v))).collect::<Map<_, _>>()})
        }
    }
}

#[test]
fn the_flat_profile_vector_is_reproduced_exactly() {
    let doc = vector("flat-profile.json");
    let flat = flatten(&overlay(&doc["profile"]));
    let encoded: Map<String, Value> = flat
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), attribute_value(v)))
        .collect();
    let expected = &doc["expected_flat_profile"];
    assert_eq!(&Value::Object(encoded.clone()), expected);
    // Same member order too: the item is written in the profile's order.
    assert_eq!(
        serde_json::to_string(&encoded).unwrap(),
        serde_json::to_string(expected).unwrap()
    );
}

#[test]
fn the_signed_profile_passes_the_rules_against_the_null_profile() {
    let text = std::fs::read(format!(
        "{}/../../fixtures/vectors/signed-profile.json",
        env!("CARGO_MANIFEST_DIR")
    ));
    let signed = Profile::parse(&text.unwrap()).unwrap();
    assert_eq!(
        PublisherRules::embedded().check_profile(&Profile::null(), &signed),
        Ok(())
    );
    let merged = merge(&Profile::null(), &signed);
    let set: Vec<AttrPath> = signed
        .attrs()
        .filter(|(_, a)| !a.is_null())
        .map(|(p, _)| p)
        .collect();
    assert_eq!(merged.changed, set);
    for p in set {
        assert_eq!(merged.profile.attr_map(p), signed.attr_map(p), "{p}");
    }
    let (uuid, username) = derive_identifiers("12345", signed.user_id().unwrap());
    assert_eq!(
        (signed.uuid(), signed.primary_username()),
        (Some(uuid.as_str()), Some(username.as_str()))
    );
}
