//! The verification-key provider: file mode, a `file://` well-known document, and a local HTTP server that
//! fails after its first answer (the last good copy is used, then expires).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use cis_common::config::Config;
use cis_common::error::ApiError;
use cis_common::fetch::{MemorySource, source_for_url};
use cis_common::keys::VerificationKeys;
use cis_crypto::PublicKey;
use cis_profile::Profile;
use http::StatusCode;
use serde_json::{Value, json};

fn fixture(path: &str) -> String {
    format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn public_key(name: &str) -> PublicKey {
    PublicKey::parse(&std::fs::read_to_string(fixture(&format!("keys/{name}"))).unwrap()).unwrap()
}

fn well_known_test() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("vectors/well-known-test.json")).unwrap())
        .unwrap()
}

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_file_url_well_known_document_gives_per_publisher_keys() {
    let url = format!("file://{}", fixture("vectors/well-known-test.json"));
    let config = Config::from_sources(
        None,
        &env(&[
            ("CIS_WELL_KNOWN_MODE", "https"),
            ("CIS_DISCOVERY_URL", &url),
        ]),
    )
    .unwrap();
    let keys = VerificationKeys::from_config(&config).unwrap();
    let set = keys.key_set().await.unwrap();
    assert_eq!(
        set.keys_for("cis"),
        [public_key("fake-publisher-key_1.pub.pem")]
    );
    assert_eq!(
        set.keys_for("ldap"),
        [public_key("fake-publisher-key_0.pub.pem")]
    );

    let text = std::fs::read(fixture("vectors/signed-profile.json")).unwrap();
    let profile = Profile::parse(&text).unwrap();
    assert_eq!(cis_crypto::verify_profile(&profile, &set), Ok(()));
}

#[tokio::test]
async fn file_mode_trusts_one_key_file_for_every_publisher() {
    let vars = env(&[
        ("CIS_SECRET_MANAGER_FILE_PATH", &fixture("keys")),
        ("CIS_PUBLIC_KEY_NAME", "fake-publisher-key_0.pub.pem"),
    ]);
    let config = Config::from_sources(None, &vars).unwrap();
    let keys = VerificationKeys::from_config(&config).unwrap();
    let set = keys.key_set().await.unwrap();
    let key_0 = public_key("fake-publisher-key_0.pub.pem");
    for publisher in ["ldap", "hris", "mozilliansorg", "access_provider", "cis"] {
        assert_eq!(
            set.keys_for(publisher),
            std::slice::from_ref(&key_0),
            "{publisher}"
        );
    }
}

#[tokio::test]
async fn a_missing_key_file_leaves_the_service_answering_503() {
    let keys = VerificationKeys::file(fixture("keys/no-such-key.pem"));
    let error = keys.key_set().await.unwrap_err();
    assert!(error.reason.contains("no-such-key.pem"), "{}", error.reason);
    let api = ApiError::from(error);
    assert_eq!(
        (api.status, api.code.as_ref()),
        (StatusCode::SERVICE_UNAVAILABLE, "backend_unavailable")
    );
    assert!(api.retry_after_seconds().is_some());
}

/// A well-known endpoint that answers once, then fails with 500.
async fn flaky_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let document = well_known_test();
    let app = Router::new().route(
        "/.well-known/mozilla-iam",
        get(move || {
            let (counter, document) = (counter.clone(), document.clone());
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                    (StatusCode::OK, axum::Json(document))
                } else {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        axum::Json(json!({"message": "down"})),
                    )
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/.well-known/mozilla-iam"), hits)
}

#[tokio::test]
async fn the_last_good_copy_is_used_when_the_server_fails_and_expires_later() {
    let (url, hits) = flaky_server().await;
    let source = source_for_url(&url, Duration::from_secs(5)).unwrap();
    let keys = VerificationKeys::well_known(source, Duration::ZERO)
        .with_failure_backoff(Duration::ZERO)
        .with_max_stale(Duration::from_millis(300));
    let first = keys.key_set().await.unwrap();
    let second = keys.key_set().await.unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "the refresh reached the server and failed"
    );
    assert_eq!(second.keys_for("cis"), first.keys_for("cis"));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(
        keys.key_set().await.is_err(),
        "the last good copy has a limited life"
    );
}

#[tokio::test]
async fn the_copy_is_reused_within_the_cache_lifetime() {
    let source = Arc::new(MemorySource::new(well_known_test()));
    let keys = VerificationKeys::well_known(source.clone(), Duration::from_secs(900));
    for _ in 0..3 {
        keys.key_set().await.unwrap();
    }
    assert_eq!(source.fetch_count(), 1);
}

#[tokio::test]
async fn a_document_without_publishers_jwks_is_a_failed_fetch() {
    let source = Arc::new(MemorySource::new(json!({"message": "an error page"})));
    let keys = VerificationKeys::well_known(source, Duration::from_secs(900));
    let error = keys.key_set().await.unwrap_err();
    assert!(error.reason.contains("publishers_jwks"), "{}", error.reason);
}

#[tokio::test]
async fn refresh_after_a_failed_signature_waits_for_the_minimum_age() {
    let mut rotated = well_known_test();
    rotated["api"]["publishers_jwks"]["ldap"] = rotated["api"]["publishers_jwks"]["cis"].clone();
    let source = Arc::new(MemorySource::new(well_known_test()));

    let keys = VerificationKeys::well_known(source.clone(), Duration::from_secs(900));
    keys.key_set().await.unwrap();
    source.set(rotated.clone());
    assert!(
        !keys.refresh_if_stale().await,
        "a copy younger than 60 s is not refetched"
    );
    assert_eq!(source.fetch_count(), 1);

    let keys = VerificationKeys::well_known(source.clone(), Duration::from_secs(900))
        .with_min_refresh_age(Duration::ZERO);
    source.set(well_known_test());
    keys.key_set().await.unwrap();
    source.set(rotated);
    assert!(keys.refresh_if_stale().await);
    let set = keys.key_set().await.unwrap();
    assert_eq!(
        set.keys_for("ldap"),
        [public_key("fake-publisher-key_1.pub.pem")]
    );
}

#[tokio::test]
async fn an_unreachable_source_at_start_recovers_later() {
    let source = Arc::new(MemorySource::unreachable());
    let keys = VerificationKeys::well_known(source.clone(), Duration::from_secs(900))
        .with_failure_backoff(Duration::ZERO);
    assert!(keys.key_set().await.is_err());
    source.set(well_known_test());
    assert!(!keys.key_set().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Connections are accepted by the kernel's backlog but never answered.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/.well-known/mozilla-iam",
        listener.local_addr().unwrap()
    );
    let source = source_for_url(&url, Duration::from_millis(200)).unwrap();
    let keys = VerificationKeys::well_known(source, Duration::from_secs(900));
    let started = std::time::Instant::now();
    let error = keys.key_set().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(error.reason.contains("timed out"), "{}", error.reason);
    drop(listener);
}
