//! The machinery under [`validate`](super): walking an object of known members, JSON pointers built on the
//! stack and rendered only for a violation, the collected report, and the name tables taken from the catalogue.
//!
//! It knows member names and positions, never what a member's value must be: that is `validate.rs`'s business.

use super::Violation;
use super::node::Node;
use crate::catalogue::{AttrPath, Group, TOP_LEVEL};
use std::fmt::Write as _;
use std::sync::OnceLock;

pub(super) const MISSING: &str = "required member missing";
const UNKNOWN: &str = "unknown member";

/// Walks an object whose members are `names` (at most 64): calls `each(index, value, pointer, report)` for
/// every known member in document order, reports unknown members as they come, then the missing ones (when
/// `required`). A value that is not an object is reported by the caller's own check, or here as one.
pub(super) fn fields<N: Node>(
    value: &N,
    at: &Ptr<'_>,
    names: &[&str],
    required: bool,
    report: &mut Report,
    mut each: impl FnMut(usize, &N, &Ptr<'_>, &mut Report),
) {
    let Some(map) = value.members() else {
        // The root's "not an object" is reported by the caller with a better message.
        if at.parent.is_some() {
            report.add(at, super::NOT_OBJECT);
        }
        return;
    };
    let (mut seen, mut hint) = (0u64, 0usize);
    for (key, member) in map {
        let at = at.key(key);
        // Documents in canonical order resolve every member with one comparison.
        let found = match names.get(hint) {
            Some(name) if *name == key => Some(hint),
            _ => names.iter().position(|name| *name == key),
        };
        match found {
            Some(i) => {
                hint = i + 1;
                seen |= 1 << i;
                each(i, member, &at, report);
            }
            None => report.add(&at, UNKNOWN),
        }
    }
    if required {
        for (i, name) in names.iter().enumerate() {
            if seen & (1 << i) == 0 {
                report.add(&at.key(name), MISSING);
            }
        }
    }
}

/// What a top-level member is.
#[derive(Clone, Copy)]
pub(super) enum Top {
    Schema,
    Attr(AttrPath),
    Group(Group),
}

/// Name tables, built once from the catalogue: the top level and each group, names beside what they name.
pub(super) struct Tables {
    pub top_names: Vec<&'static str>,
    pub top: Vec<Top>,
    groups: [(Vec<&'static str>, Vec<AttrPath>); 3],
}

impl Tables {
    pub fn members(&self, group: Group) -> (&[&'static str], &[AttrPath]) {
        let (names, paths) = &self.groups[group as usize];
        (names, paths)
    }
}

pub(super) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let entry = |name: &'static str| match (Group::parse(name), AttrPath::find(None, name)) {
            (Some(g), _) => Some((name, Top::Group(g))),
            (_, Some(p)) => Some((name, Top::Attr(p))),
            _ if name == "schema" => Some((name, Top::Schema)),
            _ => None,
        };
        let (top_names, top) = TOP_LEVEL.into_iter().filter_map(entry).unzip();
        let members = |g: Group| g.members().map(|p| (p.leaf(), p)).unzip();
        Tables {
            top_names,
            top,
            groups: Group::ALL.map(members),
        }
    })
}

/// A JSON pointer under construction: a chain of stack frames, rendered only when a violation needs it.
#[derive(Clone, Copy)]
pub(super) struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

pub(super) static ROOT: Ptr<'static> = Ptr {
    parent: None,
    seg: Seg::Root,
};

impl<'a> Ptr<'a> {
    pub fn key(&'a self, key: &'a str) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }
    pub fn index(&'a self, i: usize) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }
    fn render(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.render(out);
        }
        match self.seg {
            Seg::Root => {}
            Seg::Key(k) => {
                out.push('/');
                for c in k.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
            Seg::Index(i) => {
                let _ = write!(out, "/{i}");
            }
        }
    }
}

/// The violations found so far, in the order found.
#[derive(Default)]
pub(super) struct Report(Vec<Violation>);

impl Report {
    pub fn add(&mut self, at: &Ptr<'_>, message: impl Into<String>) {
        let mut pointer = String::new();
        at.render(&mut pointer);
        self.0.push(Violation {
            pointer,
            message: message.into(),
        });
    }
    pub fn finish(self) -> Result<(), Vec<Violation>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let a = ROOT.key("usernames");
        let b = a.key("a/b~c");
        let c = b.index(2);
        let mut out = String::new();
        c.render(&mut out);
        assert_eq!(out, "/usernames/a~1b~0c/2");
    }

    #[test]
    fn tables_cover_the_catalogue() {
        let t = tables();
        assert_eq!(t.top_names, TOP_LEVEL);
        assert_eq!(t.members(Group::Identities).0.len(), 16);
        assert_eq!(t.members(Group::StaffInformation).1.len(), 9);
    }
}
