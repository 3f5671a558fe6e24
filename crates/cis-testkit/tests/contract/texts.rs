//! Contract behaviours of the stored-text reads: `get_json` and `list_profiles_json` give what `get` and
//! `list_profiles` give, as text (whether the adapter keeps the text or serialises the parsed profile).

use super::Subject;
use super::lists::list;
use super::population::{MAX_PAGES, populate};
use cis_identity_vault::{Cursor, ListQuery, Lookup, StoredJson, StoredProfile, Vault, VaultError};
use cis_profile::Profile;

/// The text read and the parsed read are the same user, version and document.
fn assert_agree(json: &StoredJson, parsed: &StoredProfile) {
    let text = Profile::from_stored(serde_json::from_str(&json.json).unwrap()).unwrap();
    assert_eq!(text, parsed.profile, "{}", json.user_id);
    assert_eq!(Some(json.user_id.as_str()), parsed.profile.user_id());
    assert_eq!(json.active, parsed.profile.active(), "{}", json.user_id);
    assert_eq!(json.version, parsed.version, "{}", json.user_id);
}

pub async fn text_lookups_agree_with_parsed_lookups(s: Subject) {
    let users = populate(&*s.vault).await;
    let mut lookups = vec![
        Lookup::UserId("nobody|here".into()),
        Lookup::PrimaryEmail("nobody@example.com".into()),
    ];
    for user in &users {
        lookups.push(Lookup::UserId(user.user_id().unwrap().into()));
        lookups.push(Lookup::Uuid(user.uuid().unwrap().into()));
        lookups.push(Lookup::PrimaryEmail(user.primary_email().unwrap().into()));
        lookups.push(Lookup::PrimaryUsername(
            user.primary_username().unwrap().into(),
        ));
    }
    for lookup in &lookups {
        let parsed = s.vault.get(lookup).await.unwrap();
        let json = s.vault.get_json(lookup).await.unwrap();
        match (&json, &parsed) {
            (Some(json), Some(parsed)) => assert_agree(json, parsed),
            (None, None) => {}
            _ => panic!("{lookup:?}: text {json:?}, parsed {}", parsed.is_some()),
        }
    }
}

/// Every page of a text walk next to the parsed walk's page with the same cursor.
async fn walk_both(v: &dyn Vault, mut query: ListQuery) -> usize {
    let mut seen = 0;
    for _ in 0..MAX_PAGES {
        let json = v.list_profiles_json(&query).await.unwrap();
        let parsed = v.list_profiles(&query).await.unwrap();
        assert_eq!(json.items.len(), parsed.items.len(), "{query:?}");
        assert!(json.items.len() <= query.limit);
        for (j, p) in json.items.iter().zip(&parsed.items) {
            assert_agree(j, p);
        }
        assert_eq!(json.next, parsed.next, "{query:?}");
        seen += json.items.len();
        match json.next {
            Some(next) => query.cursor = Some(next),
            None => return seen,
        }
    }
    panic!("the walk never ends");
}

pub async fn text_pages_agree_with_parsed_pages(s: Subject) {
    let users = populate(&*s.vault).await;
    for limit in [1, 3, 100] {
        assert_eq!(
            walk_both(&*s.vault, list(limit, None, None)).await,
            users.len()
        );
    }
    for query in [
        list(2, Some(true), None),
        list(3, Some(false), None),
        list(2, None, Some("ad")),
        list(2, Some(false), Some("github")),
        list(5, None, Some("git")),
    ] {
        walk_both(&*s.vault, query).await;
    }
    let bad = ListQuery {
        cursor: Some(Cursor("%%%not a cursor%%%".into())),
        ..ListQuery::default()
    };
    assert_eq!(
        s.vault.list_profiles_json(&bad).await.err(),
        Some(VaultError::InvalidCursor)
    );
    assert!(matches!(
        s.vault.list_profiles_json(&list(0, None, None)).await,
        Err(VaultError::InvalidRequest(_))
    ));
}
