//! [`filter`](crate::filter::filter) over a stored profile's JSON *text*, for the Person API's reads.
//!
//! Parsing a 20–45 KB profile into a `serde_json::Value` only to drop a few attributes and serialise it
//! again is what bounds the Person API. Here the text is read in one pass: the top level, the groups and
//! each attribute as maps whose values stay raw JSON text (slices of the stored text); each attribute's
//! `metadata.classification` and `metadata.display` are the only values decoded (the small metadata object
//! is the one text read twice), and the members of kept attributes are copied through as written. The decision is [`filter`](crate::filter)'s own
//! (`Rules`), so the output means exactly what `filter(&Profile::from_stored(..), ..)` gives.
//!
//! It also checks what `Profile::from_stored` checks (validate.rs `check_structure`) and refuses — with a
//! [`RawFilterError`] — any text it cannot answer for exactly (not a stored profile, duplicate members):
//! the caller then takes the parsed path, which decides the outcome. It never validates payloads, never
//! re-signs, and never reorders what it keeps.

use crate::catalogue::{AttrPath, Group, TOP_LEVEL};
use crate::enums::{Classification, Display};
use crate::filter::{Rules, ScopeSet};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Why a text was left to the parsed path: not JSON, not a stored profile, or a shape (duplicate members)
/// whose meaning only the parsed path settles. The message names a member, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the raw filter cannot take this text: {0}")]
pub struct RawFilterError(String);

fn refuse(what: impl std::fmt::Display) -> RawFilterError {
    RawFilterError(what.to_string())
}

/// Filters the stored JSON text of a profile for a caller with `scopes` and an optional `filterDisplay`
/// level (docs/contract/profile.md §9): the same document `filter(&Profile::from_stored(text), ..)` gives, as JSON text
/// with kept attributes unchanged. When nothing can be removed (`read:fullprofile`, `display:all`, no
/// `filterDisplay`) the text is returned as it is, unchecked.
pub fn filter_raw<'t>(
    stored: &'t str,
    scopes: &ScopeSet,
    filter_display: Option<Display>,
) -> Result<Cow<'t, str>, RawFilterError> {
    let rules = Rules::new(scopes, filter_display);
    if rules.keeps_everything() {
        return Ok(Cow::Borrowed(stored));
    }
    let top: Top<'_> = serde_json::from_str(stored).map_err(refuse)?;
    let mut out = Writer::with_capacity(stored.len());
    let mut seen = Seen::default();
    for (name, index, member) in &top.0 {
        seen.first(*index, name)?;
        match member {
            TopMember::Group(group, members) => {
                out.key(name)?;
                group_members(*group, members, rules, &mut out)?;
            }
            TopMember::Attr(path, attr) => {
                if keeps(*path, attr, rules)? {
                    out.attribute(name, attr)?;
                }
            }
            TopMember::Other(value) => out.member(name, value)?, // schema
        }
    }
    out.finish()
}

/// One group, written as `{kept members}` (groups stay even when empty).
fn group_members(
    group: Group,
    members: &[(Key<'_>, AttrPath, Attr<'_>)],
    rules: Rules,
    out: &mut Writer,
) -> Result<(), RawFilterError> {
    let mut seen = Seen::default();
    out.open();
    for (name, path, attr) in members {
        let index = group
            .members()
            .position(|p| p == *path)
            .ok_or_else(|| refuse(format_args!("{name} not in {}", group.as_str())))?;
        seen.first(index, name)?;
        if keeps(*path, attr, rules)? {
            out.attribute(name, attr)?;
        }
    }
    out.close();
    Ok(())
}

/// Checks the attribute's shape as `check_structure` does and decides from its labels.
fn keeps(path: AttrPath, attr: &Attr<'_>, rules: Rules) -> Result<bool, RawFilterError> {
    let dotted = path.dotted();
    let payload = path.kind().payload_key();
    let (mut metadata, mut signature, mut has_payload) = (None, None, false);
    for (name, value) in &attr.0 {
        let slot = match &*name.0 {
            "metadata" => &mut metadata,
            "signature" => &mut signature,
            other => {
                if other == payload {
                    if has_payload {
                        return Err(refuse(format_args!("{dotted}: duplicate {other}")));
                    }
                    has_payload = true;
                }
                continue;
            }
        };
        if slot.replace(*value).is_some() {
            return Err(refuse(format_args!("{dotted}: duplicate {name}")));
        }
    }
    let object = |v: Option<&RawValue>| v.is_some_and(|v| v.get().starts_with('{'));
    if !object(signature) || !object(metadata) || !has_payload {
        return Err(refuse(format_args!("{dotted} is not an attribute")));
    }
    // The metadata object (a few hundred bytes) is the only text read twice.
    let labels: Labels<'_> = metadata
        .map(|m| serde_json::from_str(m.get()))
        .transpose()
        .map_err(|e| refuse(format_args!("{dotted}.metadata: {e}")))?
        .unwrap_or_default();
    let classification =
        label_text(labels.classification, dotted)?.and_then(|c| Classification::parse_stored(&c.0));
    // JSON null or missing: no level; a string: a level or nothing; anything else matches no set.
    let display = match labels.display {
        None => Some(None),
        Some(_) => label_text(labels.display, dotted)?.and_then(|d| Display::parse(&d.0).map(Some)),
    };
    Ok(rules.keeps_labels(classification, display))
}

/// A label's text when it is a JSON string, else `None`.
fn label_text<'a>(
    v: Option<&'a RawValue>,
    dotted: &str,
) -> Result<Option<Key<'a>>, RawFilterError> {
    match v {
        Some(raw) if raw.get().starts_with('"') => serde_json::from_str(raw.get())
            .map(Some)
            .map_err(|e| refuse(format_args!("{dotted}.metadata: {e}"))),
        _ => Ok(None),
    }
}

/// The two metadata members the decision reads; the others are skipped unread.
#[derive(Default, Deserialize)]
struct Labels<'a> {
    #[serde(borrow, default)]
    classification: Option<&'a RawValue>,
    #[serde(borrow, default)]
    display: Option<&'a RawValue>,
}

/// A member name, borrowed from the text unless it carries escapes.
struct Key<'a>(Cow<'a, str>);

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Key<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Text)
    }
}

/// A top-level member as the single pass leaves it: a group's attributes, an attribute, or (`schema`) its
/// text.
enum TopMember<'a> {
    Group(Group, Vec<(Key<'a>, AttrPath, Attr<'a>)>),
    Attr(AttrPath, Attr<'a>),
    Other(&'a RawValue),
}

/// The top level in document order, each member with its index in [`TOP_LEVEL`] (duplicates kept).
struct Top<'a>(Vec<(Key<'a>, usize, TopMember<'a>)>);

/// An attribute's members in document order, each as written (duplicates kept). Reading them is the one
/// pass over the attribute's text: the raw values are slices of the stored text.
struct Attr<'a>(Vec<(Key<'a>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Top<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Top<'de>, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = Top<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a profile object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
                let mut out = Vec::with_capacity(TOP_LEVEL.len());
                while let Some(name) = map.next_key::<Key<'de>>()? {
                    let index = TOP_LEVEL
                        .iter()
                        .position(|n| *n == &*name.0)
                        .ok_or_else(|| {
                            de::Error::custom(format_args!("unknown top-level member {name}"))
                        })?;
                    let member = if let Some(group) = Group::parse(&name) {
                        TopMember::Group(group, map.next_value_seed(GroupSeed(group))?)
                    } else if let Some(path) = AttrPath::find(None, &name) {
                        TopMember::Attr(path, map.next_value_seed(AttrSeed)?)
                    } else {
                        TopMember::Other(map.next_value()?)
                    };
                    out.push((name, index, member));
                }
                Ok(Top(out))
            }
        }
        d.deserialize_map(Object)
    }
}

/// A group's members, each an attribute of the group.
struct GroupSeed(Group);

impl<'de> DeserializeSeed<'de> for GroupSeed {
    type Value = Vec<(Key<'de>, AttrPath, Attr<'de>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for GroupSeed {
    type Value = Vec<(Key<'de>, AttrPath, Attr<'de>)>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the {} object", self.0.as_str())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(name) = map.next_key::<Key<'de>>()? {
            let path = AttrPath::find(Some(self.0), &name).ok_or_else(|| {
                de::Error::custom(format_args!("unknown member {name} of {}", self.0.as_str()))
            })?;
            let attr = map.next_value_seed(AttrSeed)?;
            out.push((name, path, attr));
        }
        Ok(out)
    }
}

struct AttrSeed;

impl<'de> DeserializeSeed<'de> for AttrSeed {
    type Value = Attr<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Attr<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AttrSeed {
    type Value = Attr<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an attribute object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attr<'de>, A::Error> {
        let mut out = Vec::with_capacity(4);
        while let Some(entry) = map.next_entry()? {
            out.push(entry);
        }
        Ok(Attr(out))
    }
}

/// Which members of a known list were met; a second one is refused (the parsed path keeps the last).
#[derive(Default)]
struct Seen(u64);

impl Seen {
    fn first(&mut self, index: usize, name: &str) -> Result<(), RawFilterError> {
        let bit = 1u64
            .checked_shl(u32::try_from(index).unwrap_or(u32::MAX))
            .ok_or_else(|| refuse(format_args!("too many members at {name}")))?;
        if self.0 & bit != 0 {
            return Err(refuse(format_args!("duplicate member {name}")));
        }
        self.0 |= bit;
        Ok(())
    }
}

/// The output text: compact, members separated as serde_json writes them. Built as a `String` from slices
/// of the stored text and member names, so it is never re-checked as UTF-8.
struct Writer {
    buf: String,
    fresh: bool,
}

impl Writer {
    fn with_capacity(n: usize) -> Writer {
        let mut buf = String::with_capacity(n);
        buf.push('{');
        Writer { buf, fresh: true }
    }

    fn key(&mut self, name: &str) -> Result<(), RawFilterError> {
        if !self.fresh {
            self.buf.push(',');
        }
        self.fresh = false;
        // serde_json escapes `"`, `\` and control characters only; names without them are written as they are.
        if name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            self.buf
                .push_str(&serde_json::to_string(name).map_err(refuse)?);
        } else {
            self.buf.push('"');
            self.buf.push_str(name);
            self.buf.push('"');
        }
        self.buf.push(':');
        Ok(())
    }

    fn member(&mut self, name: &str, value: &RawValue) -> Result<(), RawFilterError> {
        self.key(name)?;
        self.buf.push_str(value.get());
        Ok(())
    }

    /// A kept attribute: its members rewritten around their texts, which are copied as written.
    fn attribute(&mut self, name: &str, attr: &Attr<'_>) -> Result<(), RawFilterError> {
        self.key(name)?;
        self.open();
        for (member, value) in &attr.0 {
            self.member(member, value)?;
        }
        self.close();
        Ok(())
    }

    fn open(&mut self) {
        self.buf.push('{');
        self.fresh = true;
    }

    fn close(&mut self) {
        self.buf.push('}');
        self.fresh = false;
    }

    fn finish(mut self) -> Result<Cow<'static, str>, RawFilterError> {
        self.buf.push('}');
        Ok(Cow::Owned(self.buf))
    }
}

#[cfg(test)]
#[path = "filter_raw_tests.rs"]
mod tests;
