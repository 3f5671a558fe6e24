//! `POST`/`PUT /v2/users` (docs/contract/change-api.md §6): a batch of profiles judged one by one, answered
//! with one verdict per input item, in input order.
//!
//! Owns the request-level checks (auth, body, array, `max_batch_size`), duplicate detection (the second
//! occurrence of a user is rejected, so two items of one user never run concurrently), parsing the items in
//! parallel, and the HTTP status of the whole (200 only when every item was accepted).

use std::collections::HashSet;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cis_change::{Incoming, Rejection};
use cis_common::error::DEFAULT_RETRY_AFTER_SECONDS;
use futures::StreamExt;
use http::header::RETRY_AFTER;
use http::{HeaderMap, HeaderValue, StatusCode, Uri};
use serde_json::{Map, Value};
use tracing::info;

use crate::auth::{Need, authorize};
use crate::body;
use crate::dryrun;
use crate::error::ChangeError;
use crate::responses::{BatchRefusal, ProfileAnswer};
use crate::state::ChangeServiceState;

/// One item after a pass: what it is so far and the user it names, or why it is already rejected.
type Pass<T> = Result<(T, Option<String>), (ChangeError, Option<String>)>;

/// `POST /v2/users` and its `PUT` alias.
#[utoipa::path(method(post, put), path = "/v2/users", summary = "Create or update many users", description = "Up to the batch limit of profiles, each checked on its own (token, schema, signatures, publisher rules); the answer has one verdict per profile, in order. `PUT` is an alias of `POST`. With `dryRun=true` nothing is written.", tag = "changes",
    params(("dryRun" = Option<bool>, Query, description = "`true`: run every check, write nothing, answer the verdicts")),
    request_body(content = Vec<cis_common::openapi::ProfileDocument>, content_type = "application/json",
        description = "Profiles, at most `max_batch_size` (default 500), one per user"),
    security(("oauth2" = ["write"])),
    responses(
        (status = 200, description = "Every item accepted: one verdict per item, in order", body = Vec<ProfileAnswer>),
        (status = 400, description = "A request-level error, or the first refused item's status with every item's verdict", body = BatchRefusal),
        (status = 403, description = "The token lacks `write`, or the first refused item was refused with 403", body = BatchRefusal),
        (status = 404, description = "The first refused item named an unknown user", body = BatchRefusal),
        (status = 408, description = "The body did not arrive in time", body = cis_common::openapi::ErrorBody),
        (status = 413, description = "The body or the batch is too large, or the first refused item was", body = BatchRefusal),
        (status = 415, description = "The body is not `application/json`", body = cis_common::openapi::ErrorBody),
        (status = 503, description = "A backend was unavailable for the first refused item (`Retry-After`)", body = BatchRefusal),
    ))]
pub async fn upsert_many(
    State(state): State<ChangeServiceState>,
    uri: Uri,
    headers: HeaderMap,
    raw: Body,
) -> Result<Response, ChangeError> {
    let caller = authorize(&state, &headers, Need::Write).await?;
    let dry_run = dryrun::requested(&uri)?;
    let bytes = body::read_json_body(
        &headers,
        raw,
        state.limits.max_body_bytes,
        state.limits.body_timeout,
    )
    .await?;
    let items = body::batch_items(body::parse_json(&bytes)?)?;
    if items.len() > state.limits.max_batch_size {
        return Err(ChangeError::BatchTooLarge {
            count: items.len(),
            max: state.limits.max_batch_size,
        });
    }
    let parsed = parse_all(&state, caller.of_change(), first_pass(items)).await;
    let mut slots: Vec<Option<ProfileAnswer>> = Vec::with_capacity(parsed.len());
    let (mut ready, mut ready_users) = (Vec::new(), Vec::new());
    for item in parsed {
        match item {
            Ok((incoming, user)) => {
                ready.push(incoming);
                ready_users.push((slots.len(), user));
                slots.push(None);
            }
            Err((error, user)) => slots.push(Some(ProfileAnswer::rejected(error, user))),
        }
    }
    if dry_run {
        let verdicts = dryrun::judge(&state, ready).await;
        for (verdict, (slot, user)) in verdicts.into_iter().zip(ready_users) {
            slots[slot] =
                Some(verdict.unwrap_or_else(|error| ProfileAnswer::rejected(error, user)));
        }
    } else {
        let verdicts = state.sink.upserts(ready, caller.client_id).await;
        for (verdict, (slot, user)) in verdicts.into_iter().zip(ready_users) {
            slots[slot] = Some(match verdict {
                Ok(accepted) => ProfileAnswer::from(accepted),
                Err(error) => ProfileAnswer::rejected(error.into(), user),
            });
        }
    }
    let answers = slots.into_iter().flatten().collect();
    Ok(batch_response(answers))
}

/// Decodes each item to an object and rejects the second occurrence of a user (by `user_id.value`).
fn first_pass(items: Vec<Value>) -> Vec<Pass<Map<String, Value>>> {
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
                let duplicate = Rejection::DuplicateUserId(u.clone());
                return Err((duplicate.into(), user));
            }
            Ok((map, user))
        })
        .collect()
}

/// Steps 3–4 for every item (its user is its own `user_id.value`), a task per item so that schema
/// validation uses every core; at most `write_concurrency` at a time; results in input order.
async fn parse_all(
    state: &ChangeServiceState,
    caller: cis_change::Caller,
    items: Vec<Pass<Map<String, Value>>>,
) -> Vec<Pass<Incoming>> {
    futures::stream::iter(items)
        .map(|item| {
            let (pipeline, caller) = (state.pipeline.clone(), caller.clone());
            async move {
                let (map, user) = item?;
                let task = tokio::spawn(async move {
                    let document = Value::Object(map);
                    let change = pipeline.parse_change(document.clone(), None, caller)?;
                    Ok(Incoming { change, document })
                });
                match task.await {
                    Ok(Ok(incoming)) => Ok((incoming, user)),
                    Ok(Err(rejection)) => Err((ChangeError::Rejected(rejection), user)),
                    Err(e) => Err((ChangeError::Internal(format!("parse task: {e}")), user)),
                }
            }
        })
        .buffered(state.limits.write_concurrency.max(1))
        .collect()
        .await
}

/// HTTP 200 only when every item was accepted (stored, queued or nothing to change); otherwise the status
/// of the first item, in input order, that was not (400, 403, 404, 413, or 503 with `Retry-After`), with
/// the same per-item body — so that a client reading only the status sees the failure
/// (docs/contract/change-api.md §6, revised).
fn batch_response(answers: Vec<ProfileAnswer>) -> Response {
    let accepted = |a: &ProfileAnswer| {
        a.status_code == StatusCode::OK.as_u16() || a.status_code == StatusCode::ACCEPTED.as_u16()
    };
    let refused = answers.iter().filter(|a| !accepted(a)).count();
    let status = answers
        .iter()
        .find(|a| !accepted(a))
        .map_or(StatusCode::OK, |a| {
            StatusCode::from_u16(a.status_code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        });
    info!(
        items = answers.len(),
        refused,
        status = status.as_u16(),
        "batch judged"
    );
    let mut response = (status, Json(BatchRefusal::Items(answers))).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(DEFAULT_RETRY_AFTER_SECONDS));
    }
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
        assert!(matches!(
            &pass[2],
            Err((ChangeError::Rejected(Rejection::DuplicateUserId(u)), Some(_))) if u == "a"
        ));
        assert!(matches!(
            &pass[3],
            Err((ChangeError::Rejected(Rejection::InvalidProfile(_)), None))
        ));
    }
}
