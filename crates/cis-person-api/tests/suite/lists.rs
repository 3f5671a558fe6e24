//! Scenarios for the listing routes: `/v2/users` and `/v2/users/id/all`, their filters and pagination.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use super::Subject;
use crate::common::*;

fn user_ids(items: &[Value], pointer: &str) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            item.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Asserts no duplicates and returns the set.
fn once_each(ids: Vec<String>) -> BTreeSet<String> {
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "a user appeared twice: {ids:?}");
    set
}

fn expected(people: &[Person], keep: impl Fn(&Person) -> bool) -> BTreeSet<String> {
    people
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.user_id.clone())
        .collect()
}

pub async fn v2_users_pages_visit_every_user_of_the_active_filter_exactly_once(subject: Subject) {
    let people = population(20);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let (items, pages) = app.walk("/v2/users", "Items", FULL).await;
    assert!(pages >= 3, "7 per page: {pages} pages");
    assert_eq!(
        once_each(user_ids(&items, "/user_id/value")),
        expected(&people, |p| p.active)
    );
    let by_id: HashMap<&str, &Person> = people.iter().map(|p| (p.user_id.as_str(), p)).collect();
    for item in &items {
        let person = by_id[item["user_id"]["value"].as_str().unwrap()];
        assert_eq!(
            item,
            &person.profile.to_value(),
            "full scopes: the profile as stored"
        );
    }
    let (items, _) = app.walk("/v2/users?active=any", "Items", FULL).await;
    assert_eq!(
        once_each(user_ids(&items, "/user_id/value")),
        expected(&people, |_| true)
    );
    let (items, _) = app.walk("/v2/users?active=False", "Items", FULL).await;
    assert_eq!(
        once_each(user_ids(&items, "/user_id/value")),
        expected(&people, |p| !p.active)
    );
    // scopes apply to every item
    let (items, _) = app.walk("/v2/users", "Items", &["display:public"]).await;
    assert!(
        items
            .iter()
            .all(|i| i.get("active").is_none() && i["uuid"]["value"].is_string())
    );
    app.get_as("/v2/users?active=nope", FULL)
        .await
        .assert_error(400, "invalid_request");
    app.get("/v2/users", None)
        .await
        .assert_error(401, "authorization_header_missing");
}

pub async fn users_added_during_a_walk_never_make_another_appear_twice(subject: Subject) {
    let people = population(15);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault.clone());
    let mut seen = Vec::new();
    let mut uri = "/v2/users?active=any".to_owned();
    let mut added = 0;
    loop {
        let body = app.get_as(&uri, FULL).await.ok();
        seen.extend(user_ids(
            body["Items"].as_array().unwrap(),
            "/user_id/value",
        ));
        for _ in 0..2 {
            added += 1;
            store(&*subject.vault, user(1_000 + added)).await;
        }
        match next_page(&body) {
            Some(next) => uri = with_next_page("/v2/users?active=any", &next),
            None => break,
        }
        assert!(added < 200, "the walk does not end");
    }
    let seen = once_each(seen);
    assert!(
        expected(&people, |_| true).is_subset(&seen),
        "every user present at the start is seen"
    );
}

pub async fn legacy_next_page_forms_continue_where_the_token_does(subject: Subject) {
    let people = population(12);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let first = app.get_as("/v2/users?active=any", FULL).await.ok();
    let token = page_token(&first).unwrap();
    let after = token_user_id(&token);
    let by_token = app
        .get_as(&with_next_page("/v2/users?active=any", &token), FULL)
        .await
        .ok();
    assert!(!by_token["Items"].as_array().unwrap().is_empty());
    // The original's values (an object holding a user_id) and the forms clients send the token back in.
    let json_form = json!({"id": after}).to_string();
    let python_form = format!("{{'id': '{after}'}}");
    let token_object = next_page(&first).unwrap();
    let token_python = format!("{{'id': '{token}'}}");
    for legacy in [json_form, python_form, token_object, token_python] {
        let body = app
            .get_as(&with_next_page("/v2/users?active=any", &legacy), FULL)
            .await
            .ok();
        assert_eq!(body, by_token, "{legacy}");
    }
}

pub async fn primary_email_gives_that_user_without_a_next_page(subject: Subject) {
    let people = population(5);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let email = encode(people[1].profile.primary_email().unwrap());
    let body = app
        .get_as(&format!("/v2/users?primaryEmail={email}"), FULL)
        .await
        .ok();
    assert_eq!(
        body,
        json!({"Items": [people[1].profile.to_value()], "nextPage": null})
    );
    let inactive = encode(people[4].profile.primary_email().unwrap());
    let body = app
        .get_as(&format!("/v2/users?primaryEmail={inactive}"), FULL)
        .await
        .ok();
    assert_eq!(body, json!({"Items": [], "nextPage": null}));
    let body = app
        .get_as(
            &format!("/v2/users?primaryEmail={inactive}&active=any"),
            FULL,
        )
        .await
        .ok();
    assert_eq!(body["Items"].as_array().unwrap().len(), 1);
    let body = app
        .get_as("/v2/users?primaryEmail=nobody%40example.com", FULL)
        .await
        .ok();
    assert_eq!(body, json!({"Items": [], "nextPage": null}));
}

pub async fn tokens_are_bound_to_the_route_that_issued_them(subject: Subject) {
    let people = population(12);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let users_token = page_token(&app.get_as("/v2/users?active=any", FULL).await.ok());
    let ids_uri = "/v2/users/id/all?connectionMethod=ad&active=any";
    let ids_token = page_token(
        &app.get_as("/v2/users/id/all?connectionMethod=email&active=any", FULL)
            .await
            .ok(),
    );
    let users_token = users_token.as_deref().unwrap();
    let answer = app
        .get_as(&with_next_page(ids_uri, users_token), FULL)
        .await;
    let description = answer.assert_error(400, "invalid_request");
    assert!(description.contains("/v2/users"), "{description}");
    if let Some(ids_token) = ids_token.as_deref() {
        let answer = app
            .get_as(&with_next_page("/v2/users", ids_token), FULL)
            .await;
        answer.assert_error(400, "invalid_request");
    }
    let search = "/v2/users/id/all/by_attribute_contains?staff_information.staff=true";
    app.get_as(&with_next_page(search, users_token), SEARCHER)
        .await
        .assert_error(400, "invalid_request");
    for garbage in ["garbage", "{'id': 5}", "eyJ2IjoxfQ"] {
        app.get_as(&with_next_page("/v2/users", garbage), FULL)
            .await
            .assert_error(400, "invalid_request");
    }
}

pub async fn ids_of_a_connection_are_listed_in_pages_with_the_active_filter(subject: Subject) {
    let people = population(30);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let prefix_of = |p: &Person| p.user_id.split('|').next().unwrap().to_owned();
    let methods: BTreeSet<String> = people.iter().map(prefix_of).collect();
    assert!(methods.len() >= 3, "{methods:?}");
    let mut pages_seen = 0;
    for method in &methods {
        for (active, keep) in [
            ("", Some(true)),
            ("&active=any", None),
            ("&active=false", Some(false)),
        ] {
            let uri = format!(
                "/v2/users/id/all?connectionMethod={}{active}",
                encode(method)
            );
            let (items, pages) = app.walk(&uri, "users", FULL).await;
            pages_seen = pages_seen.max(pages);
            let want = expected(&people, |p| {
                prefix_of(p) == *method && keep.is_none_or(|a| p.active == a)
            });
            assert_eq!(once_each(user_ids(&items, "/user_id")), want, "{uri}");
            for item in &items {
                let person = people
                    .iter()
                    .find(|p| p.user_id == item["user_id"])
                    .unwrap();
                let keys: Vec<&str> = item
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert_eq!(keys, ["uuid", "user_id", "primary_email", "active"]);
                assert_eq!(item["uuid"], json!(person.profile.uuid()));
                assert_eq!(item["primary_email"], json!(person.profile.primary_email()));
                assert_eq!(item["active"], json!(person.active));
            }
        }
    }
    assert!(pages_seen >= 2, "5 per page");
    // a longer prefix narrows within the connection method
    let ldap = people
        .iter()
        .find(|p| p.user_id.starts_with("ad|"))
        .unwrap();
    let uri = format!(
        "/v2/users/id/all?connectionMethod={}&active=any",
        encode(&ldap.user_id)
    );
    let (items, _) = app.walk(&uri, "users", FULL).await;
    assert!(user_ids(&items, "/user_id").contains(&ldap.user_id));
    assert!(
        items
            .iter()
            .all(|i| i["user_id"].as_str().unwrap().starts_with(&ldap.user_id))
    );
    let (items, _) = app
        .walk(
            "/v2/users/id/all?connectionMethod=nosuchmethod",
            "users",
            FULL,
        )
        .await;
    assert!(items.is_empty());
}

pub async fn ids_show_primary_email_only_to_display_all_callers(subject: Subject) {
    let people = population(10);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let uri = "/v2/users/id/all?connectionMethod=ad&active=any";
    for scopes in [
        &["classification:public"][..],
        &[],
        &["read:fullprofile", "display:staff", "display:none"],
    ] {
        let (items, _) = app.walk(uri, "users", scopes).await;
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|i| i["primary_email"].is_null()
                && i["user_id"].is_string()
                && i["uuid"].is_string()),
            "{scopes:?}"
        );
    }
    let (items, _) = app.walk(uri, "users", &["display:all"]).await;
    assert!(items.iter().all(|i| i["primary_email"].is_string()));
    app.get(uri, None)
        .await
        .assert_error(401, "authorization_header_missing");
    for bad in [
        "/v2/users/id/all",
        "/v2/users/id/all?connectionMethod=",
        "/v2/users/id/all?active=any",
    ] {
        let description = app
            .get_as(bad, FULL)
            .await
            .assert_error(400, "invalid_request");
        assert!(description.contains("connectionMethod"), "{description}");
    }
    app.get_as("/v2/users/id/all?connectionMethod=ad&active=no", FULL)
        .await
        .assert_error(400, "invalid_request");
    // the original's leftover `cached` is accepted and ignored
    app.get_as("/v2/users/id/all?connectionMethod=ad&cached=true", FULL)
        .await
        .ok();
}
