//! The Person API router suite: one set of scenarios that must hold on every vault adapter. Each adapter's
//! test file supplies a factory of fresh, empty vaults:
//!
//! ```text
//! mod common;
//! mod suite;
//! async fn fresh() -> suite::Subject { suite::Subject::new(Arc::new(MemoryVault::new())) }
//! person_api_suite!(fresh);
//! ```
//!
//! Scenarios never assume more than the ports promise: a walk ends when `nextPage` is null; order within
//! an answer is not asserted across adapters.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod lists;
pub mod lookups;
pub mod search;

pub use lists::*;
pub use lookups::*;
pub use search::*;

pub use cis_testkit::suite::Subject;

/// One `#[tokio::test]` per scenario, each on a vault from `$factory().await`; attributes given before
/// the factory (`#[ignore = "..."]`) go on every test. The only list of the scenarios.
#[macro_export]
macro_rules! person_api_suite {
    ($(#[$meta:meta])* $factory:path) => {
        cis_testkit::per_scenario!($(#[$meta])* suite, $factory;
            each_lookup_returns_the_profile_filtered_for_the_caller,
            absent_users_and_users_in_another_active_state_are_404,
            filter_display_narrows_and_unknown_levels_are_400,
            metadata_tells_whether_cis_and_ldap_know_an_email,
            v2_users_pages_visit_every_user_of_the_active_filter_exactly_once,
            users_added_during_a_walk_never_make_another_appear_twice,
            legacy_next_page_forms_continue_where_the_token_does,
            primary_email_gives_that_user_without_a_next_page,
            tokens_are_bound_to_the_route_that_issued_them,
            ids_of_a_connection_are_listed_in_pages_with_the_active_filter,
            ids_show_primary_email_only_to_display_all_callers,
            search_finds_group_members_and_staff_in_pages,
            full_profile_search_answers_the_user_id_attribute_and_the_filtered_profile,
            search_needs_search_all_and_hides_what_the_caller_cannot_see,
        );
    };
}
