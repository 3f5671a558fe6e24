//! Contract behaviours of pages: `list_profiles` and `list_ids`, their filters and cursors.

use super::population::{
    MAX_PAGES, ids_where, populate, sorted_without_duplicates, walk_ids, walk_profiles,
};
use super::{Subject, create, user};
use cis_identity_vault::{IdEntry, ListQuery};
use cis_profile::Profile;

pub fn list(limit: usize, active: Option<bool>, connection: Option<&str>) -> ListQuery {
    ListQuery {
        active,
        connection: connection.map(str::to_string),
        cursor: None,
        limit,
    }
}

/// Each filter of a list query and the users it must return.
fn filters(users: &[Profile]) -> Vec<(ListQuery, Vec<String>)> {
    let starts = |p: &Profile, prefix: &str| p.user_id().unwrap().starts_with(prefix);
    vec![
        (list(4, None, None), ids_where(users, |_| true)),
        (
            list(3, Some(true), None),
            ids_where(users, |p| p.active() == Some(true)),
        ),
        (
            list(3, Some(false), None),
            ids_where(users, |p| p.active() == Some(false)),
        ),
        (
            list(2, None, Some("ad")),
            ids_where(users, |p| starts(p, "ad|")),
        ),
        (
            list(2, None, Some("ad|Mozilla-LDAP")),
            ids_where(users, |p| starts(p, "ad|")),
        ),
        (
            list(2, Some(true), Some("ad")),
            ids_where(users, |p| starts(p, "ad|") && p.active() == Some(true)),
        ),
        (
            list(1, None, Some("github")),
            ids_where(users, |p| starts(p, "github|")),
        ),
        (
            list(2, Some(false), Some("github")),
            vec!["github|3".into()],
        ),
        (
            list(5, None, Some("oauth2|firefoxaccounts")),
            ids_where(users, |p| starts(p, "oauth2|firefoxaccounts|")),
        ),
        (list(5, None, Some("git")), vec![]),
        (list(5, None, Some("ad|Other")), vec![]),
    ]
}

pub async fn profile_pages_visit_every_user_exactly_once(s: Subject) {
    let users = populate(&*s.vault).await;
    for limit in [1, 3, 7, 20, 100] {
        let walked = walk_profiles(&*s.vault, list(limit, None, None)).await;
        assert_eq!(
            sorted_without_duplicates(walked),
            ids_where(&users, |_| true),
            "limit {limit}"
        );
    }
    let page = s.vault.list_profiles(&list(100, None, None)).await.unwrap();
    assert_eq!(page.next, None, "a page holding everything is the last");
}

pub async fn profile_pages_filter_by_active_and_connection(s: Subject) {
    let users = populate(&*s.vault).await;
    for (query, expected) in filters(&users) {
        let walked = walk_profiles(&*s.vault, query.clone()).await;
        assert_eq!(sorted_without_duplicates(walked), expected, "{query:?}");
    }
}

pub async fn id_pages_visit_every_user_once_with_their_index_entries(s: Subject) {
    let users = populate(&*s.vault).await;
    let mut expected: Vec<IdEntry> = users
        .iter()
        .map(|p| IdEntry {
            user_id: p.user_id().unwrap().into(),
            uuid: p.uuid().map(str::to_string),
            primary_email: p.primary_email().map(str::to_string),
            active: p.active(),
        })
        .collect();
    expected.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    for limit in [1, 4, 20, 1000] {
        let mut walked = walk_ids(&*s.vault, list(limit, None, None)).await;
        walked.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        assert_eq!(walked, expected, "limit {limit}");
    }
}

pub async fn id_pages_filter_by_active_and_connection(s: Subject) {
    let users = populate(&*s.vault).await;
    for (query, expected) in filters(&users) {
        let walked = walk_ids(&*s.vault, query.clone()).await;
        let ids = walked.into_iter().map(|e| e.user_id).collect();
        assert_eq!(sorted_without_duplicates(ids), expected, "{query:?}");
    }
}

pub async fn users_added_during_a_walk_never_make_another_appear_twice(s: Subject) {
    let v = &*s.vault;
    let users = populate(v).await;
    let original = ids_where(&users, |_| true);
    for (round, ids_only) in [(0, false), (1, true)] {
        let mut query = list(3, None, None);
        let mut seen = Vec::new();
        for page_number in 0..MAX_PAGES {
            let (ids, next) = if ids_only {
                let page = v.list_ids(&query).await.unwrap();
                (
                    page.items
                        .into_iter()
                        .map(|e| e.user_id)
                        .collect::<Vec<_>>(),
                    page.next,
                )
            } else {
                let page = v.list_profiles(&query).await.unwrap();
                let ids = page
                    .items
                    .iter()
                    .map(|p| p.profile.user_id().unwrap().to_string());
                (ids.collect(), page.next)
            };
            seen.extend(ids);
            for prefix in ["aaa", "google-oauth2", "zzz"] {
                create(v, user(&format!("{prefix}|added-{round}-{page_number}"))).await;
            }
            match next {
                Some(next) => query.cursor = Some(next),
                None => break,
            }
        }
        let seen = sorted_without_duplicates(seen);
        for id in &original {
            assert!(seen.contains(id), "round {round}: {id} was skipped");
        }
    }
}
