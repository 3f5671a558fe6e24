//! Bearer tokens for the Change API: a fixed token (from the command line, the environment or a dev
//! issuer), or the OAuth client-credentials flow (Auth0's JSON form), cached until shortly before expiry.
//! Tokens are secrets: they are never logged or shown in errors.

use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token endpoint unreachable: {0}")]
    Unreachable(String),
    #[error("token endpoint refused the client credentials (HTTP {status})")]
    Refused { status: u16 },
    #[error("token endpoint answered without an access_token")]
    Malformed,
}

/// Where tokens come from.
pub enum TokenSource {
    Fixed(String),
    ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: String,
        audience: String,
        scope: Option<String>,
        cache: Mutex<Option<(String, Instant)>>,
    },
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Fixed(_) => f.write_str("TokenSource::Fixed(<redacted>)"),
            TokenSource::ClientCredentials {
                token_url,
                client_id,
                ..
            } => {
                write!(
                    f,
                    "TokenSource::ClientCredentials({token_url}, {client_id})"
                )
            }
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<u64>,
}

impl TokenSource {
    pub fn client_credentials(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        audience: impl Into<String>,
        scope: Option<String>,
    ) -> TokenSource {
        TokenSource::ClientCredentials {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            audience: audience.into(),
            scope,
            cache: Mutex::new(None),
        }
    }

    /// A valid token, fetching a new one when the cached one expires within a minute.
    pub async fn token(&self, http: &reqwest::Client) -> Result<String, TokenError> {
        let (token_url, client_id, client_secret, audience, scope, cache) = match self {
            TokenSource::Fixed(token) => return Ok(token.clone()),
            TokenSource::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                audience,
                scope,
                cache,
            } => (token_url, client_id, client_secret, audience, scope, cache),
        };
        let mut cached = cache.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let mut body = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": audience,
        });
        if let Some(scope) = scope {
            body["scope"] = serde_json::Value::from(scope.as_str());
        }
        let response = http
            .post(token_url)
            .json(&body)
            .send()
            .await
            .map_err(|e| TokenError::Unreachable(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(TokenError::Refused {
                status: response.status().as_u16(),
            });
        }
        let parsed: TokenResponse = response.json().await.map_err(|_| TokenError::Malformed)?;
        let token = parsed.access_token.ok_or(TokenError::Malformed)?;
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600).saturating_sub(60));
        *cached = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }
}
