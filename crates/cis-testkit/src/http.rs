//! Requests through a router in process (`tower::ServiceExt::oneshot`), and the answer fully read, with
//! the assertions every API suite makes on JSON errors.

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// An answer, fully read.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a 200 JSON answer and returns the body.
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text());
        assert_eq!(self.header("content-type"), Some("application/json"));
        self.json()
    }

    /// Asserts a JSON error answer with this status and code, and returns its description.
    pub fn assert_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert_eq!(self.header("content-type"), Some("application/json"));
        let body = self.json();
        assert_eq!(body["code"], code, "body: {body}");
        body["description"].as_str().unwrap_or_default().to_string()
    }
}

/// Sends one request to `router` with an optional `Authorization`, body and `Content-Type`.
pub async fn send(
    router: &Router,
    method: Method,
    uri: &str,
    auth: Option<&str>,
    body: Option<Vec<u8>>,
    content_type: Option<&str>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let request = request
        .body(body.map_or_else(Body::empty, Body::from))
        .unwrap();
    read(router.clone().oneshot(request).await.unwrap()).await
}

/// Reads a response whole.
pub async fn read(response: http::Response<Body>) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: body.to_vec(),
    }
}

/// Percent-encodes everything but unreserved characters (user ids in paths and queries, page tokens).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
