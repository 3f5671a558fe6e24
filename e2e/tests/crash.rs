//! Durability: a change the Change API answered 200 is never lost — not when the process is killed with
//! SIGKILL while changes wait in the outbox, not when it is killed in the middle of a stream of
//! publishes, not across a graceful SIGTERM shutdown.

use cis_crypto::SigningKey;
use cis_e2e::profiles::{ldap_user_id, new_staff_user, payload, signed_by};
use cis_e2e::{Api, Service, TIMEOUT};
use cis_profile::Publisher;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FULL: &str = "read:fullprofile display:all";

/// Every accepted change is processed and its user readable (polls; panics after the timeout).
async fn assert_all_stored(service: &Service, accepted: &[(String, String)]) {
    let api = service.api();
    let write = service.token("write");
    let reader = service.token(FULL);
    for (user_id, number) in accepted {
        let record = api.wait_processed(&write, number).await;
        assert_eq!(record["user_id"], user_id.as_str());
        let profile = api.read_user(&reader, user_id).await;
        assert_eq!(
            payload(&profile, "user_id").and_then(Value::as_str),
            Some(user_id.as_str())
        );
    }
}

#[tokio::test]
async fn changes_queued_while_processing_is_held_survive_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::start(dir.path(), &["--hold-processing"]);
    let api = service.api();
    let write = service.token("write");
    let key = service.publisher_key(Publisher::Ldap);

    let mut accepted = Vec::new();
    for n in 0..20 {
        let user_id = ldap_user_id("held", n);
        let profile = signed_by(
            new_staff_user(&user_id, n as u64),
            Publisher::Ldap,
            &key,
            None,
        );
        let reply = api.post_user(Some(&write), &profile.to_value()).await;
        accepted.push((user_id, api.accepted(&reply, "create")));
    }
    let reader = service.token(FULL);
    for (user_id, number) in &accepted {
        let state = api.status(Some(&write), number).await;
        assert_eq!(state.str("state"), "unknown", "{number} is held");
        assert_eq!(
            api.user(Some(&reader), user_id).await.status,
            404,
            "{user_id} is not stored yet"
        );
    }

    service.kill9();
    service.restart(&[]);
    assert_all_stored(&service, &accepted).await;
}

/// Posts new users one after the other until the server stops answering; records every 200.
async fn publish_until_the_server_dies(
    api: Api,
    token: String,
    key: Arc<SigningKey>,
    worker: usize,
    accepted: Arc<Mutex<Vec<(String, String)>>>,
) {
    let deadline = Instant::now() + TIMEOUT;
    for n in 0.. {
        if Instant::now() > deadline {
            return;
        }
        let user_id = ldap_user_id(&format!("stream-{worker}"), n);
        let profile = signed_by(
            new_staff_user(&user_id, n as u64),
            Publisher::Ldap,
            &key,
            None,
        )
        .to_value();
        let url = format!("{}/v2/user", api.change_url);
        match api
            .try_send(reqwest::Method::POST, &url, Some(&token), Some(&profile))
            .await
        {
            Ok(reply) if reply.status == 200 => {
                let number = api.accepted(&reply, "create");
                accepted
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((user_id, number));
            }
            Ok(reply) => panic!(
                "unexpected answer while publishing: {} {}",
                reply.status, reply.body
            ),
            Err(_) => return, // killed: this change got no answer, so nothing was promised
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_answered_200_survives_a_kill_9_in_the_middle_of_publishing() {
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::start(dir.path(), &[]);
    let write = service.token("write");
    let key = Arc::new(service.publisher_key(Publisher::Ldap));
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let task = publish_until_the_server_dies(
                service.api(),
                write.clone(),
                Arc::clone(&key),
                w,
                Arc::clone(&accepted),
            );
            tokio::spawn(task)
        })
        .collect();

    let deadline = Instant::now() + TIMEOUT;
    while accepted.lock().unwrap().len() < 40 {
        assert!(
            Instant::now() < deadline,
            "only {} changes accepted in {TIMEOUT:?}",
            accepted.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    service.kill9();
    for worker in workers {
        worker.await.expect("publisher task");
    }

    let accepted = accepted.lock().unwrap().clone();
    service.restart(&[]);
    assert_all_stored(&service, &accepted).await;
}

#[tokio::test]
async fn sigterm_stops_the_service_with_status_0_and_a_restart_keeps_every_user() {
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::start(dir.path(), &[]);
    let api = service.api();
    let write = service.token("write");
    let key = service.publisher_key(Publisher::Ldap);

    let mut accepted = Vec::new();
    for n in 0..10 {
        let user_id = ldap_user_id("graceful", n);
        let profile = signed_by(
            new_staff_user(&user_id, n as u64),
            Publisher::Ldap,
            &key,
            None,
        )
        .to_value();
        let number = if n < 5 {
            api.publish_processed(&write, &profile, "create").await
        } else {
            // the last five may still be in the outbox when SIGTERM arrives
            api.accepted(&api.post_user(Some(&write), &profile).await, "create")
        };
        accepted.push((user_id, number));
    }

    let status = service
        .terminate()
        .expect("cis serve did not stop within the timeout after SIGTERM");
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM; log:\n{}",
        service.log()
    );
    service.restart(&[]);
    assert_all_stored(&service, &accepted).await;
}
