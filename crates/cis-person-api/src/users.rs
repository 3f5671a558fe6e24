//! `GET /v2/users`: pages of full profiles, each filtered for the caller,
//! `{"Items": [<profile>...], "nextPage": "<token>" | null}`, in user_id order.
//!
//! Parameters: `active` (default true; `true|false|any`), `filterDisplay`, `nextPage` (the token of the
//! previous answer, or the original's `{"id": ...}` forms), `primaryEmail` (the user with that primary
//! email instead of a page; `nextPage` is then ignored and the answer's is null). Reads only.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use cis_identity_vault::search::active_matches;
use cis_identity_vault::{ListQuery, Lookup, StoredProfile};
use cis_profile::filter::filter_into;
use cis_profile::{Display, Profile};
use http::{HeaderMap, Uri};

use crate::auth::{Caller, authenticate};
use crate::error::PersonApiError;
use crate::paging::{gather, page_response};
use crate::params::Params;
use crate::state::PersonApiState;
use crate::token::{self, Route};

/// The JSON of `profile` filtered for `caller` (profile.md §9).
pub fn profile_json(
    profile: Profile,
    caller: &Caller,
    filter_display: Option<Display>,
) -> Result<Vec<u8>, PersonApiError> {
    serde_json::to_vec(&filter_into(profile, &caller.scopes, filter_display))
        .map_err(|e| PersonApiError::Internal(format!("cannot serialise a profile: {e}")))
}

/// `GET /v2/users`.
pub async fn users(
    State(state): State<PersonApiState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    let caller = authenticate(&state, &headers).await?;
    let params = Params::from_uri(&uri)?;
    let active = params.active()?;
    let filter_display = params.filter_display()?;
    if let Some(email) = params.text("primaryEmail")? {
        let lookup = Lookup::PrimaryEmail(email.to_owned());
        let found = state.vault.get(&lookup).await?;
        let items = found
            .filter(|stored| active_matches(stored.profile.active(), active))
            .map(|stored| profile_json(stored.profile, &caller, filter_display))
            .transpose()?;
        return Ok(page_response("Items", items.as_slice(), None));
    }
    let start = token::decode_opt(Route::Users, params.next_page()?)?;
    let vault = Arc::clone(&state.vault);
    let gathered = gather(
        &state.limits,
        state.limits.users_items,
        start,
        |cursor, limit| {
            let vault = Arc::clone(&vault);
            let query = ListQuery {
                active,
                connection: None,
                cursor,
                limit,
            };
            async move { vault.list_profiles(&query).await }
        },
        |stored: StoredProfile| profile_json(stored.profile, &caller, filter_display).map(Some),
    )
    .await?;
    let next = gathered
        .next
        .as_ref()
        .map(|cursor| token::encode(Route::Users, cursor));
    Ok(page_response("Items", &gathered.items, next))
}
