//! [`Notifier`]: routes events to the subscriptions that want them, and attempts deliveries — the body,
//! the bearer token (fetched again once on a 401), the Standard Webhooks headers, the subscription's
//! timeout — many relying parties at once (bounded), so one slow receiver delays no other beyond its own
//! timeout. It decides each attempt's [`Verdict`]; where the delivery goes next (a SQLite table, an SQS
//! queue) is the caller's.

use crate::event::Event;
use crate::payload;
use crate::retry::{AttemptResult, RetryPolicy, Verdict};
use crate::sender::{WebhookRequest, WebhookSender};
use crate::store::{Delivery, DeliveryState, NewDelivery, Outcome};
use crate::subscription::{Auth, Subscription};
use crate::token::TokenSource;
use futures::StreamExt;
use std::sync::Arc;

/// How many deliveries are in flight at once by default.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// One attempt made: the delivery as it was, what happened, and what follows.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub delivery: Delivery,
    pub result: AttemptResult,
    pub verdict: Verdict,
}

impl Attempted {
    /// The delivery record after the attempt.
    pub fn outcome(&self, now_ms: i64) -> Outcome {
        let attempts = self.delivery.attempts + 1;
        let (state, next_attempt_at) = match self.verdict {
            Verdict::Delivered => (DeliveryState::Delivered, now_ms),
            Verdict::Failed => (DeliveryState::Failed, now_ms),
            Verdict::Dead => (DeliveryState::Dead, now_ms),
            Verdict::Retry(after) => (
                DeliveryState::Pending,
                now_ms.saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX)),
            ),
        };
        let last_error = match self.verdict {
            Verdict::Delivered => None,
            _ => Some(self.result.describe()),
        };
        Outcome {
            id: self.delivery.id,
            state,
            attempts,
            next_attempt_at,
            last_status: self.result.status(),
            last_error,
        }
    }
}

/// Routing and delivery, with the subscriptions, the sender and the token source built once.
pub struct Notifier {
    subscriptions: Vec<Subscription>,
    sender: Arc<dyn WebhookSender>,
    tokens: Option<Arc<dyn TokenSource>>,
    policy: RetryPolicy,
    concurrency: usize,
}

impl Notifier {
    /// `tokens` is needed when a subscription uses OAuth (its deliveries fail retryably without it).
    pub fn new(
        subscriptions: Vec<Subscription>,
        sender: Arc<dyn WebhookSender>,
        tokens: Option<Arc<dyn TokenSource>>,
    ) -> Notifier {
        Notifier {
            subscriptions,
            sender,
            tokens,
            policy: RetryPolicy::default(),
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Notifier {
        self.policy = policy;
        self
    }

    pub fn with_concurrency(mut self, concurrency: usize) -> Notifier {
        self.concurrency = concurrency.max(1);
        self
    }

    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }

    pub fn subscription(&self, name: &str) -> Option<&Subscription> {
        self.subscriptions.iter().find(|s| s.name == name)
    }

    /// One delivery per event and subscription that wants it.
    pub fn route(&self, events: &[Event]) -> Vec<NewDelivery> {
        let mut out = Vec::new();
        for event in events {
            for subscription in &self.subscriptions {
                if let Some(changed) = subscription.wants(event) {
                    out.push(NewDelivery {
                        subscription: subscription.name.clone(),
                        event: event.clone(),
                        changed,
                    });
                }
            }
        }
        out
    }

    /// Attempts every delivery, at most `concurrency` at once; results in no particular order.
    pub async fn attempt_all(&self, deliveries: Vec<Delivery>) -> Vec<Attempted> {
        futures::stream::iter(deliveries)
            .map(|delivery| async move {
                let (result, max_attempts) = match self.subscription(&delivery.subscription) {
                    Some(subscription) => (
                        self.attempt(
                            subscription,
                            &delivery.event_id,
                            &payload::body(subscription, &delivery),
                        )
                        .await,
                        subscription.max_attempts,
                    ),
                    // Its subscription was removed from the configuration: nobody to deliver to.
                    None => (
                        AttemptResult::Status {
                            code: 410,
                            retry_after: None,
                        },
                        1,
                    ),
                };
                let verdict = self
                    .policy
                    .verdict(&result, delivery.attempts + 1, max_attempts);
                Attempted {
                    delivery,
                    result,
                    verdict,
                }
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await
    }

    /// One POST of `body` to `subscription`, with its headers; on a 401 with OAuth, once more with a new token.
    pub async fn attempt(
        &self,
        subscription: &Subscription,
        event_id: &str,
        body: &str,
    ) -> AttemptResult {
        let first = match self.request(subscription, event_id, body).await {
            Ok(request) => self.sender.send(&request).await,
            Err(result) => return result,
        };
        let Auth::OAuth { audience } = &subscription.auth else {
            return first;
        };
        if first.status() != Some(401) {
            return first;
        }
        if let Some(tokens) = &self.tokens {
            tokens.invalidate(audience).await;
        }
        match self.request(subscription, event_id, body).await {
            Ok(request) => self.sender.send(&request).await,
            Err(result) => result,
        }
    }

    async fn request(
        &self,
        subscription: &Subscription,
        event_id: &str,
        body: &str,
    ) -> Result<WebhookRequest, AttemptResult> {
        let mut headers = Vec::new();
        if let Auth::OAuth { audience } = &subscription.auth {
            let tokens = self
                .tokens
                .as_ref()
                .ok_or_else(|| AttemptResult::Token("no OAuth client is configured".into()))?;
            let token = tokens
                .token(audience)
                .await
                .map_err(|e| AttemptResult::Token(e.to_string()))?;
            headers.push(("authorization".to_string(), format!("Bearer {token}")));
        }
        if let Some(secret) = &subscription.secret {
            let timestamp = crate::now_ms() / 1000;
            headers.extend(secret.headers(event_id, timestamp, body));
        }
        Ok(WebhookRequest {
            url: subscription.url.clone(),
            headers,
            body: body.to_string(),
            timeout: subscription.timeout,
        })
    }
}
