//! Scenarios for `/v2/users/id/all/by_attribute_contains`: matching, negation, types, shapes, paging,
//! the `search:all` scope and visibility.

use std::collections::BTreeSet;

use cis_profile::Display;
use cis_profile::filter::{ScopeSet, filter};
use serde_json::{Value, json};

use super::Subject;
use crate::common::*;

const SEARCH: &str = "/v2/users/id/all/by_attribute_contains";

fn ids(items: &[Value]) -> BTreeSet<String> {
    let list: Vec<String> = items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let set: BTreeSet<String> = list.iter().cloned().collect();
    assert_eq!(set.len(), list.len(), "a user appeared twice");
    set
}

fn expected(people: &[Person], keep: impl Fn(&Person) -> bool) -> BTreeSet<String> {
    people
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.user_id.clone())
        .collect()
}

pub async fn search_finds_group_members_and_staff_in_pages(subject: Subject) {
    let people = population(20);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    type Rule = fn(&Person) -> bool;
    let cases: [(&str, Rule); 8] = [
        ("access_information.ldap=team_moco", |p| p.active && p.moco),
        ("not_access_information.ldap=team_moco", |p| {
            p.active && !p.moco
        }),
        ("access_information.ldap=team_moco&active=any", |p| p.moco),
        ("access_information.ldap=team_moco&active=FALSE", |p| {
            !p.active && p.moco
        }),
        ("staff_information.staff=true", |p| p.active && p.staff),
        ("staff_information.staff=False", |p| p.active && !p.staff),
        ("not_staff_information.staff=TRUE&active=any", |p| !p.staff),
        ("access_information.ldap=nosuchgroup", |_| false),
    ];
    let mut most_pages = 0;
    for (query, rule) in cases {
        let (items, pages) = app
            .walk(&format!("{SEARCH}?{query}"), "users", SEARCHER)
            .await;
        most_pages = most_pages.max(pages);
        assert!(
            items.iter().all(|i| i.as_object().unwrap().len() == 1),
            "ids only by default"
        );
        assert_eq!(ids(&items), expected(&people, rule), "{query}");
    }
    assert!(most_pages >= 2, "3 per page");
    let (items, _) = app
        .walk(
            &format!("{SEARCH}?staff_information.staff=true&fullProfiles=false"),
            "users",
            SEARCHER,
        )
        .await;
    assert_eq!(ids(&items), expected(&people, |p| p.active && p.staff));
}

pub async fn full_profile_search_answers_the_user_id_attribute_and_the_filtered_profile(
    subject: Subject,
) {
    let people = population(12);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let scopes = [
        "search:all",
        "read:fullprofile",
        "display:staff",
        "display:none",
    ];
    let uri =
        format!("{SEARCH}?access_information.ldap=team_moco&fullProfiles=TRUE&filterDisplay=Staff");
    let (items, _) = app.walk(&uri, "users", &scopes).await;
    let members = expected(&people, |p| p.active && p.moco);
    assert_eq!(items.len(), members.len());
    for item in &items {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["id", "profile"]);
        let user_id = item["id"]["value"].as_str().unwrap();
        assert!(members.contains(user_id));
        let person = people.iter().find(|p| p.user_id == user_id).unwrap();
        assert_eq!(
            item["id"],
            person.profile.to_value()["user_id"],
            "the stored user_id attribute"
        );
        let want = filter(
            &person.profile,
            &ScopeSet::from_scopes(&scopes),
            Some(Display::Staff),
        );
        assert_eq!(item["profile"], want);
    }
    for bad in [
        "fullProfiles=1",
        "fullProfiles=",
        "filterDisplay=everyone",
        "active=maybe",
    ] {
        let uri = format!("{SEARCH}?access_information.ldap=team_moco&{bad}");
        app.get_as(&uri, SEARCHER)
            .await
            .assert_error(400, "invalid_request");
    }
}

pub async fn search_needs_search_all_and_hides_what_the_caller_cannot_see(subject: Subject) {
    let people = population(12);
    store_all(&*subject.vault, &people).await;
    let app = app(subject.vault);
    let uri = format!("{SEARCH}?access_information.ldap=team_moco");
    let description = app
        .get_as(&uri, FULL)
        .await
        .assert_error(403, "scope_missing");
    assert_eq!(description, "This endpoint requires the search:all scope");
    app.get(&uri, None)
        .await
        .assert_error(401, "authorization_header_missing");
    // the searched attributes have display `staff`: a caller who cannot see them learns nothing
    let (items, _) = app
        .walk(&uri, "users", &["search:all", "display:public"])
        .await;
    assert!(items.is_empty());
    let (items, _) = app
        .walk(&format!("{uri}&filterDisplay=public"), "users", SEARCHER)
        .await;
    assert!(items.is_empty());
    let (items, _) = app
        .walk(&uri, "users", &["search:all", "display:staff"])
        .await;
    assert_eq!(ids(&items), expected(&people, |p| p.active && p.moco));
    let bad = [
        format!("{SEARCH}?active=true"),
        format!("{SEARCH}?staff_information.staff=true&access_information.ldap=team_moco"),
        format!("{SEARCH}?staff_information.staff=yes"),
        format!("{SEARCH}?first_name=Jane"),
        format!("{SEARCH}?access_information.ldap="),
    ];
    for uri in bad {
        app.get_as(&uri, SEARCHER)
            .await
            .assert_error(400, "invalid_request");
    }
    let body = app
        .get_as(
            &format!("{SEARCH}?access_information.ldap=nosuchgroup"),
            SEARCHER,
        )
        .await
        .ok();
    assert_eq!(body, json!({"users": [], "nextPage": null}));
}
