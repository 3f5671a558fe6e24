//! The [`WebhookSender`] port: one POST, its result. [`HttpSender`] sends over HTTP(S) with reqwest (built
//! once, no redirects followed, the subscription's timeout on each request); [`MemorySender`] records the
//! requests and answers from a script, for tests.

use crate::retry::AttemptResult;
use async_trait::async_trait;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

/// One webhook request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRequest {
    pub url: String,
    /// Besides `Content-Type: application/json` and `User-Agent`, which the sender sets.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub timeout: Duration,
}

impl WebhookRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn send(&self, request: &WebhookRequest) -> AttemptResult;
}

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("cis-notifier/", env!("CARGO_PKG_VERSION"));

/// Sends with one reqwest client.
#[derive(Debug, Clone)]
pub struct HttpSender {
    client: reqwest::Client,
}

impl HttpSender {
    pub fn new() -> Result<HttpSender, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpSender { client })
    }
}

#[async_trait]
impl WebhookSender for HttpSender {
    async fn send(&self, request: &WebhookRequest) -> AttemptResult {
        let mut builder = self
            .client
            .post(&request.url)
            .timeout(request.timeout)
            .header("content-type", "application/json")
            .body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        match builder.send().await {
            Ok(response) => {
                let code = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                // Read (and drop) the body so the connection can be reused; a slow body counts as a timeout.
                let drained = tokio::time::timeout(request.timeout, response.bytes()).await;
                if drained.is_err() {
                    return AttemptResult::Timeout;
                }
                AttemptResult::Status { code, retry_after }
            }
            Err(e) if e.is_timeout() => AttemptResult::Timeout,
            Err(e) => AttemptResult::Connect(without_url(&e)),
        }
    }
}

/// The error's text without the URL (a receiver URL may carry a secret in its query).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    if let Some(source) = std::error::Error::source(error) {
        text = format!("{text}: {source}");
    }
    text
}

/// `Retry-After`: delay seconds, or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let seconds = (when - time::OffsetDateTime::now_utc()).whole_seconds();
    Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
}

/// Answers from a script (then `default`), and keeps every request it was given.
#[derive(Debug)]
pub struct MemorySender {
    script: Mutex<VecDeque<AttemptResult>>,
    default: AttemptResult,
    sent: Mutex<Vec<WebhookRequest>>,
}

impl MemorySender {
    /// Answers 200 to everything.
    pub fn ok() -> MemorySender {
        MemorySender::answering(AttemptResult::Status {
            code: 200,
            retry_after: None,
        })
    }

    /// Answers `default` to everything not scripted.
    pub fn answering(default: AttemptResult) -> MemorySender {
        MemorySender {
            script: Mutex::new(VecDeque::new()),
            default,
            sent: Mutex::new(Vec::new()),
        }
    }

    /// The next answers, in order, before the default.
    pub fn then(self, results: impl IntoIterator<Item = AttemptResult>) -> MemorySender {
        if let Ok(mut script) = self.script.lock() {
            script.extend(results);
        }
        self
    }

    /// Every request sent so far.
    pub fn sent(&self) -> Vec<WebhookRequest> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl WebhookSender for MemorySender {
    async fn send(&self, request: &WebhookRequest) -> AttemptResult {
        if let Ok(mut sent) = self.sent.lock() {
            sent.push(request.clone());
        }
        let scripted = self.script.lock().ok().and_then(|mut s| s.pop_front());
        scripted.unwrap_or_else(|| self.default.clone())
    }
}
