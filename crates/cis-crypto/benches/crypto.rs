//! Signing and verifying a realistic profile next to the raw RSA work it contains.
//!
//! The profile is fixtures/vectors/signed-profile.json (39 signed attributes). Each group has two rows:
//!
//! - `sign/profile`: `sign_profile` over every non-null attribute (payload serialisation, base64, RSA, writing
//!   `signature.publisher`), on a fresh copy of the profile each iteration (the copy is not timed).
//! - `sign/raw_rsa`: aws-lc-rs `RsaKeyPair::sign` (PKCS#1 v1.5 SHA-256) of the same number of 200-byte messages.
//! - `verify/profile`: `verify_profile` with the test well-known key set (decode, RSA, parse, compare).
//! - `verify/raw_rsa`: aws-lc-rs `ParsedPublicKey::verify_sig` of the same number of 200-byte messages.
//!
//! The ratio profile / raw_rsa is the cost of everything that is not RSA. Run:
//! `cargo bench -p cis-crypto --bench crypto`.

use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
};
use cis_crypto::{KeySet, SigningKey, sign_profile, signed_attribute_count, verify_profile};
use cis_profile::{Profile, Publisher};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(rel: &str) -> String {
    String::from_utf8(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn pem_der(rel: &str) -> Vec<u8> {
    cis_crypto::pem::decode(&text(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .der
}

fn benches(c: &mut Criterion) {
    let profile = Profile::parse(&fixture("vectors/signed-profile.json"))
        .unwrap_or_else(|e| panic!("signed-profile.json: {e}"));
    let doc = cis_profile::json::parse_strict(&fixture("vectors/well-known-test.json"))
        .unwrap_or_else(|e| panic!("well-known-test.json: {e}"));
    let keys = KeySet::from_well_known(&doc).unwrap_or_else(|e| panic!("{e}"));
    let key = SigningKey::parse(&text("keys/fake-publisher-key_0.priv.pem"))
        .unwrap_or_else(|e| panic!("{e}"));
    let n = signed_attribute_count(&profile);
    assert!(verify_profile(&profile, &keys).is_ok());

    let raw_pair = RsaKeyPair::from_der(&pem_der("keys/fake-publisher-key_0.priv.pem"))
        .unwrap_or_else(|e| panic!("{e}"));
    let raw_public = ParsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        pem_der("keys/fake-publisher-key_0.pub.pem"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let messages: Vec<Vec<u8>> = (0..n).map(|i| vec![b'a' + (i % 26) as u8; 200]).collect();
    let signatures: Vec<Vec<u8>> = messages
        .iter()
        .map(|m| {
            let mut sig = vec![0; raw_pair.public_modulus_len()];
            raw_pair
                .sign(&RSA_PKCS1_SHA256, &rng, m, &mut sig)
                .unwrap_or_else(|e| panic!("{e}"));
            sig
        })
        .collect();

    let mut sign = c.benchmark_group(format!("sign_{n}_attributes"));
    sign.sample_size(20)
        .measurement_time(Duration::from_secs(12));
    sign.bench_function("profile", |b| {
        b.iter_batched_ref(
            || profile.clone(),
            |p| sign_profile(p, Publisher::Ldap, &key, None).unwrap_or_else(|e| panic!("{e}")),
            BatchSize::SmallInput,
        )
    });
    sign.bench_function("raw_rsa", |b| {
        let mut sig = vec![0; raw_pair.public_modulus_len()];
        b.iter(|| {
            for m in &messages {
                raw_pair
                    .sign(&RSA_PKCS1_SHA256, &rng, m, &mut sig)
                    .unwrap_or_else(|e| panic!("{e}"));
                black_box(&sig);
            }
        })
    });
    sign.finish();

    let mut verify = c.benchmark_group(format!("verify_{n}_attributes"));
    verify
        .sample_size(50)
        .measurement_time(Duration::from_secs(8));
    verify.bench_function("profile", |b| {
        b.iter(|| verify_profile(black_box(&profile), &keys))
    });
    verify.bench_function("raw_rsa", |b| {
        b.iter(|| {
            for (m, s) in messages.iter().zip(&signatures) {
                black_box(raw_public.verify_sig(m, s).is_ok());
            }
        })
    });
    verify.finish();
}

criterion_group!(crypto, benches);
criterion_main!(crypto);
