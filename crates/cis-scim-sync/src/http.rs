//! [`HttpTarget`]: a SCIM application over HTTP. Every request waits its turn under the target's rate
//! limit; a 429, a 5xx or a network failure is retried (at most [`MAX_ATTEMPTS`] tries) after the
//! `Retry-After` the target gave, else after an exponential backoff with jitter. Updates are PATCH with
//! only the changed attributes when the target's ServiceProviderConfig supports it, PUT of the merged
//! resource otherwise; both carry `If-Match` with the ETag read when the target supports ETags.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::target::{ScimTarget, TargetError, apply_changes};

/// Tries per request, the first included.
pub const MAX_ATTEMPTS: u32 = 6;
/// The longest wait a `Retry-After` may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const PAGE: usize = 100;
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM application over HTTP.
pub struct HttpTarget {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
    interval: Duration,
    next_slot: Mutex<Instant>,
    patch: bool,
    etag: bool,
    retries: AtomicU64,
}

impl std::fmt::Debug for HttpTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTarget")
            .field("base", &self.base)
            .field("patch", &self.patch)
            .field("etag", &self.etag)
            .finish_non_exhaustive()
    }
}

impl HttpTarget {
    /// Reads the target's ServiceProviderConfig (PATCH, ETags) and returns the client.
    pub async fn connect(
        base: &str,
        token: Option<String>,
        rate_limit: f64,
    ) -> Result<HttpTarget, TargetError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| TargetError::new(None, format!("HTTP client: {e}")))?;
        let mut target = HttpTarget {
            client,
            base: base.trim_end_matches('/').to_string(),
            token,
            interval: Duration::from_secs_f64(1.0 / rate_limit.max(0.001)),
            next_slot: Mutex::new(Instant::now()),
            patch: false,
            etag: false,
            retries: AtomicU64::new(0),
        };
        let config = target
            .send(Method::GET, "/ServiceProviderConfig", None, None)
            .await?;
        target.patch = config["patch"]["supported"] == Value::Bool(true);
        target.etag = config["etag"]["supported"] == Value::Bool(true);
        Ok(target)
    }

    pub fn supports_patch(&self) -> bool {
        self.patch
    }

    async fn wait_turn(&self) {
        let at = {
            let mut next = self.next_slot.lock().await;
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// One request, retried as the module says; the answer's JSON body (`null` when empty).
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Result<Value, TargetError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.wait_turn().await;
            let mut request = self
                .client
                .request(method.clone(), &url)
                .header("accept", cis_scim::SCIM_JSON);
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            if let (Some(etag), true) = (if_match, self.etag) {
                request = request.header("if-match", etag);
            }
            if let Some(body) = body {
                request = request
                    .header("content-type", cis_scim::SCIM_JSON)
                    .body(body.to_string());
            }
            let (retry, error) = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let text = response.text().await.unwrap_or_default();
                    if (200..300).contains(&status) {
                        return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
                    }
                    let detail = serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|b| b["detail"].as_str().map(str::to_string))
                        .unwrap_or_else(|| text.chars().take(200).collect());
                    let error =
                        TargetError::new(Some(status), format!("{method} {path}: {detail}"));
                    if status == 429 || status >= 500 {
                        (Some(retry_after), error)
                    } else {
                        return Err(error);
                    }
                }
                Err(e) => (
                    Some(None),
                    TargetError::new(None, format!("{method} {path}: {e}")),
                ),
            };
            if attempt >= MAX_ATTEMPTS {
                return Err(error);
            }
            let Some(retry_after) = retry else {
                return Err(error);
            };
            self.retries.fetch_add(1, Ordering::Relaxed);
            let wait = retry_after
                .map(|d| d.min(MAX_RETRY_AFTER))
                .unwrap_or_else(|| backoff(attempt));
            tokio::time::sleep(wait).await;
        }
    }

    async fn list(&self, endpoint: &str) -> Result<Vec<Value>, TargetError> {
        let mut all = Vec::new();
        loop {
            let path = format!("/{endpoint}?startIndex={}&count={PAGE}", all.len() + 1);
            let page = self.send(Method::GET, &path, None, None).await?;
            let resources = page["Resources"].as_array().cloned().unwrap_or_default();
            let total = page["totalResults"].as_u64().unwrap_or(0) as usize;
            let empty = resources.is_empty();
            all.extend(resources);
            if empty || all.len() >= total {
                return Ok(all);
            }
        }
    }
}

/// 100 ms doubled per attempt, at most 5 s, ±20 %.
fn backoff(attempt: u32) -> Duration {
    let base = 100f64 * 2f64.powi(attempt.saturating_sub(1) as i32);
    let jitter = 0.8 + rand::random::<f64>() * 0.4;
    Duration::from_millis((base.min(5_000.0) * jitter) as u64)
}

fn id_of(created: &Value, what: &str) -> Result<String, TargetError> {
    created["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| TargetError::new(None, format!("the created {what} has no id")))
}

fn encode(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A resource to PUT: what was read, without `meta`.
fn without_meta(resource: &Value) -> Value {
    let mut copy = resource.clone();
    if let Some(object) = copy.as_object_mut() {
        object.remove("meta");
    }
    copy
}

#[async_trait]
impl ScimTarget for HttpTarget {
    fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    async fn users(&self) -> Result<Vec<Value>, TargetError> {
        self.list("Users").await
    }

    async fn groups(&self) -> Result<Vec<Value>, TargetError> {
        self.list("Groups").await
    }

    async fn find_users(
        &self,
        external_id: &str,
        user_name: Option<&str>,
    ) -> Result<Vec<Value>, TargetError> {
        let quote = |v: &str| serde_json::to_string(v).unwrap_or_default();
        let mut filter = format!("externalId eq {}", quote(external_id));
        if let Some(name) = user_name {
            filter.push_str(&format!(" or userName eq {}", quote(name)));
        }
        let path = format!("/Users?count={PAGE}&filter={}", encode(&filter));
        let page = self.send(Method::GET, &path, None, None).await?;
        Ok(page["Resources"].as_array().cloned().unwrap_or_default())
    }

    async fn create_user(&self, resource: &Value) -> Result<String, TargetError> {
        let created = self
            .send(Method::POST, "/Users", Some(resource), None)
            .await?;
        id_of(&created, "user")
    }

    async fn update_user(
        &self,
        id: &str,
        etag: Option<&str>,
        set: &Map<String, Value>,
        remove: &[String],
        current: &Value,
    ) -> Result<(), TargetError> {
        let path = format!("/Users/{}", encode(id));
        if self.patch {
            let mut operations = Vec::new();
            if !set.is_empty() {
                operations.push(json!({"op": "replace", "value": set}));
            }
            operations.extend(remove.iter().map(|p| json!({"op": "remove", "path": p})));
            let body = json!({"schemas": [PATCH_OP], "Operations": operations});
            self.send(Method::PATCH, &path, Some(&body), etag).await?;
        } else {
            let mut resource = without_meta(current);
            apply_changes(&mut resource, set, remove);
            self.send(Method::PUT, &path, Some(&resource), etag).await?;
        }
        Ok(())
    }

    async fn delete_user(&self, id: &str, etag: Option<&str>) -> Result<(), TargetError> {
        let path = format!("/Users/{}", encode(id));
        self.send(Method::DELETE, &path, None, etag)
            .await
            .map(|_| ())
    }

    async fn create_group(
        &self,
        external_id: &str,
        name: &str,
        members: &[String],
    ) -> Result<String, TargetError> {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let body = json!({
            "schemas": [cis_scim::GROUP_SCHEMA],
            "externalId": external_id,
            "displayName": name,
            "members": members,
        });
        let created = self
            .send(Method::POST, "/Groups", Some(&body), None)
            .await?;
        id_of(&created, "group")
    }

    async fn update_group(
        &self,
        id: &str,
        etag: Option<&str>,
        external_id: &str,
        adopt: bool,
        name: &str,
        add: &[String],
        remove: &[String],
        current_members: &[String],
    ) -> Result<(), TargetError> {
        let path = format!("/Groups/{}", encode(id));
        if self.patch {
            let mut operations = Vec::new();
            if adopt {
                operations.push(json!({"op": "replace", "value": {"externalId": external_id}}));
            }
            if !add.is_empty() {
                let members: Vec<Value> = add.iter().map(|m| json!({"value": m})).collect();
                operations.push(json!({"op": "add", "path": "members", "value": members}));
            }
            for member in remove {
                let quoted = serde_json::to_string(member).unwrap_or_default();
                operations
                    .push(json!({"op": "remove", "path": format!("members[value eq {quoted}]")}));
            }
            let body = json!({"schemas": [PATCH_OP], "Operations": operations});
            self.send(Method::PATCH, &path, Some(&body), etag).await?;
        } else {
            let mut members: Vec<&String> = current_members
                .iter()
                .filter(|m| !remove.contains(m))
                .collect();
            members.extend(add.iter().filter(|a| !current_members.contains(a)));
            let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
            let body = json!({
                "schemas": [cis_scim::GROUP_SCHEMA],
                "id": id,
                "externalId": external_id,
                "displayName": name,
                "members": members,
            });
            self.send(Method::PUT, &path, Some(&body), etag).await?;
        }
        Ok(())
    }
}
