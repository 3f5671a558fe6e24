use super::*;
use crate::config::TargetsFile;
use crate::target::MemoryTarget;
use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, Expected, MemoryVault, ProfileWrite, ProfileWriter,
    StatusRecord,
};
use cis_profile::Profile;

/// A processed create's status record.
pub(crate) fn status(sequence_number: &str, user_id: &str) -> StatusRecord {
    StatusRecord {
        sequence_number: sequence_number.into(),
        user_id: user_id.into(),
        state: ChangeState::Processed,
        condition: Condition::Create,
        processed_at: "2026-01-15T10:00:00.123Z".into(),
        version: Some(1),
        source: ChangeSource::Direct,
        error: None,
        expires_at: None,
        origin: Default::default(),
    }
}

/// `n` users: odd ones in LDAP group `team`, every fourth inactive.
pub(crate) async fn vault(n: u32) -> MemoryVault {
    let vault = MemoryVault::new();
    for i in 1..=n {
        let user_id = format!("ad|Mozilla-LDAP|u{i}");
        let mut p = cis_testkit::profiles::new_user(&user_id).to_value();
        p["primary_email"]["value"] = json!(format!("u{i}@mozilla.com"));
        p["first_name"]["value"] = json!(format!("User{i}"));
        p["active"]["value"] = json!(i % 4 != 0);
        if i % 2 == 1 {
            p["access_information"]["ldap"]["values"] = json!({"team": null});
        }
        let status = status(&i.to_string(), &user_id);
        let write = ProfileWrite {
            profile: Profile::from_stored(p).unwrap(),
            expected: Expected::Absent,
            sequence_number: i.to_string(),
            changed_attributes: vec![],
            change_publishers: vec![],
        };
        vault.put(write, status).await.unwrap();
    }
    vault
}

pub(crate) fn config(extra: &str) -> TargetConfig {
    let file = TargetsFile::parse(&format!(
        r#"{{"targets": [{{"name": "t", "url": "http://x", "groups": [{{"cis": "ldap:team"}}] {extra}}}]}}"#
    ))
    .unwrap();
    file.targets[0].clone()
}

#[tokio::test]
async fn a_run_provisions_the_wanted_users_and_a_second_run_does_nothing() {
    let vault = vault(8).await;
    let target = MemoryTarget::new();
    let config = config("");
    let dry = sync(&vault, &target, &config, Options { dry_run: true })
        .await
        .unwrap();
    assert_eq!(dry.counts()["create"], 6, "{}", dry.table());
    assert_eq!(target.writes(), 0, "a dry run writes nothing");
    let first = sync(&vault, &target, &config, Options::default())
        .await
        .unwrap();
    assert_eq!(first.failed(), 0, "{}", first.table());
    assert_eq!(first.counts()["create"], 6);
    assert_eq!(first.counts()["create-group"], 1);
    let users = target.users().await.unwrap();
    assert_eq!(users.len(), 6);
    let group = &target.groups().await.unwrap()[0];
    assert_eq!(
        group["members"].as_array().unwrap().len(),
        4,
        "u1, u3, u5, u7: {group}"
    );
    let second = sync(&vault, &target, &config, Options::default())
        .await
        .unwrap();
    assert!(second.actions.is_empty(), "{}", second.table());
}

#[tokio::test]
async fn leaving_the_selection_disables_and_foreign_users_are_untouched() {
    let vault = vault(4).await;
    let target = MemoryTarget::new();
    let foreign = target.insert_user(json!({"userName": "admin@example.com", "active": true}));
    let all = config("");
    sync(&vault, &target, &all, Options::default())
        .await
        .unwrap();
    let only_team = config(r#", "select": "groups.value eq \"ldap:team\"""#);
    let report = sync(&vault, &target, &only_team, Options::default())
        .await
        .unwrap();
    assert_eq!(
        report.counts().get("disable"),
        Some(&1),
        "u2 left: {}",
        report.table()
    );
    let disabled: Vec<Value> = target
        .users()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u["active"] == json!(false))
        .collect();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0]["externalId"], "ad|Mozilla-LDAP|u2");
    assert_eq!(target.user(&foreign).unwrap()["active"], true);
    let delete = config(r#", "select": "userName eq \"nobody\"", "disable": "delete""#);
    let report = sync(&vault, &target, &delete, Options::default())
        .await
        .unwrap();
    assert_eq!(
        report.counts().get("delete"),
        Some(&3),
        "{}",
        report.table()
    );
    // u1, u3 and the disabled u2 are deleted; the foreign user stays.
    let left = target.users().await.unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["id"], foreign.as_str());
}
