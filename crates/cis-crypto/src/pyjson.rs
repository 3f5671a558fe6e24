//! Payload serialisation: JSON bytes exactly as Python's `json.dumps(obj, separators=(",", ":"))` writes them
//! (docs/contract/signatures.md §2).
//!
//! Owns the byte-level rules that make a signed payload compatible with the original: compact separators,
//! members in the map's own order, `\uXXXX` (lower-case hex, surrogate pairs above U+FFFF) for everything that
//! is not printable ASCII, `/` unescaped, exact integers, and floats in Python `repr` form. It never reorders,
//! never validates and never parses; verification compares values instead of bytes (`attribute.rs`).

use serde_json::{Map, Number, Value};

/// Serialises `value` as Python's compact `json.dumps` would.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value);
    out
}

/// The payload of an attribute: the attribute object minus its `signature` member, in its own order.
pub fn attribute_payload(attr: &Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_members(
        &mut out,
        attr.iter().filter(|(k, _)| k.as_str() != "signature"),
    );
    out
}

/// Appends the serialisation of `value` to `out`.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_members(out, map.iter()),
    }
}

fn write_members<'a>(out: &mut Vec<u8>, members: impl Iterator<Item = (&'a String, &'a Value)>) {
    out.push(b'{');
    for (i, (key, value)) in members.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(out, key);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(i) = n.as_u64() {
        out.extend_from_slice(i.to_string().as_bytes());
    } else if let Some(i) = n.as_i64() {
        out.extend_from_slice(i.to_string().as_bytes());
    } else if let Some(f) = n.as_f64() {
        out.extend_from_slice(float_repr(f).as_bytes());
    }
}

/// Python's `repr(float)`: the shortest digits that read back as the same double; positional notation when
/// the decimal exponent `e` satisfies −4 ≤ e < 16 (always with a fractional part), otherwise `d.ddde±XX`.
pub fn float_repr(f: f64) -> String {
    if !f.is_finite() {
        // Cannot come from a serde_json value; Python would write these names.
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    // `{:e}` gives the shortest round-trip digits in the form `d.ddde<exp>` (or `de<exp>`).
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if digits == "0" {
        return format!("{sign}0.0");
    }
    if (-4..16).contains(&exp) {
        let mut text = String::with_capacity(digits.len() + 8);
        text.push_str(sign);
        if exp < 0 {
            text.push_str("0.");
            text.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            text.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() > int_len {
                text.push_str(&digits[..int_len]);
                text.push('.');
                text.push_str(&digits[int_len..]);
            } else {
                text.push_str(&digits);
                text.extend(std::iter::repeat_n('0', int_len - digits.len()));
                text.push_str(".0");
            }
        }
        text
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{dot}e{exp_sign}{:02}", exp.unsigned_abs())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Printable ASCII other than `"` and `\` is copied as a run.
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            continue;
        }
        if b >= 0x80 && !is_char_start(b) {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b if b < 0x80 => write_u16_escape(out, u16::from(b)),
            _ => {
                let c = s[i..].chars().next().unwrap_or('\u{fffd}');
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write_u16_escape(out, *unit);
                }
            }
        }
        start = i + if b < 0x80 { 1 } else { utf8_len(b) };
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn is_char_start(b: u8) -> bool {
    b & 0xc0 != 0x80
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0.. => 4,
        0xe0.. => 3,
        _ => 2,
    }
}

fn write_u16_escape(out: &mut Vec<u8>, unit: u16) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xf)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(v: &Value) -> String {
        String::from_utf8(to_vec(v)).unwrap()
    }

    #[test]
    fn floats_are_written_like_python_repr() {
        let cases = [
            (1.5, "1.5"),
            (2.0, "2.0"),
            (0.0001, "0.0001"),
            (123456789012345.0, "123456789012345.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (-2.5, "-2.5"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (12345.678, "12345.678"),
            (1.2345678901234567e19, "1.2345678901234567e+19"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f:?}");
        }
    }

    #[test]
    fn strings_escape_everything_but_printable_ascii() {
        let v = json!("Zoë 日本 \"q\" / \\ \u{2028} 😀");
        assert_eq!(
            text(&v),
            r#""Zo\u00eb \u65e5\u672c \"q\" / \\ \u2028 \ud83d\ude00""#
        );
        let v = json!("line1\nline2\ttab\u{7}bell\u{7f}del\r\u{8}\u{c}");
        assert_eq!(text(&v), r#""line1\nline2\ttab\u0007bell\u007fdel\r\b\f""#);
    }

    #[test]
    fn maps_keep_their_order_and_integers_stay_exact() {
        let v: Value = serde_json::from_str(
            r#"{"employee_id":12,"ratio":1.5,"big":1e+16,"small":1e-05,"neg":-9223372036854775808,"max":18446744073709551615,"x":null,"t":true,"a":[1,"Français"]}"#,
        )
        .unwrap();
        assert_eq!(
            text(&v),
            r#"{"employee_id":12,"ratio":1.5,"big":1e+16,"small":1e-05,"neg":-9223372036854775808,"max":18446744073709551615,"x":null,"t":true,"a":[1,"Fran\u00e7ais"]}"#
        );
    }

    #[test]
    fn the_attribute_payload_leaves_out_the_signature() {
        let attr = json!({"signature": {"x": 1}, "metadata": {"display": null}, "value": "v"});
        let bytes = attribute_payload(attr.as_object().unwrap());
        assert_eq!(bytes, br#"{"metadata":{"display":null},"value":"v"}"#);
    }
}
