//! The deployed notifier's flow with in-memory adapters: a stream batch attempted at once and coalesced per
//! user, retries handed to the queue with their delay, messages not yet due sent back, the last attempt
//! dead-lettered, a queue that fails reported for the platform to retry.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_notifications::queued::{MemoryQueue, QueuedNotifier};
use cis_notifications::store::DeliveryState;
use cis_notifications::subscription::{SubscriptionDefaults, parse_subscriptions};
use cis_notifications::{AttemptResult, Event, MemorySender, Notifier, Operation};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn event(id: &str, operation: Operation, user: &str) -> (String, Event) {
    let event = Event {
        event_id: id.into(),
        operation,
        user_id: user.into(),
        time: 1_700_000_000,
        changed: vec!["first_name".into()],
        publishers: vec!["ldap".into()],
    };
    (format!("record-{id}"), event)
}

fn setup(
    sender: MemorySender,
    max_attempts: u32,
) -> (QueuedNotifier, Arc<MemorySender>, Arc<MemoryQueue>) {
    let subs =
        json!([{"name": "rp", "url": "https://rp.example/hook", "max_attempts": max_attempts}]);
    let subs = parse_subscriptions(&subs.to_string(), &SubscriptionDefaults::default()).unwrap();
    let sender = Arc::new(sender);
    let queue = Arc::new(MemoryQueue::default());
    let notifier = Arc::new(Notifier::new(subs, sender.clone(), None));
    (QueuedNotifier::new(notifier, queue.clone()), sender, queue)
}

fn status(code: u16) -> AttemptResult {
    AttemptResult::Status {
        code,
        retry_after: None,
    }
}

#[tokio::test]
async fn a_batch_is_delivered_at_once_and_one_users_events_coalesce() {
    let (queued, sender, queue) = setup(MemorySender::ok(), 8);
    let failed = queued
        .handle_events(vec![
            event("e1", Operation::Create, "ad|x|a"),
            event("e2", Operation::Update, "ad|x|a"),
            event("e3", Operation::Create, "ad|x|b"),
        ])
        .await;
    assert!(failed.is_empty());
    let bodies: Vec<Value> = sender
        .sent()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies.contains(
        &json!({"operation": "update", "id": "ad|x|a", "time": 1_700_000_000, "event_id": "e2"})
    ));
    assert!(queue.retries.lock().unwrap().is_empty() && queue.dead.lock().unwrap().is_empty());
}

#[tokio::test]
async fn failures_go_to_the_queue_with_their_delay_and_the_last_attempt_to_the_dead_letters() {
    let (queued, _sender, queue) = setup(MemorySender::answering(status(503)), 2);
    assert!(
        queued
            .handle_events(vec![event("e1", Operation::Update, "ad|x|a")])
            .await
            .is_empty()
    );
    let (retry, delay) = queue.retries.lock().unwrap().remove(0);
    assert_eq!(
        (retry.attempts, retry.state, retry.last_status),
        (1, DeliveryState::Pending, Some(503))
    );
    assert!((72..=108).contains(&delay.as_secs()), "{delay:?}");

    // Back from the queue before it is due: sent back for the rest, not attempted.
    assert!(
        queued
            .handle_retries(vec![("m1".into(), retry.clone())])
            .await
            .is_empty()
    );
    let (again, rest) = queue.retries.lock().unwrap().remove(0);
    assert_eq!(again, retry);
    assert!(rest.as_secs() > 60, "{rest:?}");

    // Due: the second and last attempt fails too: dead.
    let mut due = retry;
    due.next_attempt_at = cis_notifications::now_ms();
    assert!(
        queued
            .handle_retries(vec![("m2".into(), due)])
            .await
            .is_empty()
    );
    let dead = queue.dead.lock().unwrap().remove(0);
    assert_eq!(
        (dead.attempts, dead.state, dead.last_error.as_deref()),
        (2, DeliveryState::Dead, Some("HTTP 503"))
    );
}

#[tokio::test]
async fn a_final_refusal_is_dead_lettered_as_failed_and_due_retries_of_one_user_coalesce() {
    let (queued, sender, queue) = setup(MemorySender::answering(status(404)), 8);
    let mut first = {
        queued
            .handle_events(vec![event("e1", Operation::Update, "ad|x|a")])
            .await;
        queue.dead.lock().unwrap().remove(0)
    };
    assert_eq!(first.state, DeliveryState::Failed);
    first.state = DeliveryState::Pending;
    let mut second = first.clone();
    second.event_id = "e2".into();
    second.event_time += 1;
    let failed = queued
        .handle_retries(vec![("m1".into(), first), ("m2".into(), second)])
        .await;
    assert!(failed.is_empty());
    assert_eq!(
        sender.sent().len(),
        2,
        "one attempt for the two due retries of one user"
    );
    assert_eq!(queue.dead.lock().unwrap()[0].event_id, "e2");
}

#[tokio::test]
async fn when_the_queue_fails_the_records_are_reported_for_the_platform_to_retry() {
    let (queued, _sender, queue) = setup(MemorySender::answering(AttemptResult::Timeout), 8);
    queue.down.store(true, Ordering::SeqCst);
    let failed = queued
        .handle_events(vec![
            event("e1", Operation::Update, "ad|x|a"),
            event("e2", Operation::Update, "ad|x|b"),
        ])
        .await;
    let mut failed = failed;
    failed.sort();
    assert_eq!(failed, ["record-e1", "record-e2"]);
}
