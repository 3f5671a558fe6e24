//! The raw-text filter gives what the parsed filter gives: fake profiles under every scope combination,
//! and the original's filtering vectors (as stored texts).

// A test crate: its helpers panic on broken fixtures, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_profile::fake::fake_profile;
use cis_profile::filter::{ScopeSet, filter};
use cis_profile::filter_raw::filter_raw;
use cis_profile::{AttrPath, Display, Profile};
use proptest::prelude::*;
use serde_json::Value;

const SCOPES: [&str; 12] = [
    "read:fullprofile",
    "display:all",
    "classification:mozilla_confidential",
    "classification:workgroup",
    "classification:workgroup:staff_only",
    "classification:individual",
    "classification:public",
    "display:authenticated",
    "display:vouched",
    "display:ndaed",
    "display:staff",
    "display:none",
];

fn scope_set(bits: u16) -> ScopeSet {
    SCOPES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, s)| (*s).to_string())
        .collect()
}

fn level(i: usize) -> Option<Display> {
    i.checked_sub(1).and_then(|i| Display::ALL.get(i).copied())
}

/// A profile as the vault holds it: its stored text and what `from_stored` makes of it.
fn stored(profile: &Profile) -> (String, Profile) {
    let text = profile.to_json();
    let parsed = Profile::from_stored(serde_json::from_str(&text).unwrap()).unwrap();
    (text, parsed)
}

/// The stored profile filtered both ways, as JSON values.
fn both(stored: &(String, Profile), scopes: &ScopeSet, level: Option<Display>) -> (Value, Value) {
    let expected = filter(&stored.1, scopes, level);
    let raw = filter_raw(&stored.0, scopes, level).unwrap();
    (serde_json::from_str(&raw).unwrap(), expected)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn fake_profiles_filter_the_same_from_their_text(
        seed in 0u64..10_000,
        bits in 0u16..(1 << 12),
        level_index in 0usize..=Display::ALL.len(),
    ) {
        let (raw, expected) = both(&stored(&fake_profile(seed)), &scope_set(bits), level(level_index));
        prop_assert_eq!(raw, expected);
    }
}

#[test]
fn every_scope_combination_filters_a_fake_profile_the_same() {
    let profile = stored(&fake_profile(7));
    for bits in 0..(1u16 << 12) {
        let scopes = scope_set(bits);
        let i = usize::from(bits) % (Display::ALL.len() + 1);
        let (raw, expected) = both(&profile, &scopes, level(i));
        assert_eq!(raw, expected, "{scopes:?} {i}");
    }
}

#[test]
fn every_filtering_vector_filters_the_same_from_its_text() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/vectors/filtering.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut null = Profile::null();
    for (dotted, attr) in doc["profile"].as_object().unwrap() {
        let p = AttrPath::parse(dotted).unwrap();
        null.set_attr(p, attr.as_object().unwrap().clone());
    }
    let profile = stored(&null);
    for case in doc["cases"].as_array().unwrap() {
        let scopes: ScopeSet = case["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        let level = case["filterDisplay"]
            .as_str()
            .map(|s| Display::parse(s).unwrap());
        let (raw, expected) = both(&profile, &scopes, level);
        assert_eq!(
            raw, expected,
            "{:?} / {:?}",
            case["scopes"], case["filterDisplay"]
        );
    }
}
