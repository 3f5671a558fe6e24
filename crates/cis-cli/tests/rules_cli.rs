//! `cis rules check` end to end: the real binary, profiles built from the null profile in fixtures/.

// A test crate: its helpers panic on broken fixtures, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Output;

mod common;

fn null_profile() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/user_profile_null.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The null profile with `value` set on the attribute at `pointer` (`/first_name`), claimed by `publisher`.
fn with(mut profile: Value, pointer: &str, publisher: &str, value: Value) -> Value {
    let attr = profile.pointer_mut(pointer).unwrap();
    let key = if attr.get("values").is_some() {
        "values"
    } else {
        "value"
    };
    attr[key] = value;
    attr["signature"]["publisher"]["name"] = json!(publisher);
    profile
}

struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Files {
        Files(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
    fn profile(&self, name: &str, profile: &Value) -> PathBuf {
        self.write(name, &profile.to_string())
    }
}

fn cis(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_cis(args, stdin.unwrap_or("").as_bytes())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["rules", "check"];
    all.extend_from_slice(args);
    let out = cis(&all, None);
    (
        out.status.code().unwrap(),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn a_listed_creator_is_allowed_on_a_new_user_and_the_changes_are_listed() {
    let files = Files::new();
    let change = with(null_profile(), "/first_name", "ldap", json!("Jane"));
    let change = with(
        change,
        "/staff_information/title",
        "ldap",
        json!("Engineer"),
    );
    let file = files.profile("change.json", &change);
    let (code, stdout, stderr) = check(&["--publisher", "ldap", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "allowed\nchanged: first_name, staff_information.title\n"
    );
}

#[test]
fn a_create_by_a_publisher_outside_the_list_is_rejected_with_the_rule_text() {
    let files = Files::new();
    let file = files.profile(
        "change.json",
        &with(null_profile(), "/first_name", "cis", json!("Jane")),
    );
    let (code, stdout, stderr) = check(&["--publisher", "cis", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "[create] cis is NOT allowed to publish field first_name\n"
    );
}

#[test]
fn a_creator_may_not_update_a_stored_value() {
    let files = Files::new();
    let previous = files.profile(
        "stored.json",
        &with(null_profile(), "/first_name", "ldap", json!("Jane")),
    );
    let change = files.profile(
        "change.json",
        &with(null_profile(), "/first_name", "ldap", json!("Janet")),
    );
    let args = [
        "--publisher",
        "ldap",
        "--previous",
        previous.to_str().unwrap(),
        change.to_str().unwrap(),
    ];
    let (code, _, stderr) = check(&args);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "[update] ldap is NOT allowed to publish field first_name\n"
    );
    let change = files.profile(
        "moz.json",
        &with(
            null_profile(),
            "/first_name",
            "mozilliansorg",
            json!("Janet"),
        ),
    );
    let args = [
        "--publisher",
        "mozilliansorg",
        "--previous",
        previous.to_str().unwrap(),
        change.to_str().unwrap(),
    ];
    let (code, stdout, stderr) = check(&args);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "allowed\nchanged: first_name\n"),
        "{stderr}"
    );
}

#[test]
fn an_attribute_claiming_another_publisher_is_reported() {
    let files = Files::new();
    let change = with(
        null_profile(),
        "/identities/github_id_v3",
        "mozilliansorg",
        json!("4242"),
    );
    let file = files.profile("change.json", &change);
    let (code, stdout, stderr) = check(&["--publisher", "ldap", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("identities.github_id_v3 claims publisher `mozilliansorg`"),
        "{stderr}"
    );
    assert!(stderr.contains("`ldap`"), "{stderr}");
}

#[test]
fn the_profile_may_come_from_standard_input() {
    let change = with(
        null_profile(),
        "/access_information/ldap",
        "ldap",
        json!({"team_moco": null}),
    );
    let out = cis(
        &["rules", "check", "--publisher", "ldap", "-"],
        Some(&change.to_string()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "allowed\nchanged: access_information.ldap\n"
    );
}

#[test]
fn an_unchanged_profile_is_allowed_with_nothing_to_store() {
    let files = Files::new();
    let stored = with(null_profile(), "/first_name", "ldap", json!("Jane"));
    let previous = files.profile("stored.json", &stored);
    let args = [
        "--publisher",
        "hris",
        "--previous",
        previous.to_str().unwrap(),
        previous.to_str().unwrap(),
    ];
    let (code, stdout, _) = check(&args);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "allowed\nchanged: none (nothing to store)\n")
    );
}

#[test]
fn a_custom_rules_document_replaces_the_embedded_one() {
    let files = Files::new();
    let embedded = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cis-profile/data/mozilla-iam-publisher-rules.json"
    );
    let mut rules: Value =
        serde_json::from_str(&std::fs::read_to_string(embedded).unwrap()).unwrap();
    rules["create"]["first_name"] = json!(["cis"]);
    let rules_file = files.write("rules.json", &rules.to_string());
    let change = files.profile(
        "change.json",
        &with(null_profile(), "/first_name", "cis", json!("Jane")),
    );
    let args = [
        "--publisher",
        "cis",
        "--rules",
        rules_file.to_str().unwrap(),
        change.to_str().unwrap(),
    ];
    let (code, stdout, stderr) = check(&args);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "allowed\nchanged: first_name\n"),
        "{stderr}"
    );

    rules["update"]["first_name"] = json!("evil");
    let bad = files.write("bad.json", &rules.to_string());
    let (code, _, stderr) = check(&[
        "--publisher",
        "cis",
        "--rules",
        bad.to_str().unwrap(),
        change.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown publisher `evil`"), "{stderr}");
}

#[test]
fn usage_errors_exit_with_2() {
    let files = Files::new();
    let change = files.profile("change.json", &null_profile());
    let (code, _, stderr) = check(&["--publisher", "evil", change.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("evil"), "{stderr}");
    let (code, _, _) = check(&[change.to_str().unwrap()]);
    assert_eq!(code, 2, "--publisher is required");
    let (code, _, stderr) = check(&["--publisher", "ldap", "/nonexistent/change.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/change.json"), "{stderr}");
    let (code, _, _) = check(&["--publisher", "ldap", "--previous", "-"]);
    assert_eq!(code, 2, "both inputs on stdin");
}

#[test]
fn input_that_is_not_json_is_rejected_with_1() {
    let files = Files::new();
    let file = files.write("change.json", "{not json");
    let (code, _, stderr) = check(&["--publisher", "ldap", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("invalid profile: not JSON"), "{stderr}");
}

#[test]
fn help_explains_the_command() {
    let out = cis(&["rules", "check", "--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for needle in [
        "--publisher",
        "--previous",
        "--rules",
        "null profile",
        "Exit status",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}
