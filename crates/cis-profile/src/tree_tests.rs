//! The borrowed reader against `parse_strict`: whatever it takes, `parse_strict` takes as the same value;
//! everything `parse_strict` takes in the shapes profiles have, it takes too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::json::parse_strict;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// The tree as a `serde_json` value, numbers read by serde_json from their text.
fn to_value(json: &Json<'_>) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(text) => serde_json::from_str(text).unwrap(),
        Json::String(s) => Value::String(s.to_string()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.to_string(), to_value(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// The subset rule: accepted here ⇒ accepted by `parse_strict`, as the same value.
#[track_caller]
fn agrees(text: &[u8]) -> bool {
    let strict = parse_strict(text);
    match parse(text) {
        Some(tree) => {
            let strict = strict.unwrap_or_else(|e| {
                panic!(
                    "accepted what parse_strict refuses ({e}): {}",
                    String::from_utf8_lossy(text)
                )
            });
            assert_eq!(to_value(&tree), strict, "{}", String::from_utf8_lossy(text));
            assert_eq!(tree.into_value().as_ref(), Some(&strict));
            true
        }
        None => false,
    }
}

#[test]
fn plain_json_is_read_borrowing_unescaped_strings() {
    let text =
        br#" {"a": [1, -2.5e3, true, false, null], "b\n": "x\u00e9\ud83d\ude00\"", "c": {}} "#;
    assert!(agrees(text));
    let Some(Json::Object(members)) = parse(text) else {
        panic!("not an object")
    };
    assert!(matches!(members[0].0, Cow::Borrowed("a")));
    assert!(matches!(members[1].0, Cow::Owned(_)));
    assert_eq!(members[1].1, Json::String("xé😀\"".into()));
}

#[test]
fn what_parse_strict_refuses_is_refused() {
    for text in [
        &br#"{"a": 1, "a": 2}"#[..],
        br#"{"m": {"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1,"k10":1,"k11":1,"k12":1,"k13":1,"k1":2}}"#,
        br#"{"a\u0062": 1, "ab": 2}"#,
        b"[18446744073709551616]",
        b"[-9223372036854775809]",
        b"[1e400]",
        b"[-1e400]",
        br#"["\ud800"]"#,
        br#"["\udc00"]"#,
        br#"["\ud800\u0041"]"#,
        b"[01]",
        b"[1.]",
        b"[.5]",
        b"[1e]",
        b"[+1]",
        b"[-]",
        b"[1,]",
        b"{\"a\":1,}",
        b"{a:1}",
        b"[\"tab\there\"]",
        b"[\"\\x\"]",
        b"[\"\\u12\"]",
        b"[\"\\u12G4\"]",
        b"[tru]",
        b"[nul]",
        b"[] []",
        b"",
        b"   ",
        b"[\"\xff\"]",
        b"{\"a\" 1}",
        b"[1 2]",
        b"\"unterminated",
        b"[\"a\\",
        b"NaN",
        b"[Infinity]",
        b"\x0c[]",
    ] {
        assert!(!agrees(text), "{}", String::from_utf8_lossy(text));
        assert!(parse_strict(text).is_err(), "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn edge_values_parse_strict_accepts_are_taken() {
    for text in [
        &b"[18446744073709551615, -9223372036854775808, 0, -0, 1.5e300, 1E+2, 2e-5, 0.0]"[..],
        b"[1e-400, 123456789012345678]",
        br#"["\ud83d\ude00", "\u0000", "\/\b\f\n\r\t\\"]"#,
        r#"{"": "", "é": "ü"}"#.as_bytes(),
        b"\r\n\t [ ] \r\n",
        b"\"just a string\"",
        b"-0.0",
    ] {
        assert!(agrees(text), "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn nesting_deeper_than_serde_json_allows_is_refused() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(parse(deep.as_bytes()).is_none());
    assert!(parse_strict(deep.as_bytes()).is_err());
    let fine = format!("{}{}", "[".repeat(50), "]".repeat(50));
    assert!(agrees(fine.as_bytes()));
}

#[test]
fn fake_profiles_are_read_as_parse_strict_reads_them() {
    for profile in crate::fake::fake_profiles(3, 20) {
        assert!(agrees(profile.to_json().as_bytes()));
        assert!(agrees(profile.to_json_pretty().as_bytes()));
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(("[a-z\\\\\"é]{0,4}", inner), 0..20)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_serde_json_text_is_read_as_the_same_value(value in any_json()) {
        let compact = serde_json::to_vec(&value).unwrap();
        prop_assert!(agrees(&compact));
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        prop_assert!(agrees(&pretty));
    }

    /// Random damage to a text: whatever the reader still takes, parse_strict takes as the same value.
    #[test]
    fn damaged_texts_never_get_past_the_reader_alone(
        value in any_json(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(
            b"\"\\{}[],:-+.eE0179 \nu\xc3\xa9tfnd\x01".to_vec())), 1..4),
        delete in any::<bool>(),
    ) {
        let mut text = serde_json::to_vec(&value).unwrap();
        for (at, byte) in edits {
            if text.is_empty() {
                text.push(byte);
                continue;
            }
            let at = at.index(text.len());
            if delete {
                text.remove(at);
            } else {
                text.insert(at, byte);
            }
        }
        agrees(&text);
    }
}
