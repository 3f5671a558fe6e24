//! Merge: applying a publisher's profile to the stored one (docs/contract/profile.md §8), and the publishers of a change
//! (docs/contract/processor-and-vault.md §5.1).
//!
//! The semantics are the original's: a null incoming payload means "no change"; an attribute changed iff its
//! payload (JSON-value equality), `display` or `verified` differ; a changed attribute replaces the stored one
//! whole. Merge never fails, never validates and never checks publisher rules or signatures: callers do that.

use crate::attr::Attr;
use crate::catalogue::AttrPath;
use crate::json::json_eq;
use crate::profile::Profile;
use serde_json::Map;

/// The result of a merge: the merged profile and the attributes that changed, in canonical order.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub profile: Profile,
    pub changed: Vec<AttrPath>,
}

/// Merges `incoming` into `base` (docs/contract/profile.md §8). `schema` is never merged: the base's string stays.
pub fn merge(base: &Profile, incoming: &Profile) -> Merged {
    merge_into(base.clone(), incoming)
}

/// [`merge`] for a caller that owns the stored profile: saves copying it (most of a merge's cost).
pub fn merge_into(base: Profile, incoming: &Profile) -> Merged {
    let changed = changed_attributes(&base, incoming);
    Merged {
        profile: apply_changes(base, incoming, &changed),
        changed,
    }
}

/// [`merge_into`] with the changed set already known (from [`changed_attributes`] of the same pair): copies
/// the incoming attribute at each path into `base`.
pub fn apply_changes(mut base: Profile, incoming: &Profile, changed: &[AttrPath]) -> Profile {
    for path in changed {
        if let Some(new) = incoming.attr_map(*path) {
            base.set_attr(*path, new.clone());
        }
    }
    base
}

/// The attributes of `incoming` that would change `base`, in canonical order.
pub fn changed_attributes(base: &Profile, incoming: &Profile) -> Vec<AttrPath> {
    let mut changed = Vec::new();
    for (path, new) in incoming.attrs() {
        if new.is_null() {
            continue;
        }
        // An identities member the base leaves out counts as the null profile's attribute (rare: the
        // fallback copy is only made then).
        let fallback;
        let old = match base.attr(path) {
            Some(old) => old,
            None => {
                fallback = base.attr_or_null(path);
                Attr(&fallback)
            }
        };
        if differs(old, new) {
            changed.push(path);
        }
    }
    changed
}

/// True when the payload, `metadata.display` or `metadata.verified` differ: what counts as a change both in
/// the merge and in the publisher rules (docs/contract/publisher-rules.md §2 step 3.1).
pub fn differs(old: Attr<'_>, new: Attr<'_>) -> bool {
    !json_eq(old.payload(), new.payload())
        || !json_eq(old.display_value(), new.display_value())
        || !json_eq(old.verified(), new.verified())
}

/// Deep JSON-value equality of two whole attribute objects (signature and metadata included).
pub fn attr_eq(a: &Map<String, serde_json::Value>, b: &Map<String, serde_json::Value>) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| json_eq(v, w)))
}

/// Distinct publisher names claimed by the changed attributes of `merged`, in the order of `changed`.
/// `cis` is left out unless CIS is the only publisher that changed something (docs/contract/processor-and-vault.md §5.1).
pub fn change_publishers(merged: &Profile, changed: &[AttrPath]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for path in changed {
        let Some(name) = merged.attr(*path).and_then(Attr::publisher_name) else {
            continue;
        };
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    if names.iter().any(|n| n != "cis") {
        names.retain(|n| n != "cis");
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{set_metadata, set_payload, set_publisher};
    use serde_json::{Value, json};

    fn with(profile: &Profile, dotted: &str, publisher: &str, payload: Value) -> Profile {
        let path = AttrPath::parse(dotted).unwrap();
        let mut out = profile.clone();
        let mut attr = profile.attr_or_null(path);
        set_payload(&mut attr, path.kind(), payload);
        set_publisher(&mut attr, publisher, "tok");
        out.set_attr(path, attr);
        out
    }

    #[test]
    fn true_and_one_are_different_payloads() {
        let base = with(
            &Profile::null(),
            "access_information.hris",
            "hris",
            json!({"flag": 1}),
        );
        let incoming = with(
            &Profile::null(),
            "access_information.hris",
            "hris",
            json!({"flag": true}),
        );
        let merged = merge(&base, &incoming);
        assert_eq!(
            merged.changed,
            [AttrPath::parse("access_information.hris").unwrap()]
        );
        assert_eq!(
            merged.profile.attr(merged.changed[0]).unwrap().payload(),
            &json!({"flag": true})
        );
    }

    #[test]
    fn twelve_and_twelve_point_zero_are_the_same_payload() {
        let base = with(
            &Profile::null(),
            "access_information.hris",
            "hris",
            json!({"employee_id": 12}),
        );
        let incoming = with(
            &Profile::null(),
            "access_information.hris",
            "ldap",
            json!({"employee_id": 12.0}),
        );
        let merged = merge(&base, &incoming);
        assert!(merged.changed.is_empty());
        assert_eq!(
            merged.profile, base,
            "the base copy is kept, publisher included"
        );
    }

    #[test]
    fn a_null_incoming_payload_never_clears_a_stored_value() {
        let base = with(&Profile::null(), "first_name", "ldap", json!("Jane"));
        let merged = merge(&base, &Profile::null());
        assert!(merged.changed.is_empty());
        assert_eq!(merged.profile.value_str(AttrPath::FIRST_NAME), Some("Jane"));
    }

    #[test]
    fn a_display_change_alone_replaces_the_whole_attribute() {
        let base = with(&Profile::null(), "first_name", "ldap", json!("Jane"));
        let mut incoming = with(
            &Profile::null(),
            "first_name",
            "mozilliansorg",
            json!("Jane"),
        );
        set_metadata(
            incoming.attr_mut(AttrPath::FIRST_NAME).unwrap(),
            "display",
            json!("staff"),
        );
        let merged = merge(&base, &incoming);
        assert_eq!(merged.changed, [AttrPath::FIRST_NAME]);
        let attr = merged.profile.attr(AttrPath::FIRST_NAME).unwrap();
        assert_eq!(attr.publisher_name(), Some("mozilliansorg"));
        assert_eq!(attr.display(), Some(crate::Display::Staff));
    }

    #[test]
    fn the_base_schema_string_is_never_merged() {
        let mut doc = Profile::null().into_value();
        doc["schema"] = json!("https://example.com/other.schema");
        let base = Profile::from_stored(doc).unwrap();
        let incoming = with(&Profile::null(), "first_name", "ldap", json!("Jane"));
        assert_eq!(
            merge(&base, &incoming).profile.schema(),
            "https://example.com/other.schema"
        );
    }

    #[test]
    fn an_identity_missing_from_the_base_counts_as_null() {
        let mut doc = Profile::null().into_value();
        doc["identities"] = json!({});
        let base = Profile::from_stored(doc).unwrap();
        let path = AttrPath::parse("identities.github_id_v3").unwrap();
        let incoming = with(
            &Profile::null(),
            path.dotted(),
            "mozilliansorg",
            json!("4242"),
        );
        let merged = merge(&base, &incoming);
        assert_eq!(merged.changed, [path]);
        assert_eq!(merged.profile.value_str(path), Some("4242"));
    }

    #[test]
    fn merging_an_owned_base_gives_the_same_result() {
        let base = with(&Profile::null(), "first_name", "ldap", json!("Jane"));
        let incoming = with(&Profile::null(), "last_name", "ldap", json!("Doe"));
        let incoming = with(&incoming, "first_name", "mozilliansorg", json!("Janet"));
        let owned = merge_into(base.clone(), &incoming);
        assert_eq!(owned, merge(&base, &incoming));
        assert_eq!(owned.changed, [AttrPath::FIRST_NAME, AttrPath::LAST_NAME]);
    }

    #[test]
    fn change_publishers_leaves_cis_out_unless_it_is_alone() {
        let p = with(&Profile::null(), "first_name", "ldap", json!("Jane"));
        let p = with(
            &p,
            "last_modified",
            "cis",
            json!("2026-01-01T00:00:00.000Z"),
        );
        let p = with(&p, "last_name", "ldap", json!("Doe"));
        let all = [
            AttrPath::FIRST_NAME,
            AttrPath::LAST_MODIFIED,
            AttrPath::LAST_NAME,
        ];
        assert_eq!(change_publishers(&p, &all), ["ldap"]);
        assert_eq!(change_publishers(&p, &[AttrPath::LAST_MODIFIED]), ["cis"]);
        assert!(change_publishers(&p, &[]).is_empty());
    }
}
