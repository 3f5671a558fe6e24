//! The JSON body of a notification (docs/webhooks.md §2): the original's three members, plus `event_id` and
//! (for subscriptions that filter on attributes) `changed`, unless the subscription asks for the legacy
//! payload. Attribute values are never sent: receivers re-read the profile through the Person API.

use crate::store::Delivery;
use crate::subscription::Subscription;
use serde_json::{Value, json};

/// The body POSTed for `delivery` to `subscription`.
pub fn body(subscription: &Subscription, delivery: &Delivery) -> String {
    let mut payload = json!({
        "operation": delivery.operation.as_str(),
        "id": delivery.user_id,
        "time": delivery.event_time,
    });
    if !subscription.legacy_payload
        && let Value::Object(members) = &mut payload
    {
        members.insert("event_id".into(), Value::from(delivery.event_id.clone()));
        if !subscription.attributes.is_empty() {
            members.insert("changed".into(), Value::from(delivery.changed.clone()));
        }
    }
    payload.to_string()
}

/// The body of `cis webhooks test`: a `test` event for a user that does not exist.
pub fn test_body(event_id: &str, time: i64) -> String {
    json!({"operation": "test", "id": "test|cis-notifier", "time": time, "event_id": event_id})
        .to_string()
}
