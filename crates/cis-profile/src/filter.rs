//! Filtering a profile by the caller's scopes and an optional `filterDisplay` level (docs/contract/profile.md §9).
//!
//! Owns the scope → allowed-classification and scope → allowed-display tables and the filter itself, with the
//! original's semantics: labels of a set, not a ladder. It does not parse HTTP parameters or tokens (the
//! Person API does) and never re-signs or validates: the output is not a schema-valid profile.

use crate::attr::Attr;
use crate::catalogue::Group;
use crate::enums::{Classification, ClassificationSet, Display, DisplaySet};
use crate::profile::Profile;
use serde_json::{Map, Value};

/// Skips classification filtering.
pub const READ_FULL_PROFILE: &str = "read:fullprofile";
/// Skips display-by-scope filtering.
pub const DISPLAY_ALL: &str = "display:all";

/// The scopes of a caller, with both allowed sets computed once.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeSet {
    scopes: Vec<String>,
    classifications: Option<ClassificationSet>,
    displays: Option<DisplaySet>,
}

impl Default for ScopeSet {
    fn default() -> ScopeSet {
        ScopeSet::from_iter(std::iter::empty::<String>())
    }
}

impl ScopeSet {
    /// Parses a space-separated scope string (an OAuth `scope` claim).
    pub fn parse(space_separated: &str) -> ScopeSet {
        space_separated
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    pub fn from_scopes(scopes: &[&str]) -> ScopeSet {
        scopes.iter().map(|s| (*s).to_string()).collect()
    }

    /// Exact, case-sensitive membership.
    pub fn contains(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(String::as_str)
    }
}

impl FromIterator<String> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> ScopeSet {
        let mut scopes: Vec<String> = Vec::new();
        for s in iter {
            if !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        let mut set = ScopeSet {
            scopes,
            classifications: None,
            displays: None,
        };
        set.classifications = classification_table(&set);
        set.displays = display_table(&set);
        set
    }
}

/// The classifications the scopes admit (docs/contract/profile.md §9 step 1); `None` = all, labels unknown to CIS included
/// (`read:fullprofile`). Legacy long labels are covered through [`Classification::parse_stored`].
pub fn allowed_classifications(scopes: &ScopeSet) -> Option<ClassificationSet> {
    scopes.classifications
}

/// The display levels the scopes admit (docs/contract/profile.md §9 step 2); `None` = all (`display:all`).
pub fn allowed_displays(scopes: &ScopeSet) -> Option<DisplaySet> {
    scopes.displays
}

/// The cumulative set of a `filterDisplay` level: every level at least as visible as `level`; never null.
pub fn filter_display_set(level: Display) -> DisplaySet {
    Display::ALL
        .into_iter()
        .filter(|d| *d <= level)
        .fold(DisplaySet::EMPTY, |set, d| set.with(Some(d)))
}

fn classification_table(scopes: &ScopeSet) -> Option<ClassificationSet> {
    if scopes.contains(READ_FULL_PROFILE) {
        return None;
    }
    let mut set = ClassificationSet::of(&[Classification::Public]);
    for scope in scopes.iter() {
        let added = match scope {
            "classification:mozilla_confidential" => Classification::MozillaConfidential,
            "classification:workgroup" => Classification::WorkgroupConfidential,
            "classification:workgroup:staff_only" => Classification::StaffOnly,
            "classification:individual" => Classification::IndividualConfidential,
            _ => continue,
        };
        set = set.with(added);
    }
    Some(set)
}

fn display_table(scopes: &ScopeSet) -> Option<DisplaySet> {
    if scopes.contains(DISPLAY_ALL) {
        return None;
    }
    let mut set = DisplaySet::of(&[Some(Display::Public)]);
    for scope in scopes.iter() {
        let added = match scope {
            "display:authenticated" => Some(Display::Authenticated),
            "display:vouched" => Some(Display::Vouched),
            "display:ndaed" => Some(Display::Ndaed),
            "display:staff" => Some(Display::Staff),
            "display:none" => None,
            _ => continue,
        };
        set = set.with(added);
    }
    Some(set)
}

/// The three sets one filter run applies, resolved once per call (shared with [`crate::filter_raw`]).
#[derive(Clone, Copy)]
pub(crate) struct Rules {
    classifications: Option<ClassificationSet>,
    displays: Option<DisplaySet>,
    narrow: Option<DisplaySet>,
}

impl Rules {
    pub(crate) fn new(scopes: &ScopeSet, filter_display: Option<Display>) -> Rules {
        Rules {
            classifications: allowed_classifications(scopes),
            displays: allowed_displays(scopes),
            narrow: filter_display.map(filter_display_set),
        }
    }

    /// True when no attribute can be removed (`read:fullprofile`, `display:all`, no `filterDisplay`).
    pub(crate) fn keeps_everything(self) -> bool {
        self.classifications.is_none() && self.displays.is_none() && self.narrow.is_none()
    }

    fn keeps(self, attr: Attr<'_>) -> bool {
        // Display text that is not a level (never valid, but possible in stored data) matches no set.
        let display = match attr.display_value() {
            Value::Null => Some(None),
            Value::String(s) => Display::parse(s).map(Some),
            _ => None,
        };
        self.keeps_labels(attr.classification(), display)
    }

    /// The decision on one attribute from its labels: `classification` as [`Attr::classification`] reads
    /// it, `display` `Some(level or None for null/missing)` or `None` when the member is not a level.
    pub(crate) fn keeps_labels(
        self,
        classification: Option<Classification>,
        display: Option<Option<Display>>,
    ) -> bool {
        if let Some(allowed) = self.classifications {
            // A missing or unknown label matches nothing but read:fullprofile.
            if !classification.is_some_and(|c| allowed.contains(c)) {
                return false;
            }
        }
        if self.displays.is_none() && self.narrow.is_none() {
            return true;
        }
        let Some(display) = display else {
            return false;
        };
        self.displays.is_none_or(|set| set.contains(display))
            && self.narrow.is_none_or(|set| set.contains(display))
    }
}

/// Filters `profile` for a caller with `scopes` and an optional `filterDisplay` level (docs/contract/profile.md §9).
/// Removed attributes disappear; groups always stay (possibly `{}`); `schema` is always kept.
pub fn filter(profile: &Profile, scopes: &ScopeSet, filter_display: Option<Display>) -> Value {
    let rules = Rules::new(scopes, filter_display);
    let doc = profile.as_map();
    let mut out = Map::with_capacity(doc.len());
    for (name, value) in doc {
        if name == "schema" {
            out.insert(name.clone(), value.clone());
        } else if Group::parse(name).is_some() {
            let members = value
                .as_object()
                .map(|m| keep_attributes(m, rules))
                .unwrap_or_default();
            out.insert(name.clone(), Value::Object(members));
        } else if let Some(attr) = value.as_object()
            && rules.keeps(Attr(attr))
        {
            out.insert(name.clone(), value.clone());
        }
    }
    Value::Object(out)
}

/// [`filter`] for a caller that owns the profile: kept attributes are moved, not copied.
pub fn filter_into(profile: Profile, scopes: &ScopeSet, filter_display: Option<Display>) -> Value {
    let rules = Rules::new(scopes, filter_display);
    let mut doc = match profile.into_value() {
        Value::Object(doc) => doc,
        _ => Map::new(),
    };
    doc.retain(|name, value| {
        if name == "schema" {
            true
        } else if Group::parse(name).is_some() {
            match value {
                Value::Object(members) => {
                    members.retain(|_, v| v.as_object().is_some_and(|a| rules.keeps(Attr(a))))
                }
                other => *other = Value::Object(Map::new()),
            }
            true
        } else {
            value.as_object().is_some_and(|a| rules.keeps(Attr(a)))
        }
    });
    Value::Object(doc)
}

fn keep_attributes(members: &Map<String, Value>, rules: Rules) -> Map<String, Value> {
    members
        .iter()
        .filter(|(_, v)| v.as_object().is_some_and(|a| rules.keeps(Attr(a))))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
