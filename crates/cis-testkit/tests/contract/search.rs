//! Contract behaviours of attribute search, and of what every page method refuses (cursors it did not
//! issue, a limit of 0).

use super::Subject;
use super::lists::list;
use super::population::{ids_where, populate, walk_search};
use cis_identity_vault::{AttributeQuery, Cursor, ListQuery, SearchValue, VaultError};
use cis_profile::{AttrPath, Profile};
use serde_json::json;

fn attribute(
    dotted: &str,
    value: SearchValue,
    negate: bool,
    active: Option<bool>,
    limit: usize,
) -> AttributeQuery {
    let attribute = AttrPath::parse(dotted).unwrap();
    AttributeQuery {
        attribute,
        value,
        negate,
        active,
        cursor: None,
        limit,
    }
}

fn text(t: &str) -> SearchValue {
    SearchValue::Text(t.to_string())
}

pub async fn a_search_finds_the_members_of_an_ldap_group(s: Subject) {
    let users = populate(&*s.vault).await;
    let members = [
        "ad|Mozilla-LDAP|u0",
        "ad|Mozilla-LDAP|u1",
        "ad|Mozilla-LDAP|u2",
    ]
    .map(String::from);
    for limit in [1, 2, 10] {
        let q = attribute(
            "access_information.ldap",
            text("team_moco"),
            false,
            None,
            limit,
        );
        assert_eq!(walk_search(&*s.vault, q).await, members, "limit {limit}");
    }
    let q = attribute(
        "access_information.ldap",
        text("vpn_admins"),
        false,
        Some(true),
        5,
    );
    assert_eq!(
        walk_search(&*s.vault, q).await,
        vec!["ad|Mozilla-LDAP|u0".to_string()]
    );
    let q = attribute("access_information.ldap", text("team"), false, None, 5);
    assert!(
        walk_search(&*s.vault, q).await.is_empty(),
        "a group is matched whole"
    );
    let q = attribute(
        "access_information.mozilliansorg",
        text("a \"quoted\" group.with.dots"),
        false,
        None,
        5,
    );
    assert_eq!(
        walk_search(&*s.vault, q).await,
        vec!["github|2".to_string()]
    );
    let q = attribute(
        "access_information.ldap",
        text("team_moco"),
        true,
        Some(true),
        4,
    );
    let expected = ids_where(&users, |p| {
        p.active() == Some(true) && !members.iter().any(|m| Some(m.as_str()) == p.user_id())
    });
    assert_eq!(walk_search(&*s.vault, q).await, expected);
}

pub async fn a_search_finds_staff_by_boolean_and_text_attributes(s: Subject) {
    let users = populate(&*s.vault).await;
    let staff = |p: &Profile| {
        p.attr(AttrPath::parse("staff_information.staff").unwrap())
            .unwrap()
            .payload()
            == &json!(true)
    };
    let q = attribute(
        "staff_information.staff",
        SearchValue::Bool(true),
        false,
        Some(true),
        2,
    );
    assert_eq!(
        walk_search(&*s.vault, q).await,
        ids_where(&users, |p| staff(p) && p.active() == Some(true))
    );
    let q = attribute(
        "staff_information.staff",
        SearchValue::Bool(true),
        false,
        None,
        100,
    );
    assert_eq!(walk_search(&*s.vault, q).await, ids_where(&users, staff));
    let q = attribute(
        "staff_information.staff",
        SearchValue::Bool(false),
        false,
        None,
        100,
    );
    assert_eq!(
        walk_search(&*s.vault, q).await,
        vec!["email|0cc175b9c0f1b6a8".to_string()]
    );
    let q = attribute(
        "staff_information.staff",
        SearchValue::Bool(true),
        true,
        None,
        3,
    );
    assert_eq!(
        walk_search(&*s.vault, q).await,
        ids_where(&users, |p| !staff(p))
    );
    let q = attribute(
        "staff_information.title",
        text("Engineer"),
        false,
        Some(true),
        10,
    );
    let engineers = ["ad|Mozilla-LDAP|u0", "ad|Mozilla-LDAP|u2"].map(String::from);
    assert_eq!(walk_search(&*s.vault, q).await, engineers);
    let q = attribute("staff_information.title", text("engineer"), false, None, 10);
    assert!(
        walk_search(&*s.vault, q).await.is_empty(),
        "text is compared exactly"
    );
}

pub async fn an_invalid_cursor_is_rejected_everywhere(s: Subject) {
    populate(&*s.vault).await;
    let bad = Some(Cursor("%%%not a cursor%%%".into()));
    let query = ListQuery {
        cursor: bad.clone(),
        ..ListQuery::default()
    };
    assert_eq!(
        s.vault.list_profiles(&query).await.err(),
        Some(VaultError::InvalidCursor)
    );
    assert_eq!(
        s.vault.list_ids(&query).await.err(),
        Some(VaultError::InvalidCursor)
    );
    let mut q = attribute(
        "staff_information.staff",
        SearchValue::Bool(true),
        false,
        None,
        10,
    );
    q.cursor = bad;
    assert_eq!(
        s.vault.search(&q).await.err(),
        Some(VaultError::InvalidCursor)
    );
}

pub async fn a_page_limit_of_zero_is_an_invalid_request(s: Subject) {
    let query = list(0, None, None);
    assert!(matches!(
        s.vault.list_profiles(&query).await,
        Err(VaultError::InvalidRequest(_))
    ));
    assert!(matches!(
        s.vault.list_ids(&query).await,
        Err(VaultError::InvalidRequest(_))
    ));
    let q = attribute(
        "staff_information.staff",
        SearchValue::Bool(true),
        false,
        None,
        0,
    );
    assert!(matches!(
        s.vault.search(&q).await,
        Err(VaultError::InvalidRequest(_))
    ));
}
