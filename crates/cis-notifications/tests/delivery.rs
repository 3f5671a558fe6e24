//! Deliveries over real HTTP to receivers on loopback: headers and body, a receiver down for a while, one
//! that always fails (dead, then requeued), one that hangs (the others are not held up), a refused token
//! (fetched again once), a token that cannot be had (retried).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cis_notifications::local::LocalNotifier;
use cis_notifications::store::DeliveryState;
use cis_notifications::subscription::{SubscriptionDefaults, parse_subscriptions};
use cis_notifications::{
    DeliveryStore, Event, HttpSender, MemoryDeliveryStore, Notifier, Operation, RetryPolicy,
    StaticToken, TokenError, TokenSource, WebhookSecret,
};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a receiver got: headers, body, when.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: String,
    at: Instant,
}

/// A receiver on loopback answering `status` after `delay_ms`.
#[derive(Clone, Default)]
struct Receiver {
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
    got: Arc<Mutex<Vec<Received>>>,
    refuse_token: Arc<Mutex<Option<String>>>,
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    r.got.lock().unwrap().push(Received {
        headers: headers.clone(),
        body,
        at: Instant::now(),
    });
    let delay = r.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let refused = r.refuse_token.lock().unwrap().clone();
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if refused.is_some_and(|t| bearer == format!("Bearer {t}")) {
        return StatusCode::UNAUTHORIZED;
    }
    StatusCode::from_u16(r.status.load(Ordering::SeqCst)).unwrap()
}

impl Receiver {
    async fn start(status: u16) -> (Receiver, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let receiver = Receiver::default();
        receiver.status.store(status, Ordering::SeqCst);
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn event(id: &str, operation: Operation, user: &str) -> Event {
    Event {
        event_id: id.into(),
        operation,
        user_id: user.into(),
        time: 1_700_000_000,
        changed: vec!["first_name".into()],
        publishers: vec!["ldap".into()],
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        first: Duration::from_millis(50),
        cap: Duration::from_millis(200),
    }
}

fn notifier(subscriptions: Value, tokens: Option<Arc<dyn TokenSource>>) -> Arc<Notifier> {
    let subs =
        parse_subscriptions(&subscriptions.to_string(), &SubscriptionDefaults::default()).unwrap();
    Arc::new(Notifier::new(subs, Arc::new(HttpSender::new().unwrap()), tokens).with_policy(fast()))
}

/// Passes until `done` holds or 5 s pass.
async fn pass_until(local: &LocalNotifier, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting");
        local.pass().await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_receiver_gets_the_body_the_bearer_token_and_a_verifiable_signature() {
    let (receiver, url) = Receiver::start(200).await;
    let store = Arc::new(MemoryDeliveryStore::new());
    let subs = json!([{"name": "rp", "url": url, "auth": "oauth", "signing_secret": SECRET}]);
    let local = LocalNotifier::new(
        notifier(subs, Some(Arc::new(StaticToken("t0k3n".into())))),
        store.clone(),
    );
    store.push_event(event("seq-1", Operation::Create, "ad|Mozilla-LDAP|jdoe"));
    pass_until(&local, || receiver.got().len() == 1).await;
    let got = &receiver.got()[0];
    let body: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(
        body,
        json!({"operation": "create", "id": "ad|Mozilla-LDAP|jdoe", "time": 1_700_000_000, "event_id": "seq-1"})
    );
    let header = |name: &str| got.headers.get(name).unwrap().to_str().unwrap().to_string();
    assert_eq!(header("authorization"), "Bearer t0k3n");
    assert_eq!(header("content-type"), "application/json");
    assert!(header("user-agent").starts_with("cis-notifier/"));
    assert_eq!(header("webhook-id"), "seq-1");
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
    let expected = WebhookSecret::parse(SECRET)
        .unwrap()
        .sign("seq-1", timestamp, &got.body);
    assert_eq!(header("webhook-signature"), expected);
    let delivered = store
        .list(Some("rp"), Some(DeliveryState::Delivered), 10)
        .await
        .unwrap();
    assert_eq!(
        (
            delivered.len(),
            delivered[0].attempts,
            delivered[0].last_status
        ),
        (1, 1, Some(200))
    );
}

#[tokio::test]
async fn a_receiver_down_for_a_while_gets_every_event_after_it_comes_back() {
    // A port with nothing listening, then a receiver on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/hook");
    let store = Arc::new(MemoryDeliveryStore::new());
    let local = LocalNotifier::new(
        notifier(
            json!([{"name": "rp", "url": url, "max_attempts": 50}]),
            None,
        ),
        store.clone(),
    );
    for (i, user) in ["ad|x|a", "ad|x|b", "ad|x|c"].iter().enumerate() {
        store.push_event(event(&format!("seq-{i}"), Operation::Create, user));
    }
    local.pass().await.unwrap();
    let pending = store
        .list(None, Some(DeliveryState::Pending), 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 3);
    assert!(pending.iter().all(|d| {
        d.attempts == 1
            && d.last_error
                .as_deref()
                .unwrap()
                .starts_with("connection failed")
    }));
    store.push_event(event("seq-9", Operation::Update, "ad|x|a"));
    // Back on the same port.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let receiver = Receiver::default();
    receiver.status.store(204, Ordering::SeqCst);
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    pass_until(&local, || receiver.got().len() == 3).await;
    let ops: Vec<(String, String)> = receiver
        .got()
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap())
        .map(|b| {
            (
                b["id"].as_str().unwrap().to_string(),
                b["operation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        ops.contains(&("ad|x|a".into(), "update".into())),
        "the waiting create and the update coalesced: {ops:?}"
    );
    assert_eq!(
        store
            .list(None, Some(DeliveryState::Delivered), 10)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn a_receiver_that_always_fails_ends_dead_and_a_requeue_delivers_after_it_recovers() {
    let (receiver, url) = Receiver::start(500).await;
    let store = Arc::new(MemoryDeliveryStore::new());
    let local = LocalNotifier::new(
        notifier(json!([{"name": "rp", "url": url, "max_attempts": 3}]), None),
        store.clone(),
    );
    store.push_event(event("seq-1", Operation::Update, "ad|x|a"));
    pass_until(&local, || receiver.got().len() == 3).await;
    local.pass().await.unwrap();
    let dead = store
        .list(Some("rp"), Some(DeliveryState::Dead), 10)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (
            dead[0].attempts,
            dead[0].last_status,
            dead[0].last_error.as_deref()
        ),
        (3, Some(500), Some("HTTP 500"))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    local.pass().await.unwrap();
    assert_eq!(
        receiver.got().len(),
        3,
        "a dead delivery is not attempted again"
    );
    receiver.status.store(200, Ordering::SeqCst);
    assert_eq!(
        store
            .requeue("rp", None, cis_notifications::now_ms())
            .await
            .unwrap(),
        1
    );
    pass_until(&local, || receiver.got().len() == 4).await;
    assert_eq!(
        store
            .list(Some("rp"), Some(DeliveryState::Delivered), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_hanging_receiver_does_not_hold_up_another_and_times_out() {
    let (hanging, slow_url) = Receiver::start(200).await;
    hanging.delay_ms.store(10_000, Ordering::SeqCst);
    let (quick, quick_url) = Receiver::start(200).await;
    let store = Arc::new(MemoryDeliveryStore::new());
    let subs = json!([
        {"name": "hangs", "url": slow_url, "timeout_ms": 500},
        {"name": "quick", "url": quick_url}
    ]);
    let local = LocalNotifier::new(notifier(subs, None), store.clone());
    store.push_event(event("seq-1", Operation::Update, "ad|x|a"));
    let started = Instant::now();
    local.pass().await.unwrap();
    let took = started.elapsed();
    let quick_at = quick.got()[0].at.duration_since(started);
    assert!(
        quick_at < Duration::from_millis(300),
        "the quick receiver waited {quick_at:?}"
    );
    assert!(
        took < Duration::from_millis(2_000),
        "the pass took {took:?}: the hanging receiver was not cut off"
    );
    let pending = store
        .list(Some("hangs"), Some(DeliveryState::Pending), 10)
        .await
        .unwrap();
    assert_eq!(pending[0].last_error.as_deref(), Some("timed out"));
}

/// Tokens `t1`, `t2`, ... one per fetch, or an error while `down`.
#[derive(Default)]
struct CountingTokens {
    fetched: AtomicUsize,
    cached: Mutex<Option<String>>,
    down: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl TokenSource for CountingTokens {
    async fn token(&self, _audience: &str) -> Result<String, TokenError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(TokenError("token endpoint answered 503".into()));
        }
        let mut cached = self.cached.lock().unwrap();
        if let Some(token) = cached.clone() {
            return Ok(token);
        }
        let n = self.fetched.fetch_add(1, Ordering::SeqCst) + 1;
        *cached = Some(format!("t{n}"));
        Ok(format!("t{n}"))
    }
    async fn invalidate(&self, _audience: &str) {
        *self.cached.lock().unwrap() = None;
    }
}

#[tokio::test]
async fn a_refused_token_is_fetched_again_once_and_a_missing_one_is_retried() {
    let (receiver, url) = Receiver::start(200).await;
    *receiver.refuse_token.lock().unwrap() = Some("t1".into());
    let tokens = Arc::new(CountingTokens::default());
    let store = Arc::new(MemoryDeliveryStore::new());
    let subs = json!([{"name": "rp", "url": url, "auth": "oauth"}]);
    let local = LocalNotifier::new(notifier(subs, Some(tokens.clone())), store.clone());
    store.push_event(event("seq-1", Operation::Update, "ad|x|a"));
    local.pass().await.unwrap();
    let auth: Vec<String> = receiver
        .got()
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(auth, ["Bearer t1", "Bearer t2"]);
    assert_eq!(
        store
            .list(None, Some(DeliveryState::Delivered), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    tokens.down.store(true, Ordering::SeqCst);
    tokens.invalidate("x").await;
    store.push_event(event("seq-2", Operation::Update, "ad|x|b"));
    local.pass().await.unwrap();
    let pending = store
        .list(None, Some(DeliveryState::Pending), 10)
        .await
        .unwrap();
    assert_eq!(
        pending[0].last_error.as_deref(),
        Some("no token: token endpoint answered 503")
    );
    tokens.down.store(false, Ordering::SeqCst);
    pass_until(&local, || receiver.got().len() == 3).await;
}
