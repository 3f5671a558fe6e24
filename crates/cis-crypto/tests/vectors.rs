//! The original's vectors (fixtures/vectors): byte-exact signing, accept/reject verification, whole profiles.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_crypto::jws::b64url_decode;
use cis_crypto::{
    KeySet, VerifyError, attribute_token, sign_attribute, verify_attribute, verify_profile,
    verify_profile_all,
};
use cis_profile::{Attr, AttrPath, Publisher};
use common::*;
use serde_json::{Map, Value};

fn cases(rel: &str) -> Vec<Value> {
    json(rel).as_array().unwrap().clone()
}

fn attribute(case: &Value) -> Map<String, Value> {
    case["attribute"].as_object().unwrap().clone()
}

#[test]
fn every_sign_vector_is_reproduced_byte_for_byte() {
    let cases = cases("vectors/sign-attribute.json");
    assert_eq!(cases.len(), 14);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let key = signing_key(case["key"].as_str().unwrap());
        let attr = attribute(case);
        let token = attribute_token(&attr, &key).unwrap();
        assert_eq!(token, case["token"].as_str().unwrap(), "{name}");

        let segments: Vec<&str> = token.split('.').collect();
        assert_eq!(
            b64url_decode(segments[0]).unwrap(),
            case["header"].as_str().unwrap().as_bytes(),
            "{name}"
        );
        assert_eq!(
            b64url_decode(segments[1]).unwrap(),
            case["payload"].as_str().unwrap().as_bytes(),
            "{name}"
        );
    }
}

#[test]
fn signing_an_attribute_sets_the_publisher_and_keeps_additional() {
    for case in &cases("vectors/sign-attribute.json") {
        let publisher = Publisher::parse(case["publisher"].as_str().unwrap()).unwrap();
        let key = signing_key(case["key"].as_str().unwrap());
        let mut attr = attribute(case);
        let additional = attr["signature"]["additional"].clone();
        attr.insert(
            "signature".into(),
            serde_json::json!({"additional": additional.clone()}),
        );
        sign_attribute(&mut attr, publisher, &key).unwrap();
        assert_eq!(
            Value::Object(attr.clone()),
            case["attribute"],
            "{}",
            case["name"]
        );
        assert_eq!(attr["signature"]["additional"], additional);
    }
}

#[test]
fn every_sign_vector_verifies_against_the_test_well_known_document() {
    let keys = well_known_test();
    for case in &cases("vectors/sign-attribute.json") {
        assert_eq!(
            verify_attribute(&attribute(case), &keys),
            Ok(()),
            "{}",
            case["name"]
        );
    }
}

fn trusted_keys(case: &Value) -> KeySet {
    match case["trusted_keys"].as_str().unwrap() {
        "keys_used" => {
            let mut set = KeySet::new();
            for (publisher, jwks) in case["keys_used"].as_object().unwrap() {
                let list = serde_json::json!({ "keys": jwks });
                let one = KeySet::from_jwks(publisher, &list).unwrap();
                for key in one.keys_for(publisher) {
                    set.insert(publisher, key.clone());
                }
            }
            set
        }
        rel => KeySet::from_well_known(&json(rel)).unwrap(),
    }
}

#[test]
fn every_verify_vector_gives_the_expected_verdict() {
    let cases = cases("vectors/verify-attribute.json");
    assert_eq!(cases.len(), 21);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let result = verify_attribute(&attribute(case), &trusted_keys(case));
        match case["expected"].as_str().unwrap() {
            "accept" => assert_eq!(result, Ok(()), "{name}"),
            "reject" => assert!(result.is_err(), "{name} was accepted"),
            other => panic!("unknown expectation {other}"),
        }
    }
}

#[test]
fn rejected_verify_vectors_fail_for_the_reason_of_their_row() {
    let cases = cases("vectors/verify-attribute.json");
    let reason = |name: &str| {
        let case = cases.iter().find(|c| c["name"] == name).unwrap();
        verify_attribute(&attribute(case), &trusted_keys(case)).unwrap_err()
    };
    let ap = || "access_provider".to_string();
    assert_eq!(
        reason("golden token plus trailing newline"),
        VerifyError::Malformed
    );
    assert_eq!(
        reason("RS256 label but PKCS#1 v1.5 with SHA-512"),
        VerifyError::BadSignature(ap())
    );
    assert_eq!(
        reason("RS256 label but PKCS#1 v1.5 with SHA-1"),
        VerifyError::BadSignature(ap())
    );
    assert_eq!(reason("header alg HS256"), VerifyError::Algorithm);
    assert_eq!(reason("header without alg"), VerifyError::Algorithm);
    assert_eq!(
        reason("payload 1 where the attribute has true"),
        VerifyError::PayloadMismatch
    );
    assert_eq!(
        reason("payload value differs from the attribute"),
        VerifyError::PayloadMismatch
    );
    assert_eq!(
        reason("payload includes a signature member"),
        VerifyError::PayloadMismatch
    );
    assert_eq!(
        reason("cis attribute signed with a key trusted only for other publishers"),
        VerifyError::BadSignature("cis".into())
    );
    assert_eq!(
        reason("signed with the evil key"),
        VerifyError::BadSignature(ap())
    );
    assert_eq!(reason("empty signature value"), VerifyError::Unsigned);
    assert_eq!(
        reason("null value is never verified"),
        VerifyError::NullValue
    );
}

#[test]
fn the_signed_profile_verifies_entirely() {
    let profile = profile("vectors/signed-profile.json");
    assert_eq!(verify_profile(&profile, &well_known_test()), Ok(()));
    assert!(verify_profile_all(&profile, &well_known_test()).is_empty());
    assert_eq!(cis_crypto::signed_attribute_count(&profile), 39);
}

#[test]
fn the_tampered_profile_fails_naming_first_name() {
    let profile = profile("vectors/signed-profile-tampered.json");
    let error = verify_profile(&profile, &well_known_test()).unwrap_err();
    assert_eq!(error.path, AttrPath::FIRST_NAME);
    assert_eq!(error.error, VerifyError::PayloadMismatch);
    assert_eq!(
        error.to_string(),
        "first_name: signed payload does not match the attribute"
    );
    let all = verify_profile_all(&profile, &well_known_test());
    assert_eq!(all.len(), 1);
}

#[test]
fn the_evil_key_profile_fails_on_every_signed_attribute() {
    let profile = profile("vectors/signed-profile-evil-key.json");
    let failures = verify_profile_all(&profile, &well_known_test());
    let signed: Vec<AttrPath> = profile
        .attrs()
        .filter(|(_, a)| !a.is_null())
        .map(|(p, _)| p)
        .collect();
    assert_eq!(signed.len(), 39);
    assert_eq!(failures.iter().map(|f| f.path).collect::<Vec<_>>(), signed);
    for failure in &failures {
        let publisher = Attr(profile.attr_map(failure.path).unwrap())
            .publisher_name()
            .unwrap()
            .to_string();
        assert_eq!(failure.error, VerifyError::BadSignature(publisher));
    }
    assert_eq!(
        verify_profile(&profile, &well_known_test()).unwrap_err(),
        failures[0]
    );
}

#[test]
fn an_unsigned_non_null_attribute_fails_and_a_null_one_is_skipped() {
    let mut profile = cis_profile::Profile::null();
    assert_eq!(verify_profile(&profile, &well_known_test()), Ok(()));
    let attr = profile
        .attr_mut(AttrPath::parse("staff_information.title").unwrap())
        .unwrap();
    attr.insert("value".into(), Value::from(""));
    let error = verify_profile(&profile, &well_known_test()).unwrap_err();
    assert_eq!(error.to_string(), "staff_information.title: not signed");
}
