//! `POST`/`PUT /v2/users` (change-api.md §6): a batch of profiles judged one by one, answered with one
//! verdict per input item, in input order.
//!
//! Owns the request-level checks (auth, body, array, `max_batch_size`), duplicate detection (the second
//! occurrence of a user is rejected, so two items of one user never run concurrently), the bounded
//! concurrency (`write_concurrency`), and the HTTP status of the whole (503 when some hand-off failed).

use std::collections::HashSet;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cis_common::error::DEFAULT_RETRY_AFTER_SECONDS;
use futures::StreamExt;
use http::header::RETRY_AFTER;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Map, Value};
use tracing::info;

use crate::accept::{self, Incoming, Judged};
use crate::auth::{Need, authorize};
use crate::body;
use crate::error::ChangeError;
use crate::responses::ProfileAnswer;
use crate::state::ChangeServiceState;

/// One item after the first pass: its object and the user it names, or why it is already rejected.
type FirstPass = Result<(Map<String, Value>, Option<String>), (ChangeError, Option<String>)>;

/// `POST /v2/users` and its `PUT` alias.
pub async fn upsert_many(
    State(state): State<ChangeServiceState>,
    headers: HeaderMap,
    raw: Body,
) -> Result<Response, ChangeError> {
    let caller = authorize(&state, &headers, Need::Write).await?;
    let bytes = body::read_json_body(&headers, raw, state.limits.max_body_bytes).await?;
    let items = body::batch_items(body::parse_json(&bytes)?)?;
    if items.len() > state.limits.max_batch_size {
        return Err(ChangeError::BatchTooLarge {
            count: items.len(),
            max: state.limits.max_batch_size,
        });
    }
    let first_pass = first_pass(items);
    let client_id = caller.client_id;
    let judged: Vec<(Result<Judged, ChangeError>, Option<String>)> =
        futures::stream::iter(first_pass)
            .map(|item| {
                let (state, client_id) = (state.clone(), client_id.clone());
                async move {
                    match item {
                        Err((error, user)) => (Err(error), user),
                        // A task per item, so that verification and signing use every core; `buffered` bounds
                        // how many run at once. A finished task's write stands even if the client went away.
                        Ok((map, user)) => {
                            let task =
                                tokio::spawn(
                                    async move { judge_item(&state, map, client_id).await },
                                );
                            let verdict = task.await.unwrap_or_else(|e| {
                                Err(ChangeError::Internal(format!(
                                    "batch item task failed: {e}"
                                )))
                            });
                            (verdict, user)
                        }
                    }
                }
            })
            .buffered(state.limits.write_concurrency.max(1))
            .collect()
            .await;
    let (judged, users): (Vec<_>, Vec<_>) = judged.into_iter().unzip();
    let verdicts = accept::hand_off(&state, judged).await;
    let answers: Vec<ProfileAnswer> = verdicts
        .into_iter()
        .zip(users)
        .map(|(verdict, user)| match verdict {
            Ok(accepted) => ProfileAnswer::from(accepted),
            Err(error) => ProfileAnswer::rejected(error, user),
        })
        .collect();
    Ok(batch_response(answers))
}

/// Decodes each item to an object and rejects the second occurrence of a user (by `user_id.value`).
fn first_pass(items: Vec<Value>) -> Vec<FirstPass> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .map(|item| {
            let map = body::profile_object(item).map_err(|e| (e, None))?;
            let user = map
                .get("user_id")
                .and_then(|a| a.get("value"))
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty())
                .map(str::to_string);
            if let Some(u) = &user
                && !seen.insert(u.clone())
            {
                return Err((ChangeError::DuplicateUserId(u.clone()), user));
            }
            Ok((map, user))
        })
        .collect()
}

/// Steps 3–13 (and 14 in direct mode) for one item; its user is its own `user_id.value`.
async fn judge_item(
    state: &ChangeServiceState,
    map: Map<String, Value>,
    client_id: Option<String>,
) -> Result<Judged, ChangeError> {
    let (profile, original) = accept::validate_profile(state, map)?;
    let user_id = accept::resolve_user_id(None, &profile)?;
    accept::judge(
        state,
        Incoming {
            profile,
            original,
            user_id,
        },
        client_id,
    )
    .await
}

/// HTTP 200 when every item was judged; 503 (with `Retry-After`) when some hand-off failed.
fn batch_response(answers: Vec<ProfileAnswer>) -> Response {
    let unavailable = answers.iter().filter(|a| a.status_code == 503).count();
    let accepted = answers.iter().filter(|a| a.status_code == 200).count();
    info!(items = answers.len(), accepted, unavailable, "batch judged");
    if unavailable == 0 {
        return Json(answers).into_response();
    }
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(answers)).into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(DEFAULT_RETRY_AFTER_SECONDS));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_second_item_of_a_user_is_a_duplicate() {
        let items = vec![
            json!({"user_id": {"value": "a"}}),
            json!({"user_id": {"value": "b"}}),
            json!({"user_id": {"value": "a"}}),
            json!(7),
        ];
        let pass = first_pass(items);
        assert!(pass[0].is_ok() && pass[1].is_ok());
        assert!(matches!(&pass[2], Err((ChangeError::DuplicateUserId(u), Some(_))) if u == "a"));
        assert!(matches!(
            &pass[3],
            Err((ChangeError::InvalidProfile(_), None))
        ));
    }
}
