//! Contract behaviours of lookups, conditional writes, deletes and status records.

use super::{Subject, create, seq, user, with, write};
use cis_identity_vault::{Expected, IdEntry, ListQuery, Lookup, VaultError};
use cis_profile::Profile;
use serde_json::json;
use std::sync::Arc;

fn by_id(user_id: &str) -> Lookup {
    Lookup::UserId(user_id.to_string())
}

pub async fn a_created_profile_is_found_by_every_lookup(s: Subject) {
    let v = &*s.vault;
    let profile = user("ad|Mozilla-LDAP|jdoe");
    let (w, st) = write(profile.clone(), Expected::Absent);
    let number = w.sequence_number.clone();
    assert_eq!(v.put(w, st).await, Ok(1));
    let lookups = [
        by_id("ad|Mozilla-LDAP|jdoe"),
        Lookup::Uuid(profile.uuid().unwrap().into()),
        Lookup::PrimaryEmail(profile.primary_email().unwrap().into()),
        Lookup::PrimaryUsername(profile.primary_username().unwrap().into()),
        Lookup::SequenceNumber(number.clone()),
    ];
    for lookup in &lookups {
        let found = v
            .get(lookup)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{lookup:?} finds nothing"));
        assert_eq!(found.profile, profile, "{lookup:?}");
        assert_eq!(found.version, Some(1), "{lookup:?}");
        assert_eq!(
            found.sequence_number.as_deref(),
            Some(number.as_str()),
            "{lookup:?}"
        );
    }
    let misses = [
        by_id("ad|Mozilla-LDAP|other"),
        Lookup::Uuid("00000000-0000-5000-8000-000000000000".into()),
        Lookup::PrimaryEmail("nobody@example.com".into()),
        Lookup::PrimaryUsername("r--AAAAAAAAAAAAAAAAAAAAAA==".into()),
        Lookup::SequenceNumber(seq()),
        Lookup::PrimaryEmail(String::new()),
    ];
    for lookup in &misses {
        assert_eq!(v.get(lookup).await, Ok(None), "{lookup:?}");
    }
}

pub async fn a_stored_profile_reads_back_exactly(s: Subject) {
    let v = &*s.vault;
    // A realistic profile: every kind of attribute, non-ASCII text, metadata, signatures.
    let profile = with(
        cis_profile::fake::fake_profile(42),
        "user_id",
        json!("github|4242"),
    );
    create(v, profile.clone()).await;
    let stored = v.get(&by_id("github|4242")).await.unwrap().unwrap();
    assert_eq!(stored.profile.to_json(), profile.to_json());
}

pub async fn creating_an_existing_user_is_already_exists(s: Subject) {
    let v = &*s.vault;
    create(v, user("github|1")).await;
    let (w, st) = write(
        with(user("github|1"), "first_name", json!("Other")),
        Expected::Absent,
    );
    let number = st.sequence_number.clone();
    assert_eq!(
        v.put(w, st).await,
        Err(VaultError::AlreadyExists("github|1".into()))
    );
    let stored = v.get(&by_id("github|1")).await.unwrap().unwrap();
    assert_eq!(
        (stored.profile, stored.version),
        (user("github|1"), Some(1))
    );
    assert_eq!(
        v.get_status(&number).await,
        Ok(None),
        "a failed write leaves no status record"
    );
}

pub async fn an_update_with_the_stored_version_increments_it(s: Subject) {
    let v = &*s.vault;
    create(v, user("github|1")).await;
    for (expected, next, name) in [(1, 2, "Ada"), (2, 3, "Grace")] {
        let changed = with(user("github|1"), "first_name", json!(name));
        let (w, st) = write(changed.clone(), Expected::Version(expected));
        let number = w.sequence_number.clone();
        assert_eq!(v.put(w, st).await, Ok(next));
        let stored = v.get(&by_id("github|1")).await.unwrap().unwrap();
        assert_eq!(stored.profile, changed);
        assert_eq!(stored.version, Some(next));
        assert_eq!(stored.sequence_number, Some(number));
        assert_eq!(stored.expected(), Expected::Version(next));
    }
}

pub async fn an_update_with_a_stale_version_is_a_conflict_and_changes_nothing(s: Subject) {
    let v = &*s.vault;
    create(v, user("github|1")).await;
    let (w, st) = write(
        with(user("github|1"), "first_name", json!("Ada")),
        Expected::Version(1),
    );
    v.put(w, st).await.unwrap();
    let before = v.get(&by_id("github|1")).await.unwrap();
    for expected in [
        Expected::Version(1),
        Expected::Version(3),
        Expected::Unversioned,
    ] {
        let (w, st) = write(with(user("github|1"), "first_name", json!("Eve")), expected);
        let number = st.sequence_number.clone();
        assert_eq!(
            v.put(w, st).await,
            Err(VaultError::VersionConflict("github|1".into()))
        );
        assert_eq!(v.get(&by_id("github|1")).await.unwrap(), before);
        assert_eq!(v.get_status(&number).await, Ok(None));
    }
}

pub async fn an_update_of_an_unknown_user_is_not_found(s: Subject) {
    let v = &*s.vault;
    let (w, st) = write(user("github|404"), Expected::Version(1));
    assert_eq!(
        v.put(w, st).await,
        Err(VaultError::NotFound("github|404".into()))
    );
    assert_eq!(v.get(&by_id("github|404")).await, Ok(None));
}

pub async fn concurrent_writers_with_the_same_version_exactly_one_wins(s: Subject) {
    const WRITERS: usize = 4;
    for round in 0..8 {
        let user_id = format!("github|race{round}");
        create(&*s.vault, user(&user_id)).await;
        let tasks: Vec<_> = (0..WRITERS)
            .map(|i| {
                let vault = Arc::clone(&s.vault);
                let profile = with(user(&user_id), "first_name", json!(format!("writer {i}")));
                tokio::spawn(async move {
                    let (w, st) = write(profile.clone(), Expected::Version(1));
                    (vault.put(w, st).await, profile)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (Ok(version), profile) => winners.push((version, profile)),
                (Err(e), _) => assert_eq!(e, VaultError::VersionConflict(user_id.clone())),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one writer wins");
        let (version, profile) = winners.remove(0);
        assert_eq!(version, 2);
        let stored = s.vault.get(&by_id(&user_id)).await.unwrap().unwrap();
        assert_eq!((stored.profile, stored.version), (profile, Some(2)));
    }
}

pub async fn an_update_that_clears_identifiers_removes_them_from_lookups(s: Subject) {
    let v = &*s.vault;
    let profile = user("github|1");
    create(v, profile.clone()).await;
    let cleared = with(
        with(profile.clone(), "primary_email", json!(null)),
        "active",
        json!(null),
    );
    let (w, st) = write(cleared, Expected::Version(1));
    v.put(w, st).await.unwrap();
    let email = Lookup::PrimaryEmail(profile.primary_email().unwrap().into());
    assert_eq!(v.get(&email).await, Ok(None));
    let (w, st) = write(
        with(profile.clone(), "primary_email", json!("")),
        Expected::Version(2),
    );
    v.put(w, st).await.unwrap();
    assert_eq!(v.get(&Lookup::PrimaryEmail(String::new())).await, Ok(None));
    let entries = v.list_ids(&ListQuery::default()).await.unwrap().items;
    let expected = IdEntry {
        user_id: "github|1".into(),
        uuid: profile.uuid().map(str::to_string),
        primary_email: None,
        active: Some(true),
    };
    assert_eq!(entries, vec![expected]);
}

pub async fn a_shared_primary_email_finds_the_smallest_user_id(s: Subject) {
    let v = &*s.vault;
    for id in [
        "github|2",
        "oauth2|firefoxaccounts|1",
        "ad|Mozilla-LDAP|jdoe",
        "github|10",
    ] {
        create(
            v,
            with(user(id), "primary_email", json!("shared@example.com")),
        )
        .await;
    }
    let found = v
        .get(&Lookup::PrimaryEmail("shared@example.com".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.profile.user_id(), Some("ad|Mozilla-LDAP|jdoe"));
}

pub async fn a_profile_without_user_id_is_an_invalid_request(s: Subject) {
    let v = &*s.vault;
    for profile in [Profile::null(), with(user("x"), "user_id", json!(""))] {
        let (w, st) = write(profile, Expected::Absent);
        assert!(matches!(
            v.put(w, st).await,
            Err(VaultError::InvalidRequest(_))
        ));
    }
    assert!(
        v.list_ids(&ListQuery::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
