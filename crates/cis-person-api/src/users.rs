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
use cis_identity_vault::{ListQuery, Lookup, StoredJson, VaultError};
use cis_profile::filter::filter_into;
use cis_profile::filter_raw::filter_raw;
use cis_profile::{Display, Profile};
use http::{HeaderMap, Uri};
use std::borrow::Cow;

use crate::auth::{Caller, authenticate};
use crate::error::PersonApiError;
use crate::paging::{gather, page_response};
use crate::params::Params;
use crate::state::PersonApiState;
use crate::token::{self, Route};

/// The JSON of `profile` filtered for `caller` (docs/contract/profile.md §9).
pub fn profile_json(
    profile: Profile,
    caller: &Caller,
    filter_display: Option<Display>,
) -> Result<Vec<u8>, PersonApiError> {
    serde_json::to_vec(&filter_into(profile, &caller.scopes, filter_display))
        .map_err(|e| PersonApiError::Internal(format!("cannot serialise a profile: {e}")))
}

/// The JSON of a stored profile text filtered for `caller`, without parsing it (`filter_raw`). A text the
/// raw filter leaves takes the parsed path, which decides: its answer, or the `Corrupt` error a parsed read
/// of the same text gives.
pub fn stored_json(
    stored: StoredJson,
    caller: &Caller,
    filter_display: Option<Display>,
) -> Result<Vec<u8>, PersonApiError> {
    let raw = filter_raw(&stored.json, &caller.scopes, filter_display).map(|out| match out {
        Cow::Owned(text) => Some(text),
        Cow::Borrowed(_) => None,
    });
    match raw {
        Ok(Some(text)) => return Ok(text.into_bytes()),
        Ok(None) => return Ok(stored.json.into_bytes()),
        Err(_) => {}
    }
    let profile = Profile::from_stored_text(&stored.json).map_err(|e| {
        PersonApiError::Vault(VaultError::corrupt_profile(stored.user_id.clone(), e))
    })?;
    profile_json(profile, caller, filter_display)
}

/// `GET /v2/users`.
#[utoipa::path(get, path = "/v2/users", summary = "List profiles", description = "Profiles in user_id order, each filtered for the token's classification and display scopes, in pages.", tag = "users",
    params(
        ("active" = Option<crate::openapi::Active>, Query, description = "`true` (default), `false` or `any`"),
        ("filterDisplay" = Option<crate::openapi::DisplayLevel>, Query, description = "Show only attributes of this display level and more public ones"),
        ("nextPage" = Option<String>, Query, description = "The `nextPage.id` of the previous page (the original's `{\"id\": ...}` forms are accepted too)"),
        ("primaryEmail" = Option<String>, Query, min_length = 1, description = "Only the user with this primary email (no paging)"),
    ),
    security(("oauth2" = [])),
    responses((status = 200, description = "A page of profiles in user_id order, each filtered for the token's scopes", body = crate::openapi::UsersPage)))]
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
        let found = state.vault.get_json(&lookup).await?;
        let items = found
            .filter(|stored| active_matches(stored.active, active))
            .map(|stored| stored_json(stored, &caller, filter_display))
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
            async move { vault.list_profiles_json(&query).await }
        },
        |stored: StoredJson| stored_json(stored, &caller, filter_display).map(Some),
    )
    .await?;
    let next = gathered
        .next
        .as_ref()
        .map(|cursor| token::encode(Route::Users, cursor));
    Ok(page_response("Items", &gathered.items, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cis_profile::filter::ScopeSet;

    fn caller(scopes: &str) -> Caller {
        Caller {
            scopes: ScopeSet::parse(scopes),
            bypass: false,
        }
    }

    fn stored(json: String) -> StoredJson {
        StoredJson {
            user_id: "ad|Mozilla-LDAP|x".into(),
            active: Some(true),
            version: Some(1),
            json,
        }
    }

    fn parsed_answer(text: &str, caller: &Caller) -> serde_json::Value {
        let profile = Profile::from_stored(serde_json::from_str(text).unwrap()).unwrap();
        filter_into(profile, &caller.scopes, None)
    }

    #[test]
    fn a_text_the_raw_filter_leaves_is_answered_by_the_parsed_path() {
        // a duplicate member: the parsed path keeps the last one
        let text = Profile::null().to_json().replacen(
            "{\"schema\":",
            "{\"schema\":\"first\",\"schema\":",
            1,
        );
        let public = caller("display:public");
        let body = stored_json(stored(text.clone()), &public, None).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body, parsed_answer(&text, &public));
        assert_eq!(body["schema"], cis_profile::SCHEMA_URL);
    }

    #[test]
    fn a_text_that_is_not_a_profile_is_a_corrupt_vault_item() {
        for text in ["{\"schema\":", "{\"nickname\":{}}"] {
            let answer = stored_json(stored(text.into()), &caller("display:public"), None);
            assert!(
                matches!(
                    answer,
                    Err(PersonApiError::Vault(VaultError::Corrupt { .. }))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn a_full_profile_caller_gets_the_stored_text_itself() {
        let text = Profile::null().to_json();
        let full = caller("read:fullprofile display:all");
        let body = stored_json(stored(text.clone()), &full, None).unwrap();
        assert_eq!(body, text.into_bytes());
    }
}
