//! A borrowed JSON tree: the fast way to check untrusted input without building `serde_json` values.
//!
//! [`parse`] reads JSON text (with the strict byte reader of `scan`) into [`Json`], whose strings borrow the input unless they contain escapes and whose
//! objects are plain vectors of members in document order: no hashing, one allocation per object or array.
//! It applies the same strictness as [`json::parse_strict`](crate::json::parse_strict) (docs/contract/profile.md
//! §4.2: no duplicate members, no lone surrogates, no integer outside 64 bits, no non-finite number) and
//! accepts a subset of what that function accepts: anything it is unsure of — every error included — makes it
//! answer `None`, and the caller asks `parse_strict` for the verdict and its message. Tests hold it to that.

use crate::scan::{MAX_DEPTH, Reader};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A JSON value borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number's text, checked against the JSON grammar and the 64-bit/finite rules.
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in document order, no two with the same name.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl Json<'_> {
    /// The same value as `serde_json` builds from the text: member order kept, numbers read from their text by
    /// serde_json itself (so floats round-trip exactly as `parse_strict`'s do). `None` if one cannot be read.
    pub fn into_value(self) -> Option<Value> {
        Some(match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(text) => Value::Number(text.parse().ok()?),
            Json::String(s) => Value::String(s.into_owned()),
            Json::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(Json::into_value)
                    .collect::<Option<_>>()?,
            ),
            Json::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (name, value) in members {
                    map.insert(name.into_owned(), value.into_value()?);
                }
                Value::Object(map)
            }
        })
    }
}

/// Reads a whole JSON text (one value, optional surrounding whitespace); `None` when the text is not
/// plainly acceptable, see the module docs.
pub fn parse(bytes: &[u8]) -> Option<Json<'_>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut reader = Reader::new(text);
    reader.skip_ws();
    let value = value(&mut reader, 0)?;
    reader.skip_ws();
    reader.at_end().then_some(value)
}

fn value<'a>(r: &mut Reader<'a>, depth: usize) -> Option<Json<'a>> {
    Some(match r.peek()? {
        b'{' if depth < MAX_DEPTH => {
            let mut members = Vec::new();
            r.members(|r, name| {
                members.push((name, value(r, depth + 1)?));
                Some(())
            })?;
            if has_duplicates(&members) {
                return None;
            }
            Json::Object(members)
        }
        b'[' if depth < MAX_DEPTH => {
            let mut items = Vec::new();
            r.items(|r| {
                items.push(value(r, depth + 1)?);
                Some(())
            })?;
            Json::Array(items)
        }
        b'"' => Json::String(r.string()?),
        b't' => r.eat("true").map(|()| Json::Bool(true))?,
        b'f' => r.eat("false").map(|()| Json::Bool(false))?,
        b'n' => r.eat("null").map(|()| Json::Null)?,
        b'-' | b'0'..=b'9' => Json::Number(r.number()?),
        _ => return None,
    })
}

/// Small objects compare every pair; larger ones sort their names first.
fn has_duplicates(members: &[(Cow<'_, str>, Json<'_>)]) -> bool {
    if members.len() <= 12 {
        return members
            .iter()
            .enumerate()
            .any(|(i, (a, _))| members[..i].iter().any(|(b, _)| a == b));
    }
    let mut names: Vec<&str> = members.iter().map(|(name, _)| name.as_ref()).collect();
    names.sort_unstable();
    names.windows(2).any(|pair| pair[0] == pair[1])
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
