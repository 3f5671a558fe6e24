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
#[utoipa::path(method(post, put), path = "/v2/user", summary = "Create or update one user", description = "The profile is checked (token, schema, signatures, publisher rules against the stored profile) and then stored or queued for the processor. `PUT` is an alias of `POST`. With `dryRun=true` every check runs and nothing is written.", tag = "changes",
    params(
        ("user_id" = Option<String>, Query, description = "The user, for a partial profile that does not carry `user_id` (must match it when it does)"),
        ("dryRun" = Option<bool>, Query, description = "`true`: run every check, write nothing, answer the verdict per attribute"),
    ),
    request_body(content = cis_common::openapi::ProfileDocument, content_type = "application/json",
        description = "The profile (whole or partial), each changed attribute signed by its publisher"),
    security(("oauth2" = ["write"])),
    responses(
        (status = 200, description = "Accepted: stored or queued (`status_code` 200, a `sequence_number`), nothing to change (`status_code` 202), or the verdict of a dry run", body = ProfileAnswer),
        (status = 404, description = "The profile names a user that does not exist (`user_not_found`)", body = cis_common::openapi::ErrorBody),
        (status = 408, description = "The body did not arrive in time", body = cis_common::openapi::ErrorBody),
        (status = 413, description = "The body is too large", body = cis_common::openapi::ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = cis_common::openapi::ErrorBody),
    ))]
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
#[utoipa::path(delete, path = "/v2/user", summary = "Delete one user", description = "A hard delete, when the deployment enables it and the token's publishers may delete.", tag = "changes",
    params(("user_id" = Option<String>, Query, description = "The user, when the body does not carry `user_id`")),
    request_body(content = cis_common::openapi::ProfileDocument, content_type = "application/json",
        description = "The user's profile: `user_id`, and the directory publisher's signed attributes"),
    security(("oauth2" = ["write"])),
    responses(
        (status = 200, description = "The delete is stored or queued", body = DeleteAnswer),
        (status = 404, description = "No such user (`user_not_found`)", body = cis_common::openapi::ErrorBody),
        (status = 408, description = "The body did not arrive in time", body = cis_common::openapi::ErrorBody),
        (status = 413, description = "The body is too large", body = cis_common::openapi::ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = cis_common::openapi::ErrorBody),
    ))]
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
