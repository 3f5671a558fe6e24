//! `cis sync scim` (docs/scim.md §3) against an independent SCIM server (scim2-server, PyPI) started
//! here: 200 fake users published through `cis publish` (every tenth inactive), a selection by LDAP group
//! and one synced group; a dry run writes nothing; a run leaves the target holding exactly the selected
//! active users with their mapped attributes and the group's members; a second run changes nothing; a
//! user deactivated through `cis publish` is disabled by the next run; a user someone else created in the
//! target is never touched; and a target answering 429 and 503 intermittently still converges.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_e2e::scim::ScimServer;
use cis_e2e::{Service, cis, free_port};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "scim-target-secret";
const SELECT: &str = r#"groups.value eq "ldap:hg_users" or groups.value eq "ldap:team_moco""#;

/// A process stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scim_server() -> (ScimServer, String) {
    let server = ScimServer::start(Some(TOKEN));
    let url = server.url.clone();
    (server, url)
}

/// e2e/scim/flaky_proxy.py in front of `upstream`; its URL.
fn flaky_proxy(upstream: &str) -> (Running, String) {
    let port = free_port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scim/flaky_proxy.py");
    let child = Command::new("python3")
        .args([script, &port.to_string(), upstream])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    (Running(child), url)
}

fn wait_up(url: &str) {
    cis_e2e::scim::wait_up(url, Some(TOKEN));
}

async fn get_all(url: &str, endpoint: &str) -> Vec<Value> {
    let page: Value = reqwest::Client::new()
        .get(format!("{url}/{endpoint}?count=1000"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["Resources"].as_array().cloned().unwrap_or_default()
}

fn write_targets(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("targets.json");
    let targets = json!({"targets": [{
        "name": "app", "url": url, "token": {"env": "APP_SCIM_TOKEN"}, "select": SELECT,
        "groups": [{"cis": "ldap:team_moco", "name": "MoCo"}],
        "rate_limit": 1000, "concurrency": 4,
    }]});
    std::fs::write(&path, targets.to_string()).unwrap();
    path
}

/// `cis sync scim --json`; the report.
fn sync(data: &Path, targets: &Path, dry_run: bool) -> Value {
    let mut args = vec![
        "sync".as_ref(),
        "scim".as_ref(),
        "--target".as_ref(),
        "app".as_ref(),
        "--json".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--targets".as_ref(),
        targets.as_os_str(),
    ];
    if dry_run {
        args.push("--dry-run".as_ref());
    }
    let out = Command::new(cis_e2e::cis_bin())
        .args(args)
        .env("APP_SCIM_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cis sync scim failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains(TOKEN) && !String::from_utf8_lossy(&out.stderr).contains(TOKEN));
    serde_json::from_str(&stdout).unwrap()
}

fn publish(data: &Path, file: &Path, update: bool) {
    let mut args = vec![
        "publish".as_ref(),
        "--publisher".as_ref(),
        "ldap".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--wait".as_ref(),
        "--batch-size".as_ref(),
        "100".as_ref(),
    ];
    if update {
        args.push("--update".as_ref());
    }
    args.push(file.as_os_str());
    let out = cis(args);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// 200 fake users, every tenth inactive; (the profiles, the user_ids the target should hold).
fn fake_users(data: &Path) -> (Vec<Value>, BTreeSet<String>) {
    let out = cis(["profile", "fake", "--count", "200"]);
    let mut profiles: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (i, p) in profiles.iter_mut().enumerate() {
        if i % 10 == 0 {
            p["active"]["value"] = json!(false);
        }
    }
    let file = data.join("users.jsonl");
    let lines: Vec<String> = profiles.iter().map(Value::to_string).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    publish(data, &file, false);
    let wanted = profiles
        .iter()
        .filter(|p| p["active"]["value"] == json!(true))
        .filter(|p| {
            let groups = &p["access_information"]["ldap"]["values"];
            groups.get("hg_users").is_some() || groups.get("team_moco").is_some()
        })
        .map(|p| p["user_id"]["value"].as_str().unwrap().to_string())
        .collect();
    (profiles, wanted)
}

fn counts(report: &Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for a in report["actions"].as_array().unwrap() {
        *counts
            .entry(a["action"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        assert_ne!(a["result"], "failed", "{a}");
    }
    counts
}

#[tokio::test]
#[ignore = "needs scim2-server (PyPI; ci/test.sh installs it)"]
async fn the_target_follows_cis_creates_updates_disables_and_leaves_others_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _service = Service::start(&data, &[]);
    let (_server, url) = scim_server();
    let (profiles, wanted) = fake_users(&data);
    assert!(wanted.len() > 20 && wanted.len() < 180, "{}", wanted.len());
    let foreign = reqwest::Client::new()
        .post(format!("{url}/Users"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .body(json!({"schemas": [cis_scim::USER_SCHEMA], "userName": "someone.else@example.com", "active": true}).to_string())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let targets = write_targets(dir.path(), &url);

    // A dry run plans every create and writes nothing.
    let before = get_all(&url, "Users").await;
    let dry = sync(&data, &targets, true);
    assert_eq!(counts(&dry)["create"], wanted.len());
    assert_eq!(get_all(&url, "Users").await, before, "a dry run wrote");

    let first = sync(&data, &targets, false);
    assert_eq!(counts(&first)["create"], wanted.len(), "{first}");
    let users = get_all(&url, "Users").await;
    let held: BTreeSet<String> = users
        .iter()
        .filter_map(|u| u["externalId"].as_str().map(str::to_string))
        .collect();
    assert_eq!(held, wanted, "exactly the selected active users");
    let by_external: BTreeMap<&str, &Value> = users
        .iter()
        .filter_map(|u| Some((u["externalId"].as_str()?, u)))
        .collect();
    for p in &profiles {
        let Some(u) = by_external.get(p["user_id"]["value"].as_str().unwrap()) else {
            continue;
        };
        assert_eq!(u["userName"], p["primary_email"]["value"]);
        assert_eq!(u["name"]["givenName"], p["first_name"]["value"]);
        assert_eq!(u["emails"][0]["value"], p["primary_email"]["value"]);
        assert_eq!(u["active"], true);
        if let Some(title) = p["staff_information"]["title"]["value"].as_str() {
            assert_eq!(u["title"], title);
        }
    }
    let moco_members =
        |users: &[Value], groups: &[Value]| -> (BTreeSet<String>, BTreeSet<String>) {
            let id_of: BTreeMap<&str, &str> = users
                .iter()
                .filter_map(|u| Some((u["id"].as_str()?, u["externalId"].as_str()?)))
                .collect();
            let group = groups
                .iter()
                .find(|g| g["displayName"] == "MoCo")
                .expect("the MoCo group");
            let members = group["members"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| id_of.get(m["value"].as_str()?).map(|e| e.to_string()))
                .collect();
            let expected = users
                .iter()
                .filter(|u| u["active"] == true)
                .filter_map(|u| u["externalId"].as_str())
                .filter(|e| {
                    profiles.iter().any(|p| {
                        p["user_id"]["value"] == *e
                            && p["access_information"]["ldap"]["values"]
                                .get("team_moco")
                                .is_some()
                    })
                })
                .map(str::to_string)
                .collect();
            (members, expected)
        };
    let (members, expected) = moco_members(&users, &get_all(&url, "Groups").await);
    assert_eq!(members, expected);

    let second = sync(&data, &targets, false);
    assert!(second["actions"].as_array().unwrap().is_empty(), "{second}");

    // HRIS-style departure: LDAP sets a selected user inactive; the next run disables them.
    let leaver = profiles
        .iter()
        .find(|p| {
            wanted.contains(p["user_id"]["value"].as_str().unwrap())
                && p["access_information"]["ldap"]["values"]
                    .get("team_moco")
                    .is_some()
        })
        .unwrap();
    let leaver_id = leaver["user_id"]["value"].as_str().unwrap();
    let mut change = leaver.clone();
    change["active"]["value"] = json!(false);
    let file = data.join("leaver.json");
    std::fs::write(&file, change.to_string()).unwrap();
    publish(&data, &file, true);
    let third = sync(&data, &targets, false);
    let c = counts(&third);
    assert_eq!(c.get("disable"), Some(&1), "{third}");
    assert_eq!(c.get("update-group"), Some(&1), "{third}");
    let users = get_all(&url, "Users").await;
    let gone = users.iter().find(|u| u["externalId"] == leaver_id).unwrap();
    assert_eq!(gone["active"], false);
    let (members, expected) = moco_members(&users, &get_all(&url, "Groups").await);
    assert_eq!(members, expected);
    assert!(!members.contains(leaver_id));
    let fourth = sync(&data, &targets, false);
    assert!(fourth["actions"].as_array().unwrap().is_empty(), "{fourth}");

    let untouched = users.iter().find(|u| u["id"] == foreign["id"]).unwrap();
    assert_eq!(
        untouched, &foreign,
        "a user CIS did not provision is never touched"
    );
}

#[tokio::test]
#[ignore = "needs scim2-server (PyPI; ci/test.sh installs it)"]
async fn a_target_answering_429_and_503_intermittently_still_converges() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _service = Service::start(&data, &[]);
    let (_server, url) = scim_server();
    let (_proxy, flaky) = flaky_proxy(&url);
    wait_up(&format!("{flaky}/ServiceProviderConfig"));
    let (_, wanted) = fake_users(&data);
    let first = sync(&data, &write_targets(dir.path(), &flaky), false);
    assert_eq!(counts(&first)["create"], wanted.len());
    assert!(
        first["retries"].as_u64().unwrap() > 10,
        "{}",
        first["retries"]
    );
    let held: BTreeSet<String> = get_all(&url, "Users")
        .await
        .iter()
        .filter_map(|u| u["externalId"].as_str().map(str::to_string))
        .collect();
    assert_eq!(held, wanted);
    let again = sync(&data, &write_targets(dir.path(), &url), false);
    assert!(again["actions"].as_array().unwrap().is_empty(), "{again}");
}

#[tokio::test]
#[ignore = "needs scim2-server (PyPI; ci/test.sh installs it)"]
async fn change_events_sync_each_user_to_the_target_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let server = ScimServer::start(None);
    let url = server.url.clone();
    let targets = json!({"targets": [{"name": "app", "url": url,
        "groups": [{"cis": "ldap:team_moco"}]}]});
    std::fs::write(data.join("scim-targets.json"), targets.to_string()).unwrap();
    let subscriptions = dir.path().join("subscriptions.json");
    std::fs::write(
        &subscriptions,
        json!([{"name": "scim-app", "url": "scim:app"}]).to_string(),
    )
    .unwrap();
    let _service = Service::start(&data, &["--subscriptions", subscriptions.to_str().unwrap()]);

    // Publishing creates each user in the target through its change event, no sync run needed.
    let out = cis(["profile", "fake", "--count", "20"]);
    let profiles: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let file = data.join("users.jsonl");
    let lines: Vec<String> = profiles.iter().map(Value::to_string).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    publish(&data, &file, false);
    let held = |users: &[Value]| -> BTreeSet<String> {
        users
            .iter()
            .filter_map(|u| u["externalId"].as_str().map(str::to_string))
            .collect()
    };
    let all: BTreeSet<String> = profiles
        .iter()
        .map(|p| p["user_id"]["value"].as_str().unwrap().to_string())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while held(&server.all("Users").await) != all {
        assert!(
            Instant::now() < deadline,
            "the events did not provision every user"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A departure reaches the target within seconds.
    let mut change = profiles[3].clone();
    change["active"]["value"] = json!(false);
    let leaver = change["user_id"]["value"].as_str().unwrap().to_string();
    let file = data.join("leaver.json");
    std::fs::write(&file, change.to_string()).unwrap();
    let published = Instant::now();
    publish(&data, &file, true);
    loop {
        let users = server.all("Users").await;
        let user = users
            .iter()
            .find(|u| u["externalId"] == leaver.as_str())
            .unwrap();
        if user["active"] == false {
            break;
        }
        assert!(
            published.elapsed() < Duration::from_secs(10),
            "not disabled within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "disabled {:.2} s after cis publish",
        published.elapsed().as_secs_f64()
    );

    // The scheduled full run, the safety net, finds nothing left to do.
    let out = Command::new(cis_e2e::cis_bin())
        .args(["sync", "scim", "--target", "app", "--json", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["actions"].as_array().unwrap().is_empty(), "{report}");
}
