//! `POST`/`PUT /v2/user` (change-api.md §4, §5) and `DELETE /v2/user` (§7): one profile per request.
//!
//! Owns the order of the request-level steps (auth before the body, body, schema, user_id) and the
//! delete-specific ones (`allow_delete`, the hand-off of a delete). The pipeline does the rest. Never logs
//! a profile or a token.

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use cis_identity_vault::ChangeSource;
use cis_processor::{ChangeEnvelope, StreamError, new_sequence_number};
use http::{HeaderMap, Uri};
use tracing::info;

use crate::accept::{self, Incoming};
use crate::auth::{Need, authorize};
use crate::body;
use crate::error::ChangeError;
use crate::responses::{DeleteAnswer, ProfileAnswer};
use crate::state::ChangeServiceState;

/// The first value of query parameter `name` (other parameters are ignored).
pub(crate) fn query_param(uri: &Uri, name: &str) -> Option<String> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Steps 2–4 shared by upsert and delete (after auth): body, schema, user_id.
async fn read_profile(
    state: &ChangeServiceState,
    uri: &Uri,
    headers: &HeaderMap,
    raw: Body,
) -> Result<Incoming, ChangeError> {
    let bytes = body::read_json_body(headers, raw, state.limits.max_body_bytes).await?;
    let map = body::profile_object(body::parse_json(&bytes)?)?;
    let (profile, original) = accept::validate_profile(state, map)?;
    let user_id = accept::resolve_user_id(query_param(uri, "user_id").as_deref(), &profile)?;
    Ok(Incoming {
        profile,
        original,
        user_id,
    })
}

/// `POST /v2/user` and its `PUT` alias.
pub async fn upsert(
    State(state): State<ChangeServiceState>,
    uri: Uri,
    headers: HeaderMap,
    raw: Body,
) -> Result<Response, ChangeError> {
    let caller = authorize(&state, &headers, Need::Write).await?;
    let incoming = read_profile(&state, &uri, &headers, raw).await?;
    let judged = accept::judge(&state, incoming, caller.client_id).await;
    let mut verdicts = accept::hand_off(&state, vec![judged]).await;
    let accepted = verdicts
        .pop()
        .unwrap_or_else(|| Err(ChangeError::Internal("hand-off lost the item".into())))?;
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
    let Incoming {
        profile,
        original,
        user_id,
    } = read_profile(&state, &uri, &headers, raw).await?;
    let sequence_number = new_sequence_number();
    match &state.stream {
        Some(stream) => {
            state.pipeline.check_delete(&profile, &user_id).await?;
            let original = original.unwrap_or_else(|| profile.to_value());
            let envelope = ChangeEnvelope::delete(
                sequence_number.clone(),
                user_id.clone(),
                caller.client_id,
                original,
            );
            let mut results = stream.append(std::slice::from_ref(&envelope)).await;
            results.pop().unwrap_or_else(|| {
                Err(StreamError::Unavailable("no result for the record".into()))
            })?;
        }
        None => {
            state
                .pipeline
                .apply_delete(&profile, &user_id, &sequence_number, ChangeSource::Direct)
                .await?;
        }
    }
    info!(user_id = %user_id, sequence_number = %sequence_number, "delete accepted");
    Ok(Json(DeleteAnswer::new(&user_id, sequence_number)).into_response())
}
