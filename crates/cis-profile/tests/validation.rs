//! Validation verdicts of docs/contract/profile.md §4: the original schema's (§4.1), the stricter rules (§4.2), the lenient
//! structure check for stored profiles (§4.3), the signed fixture and fake profiles. Every verdict is taken twice —
//! from the parsed `Value` and from the borrowed tree `Profile::check` reads — and the two must be equal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_profile::fake::{fake_profile, fake_profiles};
use cis_profile::json::parse_strict;
use cis_profile::validate::validate_tree;
use cis_profile::{AttrPath, Profile, ProfileError, Violation};
use proptest::prelude::*;
use serde_json::{Value, json};

const SIGNED_PROFILE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/vectors/signed-profile.json"
));

/// The verdict on a parsed document, after asserting the borrowed-tree path over its text gives the same one
/// (and `Profile::check` the same as `Profile::parse`).
#[track_caller]
fn validate(doc: &Value) -> Result<(), Vec<Violation>> {
    let by_value = cis_profile::validate::validate(doc);
    let text = serde_json::to_vec(doc).unwrap();
    let tree =
        cis_profile::tree::parse(&text).expect("the borrowed reader takes serde_json's output");
    assert_eq!(
        validate_tree(&tree),
        by_value,
        "the borrowed tree disagrees"
    );
    assert_eq!(
        Profile::check(&text),
        Profile::parse(&text).map(drop),
        "check and parse disagree"
    );
    by_value
}

fn null() -> Value {
    Profile::null().to_value()
}

/// The null profile with the member at `pointer` replaced by `value`.
fn with(pointer: &str, value: Value) -> Value {
    let mut doc = null();
    *doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no member at {pointer}")) = value;
    doc
}

/// The null profile without the member at `pointer`.
fn without(pointer: &str) -> Value {
    let mut doc = null();
    let (parent, name) = pointer.rsplit_once('/').unwrap();
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .shift_remove(name)
        .unwrap();
    doc
}

/// The null profile with an extra member `name` in the object at `parent`.
fn with_extra(parent: &str, name: &str) -> Value {
    let mut doc = null();
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .insert(name.into(), json!("x"));
    doc
}

fn pointers(doc: &Value) -> Vec<String> {
    validate(doc)
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.pointer)
        .collect()
}

#[track_caller]
fn assert_valid(doc: &Value) {
    assert_eq!(validate(doc), Ok(()));
}

#[track_caller]
fn assert_rejected_at(doc: &Value, pointer: &str) {
    assert_eq!(pointers(doc), [pointer], "{:?}", validate(doc));
}

#[test]
fn the_null_profile_is_valid() {
    assert_valid(&null());
}

#[test]
fn a_missing_required_member_is_rejected_at_its_pointer() {
    let err = validate(&without("/pronouns")).unwrap_err();
    assert_eq!(
        err,
        [Violation::new("/pronouns", "required member missing")]
    );
    assert_rejected_at(&without("/first_name/metadata"), "/first_name/metadata");
    assert_rejected_at(&without("/first_name/value"), "/first_name/value");
    assert_rejected_at(&without("/usernames/values"), "/usernames/values");
    assert_rejected_at(
        &without("/first_name/metadata/verified"),
        "/first_name/metadata/verified",
    );
    assert_rejected_at(
        &without("/first_name/signature/additional"),
        "/first_name/signature/additional",
    );
    assert_rejected_at(
        &without("/first_name/signature/publisher/value"),
        "/first_name/signature/publisher/value",
    );
    assert_rejected_at(&without("/schema"), "/schema");
}

#[test]
fn identities_members_are_optional_but_other_group_members_are_not() {
    assert_valid(&without("/identities/github_id_v3"));
    assert_valid(&with("/identities", json!({})));
    assert_rejected_at(
        &without("/access_information/hris"),
        "/access_information/hris",
    );
    assert_rejected_at(
        &without("/staff_information/title"),
        "/staff_information/title",
    );
}

#[test]
fn an_extra_member_anywhere_is_rejected() {
    for (parent, name) in [
        ("", "nickname"),
        ("/identities", "myspace_id"),
        ("/identities", "metadata"),
        ("/staff_information", "signature"),
        ("/first_name", "extra"),
        ("/first_name", "values"),
        ("/usernames", "value"),
        ("/first_name/metadata", "extra"),
        ("/first_name/signature", "extra"),
        ("/first_name/signature/publisher", "kid"),
        ("/first_name/signature/additional/0", "kid"),
    ] {
        let pointer = format!("{parent}/{name}");
        let err = validate(&with_extra(parent, name)).unwrap_err();
        assert_eq!(err, [Violation::new(pointer, "unknown member")]);
    }
}

#[test]
fn wrongly_typed_members_are_rejected() {
    for (pointer, value) in [
        ("/user_id/value", json!({"id": "x"})),
        ("/user_id/value", json!(12)),
        ("/active/value", json!("yes")),
        ("/staff_information/staff/value", json!(1)),
        ("/first_name/metadata/verified", json!("false")),
        ("/first_name/metadata/created", json!(0)),
        ("/schema", json!(null)),
        ("/first_name", json!("Jane")),
        ("/identities", json!([])),
        ("/first_name/metadata", json!(null)),
        ("/first_name/signature", json!([])),
        ("/first_name/signature/publisher", json!("ldap")),
        ("/first_name/signature/additional", json!({})),
        ("/first_name/signature/publisher/value", json!(null)),
    ] {
        assert_rejected_at(&with(pointer, value), pointer);
    }
}

#[test]
fn display_and_classification_follow_the_per_attribute_rules() {
    let invalid = [
        ("/uuid/metadata/display", json!("private")),
        ("/primary_username/metadata/display", json!(null)),
        ("/active/metadata/display", json!("public")),
        (
            "/identities/mozilla_ldap_id/metadata/display",
            json!("public"),
        ),
        ("/access_information/ldap/metadata/display", json!("public")),
        ("/access_information/hris/metadata/display", json!("staff")),
        (
            "/staff_information/cost_center/metadata/display",
            json!("ndaed"),
        ),
        ("/first_name/metadata/display", json!("none")),
        ("/first_name/metadata/display", json!("null")),
        ("/first_name/metadata/display", json!("Public")),
        (
            "/first_name/metadata/classification",
            json!("MOZILLA CONFIDENTIAL"),
        ),
        (
            "/first_name/metadata/classification",
            json!("INDIVIDUAL CONFIDENTIAL"),
        ),
        (
            "/first_name/metadata/classification",
            json!("Mozilla Confidential - Specific Work Groups Only"),
        ),
        ("/first_name/metadata/classification", json!(null)),
        (
            "/staff_information/cost_center/metadata/classification",
            json!("MOZILLA CONFIDENTIAL"),
        ),
    ];
    for (pointer, value) in invalid {
        assert_rejected_at(&with(pointer, value), pointer);
    }
    let valid = [
        ("/staff_information/title/metadata/display", json!("public")),
        (
            "/staff_information/title/metadata/classification",
            json!("PUBLIC"),
        ),
        (
            "/staff_information/team/metadata/classification",
            json!("INDIVIDUAL CONFIDENTIAL"),
        ),
        (
            "/identities/github_id_v3/metadata/classification",
            json!("MOZILLA CONFIDENTIAL"),
        ),
        (
            "/access_information/ldap/metadata/display",
            json!("vouched"),
        ),
        ("/first_name/metadata/display", json!("private")),
        ("/first_name/metadata/display", json!(null)),
    ];
    for (pointer, value) in valid {
        assert_valid(&with(pointer, value));
    }
}

#[test]
fn the_claimed_publisher_must_be_one_of_the_five_and_alg_typ_from_their_enums() {
    let publisher = "/first_name/signature/publisher";
    for (member, value) in [
        ("name", json!("evil")),
        ("name", json!(null)),
        ("typ", json!("JWT")),
        ("alg", json!("none")),
    ] {
        let pointer = format!("{publisher}/{member}");
        assert_rejected_at(&with(&pointer, value), &pointer);
    }
    assert_valid(&with(
        "/first_name/signature/publisher/alg",
        json!("ED25519"),
    ));
    assert_valid(&with("/first_name/signature/publisher/typ", json!("PGP")));
}

#[test]
fn additional_signatures_may_be_empty_or_name_anyone() {
    assert_valid(&with("/first_name/signature/additional", json!([])));
    let item = |name: Value| json!([{"alg": "RS256", "typ": "JWS", "name": name, "value": ""}]);
    assert_valid(&with(
        "/first_name/signature/additional",
        item(json!("someone else")),
    ));
    assert_valid(&with("/first_name/signature/additional", item(json!(null))));
    assert_rejected_at(
        &with("/first_name/signature/additional", item(json!(3))),
        "/first_name/signature/additional/0/name",
    );
    let two = json!([{"alg": "RS256", "typ": "JWS", "name": null, "value": ""}, {"alg": "RS256", "typ": "JWT", "name": null, "value": ""}]);
    assert_rejected_at(
        &with("/first_name/signature/additional", two),
        "/first_name/signature/additional/1/typ",
    );
}

#[test]
fn timestamps_must_be_rfc3339_date_times_with_a_zone() {
    for good in [
        "1970-01-01T00:00:00Z",
        "2026-01-15T10:00:00.000Z",
        "2026-01-15T10:00:00+01:00",
    ] {
        assert_valid(&with("/first_name/metadata/created", json!(good)));
        assert_valid(&with("/first_name/metadata/last_modified", json!(good)));
        assert_valid(&with("/created/value", json!(good)));
        assert_valid(&with("/last_modified/value", json!(good)));
    }
    for bad in ["2019-02-05T12:11:52", "yesterday", ""] {
        for pointer in [
            "/first_name/metadata/created",
            "/staff_information/team/metadata/last_modified",
            "/created/value",
            "/last_modified/value",
        ] {
            assert_rejected_at(&with(pointer, json!(bad)), pointer);
        }
    }
    // Only the two timestamp attributes carry a date-time value.
    assert_valid(&with("/first_name/value", json!("yesterday")));
}

#[test]
fn values_maps_hold_strings_or_null_only() {
    assert_valid(&with(
        "/usernames/values",
        json!({"github": "jdoe", "irc": null, "": ""}),
    ));
    assert_valid(&with("/languages/values", json!({})));
    assert_rejected_at(
        &with("/usernames/values", json!({"github": 1})),
        "/usernames/values/github",
    );
    assert_rejected_at(&with("/tags/values", json!({"a": true})), "/tags/values/a");
    assert_rejected_at(
        &with("/uris/values", json!({"a/b~c": []})),
        "/uris/values/a~1b~0c",
    );
    assert_rejected_at(
        &with("/usernames/values", json!(["jdoe"])),
        "/usernames/values",
    );
    assert_rejected_at(
        &with("/usernames/values", json!("jdoe")),
        "/usernames/values",
    );
}

#[test]
fn access_information_maps_hold_scalars_only() {
    let hris = json!({"employee_id": 59823, "worker_type": "Employee", "is_manager": false, "x": null, "rate": 1.5});
    assert_valid(&with("/access_information/hris/values", hris));
    assert_valid(&with(
        "/access_information/ldap/values",
        json!({"team_moco": null}),
    ));
    assert_rejected_at(
        &with("/access_information/hris/values", json!({"a": {}})),
        "/access_information/hris/values/a",
    );
    assert_rejected_at(
        &with("/access_information/ldap/values", json!({"a": [1]})),
        "/access_information/ldap/values/a",
    );
    assert_rejected_at(
        &with("/access_information/ldap/values", json!(["a"])),
        "/access_information/ldap/values",
    );
}

#[test]
fn every_violation_is_reported_in_document_order() {
    let mut doc = with("/first_name/metadata/display", json!("none"));
    *doc.pointer_mut("/active/value").unwrap() = json!("yes");
    doc.as_object_mut().unwrap().shift_remove("pronouns");
    *doc.pointer_mut("/staff_information/title/signature/publisher/name")
        .unwrap() = json!("evil");
    assert_eq!(
        pointers(&doc),
        [
            "/active/value",
            "/first_name/metadata/display",
            "/staff_information/title/signature/publisher/name",
            "/pronouns",
        ]
    );
}

#[test]
fn a_document_that_is_not_an_object_is_rejected_at_the_root() {
    for doc in [json!([]), json!(null), json!("profile")] {
        assert_rejected_at(&doc, "");
    }
}

#[test]
fn strict_json_rejects_duplicate_members_and_huge_integers() {
    let text = Profile::null()
        .to_json()
        .replacen("{", r#"{"schema": "x", "#, 1);
    let err = Profile::parse(text.as_bytes()).unwrap_err();
    assert_eq!(Profile::check(text.as_bytes()), Err(err.clone()));
    assert!(
        matches!(&err, ProfileError::Json(e) if e.message.contains("duplicate member `schema`")),
        "{err}"
    );

    let mut doc = null();
    *doc.pointer_mut("/access_information/hris/values").unwrap() = json!({"employee_id": 1});
    let text = doc.to_string().replace(
        r#""employee_id":1"#,
        r#""employee_id":123456789012345678901234567890"#,
    );
    let err = Profile::parse(text.as_bytes()).unwrap_err();
    assert_eq!(Profile::check(text.as_bytes()), Err(err.clone()));
    assert!(
        matches!(&err, ProfileError::Json(e) if e.message.contains("64-bit")),
        "{err}"
    );
}

#[test]
fn parse_reports_violations_of_both_layers() {
    let text = with("/first_name/metadata/created", json!("yesterday")).to_string();
    let err = Profile::parse(text.as_bytes()).unwrap_err();
    assert_eq!(err.violations()[0].pointer, "/first_name/metadata/created");
}

#[test]
fn the_signed_profile_fixture_is_valid() {
    let profile = Profile::parse(SIGNED_PROFILE.as_bytes()).unwrap();
    let by_serde = Profile::from_value(parse_strict(SIGNED_PROFILE.as_bytes()).unwrap());
    assert_eq!(Ok(&profile), by_serde.as_ref());
    assert_eq!(
        profile.user_id(),
        Some("email|cad386a33d63274af9954fc0b4799f45")
    );
}

#[test]
fn fake_profiles_are_valid_for_200_seeds() {
    for (seed, profile) in fake_profiles(0, 200).enumerate() {
        assert_eq!(validate(&profile.to_value()), Ok(()), "seed {seed}");
        let reparsed = Profile::parse(profile.to_json().as_bytes()).unwrap();
        assert_eq!(Profile::check(profile.to_json_pretty().as_bytes()), Ok(()));
        // The borrowed-tree parse builds exactly what the serde_json path builds.
        let text = profile.to_json_pretty();
        let by_serde = Profile::from_value(parse_strict(text.as_bytes()).unwrap());
        assert_eq!(Profile::parse(text.as_bytes()), by_serde, "seed {seed}");
        assert_eq!(reparsed, profile, "seed {seed}");
    }
}

#[test]
fn fake_profiles_are_what_a_publisher_sends_for_a_new_user() {
    for profile in fake_profiles(1000, 50) {
        assert_eq!(profile.uuid(), None);
        assert_eq!(profile.primary_username(), None);
        assert_eq!(profile.active(), Some(true));
        let user_id = profile.user_id().unwrap();
        let shapes = [
            "ad|Mozilla-LDAP|",
            "github|",
            "google-oauth2|",
            "oauth2|firefoxaccounts|",
            "email|",
        ];
        assert!(shapes.iter().any(|s| user_id.starts_with(s)), "{user_id}");
        for (path, attr) in profile.attrs().filter(|(_, a)| !a.is_null()) {
            assert_eq!(attr.token(), "", "{path}");
            assert!(attr.publisher().is_some(), "{path}");
        }
        let null = Profile::null();
        for (path, attr) in profile.attrs().filter(|(_, a)| a.is_null()) {
            assert_eq!(Some(attr.0), null.attr_map(path), "{path}");
        }
    }
}

#[test]
fn fake_profiles_are_deterministic_per_seed() {
    assert_eq!(fake_profile(7), fake_profile(7));
    assert_ne!(fake_profile(7), fake_profile(8));
    let batch: Vec<Profile> = fake_profiles(7, 3).collect();
    assert_eq!(batch, [fake_profile(7), fake_profile(8), fake_profile(9)]);
    let non_ascii = fake_profiles(0, 50)
        .filter(|p| !p.to_json().is_ascii())
        .count();
    assert!(non_ascii > 0);
}

/// The stored-profile check, taken from the `Value` and from the borrowed tree of its text (which must agree),
/// and `Profile::from_stored_text` against `from_stored` of serde_json's value.
#[track_caller]
fn check_structure(doc: &Value) -> Result<(), Vec<Violation>> {
    let by_value = cis_profile::validate::check_structure(doc);
    let text = doc.to_string();
    let tree = cis_profile::tree::parse(text.as_bytes()).unwrap();
    assert_eq!(cis_profile::validate::check_structure_tree(&tree), by_value);
    assert_eq!(
        Profile::from_stored_text(&text),
        Profile::from_stored(doc.clone())
    );
    by_value
}

#[test]
fn stored_texts_the_tree_refuses_are_read_as_serde_json_reads_them() {
    let text = Profile::null().to_json();
    let duplicate = text.replacen("{\"schema\":", "{\"schema\":\"x\",\"schema\":", 1);
    let value: Value = serde_json::from_str(&duplicate).unwrap();
    assert_eq!(
        Profile::from_stored_text(&duplicate),
        Profile::from_stored(value)
    );
    assert!(matches!(
        Profile::from_stored_text("{\"schema\":"),
        Err(ProfileError::Json(_))
    ));
    for profile in fake_profiles(11, 20) {
        assert_eq!(Profile::from_stored_text(&profile.to_json()), Ok(profile));
    }
}

#[test]
fn stored_profiles_are_checked_for_structure_only() {
    let legacy = with(
        "/first_name/metadata/classification",
        json!("Mozilla Confidential - Specific Work Groups Only"),
    );
    assert_eq!(check_structure(&legacy), Ok(()));
    assert_eq!(
        check_structure(&with(
            "/first_name/metadata/created",
            json!("2019-02-05T12:11:52")
        )),
        Ok(())
    );
    assert_eq!(
        check_structure(&without("/identities/github_id_v3")),
        Ok(())
    );
    assert_eq!(check_structure(&without("/pronouns")), Ok(()));
    assert!(Profile::from_stored(legacy).is_ok());

    let rejected_at = |doc: &Value| -> Vec<String> {
        check_structure(doc)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.pointer)
            .collect()
    };
    assert_eq!(rejected_at(&with_extra("", "nickname")), ["/nickname"]);
    assert_eq!(
        rejected_at(&with_extra("/identities", "myspace_id")),
        ["/identities/myspace_id"]
    );
    assert_eq!(
        rejected_at(&without("/first_name/metadata")),
        ["/first_name/metadata"]
    );
    assert_eq!(
        rejected_at(&with("/first_name/signature", json!(null))),
        ["/first_name/signature"]
    );
    assert_eq!(
        rejected_at(&without("/usernames/values")),
        ["/usernames/values"]
    );
    assert_eq!(
        rejected_at(&with("/staff_information", json!([]))),
        ["/staff_information"]
    );
    assert_eq!(rejected_at(&json!([])), [""]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_fake_seed_validates(seed in any::<u64>()) {
        prop_assert_eq!(validate(&fake_profile(seed).to_value()), Ok(()));
    }

    #[test]
    fn a_display_that_is_not_a_level_is_reported_at_its_pointer(
        seed in 0u64..1000,
        index in 0usize..53,
        display in "[a-zA-Z ]{0,12}",
    ) {
        prop_assume!(!["public", "authenticated", "vouched", "ndaed", "staff", "private"].contains(&display.as_str()));
        let path = AttrPath::all().nth(index).unwrap();
        let mut doc = fake_profile(seed).to_value();
        let pointer = format!("{}/metadata/display", path.pointer());
        *doc.pointer_mut(&pointer).unwrap() = json!(display);
        prop_assert_eq!(pointers(&doc), vec![pointer]);
    }
}
