//! Unit tests of the derived item fields and attribute search.

use super::*;
use cis_profile::attr::set_payload;
use serde_json::{Value, json};

fn with(mut profile: Profile, dotted: &str, payload: Value) -> Profile {
    let path = AttrPath::parse(dotted).unwrap();
    set_payload(profile.attr_mut(path).unwrap(), path.kind(), payload);
    profile
}

fn user(user_id: &str) -> Profile {
    with(Profile::null(), "user_id", json!(user_id))
}

fn path(dotted: &str) -> AttrPath {
    AttrPath::parse(dotted).unwrap()
}

#[test]
fn item_fields_leave_out_null_and_empty_identifiers() {
    let p = with(user("ad|Mozilla-LDAP|jdoe"), "primary_email", json!(""));
    let fields = ItemFields::of(&p).unwrap();
    assert_eq!(fields.user_id, "ad|Mozilla-LDAP|jdoe");
    assert_eq!(fields.connection_method, "ad");
    assert_eq!(fields.primary_email, None);
    assert_eq!(fields.uuid, None);
    assert_eq!(fields.primary_username, None);
    assert_eq!(fields.active, None);

    let p = with(
        with(p, "primary_email", json!("j@x.org")),
        "active",
        json!(false),
    );
    let fields = ItemFields::of(&p).unwrap();
    assert_eq!(fields.primary_email.as_deref(), Some("j@x.org"));
    assert_eq!(fields.active, Some(false));
    assert_eq!(fields.entry(), entry_of(&p));
}

#[test]
fn a_profile_without_user_id_has_no_item_fields() {
    assert!(matches!(
        ItemFields::of(&Profile::null()),
        Err(VaultError::InvalidRequest(_))
    ));
    let empty = user("");
    assert!(matches!(
        ItemFields::of(&empty),
        Err(VaultError::InvalidRequest(_))
    ));
}

#[test]
fn an_ldap_group_matches_when_it_is_a_member_of_the_values_map() {
    let p = with(
        user("a"),
        "access_information.ldap",
        json!({"team_moco": null, "vpn": ""}),
    );
    let ldap = path("access_information.ldap");
    assert!(matches(&p, ldap, &SearchValue::Text("team_moco".into())));
    assert!(matches(&p, ldap, &SearchValue::Text("vpn".into())));
    assert!(!matches(&p, ldap, &SearchValue::Text("team".into())));
    assert!(!matches(
        &user("b"),
        ldap,
        &SearchValue::Text("team_moco".into())
    ));
    assert!(!matches(&p, ldap, &SearchValue::Bool(true)));
}

#[test]
fn string_and_boolean_attributes_match_equal_payloads_only() {
    let p = with(user("a"), "staff_information.title", json!("Engineer"));
    let p = with(p, "staff_information.staff", json!(true));
    let title = path("staff_information.title");
    let staff = path("staff_information.staff");
    assert!(matches(&p, title, &SearchValue::Text("Engineer".into())));
    assert!(!matches(&p, title, &SearchValue::Text("engineer".into())));
    assert!(matches(&p, staff, &SearchValue::Bool(true)));
    assert!(!matches(&p, staff, &SearchValue::Bool(false)));
    assert!(!matches(&user("b"), staff, &SearchValue::Bool(false)));
    assert!(!matches(&p, staff, &SearchValue::Text("true".into())));
}

#[test]
fn a_negated_query_matches_everyone_the_plain_one_does_not_within_the_active_filter() {
    let staff = with(
        with(user("a"), "staff_information.staff", json!(true)),
        "active",
        json!(true),
    );
    let other = with(user("b"), "active", json!(true));
    let inactive = user("c");
    let mut q = AttributeQuery {
        attribute: path("staff_information.staff"),
        value: SearchValue::Bool(true),
        negate: false,
        active: Some(true),
        cursor: None,
        limit: 10,
    };
    assert!(query_matches(&staff, &q));
    assert!(!query_matches(&other, &q));
    q.negate = true;
    assert!(!query_matches(&staff, &q));
    assert!(query_matches(&other, &q));
    assert!(!query_matches(&inactive, &q), "a null active is not active");
    q.active = None;
    assert!(query_matches(&inactive, &q));
}

#[test]
fn a_connection_prefix_needs_the_same_first_segment() {
    assert!(connection_matches("ad|Mozilla-LDAP|jdoe", Some("ad")));
    assert!(connection_matches(
        "ad|Mozilla-LDAP|jdoe",
        Some("ad|Mozilla-LDAP")
    ));
    assert!(!connection_matches(
        "ad|Mozilla-LDAP|jdoe",
        Some("ad|Other")
    ));
    assert!(!connection_matches("github|1", Some("git")));
    assert!(!connection_matches("adx|1", Some("ad")));
    assert!(connection_matches("nopipe", Some("nopipe")));
    assert!(connection_matches("anything", None));
}

#[test]
fn a_limit_of_zero_is_an_invalid_request() {
    assert!(matches!(check_limit(0), Err(VaultError::InvalidRequest(_))));
    assert!(check_limit(1).is_ok());
}
