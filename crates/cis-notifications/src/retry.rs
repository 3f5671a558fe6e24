//! [`RetryPolicy`]: what an attempt's result means for its delivery (docs/webhooks.md §4). 2xx is delivered;
//! 408, 429, 5xx, timeouts, connection errors and a token that could not be had are retried after an
//! exponentially growing, jittered delay (a `Retry-After` is honoured); any other status fails at once;
//! a retryable failure on the last attempt is dead.

use rand::Rng;
use std::time::Duration;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    /// The receiver answered.
    Status {
        code: u16,
        retry_after: Option<Duration>,
    },
    /// No answer within the subscription's timeout.
    Timeout,
    /// No connection (refused, reset, DNS, TLS).
    Connect(String),
    /// No bearer token could be obtained for the receiver.
    Token(String),
}

impl AttemptResult {
    /// The HTTP status, if the receiver answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            AttemptResult::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A short description for delivery records and logs (never a token or a body).
    pub fn describe(&self) -> String {
        match self {
            AttemptResult::Status { code, .. } => format!("HTTP {code}"),
            AttemptResult::Timeout => "timed out".into(),
            AttemptResult::Connect(e) => format!("connection failed: {e}"),
            AttemptResult::Token(e) => format!("no token: {e}"),
        }
    }
}

/// What happens to the delivery next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Try again after this long.
    Retry(Duration),
    /// A final refusal (a 4xx other than 408 and 429).
    Failed,
    /// Retryable, but that was the last attempt.
    Dead,
}

/// The delays between attempts: `first`, then ×3 each time, at most `cap`, each ±20 % jitter. The default
/// (90 s, 12 h cap) spreads the 8 attempts of a delivery over about 21 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            first: Duration::from_secs(90),
            cap: Duration::from_secs(12 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The delay after the `attempts`-th failed attempt (1-based), before jitter.
    pub fn base_delay(&self, attempts: u32) -> Duration {
        let factor = 3u32.saturating_pow(attempts.saturating_sub(1));
        self.first.saturating_mul(factor).min(self.cap)
    }

    /// The verdict on a delivery's `attempts`-th attempt (1-based) of at most `max_attempts`.
    pub fn verdict(&self, result: &AttemptResult, attempts: u32, max_attempts: u32) -> Verdict {
        let retry_after = match result {
            AttemptResult::Status { code, .. } if (200..300).contains(code) => {
                return Verdict::Delivered;
            }
            AttemptResult::Status { code, retry_after }
                if matches!(code, 408 | 429) || *code >= 500 =>
            {
                *retry_after
            }
            AttemptResult::Status { .. } => return Verdict::Failed,
            AttemptResult::Timeout | AttemptResult::Connect(_) | AttemptResult::Token(_) => None,
        };
        if attempts >= max_attempts {
            return Verdict::Dead;
        }
        let delay = match retry_after {
            Some(after) => after.clamp(Duration::from_secs(1), self.cap),
            None => jitter(self.base_delay(attempts)),
        };
        Verdict::Retry(delay)
    }
}

/// ±20 %.
fn jitter(delay: Duration) -> Duration {
    let factor = rand::rng().random_range(0.8..=1.2);
    delay.mul_f64(factor)
}
