//! Webhooks as relying parties see them, from a real `cis serve` to real HTTP receivers on loopback
//! (docs/webhooks.md): create, update and delete arrive with the right payload; a re-publish that changes
//! nothing sends nothing; filters and echo suppression hold; the bearer token validates against the
//! development authorizer's JWKS with the webhook audience; the signature verifies with the Standard
//! Webhooks reference library (PyPI `standardwebhooks`, run from the test). Faults: a receiver down for a
//! while gets everything after it comes back, one that always fails ends dead and a replay delivers once
//! it recovers, and a SIGKILL of `cis serve` with notifications pending loses none.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cis_common::TokenValidator;
use cis_common::config::TokenSettings;
use cis_e2e::profiles::{ldap_user_id, new_staff_user, signed_by, update};
use cis_e2e::{Service, cis_bin, write_config};
use cis_profile::Publisher;
use serde_json::{Value, json};
use std::process::Command;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const FULL: &str = "read:fullprofile display:all";

/// A receiver on loopback: what it got, and the status it answers.
#[derive(Clone)]
struct Receiver {
    url: String,
    status: Arc<AtomicU16>,
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    r.got.lock().unwrap().push((headers, body));
    StatusCode::from_u16(r.status.load(Ordering::SeqCst)).unwrap()
}

impl Receiver {
    async fn start(status: u16) -> Receiver {
        Receiver::on(
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
            status,
        )
    }

    fn on(listener: tokio::net::TcpListener, status: u16) -> Receiver {
        let receiver = Receiver {
            url: format!("http://{}/hook", listener.local_addr().unwrap()),
            status: Arc::new(AtomicU16::new(status)),
            got: Arc::default(),
        };
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver
    }

    fn bodies(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_str(b).unwrap())
            .collect()
    }

    /// `(operation, id)` of every notification received so far.
    fn seen(&self) -> Vec<(String, String)> {
        self.bodies()
            .iter()
            .map(|b| {
                (
                    b["operation"].as_str().unwrap().to_string(),
                    b["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    async fn wait_for(&self, count: usize, service: &Service) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.got.lock().unwrap().len() < count {
            assert!(
                Instant::now() < deadline,
                "{} of {count} notifications; log:\n{}",
                self.got.lock().unwrap().len(),
                service.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn subscriptions_file(dir: &std::path::Path, subscriptions: Value) -> String {
    let path = dir.join("subscriptions.in.json");
    std::fs::write(&path, subscriptions.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// Verifies a delivery with the Standard Webhooks reference library.
fn verify_with_standardwebhooks(headers: &HeaderMap, body: &str) -> Result<(), String> {
    let header = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
    let script = "import json, sys\nfrom standardwebhooks.webhooks import Webhook\n\
        secret, body, mid, ts, sig = sys.argv[1:6]\n\
        Webhook(secret).verify(body, {'webhook-id': mid, 'webhook-timestamp': ts, 'webhook-signature': sig})\n\
        print('verified')";
    let out = Command::new("python3")
        .args(["-c", script, SECRET, body])
        .args([
            header("webhook-id"),
            header("webhook-timestamp"),
            header("webhook-signature"),
        ])
        .output()
        .expect("python3");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relying_parties_hear_of_creates_updates_and_deletes_as_their_subscriptions_say() {
    let all = Receiver::start(200).await;
    let deletes = Receiver::start(204).await;
    let titles = Receiver::start(200).await;
    let echo = Receiver::start(200).await;
    let dir = tempfile::tempdir().unwrap();
    let subs = subscriptions_file(
        dir.path(),
        json!([
            {"name": "all", "url": all.url, "auth": "oauth", "signing_secret": SECRET},
            {"name": "deletes", "url": deletes.url, "operations": ["delete"], "legacy_payload": true},
            {"name": "titles", "url": titles.url, "attributes": ["staff_information.title"]},
            {"name": "dinopark", "url": echo.url, "suppress_echo": "mozilliansorg"}
        ]),
    );
    let config = write_config(dir.path(), "[cis]\nallow_delete = true\n");
    let service = Service::start(
        dir.path(),
        &[
            "--subscriptions",
            &subs,
            "--config",
            config.to_str().unwrap(),
        ],
    );
    let api = service.api();
    let write = service.token("write");
    let user_id = ldap_user_id("hooks", 1);
    let ldap = service.publisher_key(Publisher::Ldap);
    let created = signed_by(new_staff_user(&user_id, 31), Publisher::Ldap, &ldap, None);
    api.publish_processed(&write, &created.to_value(), "create")
        .await;
    all.wait_for(1, &service).await;

    // The same profile again changes nothing: nobody hears of it.
    let again = api.post_user(Some(&write), &created.to_value()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    // An update by mozilliansorg: its own echo is suppressed, the title subscription is not concerned.
    let mozillians = service.publisher_key(Publisher::Mozilliansorg);
    let fun = update(
        &created,
        Publisher::Mozilliansorg,
        &mozillians,
        &[("fun_title", json!("Chief Tester"))],
    );
    api.publish_processed(&write, &fun.to_value(), "update")
        .await;
    // An update of the title by hris.
    let hris = service.publisher_key(Publisher::Hris);
    let title = update(
        &created,
        Publisher::Hris,
        &hris,
        &[("staff_information.title", json!("Principal Tester"))],
    );
    api.publish_processed(&write, &title.to_value(), "update")
        .await;
    let deleted = api.delete_user(Some(&write), &created.to_value()).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let number = deleted.str("sequence_number").to_string();
    api.wait_processed(&write, &number).await;

    all.wait_for(4, &service).await;
    titles.wait_for(3, &service).await;
    deletes.wait_for(1, &service).await;
    echo.wait_for(3, &service).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let u = user_id.clone();
    let ops = |list: &[&str]| {
        list.iter()
            .map(|o| (o.to_string(), u.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        all.seen(),
        ops(&["create", "update", "update", "delete"]),
        "the re-publish sent nothing"
    );
    assert_eq!(titles.seen(), ops(&["create", "update", "delete"]));
    assert_eq!(
        echo.seen(),
        ops(&["create", "update", "delete"]),
        "its own fun_title change was not echoed"
    );
    assert_eq!(
        deletes.bodies(),
        [json!({"operation": "delete", "id": user_id, "time": deletes.bodies()[0]["time"]})]
    );
    assert!(deletes.bodies()[0]["time"].is_i64(), "time is a number");
    assert_eq!(
        titles.bodies()[1]["changed"],
        json!(["staff_information.title"])
    );
    assert!(all.bodies()[1]["event_id"].is_string());

    // The bearer token: issued by the development authorizer for the webhook audience.
    let session = service.session();
    let validator = TokenValidator::from_settings(&TokenSettings {
        issuer: session["issuer"].as_str().unwrap().to_string(),
        audience: "hook.dev.sso.allizom.org".into(),
        jwks_url: format!("{}/.well-known/jwks.json", service.auth_url),
        jwks_cache: Duration::from_secs(60),
        leeway: Duration::ZERO,
    })
    .unwrap();
    let got = all.got.lock().unwrap().clone();
    for (headers, body) in &got {
        let bearer = headers.get("authorization").unwrap().to_str().unwrap();
        validator
            .validate(Some(bearer))
            .await
            .expect("a valid token for the webhook audience");
        verify_with_standardwebhooks(headers, body)
            .expect("standardwebhooks verifies the signature");
    }
    let tampered = got[0].1.replace("create", "delete");
    assert!(
        verify_with_standardwebhooks(&got[0].0, &tampered).is_err(),
        "a changed body fails verification"
    );
    assert!(
        deletes.got.lock().unwrap()[0]
            .0
            .get("authorization")
            .is_none(),
        "auth = none sends no token"
    );
    let log = service.log();
    for (headers, _) in &got {
        let token = headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .trim_start_matches("Bearer ");
        assert!(!log.contains(token), "the log holds a token");
    }
    assert!(
        !log.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        "the log holds the signing secret"
    );

    // A test event.
    let out = Command::new(cis_bin())
        .args(["webhooks", "test", "--subscription", "all", "--data-dir"])
        .arg(dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(all.bodies().last().unwrap()["operation"], "test");
    let reader = service.token(FULL);
    assert_eq!(api.user(Some(&reader), &user_id).await.status, 404);
}

fn cis_webhooks(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(cis_bin())
        .arg("webhooks")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("HOME", dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_always_fails_ends_dead_and_is_replayed_after_it_recovers() {
    let failing = Receiver::start(503).await;
    let dir = tempfile::tempdir().unwrap();
    let subs = subscriptions_file(
        dir.path(),
        json!([{"name": "flaky", "url": failing.url, "max_attempts": 3}]),
    );
    let config = write_config(dir.path(), "[cis]\nwebhook_retry_first_seconds = 1\n");
    let service = Service::start(
        dir.path(),
        &[
            "--subscriptions",
            &subs,
            "--config",
            config.to_str().unwrap(),
        ],
    );
    let api = service.api();
    let write = service.token("write");
    let ldap = service.publisher_key(Publisher::Ldap);
    let user_id = ldap_user_id("flaky", 1);
    let created = signed_by(new_staff_user(&user_id, 32), Publisher::Ldap, &ldap, None);
    api.publish_processed(&write, &created.to_value(), "create")
        .await;
    failing.wait_for(3, &service).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let (ok, text) = cis_webhooks(dir.path(), &["status", "--json"]);
        assert!(ok, "{text}");
        let status: Value = serde_json::from_str(text.trim()).unwrap();
        if status["counts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["state"] == "dead")
        {
            break status;
        }
        assert!(Instant::now() < deadline, "never dead: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let dead = &status["attention"][0];
    assert_eq!(
        (
            dead["state"].as_str(),
            dead["attempts"].as_u64(),
            dead["last_status"].as_u64()
        ),
        (Some("dead"), Some(3), Some(503))
    );
    let (_, table) = cis_webhooks(dir.path(), &["status"]);
    assert!(
        table.contains("flaky") && table.contains("HTTP 503"),
        "{table}"
    );

    failing.status.store(200, Ordering::SeqCst);
    let (ok, text) = cis_webhooks(dir.path(), &["replay", "--subscription", "flaky"]);
    assert!(ok && text.contains("requeued 1"), "{text}");
    failing.wait_for(4, &service).await;
    // Replaying every event since the epoch sends the create once more.
    let (ok, text) = cis_webhooks(
        dir.path(),
        &["replay", "--subscription", "flaky", "--since", "0"],
    );
    assert!(ok && text.contains("queued 1 of 1 events"), "{text}");
    failing.wait_for(5, &service).await;
    let (ok, text) = cis_webhooks(dir.path(), &["replay", "--subscription", "nobody"]);
    assert!(!ok && text.contains("no subscription \"nobody\""), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_pending_at_a_sigkill_are_delivered_after_the_restart_to_a_receiver_back_up()
{
    // A port with nothing listening yet.
    let port = cis_e2e::free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let dir = tempfile::tempdir().unwrap();
    let subs = subscriptions_file(
        dir.path(),
        json!([{"name": "later", "url": url, "max_attempts": 20}]),
    );
    let config = write_config(dir.path(), "[cis]\nwebhook_retry_first_seconds = 1\n");
    let args = [
        "--subscriptions",
        subs.as_str(),
        "--config",
        config.to_str().unwrap(),
    ];
    let mut service = Service::start(dir.path(), &args);
    let api = service.api();
    let write = service.token("write");
    let ldap = service.publisher_key(Publisher::Ldap);
    let mut users = Vec::new();
    for n in 0..5 {
        let user_id = ldap_user_id("sigkill", n);
        let created = signed_by(
            new_staff_user(&user_id, 40 + n as u64),
            Publisher::Ldap,
            &ldap,
            None,
        );
        api.publish_processed(&write, &created.to_value(), "create")
            .await;
        users.push(user_id);
    }
    service.kill9();
    let receiver = Receiver::on(
        tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap(),
        200,
    );
    service.restart(&args);
    receiver.wait_for(5, &service).await;
    let mut ids: Vec<String> = receiver.seen().into_iter().map(|(_, id)| id).collect();
    ids.sort();
    users.sort();
    assert_eq!(ids, users, "every create, once");
}
