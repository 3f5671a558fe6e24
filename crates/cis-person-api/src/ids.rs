//! `GET /v2/users/id/all?connectionMethod=<prefix>`: the users whose user_id starts with a connection
//! prefix (`ad`, `email`, `github`, `google-oauth2`, `oauth2|firefoxaccounts`, or any longer prefix), from
//! the vault's connection index (`ProfileLister::list_ids`) without reading profiles, in pages:
//! `{"users": [{"uuid", "user_id", "primary_email", "active"}...], "nextPage": "<token>" | null}`.
//!
//! Parameters: `connectionMethod` (required), `active` (default true; `true|false|any`), `nextPage`;
//! `cached` is accepted and ignored, as in the original. Scopes: any valid token lists user_id, uuid and
//! active (what the route is for; uuid is PUBLIC/public by schema, and `active` is what the caller filters
//! on); `primary_email` is null unless the caller would see a `primary_email` of any display, i.e. holds
//! `display:all` (the index holds no attribute metadata to decide per user). Reads only.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use cis_identity_vault::{IdEntry, ListQuery};
use http::{HeaderMap, Uri};
use serde::Serialize;

use crate::auth::authenticate;
use crate::error::PersonApiError;
use crate::paging::{gather, page_response};
use crate::params::Params;
use crate::state::PersonApiState;
use crate::token::{self, Route};

/// One entry as sent, in the original's key order.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = IdEntry)]
pub(crate) struct Entry<'a> {
    uuid: Option<&'a str>,
    user_id: &'a str,
    primary_email: Option<&'a str>,
    active: Option<bool>,
}

/// The JSON of one index entry; `primary_email` only when `show_email`.
fn entry_json(entry: &IdEntry, show_email: bool) -> Result<Vec<u8>, PersonApiError> {
    let entry = Entry {
        uuid: entry.uuid.as_deref(),
        user_id: &entry.user_id,
        primary_email: entry.primary_email.as_deref().filter(|_| show_email),
        active: entry.active,
    };
    serde_json::to_vec(&entry).map_err(|e| PersonApiError::Internal(e.to_string()))
}

/// `GET /v2/users/id/all`.
#[utoipa::path(get, path = "/v2/users/id/all", summary = "List user ids by connection", description = "The users whose user_id starts with a connection prefix, from the index (no profile read), in pages.", tag = "users",
    params(
        ("connectionMethod" = String, Query, min_length = 1, description = "A user_id prefix: `ad`, `email`, `github`, `google-oauth2`, `oauth2|firefoxaccounts`, or longer"),
        ("active" = Option<crate::openapi::Active>, Query, description = "`true` (default), `false` or `any`"),
        ("nextPage" = Option<String>, Query, description = "The `nextPage.id` of the previous page"),
        ("cached" = Option<String>, Query, description = "Accepted and ignored, as in the original"),
    ),
    security(("oauth2" = [])),
    responses((status = 200, description = "A page of index entries (no profile read); `primary_email` only for `display:all`", body = crate::openapi::IdsPage)))]
pub async fn ids(
    State(state): State<PersonApiState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    let caller = authenticate(&state, &headers).await?;
    let params = Params::from_uri(&uri)?;
    let connection = params
        .get("connectionMethod")?
        .filter(|prefix| !prefix.is_empty())
        .ok_or_else(|| {
            PersonApiError::invalid(
                "connectionMethod",
                "is required: a user_id prefix such as ad, email, github, google-oauth2 or oauth2|firefoxaccounts",
            )
        })?
        .to_owned();
    let active = params.active()?;
    let start = token::decode_opt(Route::Ids, params.next_page()?)?;
    let show_email = caller.sees_any_primary_email();
    let vault = Arc::clone(&state.vault);
    let gathered = gather(
        &state.limits,
        state.limits.ids_items,
        start,
        |cursor, limit| {
            let vault = Arc::clone(&vault);
            let query = ListQuery {
                active,
                connection: Some(connection.clone()),
                cursor,
                limit,
            };
            async move { vault.list_ids(&query).await }
        },
        |entry: IdEntry| entry_json(&entry, show_email).map(Some),
    )
    .await?;
    let next = gathered
        .next
        .as_ref()
        .map(|cursor| token::encode(Route::Ids, cursor));
    Ok(page_response("users", &gathered.items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_keeps_the_original_key_order_and_hides_the_email_when_asked() {
        let entry = IdEntry {
            user_id: "email|1".into(),
            uuid: Some("u-1".into()),
            primary_email: Some("a@b.c".into()),
            active: Some(true),
        };
        let shown = String::from_utf8(entry_json(&entry, true).unwrap()).unwrap();
        assert_eq!(
            shown,
            r#"{"uuid":"u-1","user_id":"email|1","primary_email":"a@b.c","active":true}"#
        );
        let hidden = String::from_utf8(entry_json(&entry, false).unwrap()).unwrap();
        assert_eq!(
            hidden,
            r#"{"uuid":"u-1","user_id":"email|1","primary_email":null,"active":true}"#
        );
    }
}
