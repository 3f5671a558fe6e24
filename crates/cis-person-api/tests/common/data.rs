//! Test profiles and storing them: [`user`] (a unique fake profile with uuid and primary_username),
//! [`population`] (users with known group memberships, staff flags and active states), the filtering
//! vector's profile, and [`store`] (a create through the vault's write port, as the processor does).

use std::sync::atomic::{AtomicU64, Ordering};

use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, Expected, ProfileWrite, StatusRecord, Vault,
};
use cis_profile::attr::{set_metadata, set_payload};
use cis_profile::fake::fake_profile;
use cis_profile::identifiers::derive_identifiers;
use cis_profile::{AttrPath, Profile};
use serde_json::{Value, json};

pub const SALT: &str = "12345";

/// Sets the payload of `dotted`.
pub fn set(profile: &mut Profile, dotted: &str, payload: Value) {
    let path = AttrPath::parse(dotted).unwrap();
    set_payload(profile.attr_mut(path).unwrap(), path.kind(), payload);
}

/// Sets the classification and display of `dotted`.
pub fn set_meta(profile: &mut Profile, dotted: &str, classification: &str, display: Value) {
    let attr = profile.attr_mut(AttrPath::parse(dotted).unwrap()).unwrap();
    set_metadata(attr, "classification", json!(classification));
    set_metadata(attr, "display", display);
}

/// `fake_profile(seed)` with a user_id and primary email made unique by the seed, and uuid and
/// primary_username derived from the user_id.
pub fn user(seed: u64) -> Profile {
    let mut profile = fake_profile(seed);
    let user_id = format!("{}-{seed}", profile.user_id().unwrap());
    let email = profile
        .primary_email()
        .unwrap()
        .replacen('@', &format!("+{seed}@"), 1);
    let (uuid, username) = derive_identifiers(SALT, &user_id);
    set(&mut profile, "user_id", json!(user_id));
    set(&mut profile, "primary_email", json!(email));
    set(&mut profile, "uuid", json!(uuid));
    set(&mut profile, "primary_username", json!(username));
    profile
}

/// What [`population`] decided about one user.
#[derive(Debug, Clone)]
pub struct Person {
    pub seed: u64,
    pub profile: Profile,
    pub user_id: String,
    pub active: bool,
    /// In LDAP group `team_moco`.
    pub moco: bool,
    /// `staff_information.staff`.
    pub staff: bool,
}

/// `n` users (seeds 1..=n): every third is in LDAP group `team_moco`, every second is staff, every fifth
/// is inactive. The searched attributes are PUBLIC with display `staff`.
pub fn population(n: u64) -> Vec<Person> {
    (1..=n)
        .map(|seed| {
            let mut profile = user(seed);
            let (active, moco, staff) = (seed % 5 != 0, seed % 3 == 0, seed % 2 == 0);
            set(&mut profile, "active", json!(active));
            let groups = if moco {
                json!({"team_moco": null, "everyone": null})
            } else {
                json!({"everyone": null})
            };
            set(&mut profile, "access_information.ldap", groups);
            set(&mut profile, "staff_information.staff", json!(staff));
            for dotted in ["access_information.ldap", "staff_information.staff"] {
                set_meta(&mut profile, dotted, "PUBLIC", json!("staff"));
            }
            Person {
                seed,
                user_id: profile.user_id().unwrap().to_owned(),
                profile,
                active,
                moco,
                staff,
            }
        })
        .collect()
}

/// The profile of vectors/filtering.json: the null profile with the vector's attributes.
pub fn filtering_profile(vector: &Value) -> Profile {
    let mut profile = Profile::null();
    for (dotted, attr) in vector["profile"].as_object().unwrap() {
        let path = AttrPath::parse(dotted).unwrap();
        profile.set_attr(path, attr.as_object().unwrap().clone());
    }
    profile
}

/// A sequence number no other write of this process uses.
pub fn sequence_number() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{nanos}{:06}{:08}",
        std::process::id() % 1_000_000,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates `profile` in the vault.
pub async fn store(vault: &dyn Vault, profile: Profile) {
    let user_id = profile.user_id().unwrap().to_owned();
    let sequence_number = sequence_number();
    let status = StatusRecord {
        sequence_number: sequence_number.clone(),
        user_id,
        state: ChangeState::Processed,
        condition: Condition::Create,
        processed_at: "2026-01-15T10:00:00.123Z".into(),
        version: Some(1),
        source: ChangeSource::Direct,
        error: None,
        expires_at: None,
        origin: Default::default(),
    };
    let write = ProfileWrite {
        profile,
        expected: Expected::Absent,
        sequence_number,
        changed_attributes: vec![],
        change_publishers: vec![],
    };
    vault.put(write, status).await.unwrap();
}

/// Stores every person of a population.
pub async fn store_all(vault: &dyn Vault, people: &[Person]) {
    for person in people {
        store(vault, person.profile.clone()).await;
    }
}
