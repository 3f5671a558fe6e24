//! `cis vault` end to end: the real binary on temporary data directories, profiles from cis-profile's
//! deterministic fakes with unique user_ids.

// A test crate: its helpers panic on broken fixtures, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_profile::attr::set_payload;
use cis_profile::{AttrPath, Profile};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cis"))
        .args(args)
        .env_remove("CIS_DATA_DIR")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fake profile `i` with a unique user_id (and email), as one JSON line.
fn profile(i: u64) -> Profile {
    let mut p = cis_profile::fake::fake_profile(i);
    for (path, value) in [
        (
            AttrPath::USER_ID,
            json!(format!("ad|Mozilla-LDAP|cli{i:06}")),
        ),
        (
            AttrPath::PRIMARY_EMAIL,
            json!(format!("cli{i:06}@example.com")),
        ),
    ] {
        set_payload(p.attr_mut(path).unwrap(), path.kind(), value);
    }
    p
}

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn export(data: &Path) -> Vec<Value> {
    let out = cis(&["vault", "export", "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn user_ids(profiles: &[Value]) -> Vec<String> {
    profiles
        .iter()
        .map(|p| p["user_id"]["value"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn init_creates_the_vault_file_and_can_run_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("nested/data");
    for _ in 0..2 {
        let out = cis(&["vault", "init", "--data-dir", data.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).trim_end().ends_with("vault.sqlite3"));
    }
    assert!(data.join("vault.sqlite3").is_file());
    assert!(export(&data).is_empty());
}

#[test]
fn import_stores_valid_lines_reports_rejects_by_line_and_get_finds_each_user() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.to_str().unwrap();
    let mut no_user_id = profile(9).to_value();
    no_user_id["user_id"]["value"] = Value::Null;
    let mut bad_schema = profile(8).to_value();
    bad_schema["active"]["value"] = json!("yes");
    let lines = vec![
        profile(1).to_json(),
        "{not json".to_string(),
        String::new(),
        profile(2).to_json(),
        no_user_id.to_string(),
        bad_schema.to_string(),
        profile(3).to_json(),
    ];
    let file = write_lines(tmp.path(), "in.jsonl", &lines);
    let out = cis(&[
        "vault",
        "import",
        "--data-dir",
        d,
        "--batch",
        "2",
        file.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for line in ["line 2:", "line 5: the profile has no user_id", "line 6:"] {
        assert!(stderr.contains(line), "{line} in {stderr}");
    }
    assert!(
        !stderr.contains("line 1:") && !stderr.contains("line 3:") && !stderr.contains("line 7:")
    );
    assert!(stderr.contains("imported 3 new users"), "{stderr}");

    let exported = export(&data);
    assert_eq!(
        user_ids(&exported),
        [
            "ad|Mozilla-LDAP|cli000001",
            "ad|Mozilla-LDAP|cli000002",
            "ad|Mozilla-LDAP|cli000003"
        ]
    );
    assert_eq!(exported[1], profile(2).to_value());

    let p = profile(2);
    let lookups = [
        ("--user-id", p.user_id()),
        ("--primary-email", p.primary_email()),
    ];
    for (flag, value) in lookups {
        let out = cis(&["vault", "get", "--data-dir", d, flag, value.unwrap()]);
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        assert_eq!(
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            p.to_value()
        );
    }
    let out = cis(&[
        "vault",
        "get",
        "--data-dir",
        d,
        "--uuid",
        "d0224f82-9d7b-595c-ad37-f56feebd751a",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no user"),
        "{}",
        text(&out.stderr)
    );
    let out = cis(&[
        "vault",
        "get",
        "--data-dir",
        d,
        "--user-id",
        "a",
        "--uuid",
        "b",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "two lookups at once are a usage error"
    );
}

#[test]
fn a_second_import_skips_what_is_stored_and_rejects_a_different_profile_of_a_stored_user() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let d = d.to_str().unwrap();
    let file = write_lines(
        tmp.path(),
        "a.jsonl",
        &[profile(1).to_json(), profile(2).to_json()],
    );
    let f = file.to_str().unwrap();
    assert_eq!(
        cis(&["vault", "import", "--data-dir", d, f]).status.code(),
        Some(0)
    );
    let again = cis(&["vault", "import", "--data-dir", d, f]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("imported 0 new users; 2 already in the vault"));

    let mut changed = profile(2).to_value();
    changed["first_name"]["value"] = json!("Changed");
    let other = write_lines(
        tmp.path(),
        "b.jsonl",
        &[changed.to_string(), profile(3).to_json()],
    );
    let out = cis(&["vault", "import", "--data-dir", d, other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("line 1: user ad|Mozilla-LDAP|cli000002 is already in the vault")
    );
    let stored = export(&tmp.path().join("data"));
    assert_eq!(stored.len(), 3);
    assert_eq!(
        stored[1],
        profile(2).to_value(),
        "the stored profile is kept"
    );
}

#[test]
fn a_killed_import_run_again_stores_every_user_exactly_once() {
    const USERS: u64 = 1_500;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.to_str().unwrap();
    let lines: Vec<String> = (0..USERS).map(|i| profile(i).to_json()).collect();
    let file = write_lines(tmp.path(), "big.jsonl", &lines);
    let f = file.to_str().unwrap();
    let first = profile(0);
    let last = profile(USERS - 1);

    let mut child = Command::new(env!("CARGO_BIN_EXE_cis"))
        .args(["vault", "import", "--data-dir", d, "--batch", "50", f])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first batches are committed, then kill the import mid-way (SIGKILL: no cleanup).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let get = cis(&[
            "vault",
            "get",
            "--data-dir",
            d,
            "--user-id",
            first.user_id().unwrap(),
        ]);
        if get.status.success() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the import committed nothing in time: {:?} {}",
            child.try_wait(),
            text(&get.stderr)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import finished before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = export(&data);
    assert!(!partial.is_empty());
    assert!(
        partial.len() < USERS as usize,
        "the kill came after the end"
    );
    let out = cis(&[
        "vault",
        "get",
        "--data-dir",
        d,
        "--user-id",
        last.user_id().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the last user is not imported yet"
    );

    let again = cis(&["vault", "import", "--data-dir", d, f]);
    let stderr = text(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{stderr}");
    let created = USERS as usize - partial.len();
    let summary = format!(
        "imported {created} new users; {} already in the vault",
        partial.len()
    );
    assert!(stderr.contains(&summary), "{summary} in {stderr}");

    let exported = export(&data);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for id in user_ids(&exported) {
        *counts.entry(id).or_default() += 1;
    }
    assert_eq!(counts.len(), USERS as usize);
    assert!(counts.values().all(|&n| n == 1));
    let by_id: BTreeMap<String, &Value> = user_ids(&exported).into_iter().zip(&exported).collect();
    for i in [0, USERS / 2, USERS - 1] {
        let p = profile(i);
        assert_eq!(
            by_id[p.user_id().unwrap()],
            &p.to_value(),
            "user {i} is stored whole"
        );
    }
}
