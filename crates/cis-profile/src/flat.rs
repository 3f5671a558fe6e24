//! The flattened search copy of a profile, the vault's `flat_profile` (docs/contract/processor-and-vault.md §5.2 steps 1–2).
//!
//! Bit-compatible with the original: empty strings and empty-string keys are dropped, then every object with
//! exactly one of `value`/`values` becomes that member's value. The DynamoDB attribute-value encoding (step 3)
//! belongs to the vault adapter; this module knows nothing of DynamoDB.

use crate::profile::Profile;
use serde_json::{Map, Value};

/// The flattened profile as plain JSON (an object keyed like the profile).
pub fn flatten(profile: &Profile) -> Value {
    flatten_object(profile.as_map())
}

/// Flattens any JSON value bottom-up (children first).
pub fn flatten_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => flatten_object(map),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|v| !is_empty_str(v))
                .map(flatten_value)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn flatten_object(map: &Map<String, Value>) -> Value {
    let mut cleaned: Map<String, Value> = map
        .iter()
        .filter(|(k, v)| !k.is_empty() && !is_empty_str(v))
        .map(|(k, v)| (k.clone(), flatten_value(v)))
        .collect();
    match (
        cleaned.contains_key("value"),
        cleaned.contains_key("values"),
    ) {
        (true, false) => cleaned.shift_remove("value").unwrap_or(Value::Null),
        (false, true) => cleaned.shift_remove("values").unwrap_or(Value::Null),
        _ => Value::Object(cleaned),
    }
}

fn is_empty_str(v: &Value) -> bool {
    matches!(v, Value::String(s) if s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_become_their_payloads_and_publishers_their_tokens() {
        let attr = json!({
            "signature": {"publisher": {"alg": "RS256", "typ": "JWS", "name": "ldap", "value": "tok"}, "additional": []},
            "metadata": {"display": null},
            "value": "Jane"
        });
        assert_eq!(flatten_value(&attr), json!("Jane"));
        assert_eq!(
            flatten_value(&attr["signature"]),
            json!({"publisher": "tok", "additional": []})
        );
    }

    #[test]
    fn an_empty_string_value_leaves_signature_and_metadata_behind() {
        let attr = json!({"signature": {"publisher": {"name": "ldap", "value": ""}}, "metadata": {"verified": true}, "value": ""});
        assert_eq!(
            flatten_value(&attr),
            json!({"signature": {"publisher": {"name": "ldap"}}, "metadata": {"verified": true}})
        );
    }

    #[test]
    fn empty_strings_and_empty_keys_are_dropped_recursively() {
        let v = json!({"values": {"": "x", "a": "", "b": ["", "y", {"c": ""}], "d": null, "e": 0, "f": false}});
        assert_eq!(
            flatten_value(&v),
            json!({"b": ["y", {}], "d": null, "e": 0, "f": false})
        );
    }

    #[test]
    fn an_object_with_both_value_and_values_stays_an_object() {
        let v = json!({"value": 1, "values": 2});
        assert_eq!(flatten_value(&v), v);
    }

    #[test]
    fn the_null_profile_flattens_to_nulls_and_empty_groups_of_nulls() {
        let flat = flatten(&Profile::null());
        assert_eq!(flat["first_name"], Value::Null);
        assert_eq!(flat["identities"]["github_id_v3"], Value::Null);
        assert_eq!(flat["schema"], json!(crate::SCHEMA_URL));
    }
}
