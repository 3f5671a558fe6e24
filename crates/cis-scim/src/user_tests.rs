use super::*;
use proptest::prelude::*;

fn attribute(value: Value) -> Value {
    json!({"value": value, "metadata": {"classification": "PUBLIC"}, "signature": {}})
}

fn profile() -> Value {
    json!({
        "uuid": attribute(json!("u-1")),
        "user_id": attribute(json!("ad|Mozilla-LDAP|jdoe")),
        "primary_email": attribute(json!("jdoe@mozilla.com")),
        "primary_username": attribute(json!("jdoe")),
        "first_name": attribute(json!("Jane")),
        "last_name": attribute(json!("Doe")),
        "alternative_name": attribute(json!("")),
        "active": attribute(json!(true)),
        "timezone": attribute(json!("UTC+0100 Europe/Berlin")),
        "created": attribute(json!("2020-01-01T00:00:00.000Z")),
        "last_modified": attribute(json!("2026-01-15T10:00:00.000Z")),
        "identities": {
            "github_primary_email": attribute(json!("JDOE@mozilla.com")),
            "google_primary_email": attribute(json!("jane@gmail.com")),
            "github_id_v3": attribute(json!("12")),
        },
        "staff_information": {
            "title": attribute(json!("Engineer")),
            "team": attribute(json!("IAM")),
            "cost_center": attribute(json!("1300")),
        },
        "access_information": {
            "ldap": {"values": {"team_moco": null}},
            "hris": {"values": {"employee_id": 1234}},
        },
    })
}

const CX: UserContext<'static> = UserContext {
    base: "https://p/scim/v2",
    version: Some(3),
};

#[test]
fn a_full_profile_maps_as_the_table_says() {
    let user = to_user(&profile(), CX).unwrap();
    assert_eq!(user["id"], "u-1");
    assert_eq!(user["externalId"], "ad|Mozilla-LDAP|jdoe");
    assert_eq!(user["userName"], "jdoe@mozilla.com");
    assert_eq!(
        user["name"],
        json!({"formatted": "Jane Doe", "givenName": "Jane", "familyName": "Doe"})
    );
    // An empty alternative_name is absent: the formatted name stands in.
    assert_eq!(user["displayName"], "Jane Doe");
    assert_eq!(
        user["emails"],
        json!([
            {"value": "jdoe@mozilla.com", "type": "work", "primary": true},
            {"value": "jane@gmail.com", "type": "other"},
        ])
    );
    assert_eq!(user["active"], true);
    assert_eq!(user["title"], "Engineer");
    assert_eq!(user["timezone"], "Europe/Berlin");
    assert_eq!(
        user[crate::ENTERPRISE_SCHEMA],
        json!({"department": "IAM", "costCenter": "1300", "employeeNumber": "1234"})
    );
    assert_eq!(user["groups"][0]["value"], "ldap:team_moco");
    assert_eq!(user["groups"][0]["display"], "team_moco");
    assert_eq!(user["meta"]["version"], "W/\"3\"");
    assert_eq!(user["meta"]["lastModified"], "2026-01-15T10:00:00.000Z");
    assert_eq!(user["meta"]["location"], "https://p/scim/v2/Users/u-1");
    assert_eq!(
        user["schemas"],
        json!([crate::USER_SCHEMA, crate::ENTERPRISE_SCHEMA])
    );
}

#[test]
fn what_the_caller_cannot_see_is_absent_and_no_uuid_means_no_user() {
    let mut filtered = profile();
    let object = filtered.as_object_mut().unwrap();
    for hidden in [
        "primary_email",
        "staff_information",
        "access_information",
        "last_name",
    ] {
        object.remove(hidden);
    }
    let user = to_user(&filtered, CX).unwrap();
    assert_eq!(user["userName"], "jdoe", "the username stands in");
    assert_eq!(
        user["name"],
        json!({"formatted": "Jane", "givenName": "Jane"})
    );
    assert!(user.get(crate::ENTERPRISE_SCHEMA).is_none());
    assert!(user.get("title").is_none() && user.get("groups").is_none());
    assert_eq!(user["schemas"], json!([crate::USER_SCHEMA]));
    filtered.as_object_mut().unwrap().remove("uuid");
    assert_eq!(to_user(&filtered, CX), None);
}

#[test]
fn timezones_keep_their_iana_part() {
    assert_eq!(
        iana_zone("UTC+0100 Europe/Berlin").as_deref(),
        Some("Europe/Berlin")
    );
    assert_eq!(
        iana_zone("America/Los_Angeles").as_deref(),
        Some("America/Los_Angeles")
    );
    assert_eq!(iana_zone("UTC+0000 UTC").as_deref(), Some("UTC"));
    assert_eq!(iana_zone("UTC+0530"), None);
}

fn arbitrary_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[ a-zA-Z0-9@._|-]{0,12}")
}

proptest! {
    /// Whatever subset of attributes a caller sees, no SCIM attribute is an empty string, every
    /// attribute shown comes from a visible source, and hiding a source hides what it maps to.
    #[test]
    fn no_empty_strings_and_nothing_from_hidden_attributes(
        email in arbitrary_text(), first in arbitrary_text(), last in arbitrary_text(),
        title in arbitrary_text(), team in arbitrary_text(), zone in arbitrary_text(),
        hide in prop::collection::vec(prop::sample::select(vec![
            "primary_email", "first_name", "last_name", "staff_information", "timezone",
            "identities", "access_information", "alternative_name", "active",
        ]), 0..6),
    ) {
        let mut p = profile();
        let set = |p: &mut Value, pointer: &str, v: &Option<String>| {
            if let Some(slot) = p.pointer_mut(pointer) { *slot = json!(v); }
        };
        set(&mut p, "/primary_email/value", &email);
        set(&mut p, "/first_name/value", &first);
        set(&mut p, "/last_name/value", &last);
        set(&mut p, "/staff_information/title/value", &title);
        set(&mut p, "/staff_information/team/value", &team);
        set(&mut p, "/timezone/value", &zone);
        for h in &hide { p.as_object_mut().unwrap().remove(*h); }
        let user = to_user(&p, CX).unwrap();
        fn walk(v: &Value) -> bool {
            match v {
                Value::String(s) => !s.trim().is_empty(),
                Value::Array(a) => a.iter().all(walk),
                Value::Object(o) => o.values().all(walk),
                _ => true,
            }
        }
        prop_assert!(walk(&user), "{user}");
        if hide.contains(&"staff_information") {
            prop_assert!(user.get("title").is_none());
            let dept = user.pointer(&format!("/{}/department", crate::ENTERPRISE_SCHEMA));
            prop_assert!(dept.is_none());
        }
        if hide.contains(&"access_information") {
            prop_assert!(user.get("groups").is_none());
        }
        if hide.contains(&"active") {
            prop_assert!(user.get("active").is_none());
        }
        if hide.contains(&"primary_email") && hide.contains(&"identities") {
            prop_assert!(user.get("emails").is_none());
        }
    }
}
