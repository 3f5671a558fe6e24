//! HTTP client of the Change API: single and batch posts, status polling. Requests time out; transport
//! failures and 503s are retried with backoff (re-sending is safe: what was stored comes back as `noop`).
//! A 4xx is an answer, not an error: it comes back as a [`ChangeResult`] carrying the code and description.

use crate::token::{TokenError, TokenSource};
use cis_profile::Profile;
use serde::Deserialize;
use std::time::Duration;

const ATTEMPTS: u32 = 3;

/// The Change API's verdict on one profile (docs/contract/change-api.md §5, §6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChangeResult {
    pub sequence_number: Option<String>,
    pub status_code: u16,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A dry run's verdict on one attribute.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AttributeVerdict {
    pub path: String,
    /// `create`, `update` or `unchanged`.
    pub change: String,
    #[serde(default)]
    pub publisher: Option<String>,
}

/// The answer of `POST /v2/user?dryRun=true`: the verdict, and per attribute what would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunResult {
    pub result: ChangeResult,
    pub attributes: Vec<AttributeVerdict>,
}

/// An error body as the Change API sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    #[serde(default)]
    pub description: String,
}

/// `GET /v2/status` (docs/contract/change-api.md §9).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StatusResult {
    pub identity_vault: bool,
    pub sequence_number: String,
    pub state: String,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub processed_at: Option<String>,
    #[serde(default)]
    pub error: Option<ErrorBody>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("change API unreachable: {0}")]
    Unreachable(String),
    #[error("change API refused the request: HTTP {status} {code}: {description}")]
    Refused {
        status: u16,
        code: String,
        description: String,
    },
    #[error("unexpected answer from the change API: {0}")]
    Unexpected(String),
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// A Change API client: one per process, shared by every request.
#[derive(Debug)]
pub struct ChangeClient {
    http: reqwest::Client,
    base_url: String,
    token: TokenSource,
}

impl ChangeClient {
    /// `base_url` like `http://127.0.0.1:8000` (no trailing `/v2`).
    pub fn new(base_url: &str, token: TokenSource) -> Result<ChangeClient, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ClientError::Unexpected(e.to_string()))?;
        Ok(ChangeClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `POST /v2/user`.
    pub async fn post_profile(&self, profile: &Profile) -> Result<ChangeResult, ClientError> {
        let body =
            serde_json::to_vec(profile).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        let (status, bytes) = self
            .send(reqwest::Method::POST, "/v2/user", Some(body))
            .await?;
        if status == 200 {
            return parse(&bytes);
        }
        let err: ErrorBody = parse(&bytes)?;
        Ok(ChangeResult {
            sequence_number: None,
            status_code: status,
            condition: None,
            user_id: profile.user_id().map(str::to_string),
            code: Some(err.code),
            description: Some(err.description),
        })
    }

    /// `POST /v2/user?dryRun=true`: what the change would do, nothing written.
    pub async fn dry_run(&self, profile: &Profile) -> Result<DryRunResult, ClientError> {
        let body =
            serde_json::to_vec(profile).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        let (status, bytes) = self
            .send(reqwest::Method::POST, "/v2/user?dryRun=true", Some(body))
            .await?;
        if status == 200 {
            #[derive(Deserialize)]
            struct Answer {
                #[serde(flatten)]
                result: ChangeResult,
                #[serde(default)]
                attributes: Vec<AttributeVerdict>,
            }
            let answer: Answer = parse(&bytes)?;
            return Ok(DryRunResult {
                result: answer.result,
                attributes: answer.attributes,
            });
        }
        let err: ErrorBody = parse(&bytes)?;
        Ok(DryRunResult {
            result: ChangeResult {
                sequence_number: None,
                status_code: status,
                condition: None,
                user_id: profile.user_id().map(str::to_string),
                code: Some(err.code),
                description: Some(err.description),
            },
            attributes: Vec::new(),
        })
    }

    /// `POST /v2/users`: one result per profile, in order. A request-level refusal (token, size) is an error.
    pub async fn post_batch(&self, profiles: &[Profile]) -> Result<Vec<ChangeResult>, ClientError> {
        let body =
            serde_json::to_vec(profiles).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        let (status, bytes) = self
            .send(reqwest::Method::POST, "/v2/users", Some(body))
            .await?;
        if (status == 200 || status == 503)
            && let Ok(results) = serde_json::from_slice::<Vec<ChangeResult>>(&bytes)
        {
            return Ok(results);
        }
        Err(refusal(status, &bytes))
    }

    /// `GET /v2/status?sequenceNumber=`.
    pub async fn status(&self, sequence_number: &str) -> Result<StatusResult, ClientError> {
        let path = format!("/v2/status?sequenceNumber={sequence_number}");
        let (status, bytes) = self.send(reqwest::Method::GET, &path, None).await?;
        if status == 200 {
            parse(&bytes)
        } else {
            Err(refusal(status, &bytes))
        }
    }

    /// Polls the status until the change is no longer `unknown`, or `timeout` passes (then the last answer).
    pub async fn wait_for(
        &self,
        sequence_number: &str,
        timeout: Duration,
    ) -> Result<StatusResult, ClientError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut pause = Duration::from_millis(50);
        loop {
            let status = self.status(sequence_number).await?;
            if status.state != "unknown" || tokio::time::Instant::now() >= deadline {
                return Ok(status);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), ClientError> {
        let url = format!("{}{}", self.base_url, path);
        let mut last = ClientError::Unreachable("no attempt made".into());
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt))).await;
            }
            let token = self.token.token(&self.http).await?;
            let mut request = self.http.request(method.clone(), &url).bearer_auth(token);
            if let Some(body) = &body {
                request = request
                    .header("content-type", "application/json")
                    .body(body.clone());
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let bytes = response
                        .bytes()
                        .await
                        .map_err(|e| ClientError::Unreachable(e.without_url().to_string()))?;
                    if status == 503 && attempt + 1 < ATTEMPTS && !path.starts_with("/v2/users") {
                        last = refusal(status, &bytes);
                        continue;
                    }
                    return Ok((status, bytes.to_vec()));
                }
                Err(e) => last = ClientError::Unreachable(e.without_url().to_string()),
            }
        }
        Err(last)
    }
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ClientError::Unexpected(format!("undecodable body: {e}")))
}

fn refusal(status: u16, bytes: &[u8]) -> ClientError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(e) => ClientError::Refused {
            status,
            code: e.code,
            description: e.description,
        },
        Err(_) => ClientError::Unexpected(format!("HTTP {status} without a JSON error body")),
    }
}
