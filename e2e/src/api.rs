//! HTTP calls to a running `cis serve`, as publishers and relying parties make them: the Change API
//! (`/v2/user`, `/v2/users`, `/v2/status`), the Person API (`/v2/user/user_id/{id}`, `/v2/users/id/all`)
//! and the development authorizer (`/oauth/token`). Waiting is polling with short sleeps bounded by
//! [`TIMEOUT`](crate::TIMEOUT); a wait that runs out panics with the tail of the server's log. Connections
//! are not pooled, so a client stays usable across a kill and restart of the server.

use crate::TIMEOUT;
use reqwest::Method;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to sleep between two polls.
const POLL: Duration = Duration::from_millis(25);

/// An HTTP answer: status code and body (JSON, or the text as a JSON string when it is not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// `body[key]` as a string ("" when absent).
    pub fn str(&self, key: &str) -> &str {
        self.body.get(key).and_then(Value::as_str).unwrap_or("")
    }
}

/// A client of one `cis serve`.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub change_url: String,
    pub person_url: String,
    pub auth_url: String,
    log: PathBuf,
}

impl Api {
    pub fn new(change_url: &str, person_url: &str, auth_url: &str, log: &Path) -> Api {
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(TIMEOUT)
            .build()
            .expect("HTTP client");
        Api {
            http,
            change_url: change_url.to_string(),
            person_url: person_url.to_string(),
            auth_url: auth_url.to_string(),
            log: log.to_path_buf(),
        }
    }

    /// The last lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// One request; `Err` only when no HTTP answer came (connection refused or reset, timeout).
    pub async fn try_send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply, reqwest::Error> {
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply { status, body })
    }

    /// One request that must get an HTTP answer.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        match self.try_send(method.clone(), url, token, body).await {
            Ok(reply) => reply,
            Err(e) => panic!(
                "{method} {url}: no answer ({e}); server log:\n{}",
                self.log_tail()
            ),
        }
    }

    /// Asserts that the Change API accepted one change as `condition` (HTTP 200, `status_code` 200, a
    /// sequence number) and returns its sequence number.
    pub fn accepted(&self, reply: &Reply, condition: &str) -> String {
        let ok = reply.status == 200
            && reply.body["status_code"] == 200
            && reply.str("condition") == condition
            && is_sequence_number(reply.str("sequence_number"));
        if !ok {
            panic!(
                "expected an accepted {condition}, got {} {}; log:\n{}",
                reply.status,
                reply.body,
                self.log_tail()
            );
        }
        reply.str("sequence_number").to_string()
    }

    /// Posts one profile, asserts it was accepted as `condition` and waits until it is processed; its
    /// sequence number.
    pub async fn publish_processed(&self, token: &str, profile: &Value, condition: &str) -> String {
        let reply = self.post_user(Some(token), profile).await;
        let sequence_number = self.accepted(&reply, condition);
        self.wait_processed(token, &sequence_number).await;
        sequence_number
    }

    /// `POST /v2/user` with one profile.
    pub async fn post_user(&self, token: Option<&str>, profile: &Value) -> Reply {
        self.send(
            Method::POST,
            &format!("{}/v2/user", self.change_url),
            token,
            Some(profile),
        )
        .await
    }

    /// `POST /v2/users` with a list of profiles.
    pub async fn post_users(&self, token: Option<&str>, profiles: &[Value]) -> Reply {
        let body = Value::Array(profiles.to_vec());
        self.send(
            Method::POST,
            &format!("{}/v2/users", self.change_url),
            token,
            Some(&body),
        )
        .await
    }

    /// `DELETE /v2/user` with a profile as body.
    pub async fn delete_user(&self, token: Option<&str>, profile: &Value) -> Reply {
        self.send(
            Method::DELETE,
            &format!("{}/v2/user", self.change_url),
            token,
            Some(profile),
        )
        .await
    }

    /// `GET /v2/status?sequenceNumber=<n>`.
    pub async fn status(&self, token: Option<&str>, sequence_number: &str) -> Reply {
        let url = format!(
            "{}/v2/status?sequenceNumber={}",
            self.change_url,
            encode(sequence_number)
        );
        self.send(Method::GET, &url, token, None).await
    }

    /// Polls `/v2/status` until the change is no longer `unknown`; every state seen on the way is pushed to
    /// `seen`. Returns the final record. Panics after [`TIMEOUT`].
    pub async fn wait_status(
        &self,
        token: &str,
        sequence_number: &str,
        seen: &mut Vec<String>,
    ) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let reply = self.status(Some(token), sequence_number).await;
            assert_eq!(
                reply.status, 200,
                "status of {sequence_number}: {:?}",
                reply.body
            );
            let state = reply.str("state").to_string();
            seen.push(state.clone());
            if state != "unknown" {
                return reply.body;
            }
            if Instant::now() > deadline {
                panic!(
                    "change {sequence_number} still unknown after {TIMEOUT:?}; log:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the change is `processed` (panics if it ends in any other state or never ends).
    pub async fn wait_processed(&self, token: &str, sequence_number: &str) -> Value {
        let record = self
            .wait_status(token, sequence_number, &mut Vec::new())
            .await;
        if record["state"] != "processed" {
            panic!(
                "change {sequence_number} ended as {record}; log:\n{}",
                self.log_tail()
            );
        }
        record
    }

    /// `GET /v2/user/user_id/{id}` on the Person API (the id percent-encoded).
    pub async fn user(&self, token: Option<&str>, user_id: &str) -> Reply {
        let url = format!("{}/v2/user/user_id/{}", self.person_url, encode(user_id));
        self.send(Method::GET, &url, token, None).await
    }

    /// The user's profile as `token` sees it; panics unless the Person API answers 200.
    pub async fn read_user(&self, token: &str, user_id: &str) -> Value {
        let reply = self.user(Some(token), user_id).await;
        if reply.status != 200 {
            panic!(
                "reading {user_id}: {} {}; log:\n{}",
                reply.status,
                reply.body,
                self.log_tail()
            );
        }
        reply.body
    }

    /// Polls the Person API until `user_id` answers `want` (200 or 404); the last reply.
    pub async fn wait_user_status(&self, token: &str, user_id: &str, want: u16) -> Reply {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let reply = self.user(Some(token), user_id).await;
            if reply.status == want {
                return reply;
            }
            if Instant::now() > deadline {
                panic!(
                    "{user_id} still {} {} after {TIMEOUT:?}; log:\n{}",
                    reply.status,
                    reply.body,
                    self.log_tail()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Every entry of `GET /v2/users/id/all?connectionMethod=<c>`, following `nextPage` to the end.
    pub async fn all_ids(&self, token: &str, connection_method: &str) -> Vec<Value> {
        let mut entries = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..1000 {
            let mut url = format!(
                "{}/v2/users/id/all?connectionMethod={}",
                self.person_url,
                encode(connection_method)
            );
            if let Some(page) = &next {
                url.push_str(&format!("&nextPage={}", encode(page)));
            }
            let reply = self.send(Method::GET, &url, Some(token), None).await;
            assert_eq!(reply.status, 200, "{url}: {}", reply.body);
            let users = reply.body["users"]
                .as_array()
                .unwrap_or_else(|| panic!("{url}: no users: {}", reply.body));
            entries.extend(users.iter().cloned());
            // The original's shape: `{"id": "<cursor>"}`, passed back as its JSON (as cis_client-rust does).
            match &reply.body["nextPage"] {
                Value::Null => return entries,
                page @ Value::Object(o) if o.get("id").is_some_and(Value::is_string) => {
                    next = Some(page.to_string())
                }
                other => panic!("{url}: nextPage is neither null nor {{\"id\": ...}}: {other}"),
            }
        }
        panic!("/v2/users/id/all did not end after 1000 pages");
    }

    /// `POST /oauth/token` of the dev authorizer (client-credentials, JSON body as Auth0 takes it).
    pub async fn oauth_token(
        &self,
        client_id: &str,
        secret: &str,
        audience: &str,
        scope: &str,
    ) -> Reply {
        let body = json!({
            "client_id": client_id,
            "client_secret": secret,
            "audience": audience,
            "scope": scope,
            "grant_type": "client_credentials",
        });
        self.send(
            Method::POST,
            &format!("{}/oauth/token", self.auth_url),
            None,
            Some(&body),
        )
        .await
    }

    /// `GET` on the dev authorizer (`path` starts with `/`).
    pub async fn auth_get(&self, path: &str) -> Reply {
        self.send(Method::GET, &format!("{}{path}", self.auth_url), None, None)
            .await
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (a path segment or a query value).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// True when `s` is a sequence number: 1 to 39 decimal digits (docs/contract/change-api.md §10).
pub fn is_sequence_number(s: &str) -> bool {
    (1..=39).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}
