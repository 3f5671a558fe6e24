//! Key forms, key sets and key sources: every fixture key form loads and agrees, small keys are rejected,
//! rotation works, signing keys are chosen per publisher.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_crypto::keyset::public_keys_from_text;
use cis_crypto::{
    DirSigningKeySource, FileKeySource, KeyError, KeySet, KeySource, MemoryKeySource,
    MemorySigningKeySource, PublicKey, SigningKey, SigningKeySource, VerifyError,
    WellKnownFileSource, generate_keypair, sign_attribute, verify_attribute,
};
use cis_profile::{AttrPath, Profile, Publisher};
use common::*;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A throw-away 1024-bit key, generated for this test only.
const SMALL_PRIVATE: &str = "-----BEGIN RSA PRIVATE KEY-----
MIICXAIBAAKBgQDGjfR+mJefXefMv5CgAowRoSqRRGPA3GtUN7nICQlSN5gk/+oK
hpDMJ3P04QEU2jruYZMg4H8tG4xSxgfDRDGK8p1hrjXjpuIj/NMMkmO8D4GXx3Fq
HN/nZpmhxLkrrwUO+/RfZT55hrH5sxU9I65jdbHmjDTrEMDGK65LkZ2vjQIDAQAB
AoGAYY+a1SGRTuNLZJW0MItP29G/IsXh5f/oVOdUx+94vwdGINgGXcmlGEtCdM6i
Q2a/kiYrrvngQ3/HwVxAsDevx2LCbe6nlFpch5Qepz33VNCNzCfVLDp3IFHXLzSk
VS+glIOtn2Ls9UasibBr+12wEMEzuaTSrf0c5tb5je5CAhkCQQDivvCmx6Ww9Vuh
GdKY1RSQCdPFsia7Lf79EbjOpANa69SZ8rN5liAitMbQ8yaYPKOKzFfKMoMTk3lZ
HSjcSCa/AkEA4CvmJyuRHb8afZqTuSzRUJtT1n1TspDMb+UKr443/W53AY7qWqJi
nYPx/UKzLLPzxafsh49NY/oWdnD6tNNoswJBAN5hK742Yg9qo6IdpEjV+iPGL5dd
wNSlKMbkYZ7whoXecxVFTbY6gWvoZnE5d6mpFzAidxtMbPd/FG1Mxu08KhsCQAP+
xEtOa3esQDyc1KUoN1LIceYQtb0o93vHCTm3vye1IEnW0jZrTnagM1/gIHFbg6yy
IXUJCMgPXPcfbFhsrCECQE8RomYZCT7GIZJiaFVWPn4HYLM7aB5w/ZMnNnqvWxtn
VyP13w/WWf36yNUj8OsZ1SInZJ8vRbIbFkcwqgaFqHg=
-----END RSA PRIVATE KEY-----
";
const SMALL_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDGjfR+mJefXefMv5CgAowRoSqR
RGPA3GtUN7nICQlSN5gk/+oKhpDMJ3P04QEU2jruYZMg4H8tG4xSxgfDRDGK8p1h
rjXjpuIj/NMMkmO8D4GXx3FqHN/nZpmhxLkrrwUO+/RfZT55hrH5sxU9I65jdbHm
jDTrEMDGK65LkZ2vjQIDAQAB
-----END PUBLIC KEY-----
";

fn signed_user_id(key: &SigningKey, publisher: Publisher) -> Map<String, Value> {
    let mut attr = Profile::null().attr_or_null(AttrPath::USER_ID);
    attr.insert("value".into(), json!("ad|Mozilla-LDAP|zoe"));
    sign_attribute(&mut attr, publisher, key).unwrap();
    attr
}

#[test]
fn every_form_of_key_0_loads_and_they_agree() {
    let from_pem = public_key("keys/fake-publisher-key_0.pub.pem");
    let from_single_jwk = public_key("keys/fake-publisher-key_0.pub.jwks");
    let from_jwks = public_keys_from_text(&text("keys/fake-publisher-keys.pub.jwks.json")).unwrap();
    let private_pem = signing_key("keys/fake-publisher-key_0.priv.pem");
    let private_jwk = signing_key("keys/fake-publisher-key_0.priv.jwk");
    assert_eq!(from_pem.bits(), 2048);
    assert_eq!(from_single_jwk, from_pem);
    assert_eq!(from_jwks[0], from_pem);
    assert_eq!(
        from_jwks[1],
        public_key("keys/fake-publisher-key_1.pub.pem")
    );
    assert_eq!(private_pem.public_key(), &from_pem);
    assert_eq!(
        private_jwk.public_key(),
        &from_pem,
        "the JWK's n carries a leading zero byte"
    );
    // Both private forms make the same (deterministic) signature.
    assert_eq!(
        private_pem.sign_rs256(b"m").unwrap(),
        private_jwk.sign_rs256(b"m").unwrap()
    );
}

#[test]
fn a_pkcs8_private_key_and_a_pkcs1_public_key_load_too() {
    let key = key0();
    let pkcs8 = key.to_pkcs8_pem().unwrap();
    assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(
        SigningKey::parse(&pkcs8).unwrap().public_key(),
        key.public_key()
    );
    // PKCS#1 RSAPublicKey = the BIT STRING content of the SPKI (after the 24-byte 2048-bit prefix).
    let spki = key.public_key().spki_der();
    let pkcs1 = cis_crypto::pem::encode("RSA PUBLIC KEY", &spki[24..]);
    assert_eq!(&PublicKey::parse(&pkcs1).unwrap(), key.public_key());
}

#[test]
fn the_well_known_jwk_form_matches_the_original_and_round_trips() {
    let jwk = public_key("keys/fake-publisher-key_0.pub.pem").to_jwk("example");
    let original = json("keys/fake-publisher-key_0.pub.jwks");
    let keys: Vec<&str> = jwk
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["alg", "e", "kid", "kty", "n", "use", "x5c"]);
    for member in ["alg", "e", "kid", "kty", "n", "use", "x5c"] {
        assert_eq!(jwk[member], original[member], "{member}");
    }
    assert_eq!(
        PublicKey::from_jwk(&jwk).unwrap(),
        public_key("keys/fake-publisher-key_0.pub.pem")
    );
}

#[test]
fn keys_below_2048_bits_are_rejected_in_every_form() {
    assert!(matches!(
        PublicKey::parse(SMALL_PUBLIC),
        Err(KeyError::TooSmall(1024) | KeyError::Rejected(_))
    ));
    assert!(SigningKey::parse(SMALL_PRIVATE).is_err());
    let n = cis_crypto::jws::b64url_encode(&[0xc5; 128]);
    let jwk = json!({"kty": "RSA", "n": n, "e": "AQAB"});
    assert!(matches!(
        PublicKey::from_jwk(&jwk),
        Err(KeyError::TooSmall(1024))
    ));
    // In a well-known document the small key is skipped, leaving the publisher without keys.
    let doc = json!({"api": {"publishers_jwks": {"ldap": {"keys": [jwk]}}}});
    let set = KeySet::from_well_known(&doc).unwrap();
    assert!(set.keys_for("ldap").is_empty());
    let attr = signed_user_id(&key0(), Publisher::Ldap);
    assert_eq!(
        verify_attribute(&attr, &set),
        Err(VerifyError::UnknownPublisher("ldap".into()))
    );
}

#[test]
fn unusable_jwks_are_skipped_and_the_usable_ones_kept() {
    let good = public_key("keys/fake-publisher-key_0.pub.pem").to_jwk("good");
    let doc = json!({"api": {"publishers_jwks": {
        "hris": {"keys": [{"kty": "EC", "crv": "P-256"}, {"kty": "RSA", "n": "%%%", "e": "AQAB"}, good]},
        "cis": "not a jwks",
    }}});
    let set = KeySet::from_well_known(&doc).unwrap();
    assert_eq!(set.keys_for("hris").len(), 1);
    assert!(set.keys_for("cis").is_empty());
    assert!(matches!(
        KeySet::from_well_known(&json!({"api": {}})),
        Err(KeyError::WellKnown(_))
    ));
}

#[test]
fn a_rotated_publisher_verifies_with_its_second_key() {
    let mut set = KeySet::new();
    set.insert("ldap", public_key("keys/evil-signing-key.pub.pem"));
    set.insert("ldap", public_key("keys/fake-publisher-key_0.pub.pem"));
    let attr = signed_user_id(&key0(), Publisher::Ldap);
    assert_eq!(verify_attribute(&attr, &set), Ok(()));
    let only_old = KeySet::from_jwks(
        "ldap",
        &public_key("keys/evil-signing-key.pub.pem").to_jwk("old"),
    )
    .unwrap();
    assert_eq!(
        verify_attribute(&attr, &only_old),
        Err(VerifyError::BadSignature("ldap".into()))
    );
}

#[test]
fn the_attribute_names_the_publisher_whose_keys_are_used() {
    let set = well_known_test();
    let attr = signed_user_id(&key0(), Publisher::Cis);
    assert_eq!(
        verify_attribute(&attr, &set),
        Err(VerifyError::BadSignature("cis".into()))
    );
    assert_eq!(
        verify_attribute(&signed_user_id(&key1(), Publisher::Cis), &set),
        Ok(())
    );
    let mut unknown = signed_user_id(&key0(), Publisher::Ldap);
    unknown["signature"]["publisher"]["name"] = json!("evil");
    assert_eq!(
        verify_attribute(&unknown, &set),
        Err(VerifyError::UnknownPublisher("evil".into()))
    );
}

#[test]
fn a_key_file_is_trusted_for_every_publisher_in_any_form() {
    let attr = signed_user_id(&key0(), Publisher::Hris);
    for rel in [
        "keys/fake-publisher-key_0.pub.pem",
        "keys/fake-publisher-key_0.pub.jwks",
        "keys/fake-publisher-keys.pub.jwks.json",
    ] {
        let set = FileKeySource::new(fixture(rel)).load().unwrap();
        for publisher in Publisher::ALL {
            assert!(
                !set.keys_for(publisher.as_str()).is_empty(),
                "{rel} {publisher}"
            );
        }
        assert!(set.keys_for("evil").is_empty());
        assert_eq!(verify_attribute(&attr, &set), Ok(()), "{rel}");
    }
    let missing = FileKeySource::new(fixture("keys/nope.pem"))
        .load()
        .unwrap_err();
    assert!(matches!(missing, KeyError::Io { .. }));
    let private = FileKeySource::new(fixture("keys/fake-publisher-key_0.priv.pem"))
        .load()
        .unwrap_err();
    assert!(
        private
            .to_string()
            .contains("fake-publisher-key_0.priv.pem"),
        "{private}"
    );
}

#[test]
fn well_known_and_memory_sources_load_the_same_keys() {
    let from_file = WellKnownFileSource::new(fixture("vectors/well-known-test.json"))
        .load()
        .unwrap();
    let memory = MemoryKeySource(well_known_test()).load().unwrap();
    for publisher in Publisher::ALL {
        assert_eq!(
            from_file.keys_for(publisher.as_str()),
            memory.keys_for(publisher.as_str())
        );
    }
    assert_eq!(
        from_file.keys_for("cis"),
        [public_key("keys/fake-publisher-key_1.pub.pem")]
    );
    assert_eq!(
        from_file.keys_for("ldap"),
        [public_key("keys/fake-publisher-key_0.pub.pem")]
    );
}

#[test]
fn two_publishers_get_their_own_signing_keys_from_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ldap"),
        text("keys/fake-publisher-key_0.priv.pem"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cis.pem"),
        text("keys/fake-publisher-key_1.priv.pem"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hris.priv.pem"),
        text("keys/fake-publisher-key_0.priv.jwk"),
    )
    .unwrap();
    let source = DirSigningKeySource::new(dir.path());
    let ldap = source.signing_key(Publisher::Ldap).unwrap();
    let cis = source.signing_key(Publisher::Cis).unwrap();
    assert_eq!(
        ldap.public_key(),
        &public_key("keys/fake-publisher-key_0.pub.pem")
    );
    assert_eq!(
        cis.public_key(),
        &public_key("keys/fake-publisher-key_1.pub.pem")
    );
    assert_eq!(
        source.signing_key(Publisher::Hris).unwrap().public_key(),
        ldap.public_key()
    );
    // Cached per publisher name: the second call returns the same key object, even after the file is gone.
    std::fs::remove_file(dir.path().join("ldap")).unwrap();
    assert!(Arc::ptr_eq(
        &ldap,
        &source.signing_key(Publisher::Ldap).unwrap()
    ));
    let missing = source.signing_key(Publisher::Mozilliansorg).unwrap_err();
    assert!(
        matches!(missing, KeyError::NoSigningKey { .. }),
        "{missing}"
    );
}

#[test]
fn the_memory_signing_source_answers_only_for_its_publishers() {
    let generated = Arc::new(generate_keypair(2048).unwrap());
    let source = MemorySigningKeySource::new().with(Publisher::Cis, Arc::clone(&generated));
    assert!(Arc::ptr_eq(
        &source.signing_key(Publisher::Cis).unwrap(),
        &generated
    ));
    assert!(source.signing_key(Publisher::Ldap).is_err());
}

#[test]
fn debug_output_never_shows_key_material() {
    let key = key0();
    let shown = format!("{key:?} {:?}", key.public_key());
    assert_eq!(shown, "SigningKey(RSA-2048) PublicKey(RSA-2048)");
}
