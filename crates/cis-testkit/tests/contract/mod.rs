//! The vault contract: one suite of behaviours that every vault adapter must show
//! (docs/contract/processor-and-vault.md §5, §6, §8; the ports' documentation). Written once, here in
//! the test kit's tests (the vault crate cannot take the kit as a dev-dependency: the kit depends on it);
//! each adapter's test file in this folder only supplies a factory of fresh, empty vaults:
//!
//! ```ignore
//! mod contract;
//! async fn fresh() -> Subject { Subject::new(Arc::new(MemoryVault::new())) }
//! vault_contract!(fresh);
//! // needing moto_server: vault_contract!(#[ignore = "needs moto_server (ci/test.sh runs it)"] fresh);
//! ```
//!
//! [`vault_contract!`] holds the one list of behaviours and makes one `#[tokio::test]` per behaviour,
//! named after it (through [`cis_testkit::per_scenario!`]). Behaviours take a [`Subject`](cis_testkit::suite::Subject) and panic on a broken
//! promise. They never assume more than the ports promise (pages may be short; a walk ends when `next`
//! is `None`).

// A test support module: its helpers panic on broken fixtures, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod history;
pub mod lists;
pub mod pending;
pub mod population;
pub mod search;
pub mod status;
pub mod texts;
pub mod writes;

pub use cis_testkit::suite::Subject;
pub use history::*;
pub use lists::*;
pub use pending::*;
pub use search::*;
pub use status::*;
pub use texts::*;
pub use writes::*;

use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, Expected, ProfileWrite, StatusRecord, Vault,
};
use cis_profile::attr::set_payload;
use cis_profile::identifiers::derive_identifiers;
use cis_profile::{AttrPath, Profile};
use serde_json::{Value, json};

/// One `#[tokio::test]` per contract behaviour, each on a vault from `$factory().await`; attributes
/// given before the factory (`#[ignore = "..."]`) go on every test. The only list of the behaviours.
#[macro_export]
macro_rules! vault_contract {
    ($(#[$meta:meta])* $factory:path) => {
        cis_testkit::per_scenario!($(#[$meta])* contract, $factory;
            a_created_profile_is_found_by_every_lookup,
            a_stored_profile_reads_back_exactly,
            creating_an_existing_user_is_already_exists,
            an_update_with_the_stored_version_increments_it,
            an_update_with_a_stale_version_is_a_conflict_and_changes_nothing,
            an_update_of_an_unknown_user_is_not_found,
            concurrent_writers_with_the_same_version_exactly_one_wins,
            a_status_record_is_written_with_the_write,
            a_replayed_change_is_status_exists_and_writes_nothing,
            status_records_are_written_once_and_read_back_whole,
            a_users_change_history_is_newest_first_paged_and_carries_its_origin,
            a_status_record_without_a_user_is_stored_and_in_no_history,
            a_delete_with_the_stored_version_removes_the_user,
            a_delete_with_a_stale_version_is_a_conflict,
            deleting_an_unknown_user_is_not_found,
            an_update_that_clears_identifiers_removes_them_from_lookups,
            a_shared_primary_email_finds_the_smallest_user_id,
            a_profile_without_user_id_is_an_invalid_request,
            profile_pages_visit_every_user_exactly_once,
            profile_pages_filter_by_active_and_connection,
            id_pages_visit_every_user_once_with_their_index_entries,
            id_pages_filter_by_active_and_connection,
            users_added_during_a_walk_never_make_another_appear_twice,
            a_search_finds_the_members_of_an_ldap_group,
            a_search_finds_staff_by_boolean_and_text_attributes,
            an_invalid_cursor_is_rejected_everywhere,
            a_page_limit_of_zero_is_an_invalid_request,
            text_lookups_agree_with_parsed_lookups,
            text_pages_agree_with_parsed_pages,
            a_mark_holds_until_its_change_clears_it_and_a_later_change_keeps_its_own,
            a_mark_left_behind_lapses_at_its_expiry,
        );
    };
}

/// A random sequence number (docs/contract/change-api.md §10), so suites sharing a status table never
/// collide.
pub fn seq() -> String {
    rand::random::<u128>().max(1).to_string()
}

/// Sets the payload of the attribute at `dotted`.
pub fn set(profile: &mut Profile, dotted: &str, payload: Value) {
    let path = AttrPath::parse(dotted).unwrap();
    set_payload(profile.attr_mut(path).unwrap(), path.kind(), payload);
}

/// A user as CIS stores one: user_id, derived uuid and primary_username, an email made from the user_id,
/// active.
pub fn user(user_id: &str) -> Profile {
    let mut p = Profile::null();
    let (uuid, username) = derive_identifiers("contract-suite", user_id);
    let local: String = user_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect();
    set(&mut p, "user_id", json!(user_id));
    set(&mut p, "uuid", json!(uuid));
    set(&mut p, "primary_username", json!(username));
    set(
        &mut p,
        "primary_email",
        json!(format!("{local}@example.com")),
    );
    set(&mut p, "active", json!(true));
    p
}

/// The same user with `dotted` set to `payload`.
pub fn with(mut profile: Profile, dotted: &str, payload: Value) -> Profile {
    set(&mut profile, dotted, payload);
    profile
}

pub fn status(sequence_number: &str, user_id: &str, condition: Condition) -> StatusRecord {
    StatusRecord {
        sequence_number: sequence_number.to_string(),
        user_id: user_id.to_string(),
        state: ChangeState::Processed,
        condition,
        processed_at: "2026-01-15T10:00:00.123Z".into(),
        version: None,
        source: ChangeSource::Direct,
        error: None,
        expires_at: Some(1_776_000_000),
        origin: Default::default(),
    }
}

/// A write of `profile` expecting `expected`, with a fresh sequence number, and its status record.
pub fn write(profile: Profile, expected: Expected) -> (ProfileWrite, StatusRecord) {
    let user_id = profile.user_id().unwrap_or_default().to_string();
    let sequence_number = seq();
    let condition = if expected == Expected::Absent {
        Condition::Create
    } else {
        Condition::Update
    };
    let status = status(&sequence_number, &user_id, condition);
    let write = ProfileWrite {
        profile,
        expected,
        sequence_number,
        changed_attributes: vec!["active".into(), "last_modified".into()],
        change_publishers: vec!["ldap".into()],
    };
    (write, status)
}

/// Creates `profile`, which must succeed with version 1.
pub async fn create(vault: &dyn Vault, profile: Profile) {
    let (w, s) = write(profile, Expected::Absent);
    assert_eq!(vault.put(w, s).await, Ok(1));
}
