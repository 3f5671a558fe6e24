//! # cis-notifications — telling relying parties that a profile changed
//!
//! A vault write that changed a profile becomes an [`Event`]; each [`Subscription`] whose filters it passes
//! gets a delivery, POSTed as JSON with an OAuth bearer token and/or Standard Webhooks signature headers,
//! retried with backoff on failures a retry can fix, coalesced per user while it waits, dead-lettered after
//! its last attempt (docs/webhooks.md).
//!
//! | module | owns |
//! |---|---|
//! | [`event`] | [`Event`], [`Operation`]: what a write produced; which writes notify nobody |
//! | [`subscription`] | [`Subscription`]: parsing (JSON, `CIS_RP_URLS`) and the filters |
//! | [`payload`] | the JSON body, compatible and extended |
//! | [`signing`] | [`WebhookSecret`] and the Standard Webhooks headers |
//! | [`retry`] | [`RetryPolicy`]: which results retry, when, and when a delivery is dead |
//! | [`sender`] | the [`WebhookSender`] port; [`HttpSender`] (reqwest) and [`MemorySender`] |
//! | [`token`] | the [`TokenSource`] port; [`ClientCredentials`] (OAuth, cached) and [`StaticToken`] |
//! | [`store`] | the [`DeliveryStore`] port, delivery records; [`MemoryDeliveryStore`], [`SqliteDeliveryStore`] |
//! | [`notifier`] | [`Notifier`]: routing events, attempting deliveries concurrently, verdicts |
//! | [`local`] | [`LocalNotifier`]: the in-process loop of `cis serve` |
//! | [`queued`] | [`queued::QueuedNotifier`]: the deployed function's notifier, retries through a [`queued::DeliveryQueue`] |
//!
//! No token, secret or profile value is ever logged or stored in a delivery record.

pub mod event;
pub mod local;
pub mod notifier;
pub mod payload;
pub mod queued;
pub mod retry;
pub mod sender;
pub mod signing;
pub mod store;
pub mod subscription;
pub mod token;

pub use event::{Event, Operation};
pub use local::LocalNotifier;
pub use notifier::{Attempted, Notifier};
pub use retry::{AttemptResult, RetryPolicy, Verdict};
pub use sender::{HttpSender, MemorySender, WebhookRequest, WebhookSender};
pub use signing::WebhookSecret;
pub use store::{
    Delivery, DeliveryState, DeliveryStore, MemoryDeliveryStore, NewDelivery, SqliteDeliveryStore,
    StoreError,
};
pub use subscription::{Auth, Subscription, SubscriptionDefaults, SubscriptionError};
pub use token::{ClientCredentials, StaticToken, TokenError, TokenSource};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
