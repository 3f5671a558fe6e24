use super::*;
use crate::desired::{UserNameSource, desired};
use serde_json::json;

fn profile(n: u32, active: bool, group: &str) -> Value {
    json!({
        "user_id": {"value": format!("ad|Mozilla-LDAP|u{n}")},
        "uuid": {"value": format!("uuid-{n}")},
        "primary_email": {"value": format!("u{n}@mozilla.com")},
        "first_name": {"value": format!("First{n}")},
        "last_name": {"value": "Last"},
        "active": {"value": active},
        "staff_information": {"title": {"value": "Engineer"}},
        "access_information": {"ldap": {"values": {group: null}}},
    })
}

fn want(n: u32, active: bool, group: &str) -> Desired {
    desired(
        &profile(n, active, group),
        UserNameSource::PrimaryEmail,
        None,
    )
    .unwrap()
}

/// What the target holds after CIS created `d` (ids `t<n>`), as a SCIM server would echo it.
fn held(d: &Desired, id: &str) -> Existing {
    let mut resource = d.resource.clone();
    resource["id"] = json!(id);
    resource["meta"] = json!({"version": "W/\"1\"", "resourceType": "User"});
    Existing::from_resource(resource).unwrap()
}

#[test]
fn wanted_users_are_created_then_nothing_is_planned() {
    let desired = vec![want(1, true, "a"), want(2, true, "a"), want(3, false, "a")];
    let actions = plan_users(&desired, &[], DisableMode::Deactivate);
    let kinds: Vec<&str> = actions.iter().map(UserAction::kind).collect();
    assert_eq!(
        kinds,
        ["create", "create"],
        "an inactive user is not created"
    );
    let existing = vec![held(&desired[0], "t1"), held(&desired[1], "t2")];
    assert_eq!(
        plan_users(&desired, &existing, DisableMode::Deactivate),
        vec![]
    );
}

#[test]
fn only_differing_managed_attributes_are_updated_and_removed() {
    let desired = vec![want(1, true, "a")];
    let mut existing = held(&desired[0], "t1");
    existing.resource["title"] = json!("Manager");
    existing.resource["name"]["middleName"] = json!("kept: not managed");
    existing.resource["nickName"] = json!("kept: not managed");
    existing.resource["timezone"] = json!("Europe/Paris");
    existing.resource["userName"] = json!("U1@MOZILLA.COM");
    let actions = plan_users(&desired, &[existing], DisableMode::Deactivate);
    let [
        UserAction::Update {
            id,
            set,
            remove,
            etag,
            ..
        },
    ] = actions.as_slice()
    else {
        panic!("{actions:?}");
    };
    assert_eq!(id, "t1");
    assert_eq!(etag.as_deref(), Some("W/\"1\""));
    assert_eq!(
        set.keys().collect::<Vec<_>>(),
        ["title"],
        "userName differs only in case"
    );
    assert_eq!(remove, &["timezone"]);
}

#[test]
fn users_who_leave_are_disabled_or_deleted_only_when_cis_provisioned_them() {
    let before = [want(1, true, "a"), want(2, true, "a")];
    let existing = vec![held(&before[0], "t1"), held(&before[1], "t2")];
    let after = vec![want(1, false, "a"), want(2, true, "a")];
    let disable = plan_users(&after, &existing, DisableMode::Deactivate);
    assert!(
        matches!(&disable[..], [UserAction::Disable { id, .. }] if id == "t1"),
        "{disable:?}"
    );
    let delete = plan_users(&after, &existing, DisableMode::Delete);
    assert!(matches!(&delete[..], [UserAction::Delete { id, .. }] if id == "t1"));
    // Already disabled: nothing more.
    let mut off = existing.clone();
    off[0].resource["active"] = json!(false);
    assert_eq!(plan_users(&after, &off, DisableMode::Deactivate), vec![]);
    // Someone else's account with the same userName but no externalId is never disabled.
    let mut foreign = held(&before[0], "f1");
    foreign.external_id = None;
    foreign
        .resource
        .as_object_mut()
        .unwrap()
        .remove("externalId");
    assert_eq!(
        plan_users(&after[..1], &[foreign.clone()], DisableMode::Delete),
        vec![]
    );
    // ... and when CIS wants that user, it is adopted: its externalId is set.
    let adopt = plan_users(&before[..1], &[foreign], DisableMode::Deactivate);
    let [UserAction::Update { set, .. }] = adopt.as_slice() else {
        panic!("{adopt:?}")
    };
    assert_eq!(set["externalId"], "ad|Mozilla-LDAP|u1");
}

#[test]
fn group_members_follow_the_cis_group_and_an_empty_group_is_emptied() {
    let specs = [GroupSpec {
        cis: "ldap:a".into(),
        name: "Team A".into(),
    }];
    let desired = vec![want(1, true, "a"), want(2, true, "b"), want(3, true, "a")];
    let existing = vec![held(&desired[0], "t1"), held(&desired[1], "t2")];
    let users = plan_users(&desired, &existing, DisableMode::Deactivate);
    let create = plan_groups(&specs, &desired, &existing, &[], &users);
    assert_eq!(
        create,
        vec![GroupAction::Create {
            spec: specs[0].clone(),
            members: vec![
                MemberRef::Existing("t1".into()),
                MemberRef::New("ad|Mozilla-LDAP|u3".into())
            ],
        }]
    );
    let group = ExistingGroup {
        id: "g".into(),
        external_id: Some("ldap:a".into()),
        display_name: "Team A".into(),
        members: vec!["t1".into(), "t2".into()],
        etag: None,
    };
    let update = plan_groups(
        &specs,
        &desired,
        &existing,
        std::slice::from_ref(&group),
        &users,
    );
    let [
        GroupAction::Update {
            add, remove, adopt, ..
        },
    ] = update.as_slice()
    else {
        panic!("{update:?}")
    };
    assert_eq!(add, &[MemberRef::New("ad|Mozilla-LDAP|u3".into())]);
    assert_eq!(remove, &["t2"]);
    assert!(!adopt);
    let nobody: Vec<Desired> = desired
        .iter()
        .map(|d| Desired {
            wanted: false,
            ..d.clone()
        })
        .collect();
    let empty = plan_groups(
        &specs,
        &nobody,
        &existing,
        std::slice::from_ref(&group),
        &[],
    );
    let [GroupAction::Update { add, remove, .. }] = empty.as_slice() else {
        panic!("{empty:?}")
    };
    assert!(add.is_empty());
    assert_eq!(remove, &["t1", "t2"]);
    let settled = ExistingGroup {
        members: vec!["t1".into()],
        ..group
    };
    let desired_now = &desired[..2];
    assert_eq!(
        plan_groups(&specs, desired_now, &existing, &[settled], &[]),
        vec![]
    );
}
