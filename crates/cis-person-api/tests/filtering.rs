//! Scope sets × attributes: which fields a caller gets, through the routes. The table of
//! fixtures/vectors/filtering.json (12 scope sets × every attribute, produced by the original), and the
//! original's worked examples (reference §1.4) on a fake profile whose metadata the rows need.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use cis_identity_vault::MemoryVault;
use cis_person_api::Caller;
use cis_profile::{AttrPath, Display};
use common::*;
use serde_json::{Value, json};

fn level(case: &Value) -> Option<Display> {
    case["filterDisplay"]
        .as_str()
        .map(|l| Display::parse(l).unwrap())
}

fn scopes_of(case: &Value) -> Vec<&str> {
    case["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

fn present(body: &Value, dotted: &str) -> bool {
    match dotted.split_once('.') {
        Some((group, leaf)) => body[group].get(leaf).is_some(),
        None => body.get(dotted).is_some(),
    }
}

/// Every case: the kept attributes are there, the removed ones are gone, groups stay (possibly `{}`),
/// `schema` stays; the same on the single-user route and on both forms of `/v2/users`.
#[tokio::test]
async fn the_filtering_vector_holds_on_every_profile_route() {
    let vector = fixture_json("vectors/filtering.json");
    let profile = filtering_profile(&vector);
    let vault = Arc::new(MemoryVault::new());
    store(&*vault, profile.clone()).await;
    let app = app(vault);
    let user_id = encode(profile.user_id().unwrap());
    let email = encode(profile.primary_email().unwrap());
    for case in vector["cases"].as_array().unwrap() {
        let scopes = scopes_of(case);
        let display = case["filterDisplay"]
            .as_str()
            .map(|d| format!("filterDisplay={d}"));
        let query = |base: &str| match &display {
            Some(d) if base.contains('?') => format!("{base}&{d}"),
            Some(d) => format!("{base}?{d}"),
            None => base.to_owned(),
        };
        let single = app
            .get_as(&query(&format!("/v2/user/user_id/{user_id}")), &scopes)
            .await
            .ok();
        for dotted in case["expected_kept"].as_array().unwrap() {
            let dotted = dotted.as_str().unwrap();
            assert!(
                present(&single, dotted),
                "{scopes:?} {display:?}: {dotted} kept"
            );
        }
        for dotted in case["expected_removed"].as_array().unwrap() {
            let dotted = dotted.as_str().unwrap();
            assert!(
                !present(&single, dotted),
                "{scopes:?} {display:?}: {dotted} removed"
            );
        }
        for group in ["identities", "access_information", "staff_information"] {
            let empty = case["empty_groups"]
                .as_array()
                .unwrap()
                .contains(&json!(group));
            assert!(single[group].is_object(), "groups are never removed");
            assert_eq!(single[group] == json!({}), empty, "{scopes:?}: {group}");
        }
        assert_eq!(single["schema"], profile.to_value()["schema"]);
        let by_email = app
            .get_as(&query(&format!("/v2/users?primaryEmail={email}")), &scopes)
            .await
            .ok();
        assert_eq!(by_email["Items"], json!([single]), "{scopes:?}");
        let page = app.get_as(&query("/v2/users"), &scopes).await.ok();
        assert_eq!(page["Items"], json!([single]), "{scopes:?}");
    }
}

/// The one-attribute visibility rule (used by the search and the id listing) agrees with the filter.
#[test]
fn one_attribute_visibility_agrees_with_the_filtering_vector() {
    let vector = fixture_json("vectors/filtering.json");
    let profile = filtering_profile(&vector);
    for case in vector["cases"].as_array().unwrap() {
        let caller = Caller::with_scopes(&scopes_of(case));
        for (list, kept) in [("expected_kept", true), ("expected_removed", false)] {
            for dotted in case[list].as_array().unwrap() {
                let path = AttrPath::parse(dotted.as_str().unwrap()).unwrap();
                let attr = profile.attr(path).unwrap();
                assert_eq!(caller.sees(attr, level(case)), kept, "{case} {dotted}");
            }
        }
    }
}

/// Reference §1.4's worked examples (and a few more rows): access_provider is WORKGROUP CONFIDENTIAL with
/// display null, cost_center STAFF ONLY / staff, title MOZILLA CONFIDENTIAL / staff, uuid PUBLIC / public.
#[tokio::test]
async fn the_worked_examples_table_holds_for_a_single_user() {
    let mut profile = user(7);
    set(
        &mut profile,
        "access_information.access_provider",
        json!({"auth0": null}),
    );
    set(
        &mut profile,
        "staff_information.cost_center",
        json!("1234 - IAM"),
    );
    set(&mut profile, "staff_information.title", json!("Engineer"));
    let metadata = [
        (
            "access_information.access_provider",
            "WORKGROUP CONFIDENTIAL",
            Value::Null,
        ),
        (
            "staff_information.cost_center",
            "WORKGROUP CONFIDENTIAL: STAFF ONLY",
            json!("staff"),
        ),
        (
            "staff_information.title",
            "MOZILLA CONFIDENTIAL",
            json!("staff"),
        ),
        ("uuid", "PUBLIC", json!("public")),
    ];
    for (dotted, classification, display) in metadata {
        set_meta(&mut profile, dotted, classification, display);
    }
    let vault = Arc::new(MemoryVault::new());
    store(&*vault, profile.clone()).await;
    let app = app(vault);
    let base = format!("/v2/user/uuid/{}", profile.uuid().unwrap());
    let sc = "classification:workgroup:staff_only";
    // scopes, filterDisplay, then access_provider, cost_center, title, uuid
    let table: [(&[&str], &str, [bool; 4]); 11] = [
        (
            &["read:fullprofile", "display:all"],
            "",
            [true, true, true, true],
        ),
        (
            &["read:fullprofile", "display:public"],
            "",
            [false, false, false, true],
        ),
        (
            &["read:fullprofile", "display:staff"],
            "",
            [false, true, true, true],
        ),
        (&["display:all"], "", [false, false, false, true]),
        (&[sc, "display:all"], "", [false, true, false, true]),
        (
            &[sc, "classification:mozilla_confidential", "display:all"],
            "",
            [false, true, true, true],
        ),
        (
            &["read:fullprofile", "display:staff"],
            "public",
            [false, false, false, true],
        ),
        (
            &["read:fullprofile", "display:public"],
            "staff",
            [false, false, false, true],
        ),
        (
            &["classification:workgroup", "display:none"],
            "",
            [true, false, false, true],
        ),
        (
            &["classification:workgroup", "display:all"],
            "",
            [true, false, false, true],
        ),
        (&[sc, "display:staff"], "", [false, true, false, true]),
    ];
    let fields = [
        "access_information.access_provider",
        "staff_information.cost_center",
        "staff_information.title",
        "uuid",
    ];
    for (scopes, filter_display, expected) in table {
        let uri = if filter_display.is_empty() {
            base.clone()
        } else {
            format!("{base}?filterDisplay={filter_display}")
        };
        let body = app.get_as(&uri, scopes).await.ok();
        for (field, want) in fields.iter().zip(expected) {
            assert_eq!(
                present(&body, field),
                want,
                "{scopes:?} {filter_display}: {field}"
            );
        }
    }
}
