//! `POST`/`PUT /v2/user` (docs/contract/change-api.md §4, §5) and `DELETE /v2/user` (§7): one profile per
//! request.
//!
//! Owns the order of the request-level steps (auth before the body, body, `allow_delete`); the pipeline
//! parses the change and the sink does the rest. Never logs a profile or a token.

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use cis_change::{Accepted, Incoming, SinkError};
use http::{HeaderMap, Uri};
use serde_json::Value;

use crate::auth::{Caller, Need, authorize};
use crate::body;
use crate::dryrun;
use crate::error::ChangeError;
use crate::responses::{DeleteAnswer, ProfileAnswer};
use crate::state::ChangeServiceState;

/// The first value of query parameter `name` (other parameters are ignored).
pub(crate) fn query_param(uri: &Uri, name: &str) -> Option<String> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Steps 2–4 shared by upsert and delete (after auth): body, schema, user.
async fn read_change(
    state: &ChangeServiceState,
    caller: &Caller,
    uri: &Uri,
    headers: &HeaderMap,
    raw: Body,
) -> Result<Incoming, ChangeError> {
    let bytes = body::read_json_body(
        headers,
        raw,
        state.limits.max_body_bytes,
        state.limits.body_timeout,
    )
    .await?;
    let document = Value::Object(body::profile_object(body::parse_json(&bytes)?)?);
    let named = query_param(uri, "user_id");
    let change =
        state
            .pipeline
            .parse_change(document.clone(), named.as_deref(), caller.of_change())?;
    Ok(Incoming { change, document })
}

/// `POST /v2/user` and its `PUT` alias.
pub async fn upsert(
    State(state): State<ChangeServiceState>,
    uri: Uri,
    headers: HeaderMap,
    raw: Body,
) -> Result<Response, ChangeError> {
    let caller = authorize(&state, &headers, Need::Write).await?;
    let dry_run = dryrun::requested(&uri)?;
    let item = read_change(&state, &caller, &uri, &headers, raw).await?;
    if dry_run {
        let answer = dryrun::judge(&state, vec![item])
            .await
            .pop()
            .unwrap_or_else(|| Err(ChangeError::Internal("the dry run lost the item".into())))?;
        return Ok(Json(answer).into_response());
    }
    let accepted = state
        .sink
        .upserts(vec![item], caller.client_id)
        .await
        .pop()
        .unwrap_or_else(|| Err(SinkError::Internal("the sink lost the item".into())))?;
    Ok(Json(ProfileAnswer::from(accepted)).into_response())
}

/// `DELETE /v2/user`: a hard delete, when enabled and permitted.
pub async fn delete(
    State(state): State<ChangeServiceState>,
    uri: Uri,
    headers: HeaderMap,
    raw: Body,
) -> Result<Response, ChangeError> {
    let caller = authorize(&state, &headers, Need::Write).await?;
    if !state.allow_delete {
        return Err(ChangeError::DeleteDisabled);
    }
    let item = read_change(&state, &caller, &uri, &headers, raw).await?;
    match state.sink.delete(item, caller.client_id).await? {
        Accepted::Changed {
            sequence_number,
            user_id,
            ..
        } => Ok(Json(DeleteAnswer::new(user_id.as_str(), sequence_number)).into_response()),
        Accepted::Noop { .. } => Err(ChangeError::Internal("a delete cannot be a no-op".into())),
    }
}
