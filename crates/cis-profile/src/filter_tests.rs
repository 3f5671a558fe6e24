//! Unit tests of the filter: legacy and unknown labels, display rules, scope parsing, groups.

use super::*;
use crate::attr::set_metadata;
use crate::catalogue::AttrPath;
use serde_json::json;

fn profile_with(dotted: &str, classification: &str, display: Value) -> (Profile, AttrPath) {
    let path = AttrPath::parse(dotted).unwrap();
    let mut p = Profile::null();
    let attr = p.attr_mut(path).unwrap();
    set_metadata(attr, "classification", json!(classification));
    set_metadata(attr, "display", display);
    (p, path)
}

fn kept(out: &Value, path: AttrPath) -> bool {
    out.pointer(&path.pointer()).is_some()
}

#[test]
fn legacy_labels_are_matched_by_their_scope() {
    let legacy = "Mozilla Confidential - Specific Work Groups Only";
    let (p, path) = profile_with("fun_title", legacy, json!("public"));
    assert!(kept(
        &filter(&p, &ScopeSet::parse("classification:workgroup"), None),
        path
    ));
    assert!(!kept(
        &filter(
            &p,
            &ScopeSet::parse("classification:workgroup:staff_only"),
            None
        ),
        path
    ));
}

#[test]
fn an_unknown_label_is_visible_only_with_read_fullprofile() {
    let (p, path) = profile_with("fun_title", "TOP SECRET", json!("public"));
    let every_classification = "classification:mozilla_confidential classification:workgroup \
        classification:workgroup:staff_only classification:individual";
    assert!(!kept(
        &filter(&p, &ScopeSet::parse(every_classification), None),
        path
    ));
    assert!(kept(
        &filter(&p, &ScopeSet::parse("read:fullprofile"), None),
        path
    ));
}

#[test]
fn private_display_needs_display_all() {
    let (p, path) = profile_with("first_name", "PUBLIC", json!("private"));
    assert!(!kept(
        &filter(&p, &ScopeSet::parse("display:private display:staff"), None),
        path
    ));
    assert!(kept(
        &filter(&p, &ScopeSet::parse("display:all"), None),
        path
    ));
}

#[test]
fn filter_display_only_narrows_and_always_removes_null_display() {
    let (p, path) = profile_with("first_name", "PUBLIC", Value::Null);
    let scopes = ScopeSet::parse("display:all");
    assert!(kept(&filter(&p, &scopes, None), path));
    assert!(!kept(&filter(&p, &scopes, Some(Display::Private)), path));
    let (p, path) = profile_with("first_name", "PUBLIC", json!("staff"));
    assert!(!kept(
        &filter(
            &p,
            &ScopeSet::parse("display:ndaed"),
            Some(Display::Private)
        ),
        path
    ));
    assert!(kept(&filter(&p, &scopes, Some(Display::Staff)), path));
    assert!(!kept(&filter(&p, &scopes, Some(Display::Ndaed)), path));
}

#[test]
fn scopes_match_exactly_and_case_sensitively() {
    let scopes = ScopeSet::parse("  Read:FullProfile   display:ALL  classification:workgroup ");
    assert!(!scopes.contains("read:fullprofile"));
    assert!(allowed_classifications(&scopes).is_some());
    assert!(allowed_displays(&scopes).is_some());
    assert!(scopes.contains("classification:workgroup"));
}

#[test]
fn groups_and_schema_are_never_removed() {
    let out = filter(
        &Profile::null(),
        &ScopeSet::default(),
        Some(Display::Public),
    );
    assert_eq!(out["identities"], json!({}));
    assert_eq!(out["access_information"], json!({}));
    assert_eq!(out["staff_information"], json!({}));
    assert_eq!(out["schema"], json!(crate::SCHEMA_URL));
}

#[test]
fn filter_display_sets_are_cumulative() {
    let staff = filter_display_set(Display::Staff);
    assert!(staff.contains(Some(Display::Public)) && staff.contains(Some(Display::Staff)));
    assert!(!staff.contains(Some(Display::Private)) && !staff.contains(None));
    assert!(!filter_display_set(Display::Public).contains(Some(Display::Authenticated)));
}

#[test]
fn display_text_that_is_not_a_level_is_visible_only_with_display_all() {
    let (p, path) = profile_with("first_name", "PUBLIC", json!("none"));
    assert!(!kept(
        &filter(&p, &ScopeSet::parse("display:none"), None),
        path
    ));
    assert!(kept(
        &filter(&p, &ScopeSet::parse("display:all"), None),
        path
    ));
    assert!(!kept(
        &filter(&p, &ScopeSet::parse("display:all"), Some(Display::Private)),
        path
    ));
}

#[test]
fn filtering_an_owned_profile_gives_the_same_output() {
    let (p, _) = profile_with("fun_title", "WORKGROUP CONFIDENTIAL", json!("vouched"));
    for scopes in [
        "",
        "classification:workgroup display:vouched",
        "read:fullprofile display:all",
    ] {
        let scopes = ScopeSet::parse(scopes);
        let level = Some(Display::Staff);
        assert_eq!(
            filter_into(p.clone(), &scopes, level),
            filter(&p, &scopes, level)
        );
    }
}
