//! Fetching one JSON document (an issuer's JWKS, the `mozilla-iam` well-known document) through the
//! [`DocumentSource`] port, with adapters for `https://`/`http://` (reqwest, with a timeout), `file://` and
//! memory (tests, `cis serve`).
//!
//! Fetch only: no caching, no key parsing, no scheme policy (configuration decides which schemes are
//! allowed where). A non-2xx answer or a body that is not a JSON object is a failed fetch. Bodies are never
//! logged.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

/// Why a document could not be fetched. The text names the location, never the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// The port: where a JSON document comes from.
#[async_trait]
pub trait DocumentSource: Send + Sync {
    /// The document, which is a JSON object.
    async fn fetch(&self) -> Result<Value, FetchError>;
    /// Where it comes from, for logs.
    fn location(&self) -> String;
}

/// The adapter for a URL: `file://<path>` reads a file, `http://` and `https://` use HTTP with `timeout`.
pub fn source_for_url(url: &str, timeout: Duration) -> Result<Arc<dyn DocumentSource>, FetchError> {
    if let Some(path) = url.strip_prefix("file://") {
        return Ok(Arc::new(FileSource::new(path)));
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(Arc::new(HttpSource::new(url, timeout)?));
    }
    Err(FetchError(format!(
        "unsupported URL scheme in {url:?} (expected https://, http:// or file://)"
    )))
}

fn object(value: Value, location: &str) -> Result<Value, FetchError> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(FetchError(format!(
            "{location}: the document is not a JSON object"
        )))
    }
}

/// HTTP(S) GET with a timeout covering the whole exchange.
#[derive(Debug, Clone)]
pub struct HttpSource {
    client: reqwest::Client,
    url: String,
}

impl HttpSource {
    pub fn new(url: &str, timeout: Duration) -> Result<HttpSource, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| FetchError(format!("cannot build an HTTP client: {e}")))?;
        Ok(HttpSource {
            client,
            url: url.to_owned(),
        })
    }
}

#[async_trait]
impl DocumentSource for HttpSource {
    async fn fetch(&self) -> Result<Value, FetchError> {
        let failed = |what: String| FetchError(format!("GET {}: {what}", self.url));
        let response = self
            .client
            .get(&self.url)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                failed(if e.is_timeout() {
                    "timed out".into()
                } else {
                    e.to_string()
                })
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(failed(format!("HTTP status {}", status.as_u16())));
        }
        let bytes = response.bytes().await.map_err(|e| failed(e.to_string()))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| failed(format!("the body is not JSON ({e})")))?;
        object(value, &self.url)
    }

    fn location(&self) -> String {
        self.url.clone()
    }
}

/// A JSON file on disk.
#[derive(Debug, Clone)]
pub struct FileSource {
    path: PathBuf,
}

impl FileSource {
    pub fn new(path: impl Into<PathBuf>) -> FileSource {
        FileSource { path: path.into() }
    }
}

#[async_trait]
impl DocumentSource for FileSource {
    async fn fetch(&self) -> Result<Value, FetchError> {
        let location = self.location();
        let bytes = tokio::fs::read(&self.path)
            .await
            .map_err(|e| FetchError(format!("{location}: {e}")))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| FetchError(format!("{location}: not JSON ({e})")))?;
        object(value, &location)
    }

    fn location(&self) -> String {
        format!("file://{}", self.path.display())
    }
}

/// A document held in memory that tests can replace or make unreachable; counts fetches.
#[derive(Debug, Default)]
pub struct MemorySource {
    document: Mutex<Option<Value>>,
    fetches: AtomicUsize,
}

impl MemorySource {
    /// A source serving `document`.
    pub fn new(document: Value) -> MemorySource {
        MemorySource {
            document: Mutex::new(Some(document)),
            fetches: AtomicUsize::new(0),
        }
    }

    /// A source that is unreachable until [`MemorySource::set`] is called.
    pub fn unreachable() -> MemorySource {
        MemorySource::default()
    }

    /// Serves `document` from now on.
    pub fn set(&self, document: Value) {
        *self.document.lock().unwrap_or_else(PoisonError::into_inner) = Some(document);
    }

    /// Fails every fetch from now on.
    pub fn make_unreachable(&self) {
        *self.document.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// How many fetches were attempted.
    pub fn fetch_count(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl DocumentSource for MemorySource {
    async fn fetch(&self) -> Result<Value, FetchError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let document = self
            .document
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let document = document.ok_or_else(|| FetchError("memory: unreachable".into()))?;
        object(document, "memory")
    }

    fn location(&self) -> String {
        "memory".into()
    }
}
