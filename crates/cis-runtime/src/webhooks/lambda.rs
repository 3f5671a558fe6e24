//! The webhook notifier function (docs/webhooks.md §6): one handler for its two triggers, told apart by
//! the records' `eventSource` — the vault table's DynamoDB stream (new events) and the SQS retry queue
//! (deliveries due again). Answers the partial batch response of either: the stream records (by sequence
//! number) or messages (by id) whose deliveries could not be queued, for the platform to retry. A message
//! that is no delivery is reported too; the queue's redrive policy moves it to the dead letters.

use super::sqs::messages;
use super::stream::{StreamRecord, records};
use cis_notifications::queued::QueuedNotifier;
use serde_json::{Value, json};
use tracing::warn;

/// Handles one event of either trigger.
pub async fn handle(notifier: &QueuedNotifier, event: Value) -> Value {
    let source = event
        .pointer("/Records/0/eventSource")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let failed = match source.as_str() {
        "aws:dynamodb" => {
            let mut events = Vec::new();
            for record in records(&event) {
                match record {
                    StreamRecord::Event {
                        sequence_number,
                        event,
                    } => events.push((sequence_number, event)),
                    StreamRecord::Skipped {
                        sequence_number,
                        reason,
                    } => {
                        warn!(%sequence_number, %reason, "stream record skipped");
                    }
                }
            }
            notifier.handle_events(events).await
        }
        "aws:sqs" => {
            let (deliveries, unreadable) = messages(&event);
            for id in &unreadable {
                warn!(message_id = %id, "retry message is no delivery record");
            }
            let mut failed = notifier.handle_retries(deliveries).await;
            failed.extend(unreadable);
            failed
        }
        "" => Vec::new(),
        other => {
            warn!(source = %other, "event from an unknown source ignored");
            Vec::new()
        }
    };
    let failures: Vec<Value> = failed
        .iter()
        .map(|id| json!({"itemIdentifier": id}))
        .collect();
    json!({"batchItemFailures": failures})
}
