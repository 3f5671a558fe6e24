//! `cis profile validate` and `cis profile fake`, run as the built binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

const SIGNED_PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/vectors/signed-profile.json"
);
const NULL_PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/user_profile_null.json"
);

/// Runs `cis <args>` with `stdin` on standard input.
mod common;

fn cis(args: &[&str], stdin: &str) -> Output {
    common::run_cis(args, stdin.as_bytes())
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn null_profile_without_pronouns() -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(NULL_PROFILE).unwrap()).unwrap();
    doc.as_object_mut().unwrap().shift_remove("pronouns");
    doc.to_string()
}

#[test]
fn a_valid_profile_file_prints_valid_and_exits_0() {
    let out = cis(&["profile", "validate", SIGNED_PROFILE], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "valid\n");
}

#[test]
fn an_invalid_profile_exits_1_with_every_violation_on_stderr() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&null_profile_without_pronouns()).unwrap();
    doc["active"]["value"] = serde_json::json!("yes");
    let out = cis(&["profile", "validate"], &doc.to_string());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "/active/value: must be a boolean or null\n/pronouns: required member missing\n"
    );
}

#[test]
fn malformed_json_exits_1_with_the_parser_position() {
    let out = cis(&["profile", "validate", "-"], "{\"schema\": \n  nope}");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 2 column"), "{err}");
    assert_eq!(stdout(&out), "");
}

#[test]
fn jsonl_prints_one_verdict_per_line_and_exits_1_if_any_is_invalid() {
    let valid = std::fs::read_to_string(NULL_PROFILE)
        .unwrap()
        .replace('\n', "");
    let input = format!("{valid}\n{}\n\n{{oops\n", null_profile_without_pronouns());
    let out = cis(&["profile", "validate", "--jsonl"], &input);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "line 1: valid");
    assert_eq!(
        lines[1],
        "line 2: invalid: /pronouns: required member missing"
    );
    assert!(
        lines[2].starts_with("line 4: invalid: not JSON: "),
        "{}",
        lines[2]
    );

    let out = cis(
        &["profile", "validate", "--jsonl"],
        &format!("{valid}\n{valid}\n"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "line 1: valid\nline 2: valid\n");
}

#[test]
fn fake_is_deterministic_for_a_seed_and_valid() {
    let a = cis(&["profile", "fake", "--seed", "42"], "");
    let b = cis(&["profile", "fake", "--seed", "42"], "");
    let c = cis(&["profile", "fake", "--seed", "43"], "");
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(stdout(&a), stdout(&b));
    assert_ne!(stdout(&a), stdout(&c));
    assert!(stdout(&a).lines().count() > 100, "count 1 is indented");
    let check = cis(&["profile", "validate"], &stdout(&a));
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn fake_count_3_prints_3_valid_json_lines() {
    let out = cis(&["profile", "fake", "--seed", "7", "--count", "3"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 3);
    let first_alone = stdout(&cis(&["profile", "fake", "--seed", "7"], ""));
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        serde_json::from_str::<serde_json::Value>(&first_alone).unwrap()
    );
    let check = cis(&["profile", "validate", "--jsonl"], &text);
    assert_eq!(
        stdout(&check),
        "line 1: valid\nline 2: valid\nline 3: valid\n"
    );
}

#[test]
fn filter_keeps_only_what_the_scopes_allow() {
    let fake = stdout(&cis(&["profile", "fake", "--seed", "1"], ""));
    let out = cis(
        &[
            "profile",
            "filter",
            "--scopes",
            "classification:public display:public",
        ],
        &fake,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let filtered: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let top = filtered.as_object().unwrap();
    assert!(top.contains_key("schema") && top.contains_key("staff_information"));
    assert!(
        !top.contains_key("active"),
        "WORKGROUP CONFIDENTIAL with null display is filtered out"
    );
    for (name, attr) in top.iter().filter(|(_, v)| v.get("metadata").is_some()) {
        assert_eq!(attr["metadata"]["display"], "public", "{name}");
    }
    let bad_level = cis(&["profile", "filter", "--filter-display", "none"], &fake);
    assert_eq!(bad_level.status.code(), Some(2));
}
