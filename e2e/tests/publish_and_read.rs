//! A publisher creates a user, other publishers update it, relying parties read it back through the Person
//! API with different scopes: the whole path publisher → Change API → outbox → processor → vault → Person
//! API of one `cis serve`.

use cis_e2e::Service;
use cis_e2e::profiles::{
    KNOWN, LDAP_PREFIX, ldap_user_id, new_staff_user, payload, publisher_of, signed_by, update,
};
use cis_profile::identifiers::derive_identifiers;
use cis_profile::{AttrPath, Profile, Publisher};
use serde_json::{Value, json};

const PUBLIC: &str = "classification:public display:public";
const FULL: &str = "read:fullprofile display:all";

/// Starts a service and creates one staff user as LDAP; waits until it is processed.
async fn service_with_user(dir: &std::path::Path, name: &str) -> (Service, String, Profile) {
    let service = Service::start(dir, &[]);
    let user_id = ldap_user_id(name, 1);
    let key = service.publisher_key(Publisher::Ldap);
    let sent = signed_by(new_staff_user(&user_id, 1), Publisher::Ldap, &key, None);
    service
        .api()
        .publish_processed(&service.token("write"), &sent.to_value(), "create")
        .await;
    (service, user_id, sent)
}

fn present(profile: &Value, dotted: &str) -> bool {
    payload(profile, dotted).is_some()
}

#[tokio::test]
async fn a_user_created_by_ldap_reads_back_with_cis_identifiers_and_filtered_by_scope() {
    let dir = tempfile::tempdir().unwrap();
    let (service, user_id, sent) = service_with_user(dir.path(), "create").await;
    let api = service.api();

    let full = api.read_user(&service.token(FULL), &user_id).await;
    let public = api.read_user(&service.token(PUBLIC), &user_id).await;

    // uuid and primary_username were null in what LDAP sent: CIS derived and signed them.
    assert!(sent.uuid().is_none() && sent.primary_username().is_none());
    let (uuid, username) = derive_identifiers(&service.uuid_salt(), &user_id);
    assert_eq!(payload(&full, "uuid"), Some(&json!(uuid)));
    assert_eq!(payload(&full, "primary_username"), Some(&json!(username)));
    assert!(
        username.starts_with("r--") && username.ends_with("==") && username.len() == 27,
        "{username}"
    );
    assert_eq!(publisher_of(&full, "uuid"), Some("cis"));
    assert_eq!(publisher_of(&full, "primary_username"), Some("cis"));

    // The full read has everything LDAP sent, as LDAP signed it.
    for (dotted, _) in KNOWN {
        let path = AttrPath::parse(dotted).unwrap();
        assert_eq!(
            payload(&full, dotted),
            Some(sent.attr(path).unwrap().payload()),
            "{dotted}"
        );
        assert_eq!(publisher_of(&full, dotted), Some("ldap"), "{dotted}");
    }
    assert_eq!(payload(&full, "active"), Some(&json!(true)));

    // The public read keeps only PUBLIC attributes with display public.
    for dotted in [
        "uuid",
        "primary_username",
        "user_id",
        "first_name",
        "primary_email",
    ] {
        assert_eq!(
            payload(&public, dotted),
            payload(&full, dotted),
            "{dotted} is public"
        );
    }
    for dotted in [
        "active",
        "fun_title",
        "pronouns",
        "alternative_name",
        "access_information.ldap",
        "staff_information.title",
        "staff_information.cost_center",
    ] {
        assert!(present(&full, dotted), "{dotted} in the full read");
        assert!(
            !present(&public, dotted),
            "{dotted} must not be in the public read: {public}"
        );
    }
}

#[tokio::test]
async fn updates_by_mozilliansorg_and_hris_land_and_keep_ldaps_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let (service, user_id, sent) = service_with_user(dir.path(), "update").await;
    let api = service.api();
    let write = service.token("write");
    let full_token = service.token(FULL);
    let before = api.read_user(&full_token, &user_id).await;

    let changes = [
        ("fun_title", json!("Dragon Tamer")),
        ("alternative_name", json!("Ada the Second")),
    ];
    let dinopark = update(
        &sent,
        Publisher::Mozilliansorg,
        &service.publisher_key(Publisher::Mozilliansorg),
        &changes,
    );
    api.publish_processed(&write, &dinopark.to_value(), "update")
        .await;
    let title = [("staff_information.title", json!("Principal Engineer"))];
    let hris = update(
        &sent,
        Publisher::Hris,
        &service.publisher_key(Publisher::Hris),
        &title,
    );
    api.publish_processed(&write, &hris.to_value(), "update")
        .await;

    let after = api.read_user(&full_token, &user_id).await;
    for (dotted, value) in changes {
        assert_eq!(payload(&after, dotted), Some(&value), "{dotted}");
        assert_eq!(
            publisher_of(&after, dotted),
            Some("mozilliansorg"),
            "{dotted}"
        );
    }
    assert_eq!(
        payload(&after, "staff_information.title"),
        Some(&json!("Principal Engineer"))
    );
    assert_eq!(
        publisher_of(&after, "staff_information.title"),
        Some("hris")
    );

    // Everything else is exactly what it was (value, metadata, signature), but last_modified, which CIS
    // stamps on every change, and user_id, which each publisher signs to name the user.
    let changed = [
        "fun_title",
        "alternative_name",
        "staff_information.title",
        "last_modified",
        "user_id",
    ];
    for path in AttrPath::all().filter(|p| !changed.contains(&p.dotted())) {
        let (group, leaf) = path.dotted().split_once('.').unwrap_or(("", path.dotted()));
        let pick = |p: &Value| {
            if group.is_empty() {
                p.get(leaf).cloned()
            } else {
                p[group].get(leaf).cloned()
            }
        };
        assert_eq!(pick(&after), pick(&before), "{} changed", path.dotted());
    }
    assert_eq!(payload(&after, "user_id"), Some(&json!(user_id)));
    assert!(user_id.starts_with(LDAP_PREFIX));
}

#[tokio::test]
async fn each_scope_set_sees_exactly_the_attributes_its_classifications_and_displays_allow() {
    let dir = tempfile::tempdir().unwrap();
    let (service, user_id, _) = service_with_user(dir.path(), "scopes").await;
    let api = service.api();

    // attribute (classification / display) → seen by each scope set below, in order
    let table: &[(&str, [bool; 5])] = &[
        ("uuid", [true, true, true, true, true]), // PUBLIC / public
        ("first_name", [true, true, true, true, true]), // PUBLIC / public
        ("user_id", [true, true, true, true, true]), // PUBLIC / public
        ("fun_title", [false, true, false, false, true]), // WORKGROUP / staff
        ("pronouns", [false, true, false, true, true]), // WORKGROUP / public
        ("alternative_name", [false, false, false, false, true]), // WORKGROUP / authenticated
        ("access_information.ldap", [false, true, true, false, true]), // PUBLIC / staff
        ("staff_information.title", [false, false, true, false, true]), // MOZILLA CONFIDENTIAL / staff
        (
            "staff_information.cost_center",
            [false, false, true, false, true],
        ), // STAFF ONLY / staff
        ("active", [false, false, false, true, true]),                  // WORKGROUP / null
    ];
    let scope_sets = [
        PUBLIC,
        "classification:workgroup display:staff",
        "classification:workgroup:staff_only classification:mozilla_confidential display:staff",
        "classification:workgroup display:none",
        FULL,
    ];
    for (i, scopes) in scope_sets.iter().enumerate() {
        let profile = api.read_user(&service.token(scopes), &user_id).await;
        for (dotted, seen) in table {
            assert_eq!(
                present(&profile, dotted),
                seen[i],
                "{dotted} with `{scopes}`: {profile}"
            );
        }
    }

    // filterDisplay only narrows: a full token asking for public drops staff and null displays.
    let url = format!(
        "{}/v2/user/user_id/{}?filterDisplay=public",
        api.person_url,
        cis_e2e::api::encode(&user_id)
    );
    let narrowed = api
        .send(reqwest::Method::GET, &url, Some(&service.token(FULL)), None)
        .await;
    assert_eq!(narrowed.status, 200, "{}", narrowed.body);
    assert!(present(&narrowed.body, "first_name") && present(&narrowed.body, "pronouns"));
    for dotted in [
        "fun_title",
        "alternative_name",
        "staff_information.title",
        "active",
    ] {
        assert!(
            !present(&narrowed.body, dotted),
            "{dotted} with filterDisplay=public"
        );
    }
}
