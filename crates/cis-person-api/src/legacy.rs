//! The original's `nextPage` forms for `/v2/users`: the JSON object `{"id": "<user_id>"}` (what the original
//! returned and cis_client-rust sends back) and its Python `repr` (`{'id': '<user_id>'}`, what the Python
//! publishers sent back after `str(dict)`).
//!
//! Owns only turning such a text into the user_id to continue after. It never builds a cursor (see
//! [`crate::token`]) and accepts nothing but an object with a string `id`.

use serde_json::Value;

/// The user_id of a legacy `nextPage` (`{"id": ...}` as JSON or as a Python literal); `None` when the text is
/// neither, or the object has no non-empty string `id`.
pub fn legacy_user_id(text: &str) -> Option<String> {
    let text = text.trim();
    if !text.starts_with('{') {
        return None;
    }
    let value = serde_json::from_str::<Value>(text)
        .ok()
        .or_else(|| python_literal_to_json(text).and_then(|j| serde_json::from_str(&j).ok()))?;
    match value.get("id") {
        Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
        _ => None,
    }
}

/// Rewrites a Python literal made of dicts, lists, strings (single- or double-quoted), numbers, `True`,
/// `False` and `None` as JSON text. `None` for anything it cannot rewrite faithfully.
pub fn python_literal_to_json(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => out.push_str(&string_literal(c, &mut chars)?),
            c if c.is_ascii_alphabetic() => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if !next.is_ascii_alphanumeric() && next != '_' {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                out.push_str(match word.as_str() {
                    "True" => "true",
                    "False" => "false",
                    "None" => "null",
                    _ => return None,
                });
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// One Python string literal (the opening `quote` already read) as a JSON string.
fn string_literal(
    quote: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
) -> Option<String> {
    let mut content = String::new();
    loop {
        match chars.next()? {
            c if c == quote => break,
            '\\' => match chars.next()? {
                '\\' => content.push('\\'),
                '\'' => content.push('\''),
                '"' => content.push('"'),
                'n' => content.push('\n'),
                't' => content.push('\t'),
                'r' => content.push('\r'),
                'x' => {
                    let hex: String = [chars.next()?, chars.next()?].iter().collect();
                    content.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                _ => return None,
            },
            c => content.push(c),
        }
    }
    serde_json::to_string(&content).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_object_form_gives_its_id() {
        assert_eq!(
            legacy_user_id(r#"{"id": "ad|Mozilla-LDAP|jdoe"}"#).as_deref(),
            Some("ad|Mozilla-LDAP|jdoe")
        );
    }

    #[test]
    fn the_python_repr_form_gives_its_id() {
        assert_eq!(
            legacy_user_id("{'id': 'ad|Mozilla-LDAP|jdoe'}").as_deref(),
            Some("ad|Mozilla-LDAP|jdoe")
        );
        // repr switches to double quotes when the text holds a single quote
        assert_eq!(
            legacy_user_id(r#"{'id': "email|o'brien"}"#).as_deref(),
            Some("email|o'brien")
        );
        assert_eq!(
            legacy_user_id(r"{'id': 'a\'b', 'more': True, 'n': None}").as_deref(),
            Some("a'b")
        );
    }

    #[test]
    fn other_texts_are_not_legacy_tokens() {
        for text in [
            "ad|Mozilla-LDAP|jdoe",
            "{}",
            r#"{"id": 5}"#,
            r#"{"id": ""}"#,
            "{'id': unknown}",
            "{'id': 'unterminated}",
            "eyJ2IjoxfQ",
        ] {
            assert_eq!(legacy_user_id(text), None, "{text}");
        }
    }
}
