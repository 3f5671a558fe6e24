//! The population the list and search behaviours run on, and walks that follow cursors to the end.

use super::{create, user, with};
use cis_identity_vault::{AttributeQuery, IdEntry, ListQuery, Vault};
use cis_profile::Profile;
use serde_json::json;
use std::collections::BTreeSet;

pub const MAX_PAGES: usize = 10_000;

/// Twenty users over six connection methods; some inactive, one with a null `active`; LDAP groups,
/// Mozillians groups and staff attributes on a few.
pub async fn populate(v: &dyn Vault) -> Vec<Profile> {
    let mut users = Vec::new();
    for i in 0..6 {
        let mut p = user(&format!("ad|Mozilla-LDAP|u{i}"));
        if i < 3 {
            let mut groups = json!({"team_moco": null});
            if i == 0 {
                groups["vpn_admins"] = json!(null);
            }
            p = with(p, "access_information.ldap", groups);
        }
        if i < 4 {
            p = with(p, "staff_information.staff", json!(true));
        }
        if i % 2 == 0 {
            p = with(p, "staff_information.title", json!("Engineer"));
        }
        if i == 4 {
            p = with(p, "active", json!(false));
        }
        users.push(p);
    }
    for i in 1..=5 {
        let mut p = user(&format!("github|{i}"));
        p = match i {
            3 => with(p, "active", json!(false)),
            5 => with(p, "active", json!(null)),
            _ => p,
        };
        if i == 2 {
            let groups = json!({"nda": null, "a \"quoted\" group.with.dots": null});
            p = with(p, "access_information.mozilliansorg", groups);
        }
        users.push(p);
    }
    for id in ["google-oauth2|1", "google-oauth2|2", "google-oauth2|3"] {
        users.push(user(id));
    }
    for id in [
        "oauth2|firefoxaccounts|a",
        "oauth2|firefoxaccounts|b",
        "oauth2|other|c",
    ] {
        users.push(user(id));
    }
    users.push(with(
        user("email|0cc175b9c0f1b6a8"),
        "staff_information.staff",
        json!(false),
    ));
    users.push(user("email|92eb5ffee6ae2fec"));
    users.push(with(user("adx|1"), "staff_information.staff", json!(true)));
    for p in &users {
        create(v, p.clone()).await;
    }
    users
}

pub fn ids_where(users: &[Profile], keep: impl Fn(&Profile) -> bool) -> Vec<String> {
    let mut ids: Vec<String> = users
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.user_id().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

pub fn sorted_without_duplicates(mut ids: Vec<String>) -> Vec<String> {
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "a user appeared twice: {ids:?}");
    ids.sort();
    ids
}

pub async fn walk_profiles(v: &dyn Vault, mut query: ListQuery) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = v.list_profiles(&query).await.unwrap();
        assert!(page.items.len() <= query.limit);
        ids.extend(
            page.items
                .iter()
                .map(|s| s.profile.user_id().unwrap().to_string()),
        );
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return ids,
        }
    }
    panic!("the walk never ends");
}

pub async fn walk_ids(v: &dyn Vault, mut query: ListQuery) -> Vec<IdEntry> {
    let mut entries = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = v.list_ids(&query).await.unwrap();
        assert!(page.items.len() <= query.limit);
        entries.extend(page.items);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return entries,
        }
    }
    panic!("the walk never ends");
}

pub async fn walk_search(v: &dyn Vault, mut query: AttributeQuery) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = v.search(&query).await.unwrap();
        assert!(page.items.len() <= query.limit);
        ids.extend(
            page.items
                .iter()
                .map(|s| s.profile.user_id().unwrap().to_string()),
        );
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return sorted_without_duplicates(ids),
        }
    }
    panic!("the search never ends");
}
