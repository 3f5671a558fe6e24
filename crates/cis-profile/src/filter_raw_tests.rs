use super::*;
use crate::filter::filter;
use crate::profile::Profile;
use serde_json::{Value, json};

const SCOPES: [&str; 6] = [
    "classification:public display:public",
    "classification:mozilla_confidential classification:workgroup display:staff display:ndaed",
    "classification:individual display:none",
    "read:fullprofile display:vouched",
    "classification:workgroup:staff_only display:all",
    "read:fullprofile display:all",
];

/// The parsed path's answer for a stored text (`None` when `from_stored` refuses it).
fn parsed(text: &str, scopes: &ScopeSet, level: Option<Display>) -> Option<Value> {
    let value = serde_json::from_str(text).ok()?;
    let profile = Profile::from_stored(value).ok()?;
    Some(filter(&profile, scopes, level))
}

fn raw(text: &str, scopes: &ScopeSet, level: Option<Display>) -> Option<Value> {
    let out = filter_raw(text, scopes, level).ok()?;
    Some(serde_json::from_str(&out).unwrap())
}

fn with_metadata(member: &str, value: Value) -> String {
    let mut doc = Profile::null().to_value();
    doc["staff_information"]["title"]["metadata"][member] = value;
    doc["fun_title"]["metadata"]["display"] = json!("public");
    doc.to_string()
}

fn assert_same(text: &str) {
    for scopes in SCOPES {
        let scopes = ScopeSet::parse(scopes);
        for level in [None, Some(Display::Public), Some(Display::Staff)] {
            assert_eq!(
                raw(text, &scopes, level),
                parsed(text, &scopes, level),
                "{scopes:?} {level:?}"
            );
        }
    }
}

#[test]
fn odd_labels_are_decided_as_the_parsed_filter_decides() {
    for (member, value) in [
        (
            "classification",
            json!("Mozilla Confidential - Specific Work Groups Only"),
        ),
        (
            "classification",
            json!("Mozilla Confidential - Staff and NDA'd Mozillians Only"),
        ),
        ("classification", json!("SECRET")),
        ("classification", json!(null)),
        ("classification", json!(3)),
        ("classification", json!("PUB\u{4c}IC")),
        ("display", json!(null)),
        ("display", json!("everyone")),
        ("display", json!(7)),
        ("display", json!("")),
        ("display", json!(["public"])),
    ] {
        assert_same(&with_metadata(member, value));
    }
}

#[test]
fn missing_labels_are_decided_as_the_parsed_filter_decides() {
    for member in ["classification", "display"] {
        let mut doc = Profile::null().to_value();
        doc["staff_information"]["title"]["metadata"]
            .as_object_mut()
            .unwrap()
            .remove(member);
        assert_same(&doc.to_string());
    }
}

#[test]
fn escaped_member_names_are_read_and_written_correctly() {
    let text = Profile::null()
        .to_json()
        .replacen("\"schema\"", "\"sch\\u0065ma\"", 1)
        .replacen("\"display\":\"public\"", "\"d\\u0069splay\":\"public\"", 1);
    assert!(text.contains("sch\\u0065ma"));
    assert_same(&text);
}

#[test]
fn member_names_that_need_escapes_are_written_escaped() {
    for name in [
        "say \"hi\"",
        "back\\slash",
        "tab\there",
        "caf\u{e9} \u{2603}",
    ] {
        let mut doc = Profile::null().to_value();
        doc["fun_title"]["metadata"]["display"] = json!("public");
        doc["fun_title"]["metadata"]["classification"] = json!("PUBLIC");
        doc["fun_title"][name] = json!("kept as it is");
        let text = doc.to_string();
        assert_same(&text);
        let everyone = ScopeSet::parse("classification:public display:public");
        let out = filter_raw(&text, &everyone, None).unwrap();
        let kept: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(kept["fun_title"][name], "kept as it is", "{out}");
    }
}

#[test]
fn texts_from_stored_refuses_are_refused() {
    let mut unknown = Profile::null().to_value();
    unknown["nickname"] = json!({});
    let mut flat_group = Profile::null().to_value();
    flat_group["staff_information"] = json!([]);
    let mut no_metadata = Profile::null().to_value();
    no_metadata["fun_title"]
        .as_object_mut()
        .unwrap()
        .remove("metadata");
    let mut no_payload = Profile::null().to_value();
    no_payload["fun_title"]
        .as_object_mut()
        .unwrap()
        .remove("value");
    let mut list_metadata = Profile::null().to_value();
    list_metadata["fun_title"]["metadata"] = json!(["PUBLIC", "public"]);
    let public = ScopeSet::parse("display:public");
    for doc in [
        unknown,
        flat_group,
        no_metadata,
        no_payload,
        list_metadata,
        json!([]),
    ] {
        let text = doc.to_string();
        assert_eq!(parsed(&text, &public, None), None);
        assert!(filter_raw(&text, &public, None).is_err(), "{doc}");
    }
    assert!(filter_raw("{\"schema\":", &public, None).is_err());
}

#[test]
fn duplicate_members_are_left_to_the_parsed_path() {
    let text = Profile::null().to_json();
    let public = ScopeSet::parse("display:public");
    for dup in [
        text.replacen("{\"schema\":", "{\"schema\":\"x\",\"schema\":", 1),
        text.replacen("\"title\":", "\"title\":{},\"title\":", 1),
        text.replacen(
            "\"classification\":",
            "\"classification\":\"PUBLIC\",\"classification\":",
            1,
        ),
    ] {
        assert!(filter_raw(&dup, &public, None).is_err());
    }
}

#[test]
fn nothing_to_remove_passes_the_text_through_untouched() {
    let text = format!(" {} ", Profile::null().to_json());
    let out = filter_raw(
        &text,
        &ScopeSet::parse("read:fullprofile display:all"),
        None,
    )
    .unwrap();
    assert!(matches!(out, Cow::Borrowed(t) if t == text));
    let out = filter_raw(
        &text,
        &ScopeSet::parse("read:fullprofile display:all"),
        Some(Display::Staff),
    );
    assert!(matches!(out, Ok(Cow::Owned(_))));
}
