//! `cis crypto` end to end through the binary: keygen → sign → verify, tampering, the fixture vectors.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(rel)
}

fn cis(args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::run_cis(args, stdin.unwrap_or_default())
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The null profile with a first and a last name set (non-ASCII and astral included).
fn named_profile() -> Vec<u8> {
    let mut profile: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("user_profile_null.json")).unwrap())
            .unwrap();
    profile["first_name"]["value"] = Value::from("Zoë");
    profile["last_name"]["value"] = Value::from("Nakamura 日本 😀");
    serde_json::to_vec(&profile).unwrap()
}

#[test]
fn keygen_sign_and_verify_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("ldap");
    let out = cis(&["crypto", "keygen", "--out", path(&prefix)], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let private = dir.path().join("ldap.priv.pem");
    let public = dir.path().join("ldap.pub.pem");
    let jwks = dir.path().join("ldap.jwks.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let jwks_doc: Value = serde_json::from_str(&std::fs::read_to_string(&jwks).unwrap()).unwrap();
    assert_eq!(jwks_doc["keys"][0]["kid"], "ldap");
    assert_eq!(jwks_doc["keys"][0]["kty"], "RSA");

    let input = dir.path().join("profile.json");
    std::fs::write(&input, named_profile()).unwrap();
    let signed = cis(
        &[
            "crypto",
            "sign",
            "--key",
            path(&private),
            "--publisher",
            "ldap",
            path(&input),
        ],
        None,
    );
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let doc: Value = serde_json::from_slice(&signed.stdout).unwrap();
    assert_eq!(doc["first_name"]["signature"]["publisher"]["name"], "ldap");
    assert!(
        doc["first_name"]["signature"]["publisher"]["value"]
            .as_str()
            .unwrap()
            .starts_with("eyJ")
    );

    for trust in [["--key", path(&public)], ["--jwks", path(&jwks)]] {
        let verified = cis(
            &["crypto", "verify", trust[0], trust[1]],
            Some(&signed.stdout),
        );
        assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
        assert_eq!(stdout(&verified), "ok: 2 signed attributes verified\n");
    }

    // Someone changes the last name after signing.
    let tampered = stdout(&signed).replace("Nakamura", "Smith");
    let rejected = cis(
        &["crypto", "verify", "--key", path(&public)],
        Some(tampered.as_bytes()),
    );
    assert_eq!(rejected.status.code(), Some(1));
    assert_eq!(
        stderr(&rejected),
        "last_name: signed payload does not match the attribute\n"
    );
    assert!(rejected.stdout.is_empty());
}

#[test]
fn signing_only_named_attributes_leaves_the_others_unsigned() {
    let key = fixture("keys/fake-publisher-key_0.priv.pem");
    let out = cis(
        &[
            "crypto",
            "sign",
            "--key",
            path(&key),
            "--publisher",
            "hris",
            "--attribute",
            "last_name",
        ],
        Some(&named_profile()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let public = fixture("keys/fake-publisher-key_0.pub.pem");
    let verified = cis(
        &["crypto", "verify", "--key", path(&public)],
        Some(&out.stdout),
    );
    assert_eq!(verified.status.code(), Some(1));
    assert_eq!(stderr(&verified), "first_name: not signed\n");

    let null = cis(
        &[
            "crypto",
            "sign",
            "--key",
            path(&key),
            "--publisher",
            "hris",
            "--attribute",
            "staff_information.title",
        ],
        Some(&named_profile()),
    );
    assert_eq!(null.status.code(), Some(1));
    assert_eq!(stderr(&null), "staff_information.title: value is null\n");
}

#[test]
fn the_signed_profile_vector_verifies_with_the_test_well_known_document() {
    let well_known = fixture("vectors/well-known-test.json");
    let profile = fixture("vectors/signed-profile.json");
    let out = cis(
        &[
            "crypto",
            "verify",
            "--well-known",
            path(&well_known),
            path(&profile),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "ok: 39 signed attributes verified\n");
}

#[test]
fn every_attribute_of_the_evil_key_profile_is_reported() {
    let well_known = fixture("vectors/well-known-test.json");
    let profile = fixture("vectors/signed-profile-evil-key.json");
    let out = cis(
        &[
            "crypto",
            "verify",
            "--well-known",
            path(&well_known),
            path(&profile),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stderr(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 39);
    assert_eq!(
        lines[0],
        "uuid: signature does not verify with any key of publisher cis"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn an_invalid_profile_is_rejected_and_a_missing_trust_source_is_a_usage_error() {
    let public = fixture("keys/fake-publisher-key_0.pub.pem");
    let out = cis(&["crypto", "verify", "--key", path(&public)], Some(b"{}"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("invalid profile: "),
        "{}",
        stderr(&out)
    );
    let out = cis(&["crypto", "verify"], Some(b"{}"));
    assert_eq!(out.status.code(), Some(2));
    let key = fixture("keys/fake-publisher-key_0.priv.pem");
    let out = cis(
        &["crypto", "sign", "--key", path(&key), "--publisher", "evil"],
        Some(b"{}"),
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("cis");
    assert_eq!(
        cis(&["crypto", "keygen", "--out", path(&prefix)], None)
            .status
            .code(),
        Some(0)
    );
    let first = std::fs::read(dir.path().join("cis.priv.pem")).unwrap();
    let again = cis(&["crypto", "keygen", "--out", path(&prefix)], None);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        std::fs::read(dir.path().join("cis.priv.pem")).unwrap(),
        first
    );
    let forced = cis(
        &[
            "crypto",
            "keygen",
            "--out",
            path(&prefix),
            "--force",
            "--kid",
            "CISKeyId",
        ],
        None,
    );
    assert_eq!(forced.status.code(), Some(0));
    assert_ne!(
        std::fs::read(dir.path().join("cis.priv.pem")).unwrap(),
        first
    );
    let jwks = std::fs::read_to_string(dir.path().join("cis.jwks.json")).unwrap();
    assert!(jwks.contains("\"kid\": \"CISKeyId\""));
}
