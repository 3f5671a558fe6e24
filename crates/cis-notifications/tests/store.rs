//! The delivery-store contract, run on the memory and the SQLite adapter: routing (with coalescing) is
//! atomic with the routing mark, one user's deliveries to one subscription go out in order, outcomes are
//! recorded, dead and failed deliveries can be requeued, events can be read back for replay.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_identity_vault::SqliteVault;
use cis_notifications::store::{DeliveryState, NewDelivery, Outcome};
use cis_notifications::{
    DeliveryStore, Event, MemoryDeliveryStore, Operation, SqliteDeliveryStore,
};
use std::sync::Arc;

/// A store and a way to record an event in it, as a vault write does.
struct Harness {
    store: Arc<dyn DeliveryStore>,
    push: Box<dyn Fn(&Event)>,
    _dir: Option<tempfile::TempDir>,
}

fn memory() -> Harness {
    let store = Arc::new(MemoryDeliveryStore::new());
    let pusher = Arc::clone(&store);
    Harness {
        store,
        push: Box::new(move |e| pusher.push_event(e.clone())),
        _dir: None,
    }
}

fn sqlite() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    let path = vault.path().to_path_buf();
    let store = Arc::new(SqliteDeliveryStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    Harness {
        store,
        push: Box::new(move |e| {
            conn.execute(
                "INSERT INTO events (event_id, user_id, operation, changed, publishers, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    e.event_id,
                    e.user_id,
                    e.operation.as_str(),
                    serde_json::to_string(&e.changed).unwrap(),
                    serde_json::to_string(&e.publishers).unwrap(),
                    e.time
                ],
            )
            .unwrap();
        }),
        _dir: Some(dir),
    }
}

fn event(id: &str, operation: Operation, user: &str, time: i64) -> Event {
    Event {
        event_id: id.into(),
        operation,
        user_id: user.into(),
        time,
        changed: vec!["first_name".into()],
        publishers: vec!["ldap".into()],
    }
}

fn to(subscription: &str, event: &Event) -> NewDelivery {
    NewDelivery {
        subscription: subscription.into(),
        event: event.clone(),
        changed: event.changed.clone(),
    }
}

/// Routes every unrouted event to `subscriptions`.
async fn route_all(h: &Harness, subscriptions: &[&str], now: i64) -> (usize, usize) {
    let events = h.store.unrouted(100).await.unwrap();
    let cursor = events.last().map_or(0, |(c, _)| *c);
    let deliveries = events
        .iter()
        .flat_map(|(_, e)| subscriptions.iter().map(move |s| to(s, e)))
        .collect();
    let report = h.store.route(cursor, deliveries, now).await.unwrap();
    (report.added, report.coalesced)
}

fn outcome(id: i64, state: DeliveryState, attempts: u32, next: i64) -> Outcome {
    Outcome {
        id,
        state,
        attempts,
        next_attempt_at: next,
        last_status: Some(503),
        last_error: Some("HTTP 503".into()),
    }
}

macro_rules! store_suite {
    ($($name:ident),*) => {
        mod memory_store { $( #[tokio::test] async fn $name() { super::$name(super::memory()).await } )* }
        mod sqlite_store { $( #[tokio::test] async fn $name() { super::$name(super::sqlite()).await } )* }
    };
}

store_suite!(
    routed_events_are_not_routed_again,
    waiting_deliveries_coalesce_and_a_delete_queues_behind,
    one_users_deliveries_go_out_in_order,
    dead_deliveries_are_requeued_and_counted,
    events_are_read_back_for_replay
);

async fn routed_events_are_not_routed_again(h: Harness) {
    (h.push)(&event("e1", Operation::Create, "ad|x|a", 100));
    (h.push)(&event("e2", Operation::Create, "ad|x|b", 100));
    assert_eq!(route_all(&h, &["rp1", "rp2"], 1_000).await, (4, 0));
    assert!(h.store.unrouted(100).await.unwrap().is_empty());
    (h.push)(&event("e3", Operation::Create, "ad|x|c", 100));
    let later = h.store.unrouted(100).await.unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].1.event_id, "e3");
    let due = h.store.due(1_000, 100).await.unwrap();
    assert_eq!(due.len(), 4);
    assert!(
        due.iter()
            .all(|d| d.state == DeliveryState::Pending && d.attempts == 0)
    );
    assert_eq!(h.store.next_due().await.unwrap(), Some(1_000));
}

async fn waiting_deliveries_coalesce_and_a_delete_queues_behind(h: Harness) {
    (h.push)(&event("e1", Operation::Create, "ad|x|a", 100));
    route_all(&h, &["rp"], 1_000).await;
    let first = h.store.due(1_000, 10).await.unwrap().remove(0);
    h.store
        .record(&outcome(first.id, DeliveryState::Pending, 1, 60_000), 1_000)
        .await
        .unwrap();
    (h.push)(&event("e2", Operation::Update, "ad|x|a", 200));
    assert_eq!(route_all(&h, &["rp"], 2_000).await, (0, 1));
    (h.push)(&event("e3", Operation::Delete, "ad|x|a", 300));
    assert_eq!(route_all(&h, &["rp"], 3_000).await, (0, 1));
    (h.push)(&event("e4", Operation::Create, "ad|x|a", 400));
    assert_eq!(
        route_all(&h, &["rp"], 4_000).await,
        (1, 0),
        "nothing merges into a waiting delete"
    );
    let all = h
        .store
        .list(Some("rp"), Some(DeliveryState::Pending), 10)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let (newest, oldest) = (&all[0], &all[1]);
    assert_eq!(
        (
            oldest.operation,
            oldest.event_id.as_str(),
            oldest.coalesced,
            oldest.attempts
        ),
        (Operation::Delete, "e3", 2, 1)
    );
    assert_eq!(
        (newest.operation, newest.event_id.as_str()),
        (Operation::Create, "e4")
    );
    assert!(
        h.store.due(59_999, 10).await.unwrap().is_empty(),
        "the delete waits for its retry, the create behind it"
    );
}

async fn one_users_deliveries_go_out_in_order(h: Harness) {
    (h.push)(&event("e1", Operation::Delete, "ad|x|a", 100));
    (h.push)(&event("e2", Operation::Create, "ad|x|a", 100));
    (h.push)(&event("e3", Operation::Create, "ad|x|b", 100));
    assert_eq!(route_all(&h, &["rp"], 1_000).await, (3, 0));
    let due: Vec<String> = h
        .store
        .due(1_000, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.event_id)
        .collect();
    assert_eq!(due, ["e1", "e3"], "e2 waits until e1 is done");
    let e1 = h
        .store
        .list(None, None, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.event_id == "e1")
        .unwrap();
    h.store
        .record(&outcome(e1.id, DeliveryState::Delivered, 1, 1_000), 1_100)
        .await
        .unwrap();
    let due: Vec<String> = h
        .store
        .due(1_100, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.event_id)
        .collect();
    assert_eq!(due, ["e2", "e3"]);
}

async fn dead_deliveries_are_requeued_and_counted(h: Harness) {
    (h.push)(&event("e1", Operation::Update, "ad|x|a", 100));
    (h.push)(&event("e2", Operation::Update, "ad|x|b", 100));
    route_all(&h, &["rp", "other"], 1_000).await;
    for d in h.store.due(1_000, 10).await.unwrap() {
        let state = if d.subscription == "rp" {
            DeliveryState::Dead
        } else {
            DeliveryState::Delivered
        };
        h.store
            .record(&outcome(d.id, state, 8, 1_000), 1_000)
            .await
            .unwrap();
    }
    let counts: Vec<(String, DeliveryState, u64)> = h
        .store
        .counts()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.subscription, c.state, c.count))
        .collect();
    assert_eq!(
        counts,
        [
            ("other".into(), DeliveryState::Delivered, 2),
            ("rp".into(), DeliveryState::Dead, 2)
        ]
    );
    let dead = h
        .store
        .list(Some("rp"), Some(DeliveryState::Dead), 10)
        .await
        .unwrap();
    assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(
        h.store.requeue("rp", Some("ad|x|a"), 5_000).await.unwrap(),
        1
    );
    assert_eq!(h.store.requeue("rp", None, 5_000).await.unwrap(), 1);
    let again = h.store.due(5_000, 10).await.unwrap();
    assert_eq!(again.len(), 2);
    assert!(
        again
            .iter()
            .all(|d| d.subscription == "rp" && d.attempts == 0)
    );
    assert_eq!(h.store.requeue("rp", None, 5_000).await.unwrap(), 0);
}

async fn events_are_read_back_for_replay(h: Harness) {
    (h.push)(&event("e1", Operation::Create, "ad|x|a", 100));
    (h.push)(&event("e2", Operation::Update, "ad|x|b", 200));
    (h.push)(&event("e3", Operation::Update, "ad|x|a", 300));
    let since: Vec<String> = h
        .store
        .events_since(200, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(since, ["e2", "e3"]);
    let of_a: Vec<String> = h
        .store
        .events_since(0, Some("ad|x|a"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(of_a, ["e1", "e3"]);
}
