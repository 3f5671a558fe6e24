//! Property tests: whatever CIS signs, it verifies (strings with any code point, maps, integers and finite
//! floats), and any change to the value breaks verification. Case counts are modest: RSA signing costs ~1–2 ms.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_crypto::pyjson;
use cis_crypto::{KeySet, VerifyError, sign_attribute, verify_attribute};
use cis_profile::{AttrPath, Profile, Publisher};
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::sync::OnceLock;

fn fixture_keys() -> &'static (cis_crypto::SigningKey, KeySet) {
    static KEYS: OnceLock<(cis_crypto::SigningKey, KeySet)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = common::key0();
        let set = KeySet::trust_for_all(vec![key.public_key().clone()]);
        (key, set)
    })
}

fn attribute(path: &str, payload: Value) -> Map<String, Value> {
    let path = AttrPath::parse(path).unwrap();
    let mut attr = Profile::null().attr_or_null(path);
    attr.insert(path.kind().payload_key().to_string(), payload);
    attr
}

fn sign_then_verify(mut attr: Map<String, Value>) -> Result<Map<String, Value>, VerifyError> {
    let (key, keys) = fixture_keys();
    sign_attribute(&mut attr, Publisher::Hris, key).unwrap();
    verify_attribute(&attr, keys).map(|()| attr)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_string_value_signs_and_verifies(s in any::<String>()) {
        let attr = sign_then_verify(attribute("first_name", Value::String(s.clone())));
        prop_assert!(attr.is_ok(), "{:?}", attr.err());
        // Changing the value afterwards breaks it.
        let mut attr = attr.unwrap();
        attr.insert("value".into(), Value::String(format!("{s}x")));
        prop_assert_eq!(verify_attribute(&attr, &fixture_keys().1), Err(VerifyError::PayloadMismatch));
    }

    #[test]
    fn any_access_information_map_signs_and_verifies(
        members in proptest::collection::vec((any::<String>(), scalar()), 0..8)
    ) {
        let map: Map<String, Value> = members.into_iter().collect();
        let result = sign_then_verify(attribute("access_information.hris", Value::Object(map)));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }

    #[test]
    fn the_payload_is_pure_ascii_and_reads_back_as_the_same_value(
        members in proptest::collection::vec((any::<String>(), scalar()), 0..8)
    ) {
        let value = Value::Object(members.into_iter().collect());
        let bytes = pyjson::to_vec(&value);
        prop_assert!(bytes.is_ascii());
        let back = cis_profile::json::parse_strict(&bytes).unwrap();
        prop_assert!(cis_profile::json::json_eq(&back, &value));
        prop_assert_eq!(pyjson::to_vec(&back), bytes);
    }

    #[test]
    fn every_finite_float_is_written_in_its_shortest_round_trip_form(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let text = pyjson::float_repr(f);
        prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), f.to_bits());
        prop_assert!(text.contains('.') || text.contains('e'), "{}", text);
    }
}
