//! Scenarios for one user: the four lookups, `active`, `filterDisplay`, the metadata probe.

use cis_profile::Display;
use cis_profile::filter::{ScopeSet, filter};
use serde_json::json;

use super::Subject;
use crate::common::*;

pub async fn each_lookup_returns_the_profile_filtered_for_the_caller(subject: Subject) {
    let people = population(6);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let person = &people[0];
    let p = &person.profile;
    let paths = [
        format!("user_id/{}", encode(&person.user_id)),
        format!("uuid/{}", p.uuid().unwrap()),
        format!("primary_email/{}", encode(p.primary_email().unwrap())),
        format!("primary_username/{}", encode(p.primary_username().unwrap())),
    ];
    for path in &paths {
        let body = app.get_as(&format!("/v2/user/{path}"), FULL).await.ok();
        assert_eq!(body, p.to_value(), "{path}: everything, unchanged");
        let scopes = ["classification:workgroup", "display:staff"];
        let body = app.get_as(&format!("/v2/user/{path}"), &scopes).await.ok();
        assert_eq!(
            body,
            filter(p, &ScopeSet::from_scopes(&scopes), None),
            "{path}"
        );
        assert_ne!(body, p.to_value());
    }
    // the id is decoded once: a pipe may come encoded or not
    let raw = format!("/v2/user/user_id/{}", person.user_id);
    assert_eq!(
        app.get_as(&raw, FULL).await.ok()["user_id"]["value"],
        json!(person.user_id)
    );
}

pub async fn absent_users_and_users_in_another_active_state_are_404(subject: Subject) {
    let people = population(5);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let inactive = &people[4];
    assert!(!inactive.active);
    let uri = format!("/v2/user/user_id/{}", encode(&inactive.user_id));
    let description = app
        .get_as(&uri, FULL)
        .await
        .assert_error(404, "user_not_found");
    assert!(description.contains(&inactive.user_id), "{description}");
    for active in ["false", "FALSE", "any", "Any"] {
        let body = app
            .get_as(&format!("{uri}?active={active}"), FULL)
            .await
            .ok();
        assert_eq!(body["active"]["value"], json!(false), "{active}");
    }
    app.get_as(&format!("{uri}?active=true"), FULL)
        .await
        .assert_error(404, "user_not_found");
    let active_user = format!("/v2/user/uuid/{}", people[0].profile.uuid().unwrap());
    app.get_as(&format!("{active_user}?active=false"), FULL)
        .await
        .assert_error(404, "user_not_found");
    app.get_as(&format!("{active_user}?active=True"), FULL)
        .await
        .ok();
    for (kind, id) in [
        ("user_id", "nobody"),
        ("uuid", "x"),
        ("primary_email", "no@x"),
        ("primary_username", "r--x"),
    ] {
        app.get_as(&format!("/v2/user/{kind}/{id}"), FULL)
            .await
            .assert_error(404, "user_not_found");
    }
    for bad in ["maybe", "", "1"] {
        app.get_as(&format!("{active_user}?active={bad}"), FULL)
            .await
            .assert_error(400, "invalid_request");
    }
}

pub async fn filter_display_narrows_and_unknown_levels_are_400(subject: Subject) {
    let people = population(2);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let p = &people[0].profile;
    let uri = format!("/v2/user/uuid/{}", p.uuid().unwrap());
    let full = ScopeSet::from_scopes(FULL);
    for (text, level) in [
        ("PUBLIC", Display::Public),
        ("staff", Display::Staff),
        ("Private", Display::Private),
    ] {
        let body = app
            .get_as(&format!("{uri}?filterDisplay={text}"), FULL)
            .await
            .ok();
        assert_eq!(body, filter(p, &full, Some(level)), "{text}");
    }
    // narrow only: a public-only caller gains nothing from filterDisplay=private
    let public = ScopeSet::from_scopes(&["display:public"]);
    let body = app
        .get_as(&format!("{uri}?filterDisplay=private"), &["display:public"])
        .await
        .ok();
    assert_eq!(body, filter(p, &public, Some(Display::Private)));
    for bad in ["map", "none", "", "all"] {
        let answer = app
            .get_as(&format!("{uri}?filterDisplay={bad}"), FULL)
            .await;
        let description = answer.assert_error(400, "invalid_request");
        assert!(description.contains("filterDisplay"), "{description}");
    }
}

pub async fn metadata_tells_whether_cis_and_ldap_know_an_email(subject: Subject) {
    let people = population(5);
    store_all(&*subject.vault, &people).await;
    let mut no_ldap = user(100);
    set(
        &mut no_ldap,
        "access_information.ldap",
        serde_json::Value::Null,
    );
    let mut empty_ldap = user(101);
    set(&mut empty_ldap, "access_information.ldap", json!({}));
    store(&*subject.vault, no_ldap.clone()).await;
    store(&*subject.vault, empty_ldap.clone()).await;
    let app = app(subject.vault);
    let cases = [
        (people[0].profile.primary_email().unwrap(), true, true),
        (people[4].profile.primary_email().unwrap(), true, true), // inactive: still known
        (no_ldap.primary_email().unwrap(), true, false),
        (empty_ldap.primary_email().unwrap(), true, true), // {} counts as LDAP, as in the original
        ("nobody@example.com", false, false),
    ];
    for (email, cis, ldap) in cases {
        let uri = format!("/v2/user/metadata/{}", encode(email));
        let body = app.get_as(&uri, &[]).await.ok();
        assert_eq!(
            body,
            json!({"exists": {"cis": cis, "ldap": ldap}}),
            "{email}"
        );
    }
    let uri = format!(
        "/v2/user/metadata/{}",
        encode(people[0].profile.primary_email().unwrap())
    );
    app.get(&uri, None)
        .await
        .assert_error(401, "authorization_header_missing");
}
