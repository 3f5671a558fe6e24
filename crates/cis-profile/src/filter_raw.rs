//! [`filter`](crate::filter::filter) over a stored profile's JSON *text*, for the Person API's reads.
//!
//! Parsing a 20–45 KB profile into a `serde_json::Value` only to drop a few attributes and serialise it
//! again is what bounds the Person API. Here the text is read once, front to back, by the strict byte reader
//! (`scan`): the top level, the groups and each attribute's members are walked, each member's value is
//! checked as JSON and kept as a slice of the stored text, and only `metadata.classification` and
//! `metadata.display` are decoded. Kept attributes are written as they were read, member by member; nothing
//! is allocated per value. The decision is [`filter`](crate::filter)'s own (`Rules`), so the output means
//! exactly what `filter(&Profile::from_stored(..), ..)` gives.
//!
//! It also checks what `Profile::from_stored` checks (validate.rs `check_structure`) and refuses — with a
//! [`RawFilterError`] — any text it cannot answer for exactly (not a stored profile, duplicate members,
//! JSON it does not plainly read): the caller then takes the parsed path, which decides the outcome. It
//! never validates payloads, never re-signs, and never reorders what it keeps.

use crate::catalogue::{AttrPath, Group, TOP_LEVEL};
use crate::enums::{Classification, Display};
use crate::filter::{Rules, ScopeSet};
use crate::scan::Reader;
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
    let mut pass = Pass {
        rules,
        out: Writer::with_capacity(stored.len()),
        failure: None,
    };
    let mut r = Reader::new(stored);
    r.skip_ws();
    let mut seen = Seen::default();
    let read = r.members(|r, name| pass.step(|pass| pass.top_member(r, &name, &mut seen)));
    r.skip_ws();
    match (read, pass.failure) {
        (_, Some(failure)) => Err(failure),
        (Some(()), None) if r.at_end() => pass.out.finish(),
        _ => Err(refuse("not a JSON object the raw filter reads")),
    }
}

/// One pass over one text: the decision rules, the output so far, and why the pass stopped, if it did.
struct Pass {
    rules: Rules,
    out: Writer,
    failure: Option<RawFilterError>,
}

impl Pass {
    /// Runs one step inside the reader: a refusal is kept and stops the reader (`None`).
    fn step(&mut self, f: impl FnOnce(&mut Pass) -> Result<(), RawFilterError>) -> Option<()> {
        match f(self) {
            Ok(()) => Some(()),
            Err(e) => {
                self.failure.get_or_insert(e);
                None
            }
        }
    }

    fn top_member(
        &mut self,
        r: &mut Reader<'_>,
        name: &str,
        seen: &mut Seen,
    ) -> Result<(), RawFilterError> {
        let index = TOP_LEVEL
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| refuse(format_args!("unknown top-level member {name}")))?;
        seen.first(index, name)?;
        if let Some(group) = Group::parse(name) {
            self.out.key(name)?;
            return self.group(r, group);
        }
        match AttrPath::find(None, name) {
            Some(path) => self.attribute(r, path, name),
            None => {
                // `schema`: copied as written.
                let value = r.skip_value(1).ok_or_else(|| refuse(name))?;
                self.out.member(name, value)
            }
        }
    }

    /// One group, written as `{kept members}` (groups stay even when empty).
    fn group(&mut self, r: &mut Reader<'_>, group: Group) -> Result<(), RawFilterError> {
        if r.peek() != Some(b'{') {
            return Err(refuse(format_args!("{} is not an object", group.as_str())));
        }
        let mut seen = Seen::default();
        self.out.open();
        let read = r.members(|r, name| {
            self.step(|pass| {
                let Some((index, path)) =
                    group.members().enumerate().find(|(_, p)| p.leaf() == name)
                else {
                    return Err(refuse(format_args!(
                        "unknown member {name} of {}",
                        group.as_str()
                    )));
                };
                seen.first(index, &name)?;
                pass.attribute(r, path, &name)
            })
        });
        if read.is_none() {
            return Err(self
                .failure
                .take()
                .unwrap_or_else(|| refuse(group.as_str())));
        }
        self.out.close();
        Ok(())
    }

    /// Reads one attribute, checks its shape as `check_structure` does, decides from its labels and writes
    /// it when kept.
    fn attribute(
        &mut self,
        r: &mut Reader<'_>,
        path: AttrPath,
        name: &str,
    ) -> Result<(), RawFilterError> {
        let dotted = path.dotted();
        let attr = Attr::read(r, path.kind().payload_key())
            .ok_or_else(|| refuse(format_args!("{dotted} is not an attribute")))?;
        let metadata = match (attr.signature, attr.metadata, attr.has_payload) {
            (Some(s), Some(m), true) if s.starts_with('{') && m.starts_with('{') => m,
            _ => return Err(refuse(format_args!("{dotted} is not an attribute"))),
        };
        let labels = Labels::read(metadata)
            .ok_or_else(|| refuse(format_args!("{dotted}.metadata is not read plainly")))?;
        let classification = labels
            .classification
            .and_then(|c| Classification::parse_stored(&c));
        // JSON null or missing: no level; a string: a level or nothing; anything else matches no set.
        let display = match labels.display {
            Label::Missing | Label::Null => Some(None),
            Label::Text(d) => Display::parse(&d).map(Some),
            Label::Other => None,
        };
        if self.rules.keeps_labels(classification, display) {
            self.out.attribute(name, &attr.members)?;
        }
        Ok(())
    }
}

/// An attribute's members in document order, each value as written (a slice of the stored text).
struct Attr<'a> {
    members: Vec<(Cow<'a, str>, &'a str)>,
    signature: Option<&'a str>,
    metadata: Option<&'a str>,
    has_payload: bool,
}

impl<'a> Attr<'a> {
    /// `None` for text that is not an object, or with `signature`, `metadata` or the payload twice.
    fn read(r: &mut Reader<'a>, payload: &str) -> Option<Attr<'a>> {
        let mut attr = Attr {
            members: Vec::with_capacity(3),
            signature: None,
            metadata: None,
            has_payload: false,
        };
        if r.peek() != Some(b'{') {
            return None;
        }
        r.members(|r, name| {
            let value = r.skip_value(2)?;
            let first = match &*name {
                "signature" => attr.signature.replace(value).is_none(),
                "metadata" => attr.metadata.replace(value).is_none(),
                other if other == payload => !std::mem::replace(&mut attr.has_payload, true),
                _ => true,
            };
            attr.members.push((name, value));
            first.then_some(())
        })?;
        Some(attr)
    }
}

/// A metadata label as the decision needs it.
#[derive(Default)]
enum Label<'a> {
    #[default]
    Missing,
    Null,
    Text(Cow<'a, str>),
    Other,
}

/// The two metadata members the decision reads; the others are checked and skipped.
#[derive(Default)]
struct Labels<'a> {
    classification: Option<Cow<'a, str>>,
    display: Label<'a>,
}

impl<'a> Labels<'a> {
    /// `None` for a metadata text not read plainly, or with a label twice.
    fn read(metadata: &'a str) -> Option<Labels<'a>> {
        let mut labels = Labels::default();
        let (mut classification_seen, mut r) = (false, Reader::new(metadata));
        r.members(|r, name| {
            let label = match r.peek()? {
                b'"' => Label::Text(r.string()?),
                b'n' => r.eat("null").map(|()| Label::Null)?,
                _ => r.skip_value(3).map(|_| Label::Other)?,
            };
            match &*name {
                "classification" => {
                    if std::mem::replace(&mut classification_seen, true) {
                        return None;
                    }
                    if let Label::Text(text) = label {
                        labels.classification = Some(text);
                    }
                }
                "display" => match labels.display {
                    Label::Missing => labels.display = label,
                    _ => return None,
                },
                _ => {}
            }
            Some(())
        })?;
        Some(labels)
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

    fn member(&mut self, name: &str, value: &str) -> Result<(), RawFilterError> {
        self.key(name)?;
        self.buf.push_str(value);
        Ok(())
    }

    /// A kept attribute: its members rewritten around their texts, which are copied as written.
    fn attribute(
        &mut self,
        name: &str,
        members: &[(Cow<'_, str>, &str)],
    ) -> Result<(), RawFilterError> {
        self.key(name)?;
        self.open();
        for (member, value) in members {
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
