//! The [`TokenSource`] port: a bearer token for a receiver's audience. [`ClientCredentials`] gets it with the
//! OAuth client-credentials grant (the identity provider's `/oauth/token`, or the development authorizer of
//! `cis serve`), caches it per audience until shortly before it expires, and drops it when a receiver
//! answers 401; [`StaticToken`] always answers the same token (tests). Tokens and the client secret are
//! never logged.

use async_trait::async_trait;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Why no token could be had (a retryable delivery failure, never a crashed batch).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);

#[async_trait]
pub trait TokenSource: Send + Sync {
    async fn token(&self, audience: &str) -> Result<String, TokenError>;
    /// Forgets the cached token of `audience` (a receiver refused it).
    async fn invalidate(&self, audience: &str);
}

/// How long before its expiry a cached token is replaced (the original's 910 s, or half its lifetime
/// for short-lived tokens).
pub const LEEWAY: Duration = Duration::from_secs(910);

/// The client-credentials grant, cached per audience.
pub struct ClientCredentials {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: String,
    cache: Mutex<HashMap<String, (String, Instant)>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl ClientCredentials {
    pub fn new(
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<ClientCredentials, TokenError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| TokenError(e.to_string()))?;
        Ok(ClientCredentials {
            http,
            token_url: token_url.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            cache: Mutex::new(HashMap::new()),
        })
    }

    async fn fetch(&self, audience: &str) -> Result<(String, Instant), TokenError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
            ("audience", audience),
        ];
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .http
            .post(&self.token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| TokenError(format!("token endpoint unreachable: {}", e.without_url())))?;
        let status = response.status();
        if !status.is_success() {
            return Err(TokenError(format!("token endpoint answered {status}")));
        }
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|_| TokenError("token endpoint answered no access_token".into()))?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(60));
        let leeway = LEEWAY.min(lifetime / 2);
        Ok((answer.access_token, Instant::now() + lifetime - leeway))
    }
}

#[async_trait]
impl TokenSource for ClientCredentials {
    async fn token(&self, audience: &str) -> Result<String, TokenError> {
        // One fetch at a time: concurrent deliveries wait for it and share the token.
        let mut cache = self.cache.lock().await;
        if let Some((token, until)) = cache.get(audience)
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let (token, until) = self.fetch(audience).await?;
        cache.insert(audience.to_string(), (token.clone(), until));
        Ok(token)
    }

    async fn invalidate(&self, audience: &str) {
        self.cache.lock().await.remove(audience);
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Always the same token.
#[derive(Clone)]
pub struct StaticToken(pub String);

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(..)")
    }
}

#[async_trait]
impl TokenSource for StaticToken {
    async fn token(&self, _audience: &str) -> Result<String, TokenError> {
        Ok(self.0.clone())
    }
    async fn invalidate(&self, _audience: &str) {}
}
