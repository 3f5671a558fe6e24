//! The notifier's SQS queues on moto_server: a retry is a message holding the delivery record, visible after
//! its delay (capped at SQS's 15 minutes); a dead delivery lands on the dead-letter queue; an SQS event of
//! such messages reads back into deliveries, and a body that is no delivery is reported.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_notifications::queued::DeliveryQueue;
use cis_notifications::store::{DeliveryState, NewDelivery, fresh};
use cis_notifications::{Delivery, Event, Operation};
use cis_runtime::webhooks::sqs::{SqsQueue, messages};
use cis_testkit::moto;
use serde_json::json;
use std::time::Duration;

fn delivery() -> Delivery {
    let new = NewDelivery {
        subscription: "rp".into(),
        event: Event {
            event_id: "ev-1".into(),
            operation: Operation::Update,
            user_id: "ad|Mozilla-LDAP|sqs".into(),
            time: 1_700_000_000,
            changed: vec!["first_name".into()],
            publishers: vec!["ldap".into()],
        },
        changed: vec![],
    };
    let mut d = fresh(1, &new, 1_000);
    d.attempts = 3;
    d.last_status = Some(503);
    d
}

async fn queue(name: &str) -> String {
    let created = moto::sqs()
        .create_queue()
        .queue_name(moto::unique_name(name))
        .send()
        .await
        .unwrap();
    created.queue_url().unwrap().to_string()
}

async fn receive(url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    moto::sqs()
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn retries_wait_their_delay_and_dead_deliveries_go_to_the_dead_letters() {
    let (retry_url, dead_url) = (queue("retry").await, queue("dead").await);
    let sqs = SqsQueue::new(moto::sqs(), &retry_url, &dead_url);
    let d = delivery();
    sqs.retry(&d, Duration::from_secs(2)).await.unwrap();
    assert!(
        receive(&retry_url).await.is_empty(),
        "not visible before its delay"
    );
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let got = receive(&retry_url).await;
    assert_eq!(got.len(), 1);
    let event = json!({"Records": [
        {"messageId": got[0].message_id().unwrap(), "body": got[0].body().unwrap(), "eventSource": "aws:sqs"},
        {"messageId": "m-bad", "body": "not a delivery", "eventSource": "aws:sqs"}
    ]});
    let (deliveries, unreadable) = messages(&event);
    assert_eq!(deliveries[0].1, d);
    assert_eq!(unreadable, ["m-bad"]);

    let mut dead = d.clone();
    dead.state = DeliveryState::Dead;
    sqs.dead(&dead).await.unwrap();
    let got = receive(&dead_url).await;
    let body: Delivery = serde_json::from_str(got[0].body().unwrap()).unwrap();
    assert_eq!(
        (body.state, body.attempts, body.last_status),
        (DeliveryState::Dead, 3, Some(503))
    );
    // A delay beyond SQS's 15 minutes is capped (the notifier re-queues it for the rest).
    sqs.retry(&d, Duration::from_secs(3 * 3600)).await.unwrap();
}
