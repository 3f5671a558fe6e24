//! Request bodies (docs/contract/change-api.md §4 step 2, §6): reading with the size limit enforced while the bytes
//! arrive, the `Content-Type` check, strict JSON decoding, the compatibility "JSON string holding a profile"
//! form, and the shape checks (one object, or an array of them).
//!
//! It knows nothing about profiles beyond "a JSON object": schema validation is the handlers' next step.
//! It never logs a body.

use axum::body::Body;
use bytes::Bytes;
use cis_profile::json::parse_strict;
use http::HeaderMap;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{Map, Value};
use std::time::Duration;

use crate::error::ChangeError;
use cis_change::Rejection;

/// Reads the whole body, refusing (413) as soon as it grows past `limit` bytes or (408) when it has not
/// all arrived within `deadline` (a client trickling a body must not hold the request open), then checks
/// the `Content-Type` (415). A `Content-Length` over the limit is refused before a byte is read.
pub async fn read_json_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    deadline: Duration,
) -> Result<Bytes, ChangeError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ChangeError::PayloadTooLarge { limit });
    }
    let collected = tokio::time::timeout(deadline, Limited::new(body, limit).collect())
        .await
        .map_err(|_| ChangeError::BodyTimeout(deadline))?;
    let bytes = match collected {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(ChangeError::PayloadTooLarge { limit });
        }
        Err(_) => return Err(ChangeError::BodyUnreadable),
    };
    check_content_type(headers)?;
    Ok(bytes)
}

/// A present `Content-Type` must be `application/json` or another `+json` type (parameters ignored).
fn check_content_type(headers: &HeaderMap) -> Result<(), ChangeError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or("");
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json = match essence.split_once('/') {
        Some((kind, sub)) => {
            !kind.is_empty()
                && (essence == "application/json" || (sub.ends_with("+json") && sub.len() > 5))
        }
        None => false,
    };
    if is_json {
        Ok(())
    } else {
        Err(ChangeError::UnsupportedMediaType(
            text.chars().take(100).collect(),
        ))
    }
}

/// Strict JSON (docs/contract/profile.md §4.2); the error names where parsing stopped.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ChangeError> {
    parse_strict(bytes).map_err(|e| ChangeError::InvalidJson(e.to_string()))
}

/// One profile as sent: an object, or a JSON string holding one (decoded once more, never twice).
pub fn profile_object(value: Value) -> Result<Map<String, Value>, ChangeError> {
    let value = match value {
        Value::String(text) => parse_json(text.as_bytes())?,
        other => other,
    };
    match value {
        Value::Object(map) => Ok(map),
        other => Err(Rejection::InvalidProfile(format!(
            ": a profile must be a JSON object, not {}",
            kind_of(&other)
        ))
        .into()),
    }
}

/// A batch body: a JSON array (its items are judged one by one later).
pub fn batch_items(value: Value) -> Result<Vec<Value>, ChangeError> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(Rejection::InvalidProfile(format!(
            ": the body of /v2/users must be a JSON array of profiles, not {}",
            kind_of(&other)
        ))
        .into()),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(content_type: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(ct) = content_type {
            h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        h
    }

    #[test]
    fn json_and_plus_json_content_types_are_accepted() {
        for ct in [
            None,
            Some("application/json"),
            Some("Application/JSON; charset=utf-8"),
            Some("application/vnd.cis+json"),
        ] {
            assert!(check_content_type(&headers(ct)).is_ok(), "{ct:?}");
        }
    }

    #[test]
    fn other_content_types_are_refused() {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "json",
            "application/+json",
            "",
        ] {
            assert!(
                matches!(
                    check_content_type(&headers(Some(ct))),
                    Err(ChangeError::UnsupportedMediaType(_))
                ),
                "{ct}"
            );
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_while_reading() {
        let body = Body::from(vec![b' '; 11]);
        let result = read_json_body(&HeaderMap::new(), body, 10, SECOND).await;
        assert!(matches!(
            result,
            Err(ChangeError::PayloadTooLarge { limit: 10 })
        ));
        let body = Body::from(vec![b' '; 10]);
        assert!(
            read_json_body(&HeaderMap::new(), body, 10, SECOND)
                .await
                .is_ok()
        );
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[tokio::test]
    async fn a_body_that_does_not_arrive_in_time_is_refused() {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(1);
        let stream = tokio_stream_of(rx);
        let slow = Body::from_stream(stream);
        let result = read_json_body(&HeaderMap::new(), slow, 100, Duration::from_millis(50)).await;
        assert!(matches!(result, Err(ChangeError::BodyTimeout(_))));
        drop(tx);
    }

    /// A stream of the receiver's items (a body whose bytes never come while `tx` lives).
    fn tokio_stream_of<T: Send + 'static>(
        mut rx: tokio::sync::mpsc::Receiver<T>,
    ) -> impl futures::Stream<Item = T> + Send {
        futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
    }

    #[test]
    fn a_json_string_holding_a_profile_is_decoded_once_more_but_not_twice() {
        let once = Value::String(r#"{"a": 1}"#.into());
        assert_eq!(profile_object(once).unwrap().len(), 1);
        let twice =
            Value::String(serde_json::to_string(&Value::String(r#"{"a": 1}"#.into())).unwrap());
        assert!(matches!(
            profile_object(twice),
            Err(ChangeError::Rejected(Rejection::InvalidProfile(_)))
        ));
    }

    #[test]
    fn invalid_json_names_the_position() {
        let Err(ChangeError::InvalidJson(message)) = parse_json(b"{\"a\": }") else {
            panic!()
        };
        assert!(message.contains("line 1 column"), "{message}");
    }
}
