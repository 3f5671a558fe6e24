//! Merge and filter on a realistic profile (fixtures/vectors/signed-profile.json, read at start).
//!
//! - `merge/whole_document_3_changes`: a publisher re-sends the whole stored document with three attributes
//!   changed (every attribute is compared).
//! - `merge/partial_3_changes`: the null profile with three attributes set (the usual publisher shape).
//! - `merge/owned_partial_3_changes`: the same through `merge_into`, for a caller that owns the stored copy.
//! - `filter/public` and `filter/read_fullprofile`: one Person API filter per returned profile.
//! - `filter/stored_text_*`: what the Person API pays per profile from the stored text: parse + `filter` +
//!   serialise (`parsed`) against `filter_raw` (`raw`), for a public caller.

use cis_profile::attr::{set_payload, set_publisher};
use cis_profile::filter::{ScopeSet, filter};
use cis_profile::filter_raw::filter_raw;
use cis_profile::merge::{merge, merge_into};
use cis_profile::{AttrPath, Profile};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::hint::black_box;

fn stored() -> Profile {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/vectors/signed-profile.json"
    );
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Profile::parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn change(mut profile: Profile, dotted: &str, publisher: &str, payload: Value) -> Profile {
    let path = AttrPath::parse(dotted).unwrap_or_else(|| panic!("{dotted}"));
    let mut attr = profile.attr_or_null(path);
    set_payload(&mut attr, path.kind(), payload);
    set_publisher(
        &mut attr,
        publisher,
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2ln",
    );
    profile.set_attr(path, attr);
    profile
}

fn three_changes(base: Profile) -> Profile {
    let p = change(
        base,
        "fun_title",
        "mozilliansorg",
        json!("Principal Bench Engineer"),
    );
    let p = change(
        p,
        "staff_information.title",
        "hris",
        json!("Director of Benchmarks"),
    );
    change(
        p,
        "access_information.ldap",
        "ldap",
        json!({"team_moco": null, "bench": null, "vpn": null}),
    )
}

fn benches(c: &mut Criterion) {
    let stored = stored();
    let whole = three_changes(stored.clone());
    let partial = three_changes(Profile::null());
    assert_eq!(merge(&stored, &whole).changed.len(), 3);
    assert_eq!(merge(&stored, &partial).changed.len(), 3);

    let mut group = c.benchmark_group("merge");
    group.bench_function("whole_document_3_changes", |b| {
        b.iter(|| merge(black_box(&stored), black_box(&whole)))
    });
    group.bench_function("partial_3_changes", |b| {
        b.iter(|| merge(black_box(&stored), black_box(&partial)))
    });
    // What a caller owning the stored profile pays (the processor reads it from the vault).
    group.bench_function("owned_partial_3_changes", |b| {
        b.iter_batched(
            || stored.clone(),
            |owned| merge_into(owned, black_box(&partial)),
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let public = ScopeSet::parse("classification:public display:public");
    let full = ScopeSet::parse("read:fullprofile");
    let mut group = c.benchmark_group("filter");
    group.bench_function("public", |b| {
        b.iter(|| filter(black_box(&stored), black_box(&public), None))
    });
    group.bench_function("read_fullprofile", |b| {
        b.iter(|| filter(black_box(&stored), black_box(&full), None))
    });
    let text = stored.to_json();
    group.bench_function("stored_text_public_parsed", |b| {
        b.iter(|| {
            let value = serde_json::from_str(black_box(&text)).unwrap_or(Value::Null);
            let profile = Profile::from_stored(value).unwrap_or_else(|_| Profile::null());
            serde_json::to_string(&filter(&profile, black_box(&public), None))
        })
    });
    group.bench_function("stored_text_public_raw", |b| {
        b.iter(|| filter_raw(black_box(&text), black_box(&public), None).map(|t| t.len()))
    });
    group.finish();
}

criterion_group!(merge_filter, benches);
criterion_main!(merge_filter);
