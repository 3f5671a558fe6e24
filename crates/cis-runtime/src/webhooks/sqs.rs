//! [`SqsQueue`]: the deployed notifier's retry and dead-letter queues on SQS (docs/webhooks.md §6). A retry
//! is a message holding the delivery record (JSON) made visible after its delay — at most SQS's 15 minutes;
//! the notifier sends a message that comes back early on for the rest. Dead and failed deliveries go to the
//! dead-letter queue as the same record, for an operator to inspect or move back.

use async_trait::async_trait;
use aws_sdk_sqs::error::DisplayErrorContext;
use cis_notifications::Delivery;
use cis_notifications::queued::DeliveryQueue;
use serde_json::Value;
use std::time::Duration;

/// SQS's longest message delay.
pub const MAX_DELAY: Duration = Duration::from_secs(900);

/// The two queues.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    retry_url: String,
    dead_url: String,
}

impl SqsQueue {
    pub fn new(client: aws_sdk_sqs::Client, retry_url: &str, dead_url: &str) -> SqsQueue {
        SqsQueue {
            client,
            retry_url: retry_url.to_string(),
            dead_url: dead_url.to_string(),
        }
    }

    async fn send(&self, url: &str, delivery: &Delivery, delay: Duration) -> Result<(), String> {
        let body = serde_json::to_string(delivery).map_err(|e| e.to_string())?;
        let seconds = i32::try_from(delay.min(MAX_DELAY).as_secs()).unwrap_or(0);
        self.client
            .send_message()
            .queue_url(url)
            .message_body(body)
            .delay_seconds(seconds)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| DisplayErrorContext(&e).to_string())
    }
}

#[async_trait]
impl DeliveryQueue for SqsQueue {
    async fn retry(&self, delivery: &Delivery, delay: Duration) -> Result<(), String> {
        self.send(&self.retry_url, delivery, delay).await
    }

    async fn dead(&self, delivery: &Delivery) -> Result<(), String> {
        self.send(&self.dead_url, delivery, Duration::ZERO).await
    }
}

/// The messages of an SQS event: `(messageId, delivery)`, and the ids of bodies that are no delivery.
pub fn messages(event: &Value) -> (Vec<(String, Delivery)>, Vec<String>) {
    let mut deliveries = Vec::new();
    let mut unreadable = Vec::new();
    for record in event
        .get("Records")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = record["messageId"].as_str().unwrap_or_default().to_string();
        match record["body"]
            .as_str()
            .map(serde_json::from_str::<Delivery>)
        {
            Some(Ok(delivery)) => deliveries.push((id, delivery)),
            _ => unreadable.push(id),
        }
    }
    (deliveries, unreadable)
}
