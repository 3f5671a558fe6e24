//! `GET /v2/changes?userId=<user_id>` (docs/change-api.md, "Change history"): a user's accepted, failed and
//! no-op changes within the status retention, newest first, a page at a time — who sent each (the token's
//! client), which publishers signed it, which attribute paths it changed, how it ended. Needs the
//! `read:changes` scope. Paths and names only: no attribute value is ever returned.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cis_identity_vault::{Cursor, HistoryQuery, StatusRecord, VaultError};
use http::{HeaderMap, Uri};
use serde::Serialize;

use crate::auth::{Need, authorize};
use crate::error::ChangeError;
use crate::responses::StatusErrorAnswer;
use crate::state::ChangeServiceState;
use crate::user::query_param;

/// Records per page unless `pageSize` says otherwise (at most 1000).
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// One change of the history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangeRecord {
    pub sequence_number: String,
    /// `processed`, `noop` or `failed`.
    pub state: &'static str,
    /// `create`, `update` or `delete`.
    pub condition: &'static str,
    /// RFC 3339, UTC, milliseconds.
    pub processed_at: String,
    /// `direct`, `stream` or `historic`.
    pub source: &'static str,
    /// The vault version the change wrote.
    pub version: Option<u64>,
    /// The OAuth client that sent it (`null` when unknown: records older than the history, the local bypass).
    pub client_id: Option<String>,
    /// The publishers that signed what it changed (for a refused change, those its profile claimed).
    pub publishers: Vec<String>,
    /// Dotted paths of the attributes it changed.
    pub changed: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<StatusErrorAnswer>,
}

/// The next page's token.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NextPage {
    pub id: String,
}

/// A page of a user's history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangesAnswer {
    pub user_id: String,
    /// Newest first.
    pub changes: Vec<ChangeRecord>,
    /// `null` on the last page; else send `nextPage=<id>` for the next one.
    #[serde(rename = "nextPage")]
    pub next_page: Option<NextPage>,
}

impl From<StatusRecord> for ChangeRecord {
    fn from(r: StatusRecord) -> ChangeRecord {
        ChangeRecord {
            sequence_number: r.sequence_number,
            state: r.state.as_str(),
            condition: r.condition.as_str(),
            processed_at: r.processed_at,
            source: r.source.as_str(),
            version: r.version,
            client_id: r.origin.client_id,
            publishers: r.origin.publishers,
            changed: r.origin.changed,
            error: r.error.map(|e| StatusErrorAnswer {
                code: e.code,
                description: e.description,
            }),
        }
    }
}

/// `GET /v2/changes`.
#[utoipa::path(get, path = "/v2/changes", summary = "A user's change history", description = "Newest first, paged, within the status retention: each accepted, failed or no-op change with its client, publishers and changed attribute paths (never values).", tag = "changes",
    params(
        ("userId" = String, Query, min_length = 1, description = "The user whose history to list"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Changes per page (default 100)"),
        ("nextPage" = Option<String>, Query, description = "The `nextPage.id` of the previous page"),
    ),
    security(("oauth2" = ["read:changes"])),
    responses((status = 200, description = "A page of the user's changes, newest first", body = ChangesAnswer)))]
pub async fn changes(
    State(state): State<ChangeServiceState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ChangeError> {
    authorize(&state, &headers, Need::Changes).await?;
    let user_id = query_param(&uri, "userId")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            ChangeError::InvalidParameter("the userId query parameter is required".into())
        })?;
    let limit = match query_param(&uri, "pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=cis_identity_vault::history::MAX_HISTORY_PAGE).contains(n))
            .ok_or_else(|| {
                ChangeError::InvalidParameter(format!("pageSize={text:?}: expected 1 to 1000"))
            })?,
    };
    let cursor = query_param(&uri, "nextPage")
        .filter(|c| !c.is_empty())
        .map(Cursor);
    let query = HistoryQuery { cursor, limit };
    let page = state
        .vault
        .changes_of(&user_id, &query)
        .await
        .map_err(|e| match e {
            VaultError::InvalidCursor => {
                ChangeError::InvalidParameter("nextPage is not a token this API gave".into())
            }
            other => ChangeError::Vault(other),
        })?;
    Ok(Json(ChangesAnswer {
        user_id,
        changes: page.items.into_iter().map(ChangeRecord::from).collect(),
        next_page: page.next.map(|c| NextPage { id: c.0 }),
    })
    .into_response())
}
