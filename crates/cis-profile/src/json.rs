//! Strict JSON input and JSON-value equality.
//!
//! Owns the project's JSON rules that serde_json alone does not give (docs/contract/profile.md §4.2): duplicate member names
//! are rejected, integers must fit 64 bits (so their digits are exact), and value equality compares numbers
//! numerically (`12 == 12.0`) while never equating booleans and numbers. It does not know about profiles.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Why a text is not acceptable JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line} column {column}")]
pub struct JsonError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Parses JSON text strictly: RFC 8259 plus no duplicate members, no lone surrogates, no integer outside
/// the 64-bit range. Object member order is preserved.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    check_integer_ranges(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de).map_err(from_serde)?;
    de.end().map_err(from_serde)?;
    Ok(value)
}

pub(crate) fn from_serde(e: serde_json::Error) -> JsonError {
    let text = e.to_string();
    // serde_json appends " at line L column C"; keep the message only.
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    JsonError {
        message,
        line: e.line(),
        column: e.column(),
    }
}

/// serde_json silently turns an integer beyond u64 into a float, losing digits; find them first.
fn check_integer_ranges(bytes: &[u8]) -> Result<(), JsonError> {
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let mut in_string = false;
    while i < bytes.len() {
        if in_string {
            // Strings are most of a profile's bytes (signatures): jump to the next quote or escape.
            match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                Some(offset) if bytes[i + offset] == b'\\' => i += offset + 2,
                Some(offset) => {
                    in_string = false;
                    i += offset + 1;
                }
                None => break,
            }
            continue;
        }
        let b = bytes[i];
        match b {
            b'"' => in_string = true,
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &bytes[start..i];
                let is_integer = !token.iter().any(|c| matches!(c, b'.' | b'e' | b'E'));
                if is_integer && token.len() > 18 && !fits_64_bits(token) {
                    return Err(JsonError {
                        message: "integer outside the 64-bit range".into(),
                        line,
                        column: start - line_start + 1,
                    });
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn fits_64_bits(token: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(token) else {
        return false;
    };
    text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok()
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                serde_json::map::Entry::Occupied(taken) => {
                    return Err(de::Error::custom(format_args!(
                        "duplicate member `{}`",
                        taken.key()
                    )));
                }
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(StrictValue)?);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// JSON-value equality (docs/contract/profile.md §8): objects ignore member order, arrays keep it, numbers compare by
/// numeric value, booleans never equal numbers, strings compare exactly.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_eq(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn number_eq(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duplicate_members_are_rejected_with_a_position() {
        let err = parse_strict(br#"{"a": 1, "b": {"c": 1, "c": 2}}"#).unwrap_err();
        assert!(err.message.contains("duplicate member `c`"), "{err}");
        assert_eq!(err.line, 1);
    }

    #[test]
    fn integers_beyond_64_bits_are_rejected_but_floats_are_not() {
        assert!(parse_strict(b"[18446744073709551615, -9223372036854775808]").is_ok());
        assert!(parse_strict(b"[18446744073709551616]").is_err());
        assert!(parse_strict(b"[-9223372036854775809]").is_err());
        assert!(parse_strict(b"[1e400]").is_err());
        assert!(parse_strict(b"[1.5e300, \"99999999999999999999999\"]").is_ok());
        // Digits inside strings never count, escaped quotes and backslashes included; the scan picks up
        // again after the string ends.
        assert!(parse_strict(br#"["a\"18446744073709551616\\", "\\"]"#).is_ok());
        for text in [
            &br#"["a\"b\\", 18446744073709551616]"#[..],
            br#"{"k\\": "v", "n": -9223372036854775809}"#,
        ] {
            let err = parse_strict(text).unwrap_err();
            assert!(err.message.contains("64-bit"), "{err}");
        }
    }

    #[test]
    fn unpaired_surrogates_are_rejected() {
        assert!(parse_strict(br#"["\ud800"]"#).is_err());
        assert!(parse_strict(br#"["\ud83d\ude00"]"#).is_ok());
    }

    #[test]
    fn member_order_is_preserved() {
        let v = parse_strict(br#"{"z": 1, "a": 2}"#).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a"]);
    }

    #[test]
    fn equality_is_numeric_and_order_free_but_bool_is_not_a_number() {
        assert!(json_eq(
            &json!({"a": 12, "b": [1, 2]}),
            &json!({"b": [1.0, 2], "a": 12.0})
        ));
        assert!(!json_eq(&json!([1, 2]), &json!([2, 1])));
        assert!(!json_eq(&json!(true), &json!(1)));
        assert!(!json_eq(&json!({"a": null}), &json!({})));
    }
}
