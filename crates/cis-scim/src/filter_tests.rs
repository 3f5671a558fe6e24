use super::*;
use serde_json::json;

fn user() -> Value {
    json!({
        "id": "u-1", "externalId": "ad|Mozilla-LDAP|jdoe", "userName": "JDoe@mozilla.com",
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "emails": [{"value": "jdoe@mozilla.com", "primary": true}, {"value": "jane@gmail.com"}],
        "active": true,
        crate::ENTERPRISE_SCHEMA: {"department": "IAM"},
        "meta": {"lastModified": "2026-01-15T10:00:00.000Z"},
    })
}

fn matches(filter: &str) -> bool {
    Filter::parse(filter).unwrap().matches(&user())
}

#[test]
fn comparisons_follow_rfc_7644() {
    assert!(
        matches(r#"userName eq "jdoe@mozilla.com""#),
        "case-insensitive"
    );
    assert!(
        !matches(r#"externalId eq "AD|Mozilla-LDAP|jdoe""#),
        "case-exact"
    );
    assert!(matches(r#"emails.value eq "jane@gmail.com""#));
    assert!(matches(r#"emails eq "jane@gmail.com""#));
    assert!(matches(r#"name.familyName sw "d""#));
    assert!(matches(r#"name.FAMILYNAME co "o""#));
    assert!(matches(r#"name.familyName ew "OE""#));
    assert!(matches("active eq true"));
    assert!(!matches("active eq false"));
    assert!(matches(r#"meta.lastModified gt "2026-01-15T09:59:59Z""#));
    assert!(!matches(r#"meta.lastModified gt "2026-01-15T10:00:00Z""#));
    assert!(matches(r#"meta.lastModified ge "2026-01-15T10:00:00Z""#));
    assert!(!matches("title pr"));
    assert!(matches("name.givenName pr"));
    assert!(matches(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "iam""#
    ));
    assert!(matches(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "jdoe""#
    ));
}

#[test]
fn logic_and_grouping() {
    assert!(matches(r#"userName eq "x" or active eq true"#));
    assert!(!matches(r#"userName eq "x" and active eq true"#));
    assert!(matches(
        r#"not (userName eq "x") and (active eq true or title pr)"#
    ));
    assert!(matches(
        r#"userName eq "x" or userName eq "y" or emails.value co "gmail""#
    ));
}

#[test]
fn bad_filters_are_invalid_filter_errors() {
    for bad in [
        "",
        "userName",
        r#"userName eq"#,
        r#"userName xx "a""#,
        r#"userName eq unquoted"#,
        r#"emails[type eq "work"]"#,
        r#"(userName eq "a""#,
        r#"userName eq "a" extra"#,
        r#"userName eq "unterminated"#,
        r#"user$Name!! eq "a""#,
    ] {
        let err = Filter::parse(bad).unwrap_err();
        assert_eq!(err.scim_type, Some("invalidFilter"), "{bad}");
    }
}

#[test]
fn equality_on_identifiers_is_served_from_an_index() {
    let indexed = |f: &str| Filter::parse(f).unwrap().indexed();
    assert_eq!(
        indexed(r#"id eq "u""#),
        Some(IndexedLookup::Uuid("u".into()))
    );
    assert_eq!(
        indexed(r#"externalId eq "ad|x""#),
        Some(IndexedLookup::UserId("ad|x".into()))
    );
    assert_eq!(
        indexed(r#"active eq true and userName eq "a@b""#),
        Some(IndexedLookup::PrimaryEmail("a@b".into()))
    );
    assert_eq!(
        indexed(r#"emails.value eq "a@b""#),
        Some(IndexedLookup::PrimaryEmail("a@b".into()))
    );
    assert_eq!(indexed(r#"userName eq "a" or active eq true"#), None);
    assert_eq!(indexed(r#"userName co "a""#), None);
}

#[test]
fn an_active_comparison_narrows_a_walk() {
    let active = |f: &str| Filter::parse(f).unwrap().active();
    assert_eq!(active("active eq true"), Some(true));
    assert_eq!(
        active(r#"userName co "a" and ACTIVE eq false"#),
        Some(false)
    );
    assert_eq!(active("active eq true or title pr"), None);
    assert_eq!(active("not (active eq true)"), None);
}
