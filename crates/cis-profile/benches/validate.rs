//! Validation throughput (docs/contract/profile.md §4): `Profile::parse` of a realistic profile's JSON bytes (strict JSON,
//! both validation layers, canonical order), `Profile::check` of the same bytes (the same verdict over a borrowed
//! tree) and `validate` of an already parsed document.
//!
//! Run with `cargo bench -p cis-profile --bench validate`; the target is ≥ 20,000 profiles/s for `validate`.

use cis_profile::fake::fake_profiles;
use cis_profile::json::parse_strict;
use cis_profile::validate::validate;
use cis_profile::{AttrPath, Profile};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// A staff member's profile: the richest kind (identities, staff information, groups, keys).
fn realistic_profile() -> Profile {
    let hris = AttrPath::parse("access_information.hris");
    let is_staff = |p: &Profile| hris.and_then(|h| p.attr(h)).is_some_and(|a| !a.is_null());
    fake_profiles(0, 1000)
        .find(is_staff)
        .unwrap_or_else(Profile::null)
}

fn bench_validation(c: &mut Criterion) {
    let profile = realistic_profile();
    let bytes = profile.to_json().into_bytes();
    let value = profile.to_value();
    assert!(
        validate(&value).is_ok(),
        "the benchmark profile must be valid"
    );

    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse_bytes", |b| {
        b.iter(|| Profile::parse(black_box(&bytes)))
    });
    group.bench_function("check_bytes", |b| {
        b.iter(|| Profile::check(black_box(&bytes)))
    });
    group.bench_function("validate_value", |b| b.iter(|| validate(black_box(&value))));
    group.bench_function("from_value_of_a_parsed_document", |b| {
        b.iter_batched(
            || parse_strict(&bytes).unwrap_or_default(),
            |v| Profile::from_value(black_box(v)),
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("drop_a_parsed_document", |b| {
        b.iter_batched(
            || parse_strict(&bytes).unwrap_or_default(),
            drop,
            criterion::BatchSize::SmallInput,
        )
    });
    // For comparison: the JSON layer alone, strict and plain.
    group.bench_function("parse_strict_only", |b| {
        b.iter(|| parse_strict(black_box(&bytes)))
    });
    group.bench_function("serde_json_only", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&bytes)))
    });
    group.finish();
}

criterion_group!(benches, bench_validation);
criterion_main!(benches);
