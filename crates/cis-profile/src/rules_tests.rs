//! Unit tests of the publisher rules: the traps docs/contract/publisher-rules.md names, the `active` rule and the document
//! checks.

use super::*;
use crate::attr::{set_metadata, set_payload, set_publisher};
use serde_json::{Map, Value, json};

fn path(dotted: &str) -> AttrPath {
    AttrPath::parse(dotted).unwrap()
}

/// The null profile's attribute at `dotted` with a payload and a claimed publisher.
fn attr(dotted: &str, publisher: &str, payload: Value) -> Map<String, Value> {
    let p = path(dotted);
    let mut a = Profile::null().attr_or_null(p);
    set_payload(&mut a, p.kind(), payload);
    set_publisher(&mut a, publisher, "");
    a
}

fn decide(
    dotted: &str,
    previous: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Result<(), String> {
    PublisherRules::embedded()
        .may_publish(path(dotted), Attr(previous), Attr(new))
        .map_err(|e| e.to_string())
}

#[test]
fn the_embedded_document_parses_and_matches_the_rules_in_force() {
    let rules = PublisherRules::embedded();
    assert_ne!(rules, &PublisherRules::deny_all());
    assert_eq!(rules.creators(AttrPath::UUID), [Publisher::Cis]);
    assert_eq!(rules.updater(AttrPath::UUID), None);
    assert_eq!(
        rules.updater(AttrPath::PRIMARY_USERNAME),
        Some(Publisher::Mozilliansorg)
    );
    assert_eq!(
        rules.updater(path("identities.github_id_v3")),
        Some(Publisher::Mozilliansorg)
    );
    assert_eq!(rules.creators(path("ssh_public_keys")), [Publisher::Ldap]);
    assert_eq!(
        rules.updater(path("access_information.hris")),
        Some(Publisher::Hris)
    );
    assert_eq!(
        rules.creators(path("staff_information.title")),
        [Publisher::Ldap, Publisher::Hris]
    );
}

#[test]
fn a_creator_is_not_an_updater() {
    let jane = attr("first_name", "ldap", json!("Jane"));
    assert_eq!(
        decide(
            "first_name",
            &attr("first_name", "ldap", Value::Null),
            &jane
        ),
        Ok(())
    );
    let janet = attr("first_name", "ldap", json!("Janet"));
    assert_eq!(
        decide("first_name", &jane, &janet),
        Err("[update] ldap is NOT allowed to publish field first_name".into())
    );
}

#[test]
fn the_updater_gets_no_implicit_create_right() {
    let null = attr("primary_username", "cis", Value::Null);
    let new = attr(
        "primary_username",
        "mozilliansorg",
        json!("r--0CJPgp17WVytN_Vv7r11Gg=="),
    );
    assert_eq!(
        decide("primary_username", &null, &new),
        Err("[create] mozilliansorg is NOT allowed to publish field primary_username".into())
    );
}

#[test]
fn mozilliansorg_may_change_display_of_an_unchanged_value_it_does_not_own() {
    let stored = attr(
        "primary_email",
        "access_provider",
        json!("jane@example.com"),
    );
    for (publisher, expected) in [
        ("mozilliansorg", Ok(())),
        (
            "ldap",
            Err("[update] ldap is NOT allowed to publish field primary_email".to_string()),
        ),
        ("access_provider", Ok(())),
    ] {
        let mut new = attr("primary_email", publisher, json!("jane@example.com"));
        set_metadata(&mut new, "display", json!("public"));
        assert_eq!(
            decide("primary_email", &stored, &new),
            expected,
            "{publisher}"
        );
    }
    let mut changed_value = attr("primary_email", "mozilliansorg", json!("other@example.com"));
    set_metadata(&mut changed_value, "display", json!("public"));
    assert!(decide("primary_email", &stored, &changed_value).is_err());
}

#[test]
fn only_classification_or_timestamps_changed_is_allowed_for_anyone() {
    let stored = attr("first_name", "ldap", json!("Jane"));
    let mut new = attr("first_name", "hris", json!("Jane"));
    set_metadata(&mut new, "classification", json!("WORKGROUP CONFIDENTIAL"));
    set_metadata(&mut new, "last_modified", json!("2026-02-02T00:00:00.000Z"));
    assert_eq!(decide("first_name", &stored, &new), Ok(()));
}

#[test]
fn uuid_never_changes_whoever_claims_it() {
    let stored = attr("uuid", "cis", json!("d0224f82-9d7b-595c-ad37-f56feebd751a"));
    for publisher in ["cis", "mozilliansorg", "access_provider"] {
        let new = attr(
            "uuid",
            publisher,
            json!("f3f2dc00-05ef-548e-8e44-ae28b459cb2c"),
        );
        let err = decide("uuid", &stored, &new).unwrap_err();
        assert_eq!(
            err,
            format!("[update] {publisher} is NOT allowed to publish field uuid")
        );
    }
    let fresh = attr("uuid", "cis", json!("d0224f82-9d7b-595c-ad37-f56feebd751a"));
    assert_eq!(
        decide("uuid", &attr("uuid", "cis", Value::Null), &fresh),
        Ok(())
    );
}

#[test]
fn active_may_be_changed_by_the_directories_and_cis_only() {
    let on = attr("active", "cis", json!(true));
    for publisher in ["ldap", "hris", "access_provider", "cis"] {
        assert_eq!(
            decide("active", &on, &attr("active", publisher, json!(false))),
            Ok(()),
            "{publisher}"
        );
    }
    let err = decide(
        "active",
        &on,
        &attr("active", "mozilliansorg", json!(false)),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "[update] mozilliansorg is NOT allowed to publish field active"
    );
    // The mozilliansorg display exception does not extend to active.
    let mut shown = attr("active", "mozilliansorg", json!(true));
    set_metadata(&mut shown, "verified", json!(false));
    assert!(decide("active", &on, &shown).is_err());
    // Unchanged active passes whoever re-sends it.
    assert_eq!(
        decide("active", &on, &attr("active", "mozilliansorg", json!(true))),
        Ok(())
    );
    let create = decide(
        "active",
        &attr("active", "cis", Value::Null),
        &attr("active", "mozilliansorg", json!(true)),
    );
    assert_eq!(
        create,
        Err("[create] mozilliansorg is NOT allowed to publish field active".into())
    );
}

#[test]
fn an_unknown_claimed_publisher_is_rejected_and_named() {
    let new = attr("first_name", "evil", json!("Jane"));
    let err = PublisherRules::embedded()
        .may_publish(
            AttrPath::FIRST_NAME,
            Attr(&attr("first_name", "ldap", Value::Null)),
            Attr(&new),
        )
        .unwrap_err();
    assert_eq!(
        (err.operation, err.publisher.as_str(), err.path),
        (Operation::Create, "evil", AttrPath::FIRST_NAME)
    );
}

#[test]
fn check_profile_reports_the_first_rejection_in_canonical_order() {
    let mut new = Profile::null();
    new.set_attr(
        path("staff_information.title"),
        attr("staff_information.title", "mozilliansorg", json!("x")),
    );
    new.set_attr(
        AttrPath::FIRST_NAME,
        attr("first_name", "cis", json!("Jane")),
    );
    let err = PublisherRules::embedded()
        .check_profile(&Profile::null(), &new)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "[create] cis is NOT allowed to publish field first_name"
    );
    assert_eq!(
        PublisherRules::embedded().check_profile(&Profile::null(), &Profile::null()),
        Ok(())
    );
}

#[test]
fn may_sign_follows_create_then_update_rights() {
    let rules = PublisherRules::embedded();
    assert!(rules.may_sign(Publisher::Ldap, AttrPath::FIRST_NAME, true));
    assert!(!rules.may_sign(Publisher::Ldap, AttrPath::FIRST_NAME, false));
    assert!(rules.may_sign(Publisher::Mozilliansorg, AttrPath::FIRST_NAME, false));
    assert!(!rules.may_sign(Publisher::Mozilliansorg, AttrPath::PRIMARY_USERNAME, true));
    assert!(rules.may_sign(Publisher::Hris, AttrPath::ACTIVE, false));
    assert!(!rules.may_sign(Publisher::Mozilliansorg, AttrPath::ACTIVE, true));
    assert!(!rules.may_sign(Publisher::Cis, AttrPath::UUID, false));
}

fn edited(edit: impl FnOnce(&mut Value)) -> Result<PublisherRules, RulesDocumentError> {
    let mut doc: Value = serde_json::from_str(EMBEDDED_RULES_JSON).unwrap();
    edit(&mut doc);
    PublisherRules::from_json(&doc.to_string())
}

#[test]
fn a_document_missing_an_attribute_is_refused() {
    let err = edited(|d| {
        d["update"]
            .as_object_mut()
            .unwrap()
            .shift_remove("pronouns");
    });
    assert_eq!(
        err,
        Err(RulesDocumentError::MissingAttribute {
            section: "update",
            path: "pronouns"
        })
    );
    let err = edited(|d| {
        d["create"]["staff_information"]
            .as_object_mut()
            .unwrap()
            .shift_remove("team");
    });
    let path = "staff_information.team";
    assert_eq!(
        err,
        Err(RulesDocumentError::MissingAttribute {
            section: "create",
            path
        })
    );
}

#[test]
fn a_document_with_an_unknown_name_is_refused() {
    assert!(matches!(
        edited(|d| d["create"]["first_name"] = json!(["ldap", "evil"])),
        Err(RulesDocumentError::UnknownPublisher { .. })
    ));
    assert!(matches!(
        edited(|d| d["update"]["first_name"] = json!(["mozilliansorg"])),
        Err(RulesDocumentError::WrongShape { .. })
    ));
    assert!(matches!(
        edited(|d| d["create"]["_default_"] = json!(["ldap"])),
        Err(RulesDocumentError::UnknownAttribute { .. })
    ));
    assert!(matches!(
        edited(|d| d["update"]["identities"] = json!({"github_id_v5": "mozilliansorg"})),
        Err(RulesDocumentError::UnknownAttribute { .. })
    ));
    assert!(matches!(
        PublisherRules::from_json("{\"create\": {}}"),
        Err(RulesDocumentError::MissingSection("update"))
    ));
    assert!(matches!(
        PublisherRules::from_json("not json"),
        Err(RulesDocumentError::Json(_))
    ));
}

#[test]
fn a_group_entry_may_be_one_list_or_string_for_every_member() {
    let rules = edited(|d| d["create"]["staff_information"] = json!(["hris"])).unwrap();
    assert_eq!(
        rules.creators(path("staff_information.cost_center")),
        [Publisher::Hris]
    );
    let rules = edited(|d| d["update"]["staff_information"] = json!("")).unwrap();
    assert_eq!(rules.updater(path("staff_information.title")), None);
}
