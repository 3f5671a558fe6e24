//! `GET /v2/status?sequenceNumber=<n>` (docs/contract/change-api.md §9): the outcome of one change, from its status
//! record, with the original's `<table>-sequence_number` index as the fallback for numbers it issued.
//!
//! Needs a valid token (any scope). Reads only; always answers 200 once authenticated and given a number.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cis_identity_vault::Lookup;
use http::{HeaderMap, Uri};

use crate::auth::{Need, authorize};
use crate::error::ChangeError;
use crate::responses::StatusAnswer;
use crate::state::ChangeServiceState;
use crate::user::query_param;

/// `GET /v2/status`.
#[utoipa::path(get, path = "/v2/status", summary = "The outcome of a change", description = "Whether the processor has stored, ignored or refused the change with this sequence number.", tag = "changes",
    params(("sequenceNumber" = String, Query, min_length = 1, description = "The sequence number the Change API answered for the change")),
    security(("oauth2" = [])),
    responses((status = 200, description = "The change's outcome: `processed`, `noop`, `failed`, or `unknown` (not processed yet, never issued, or past retention)", body = StatusAnswer)))]
pub async fn status(
    State(state): State<ChangeServiceState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ChangeError> {
    authorize(&state, &headers, Need::AnyScope).await?;
    let sequence_number = query_param(&uri, "sequenceNumber")
        .filter(|n| !n.is_empty())
        .ok_or(ChangeError::MissingSequenceNumber)?;
    if let Some(record) = state.vault.get_status(&sequence_number).await? {
        return Ok(Json(StatusAnswer::from_record(record)).into_response());
    }
    let lookup = Lookup::SequenceNumber(sequence_number.clone());
    let answer = match state.vault.get(&lookup).await? {
        Some(stored) => StatusAnswer::historic(
            sequence_number,
            stored.profile.user_id().map(str::to_string),
        ),
        None => StatusAnswer::unknown(sequence_number),
    };
    Ok(Json(answer).into_response())
}
