//! `GET /scim/v2/Users` and `GET /scim/v2/Users/{id}`. A list with an `eq` filter on `id`,
//! `externalId`, `userName` or `emails.value` (alone or in an `and`) reads the vault's uuid, user_id,
//! primary-email (and, for `userName`, primary-username) indexes; any other filter walks the vault in
//! user_id order (only active users when the filter says `active eq true`). Every candidate is filtered
//! for the caller, mapped, then matched: a caller cannot find a user by an attribute it cannot read.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cis_identity_vault::{ListQuery, Lookup, StoredJson};
use cis_scim::IndexedLookup;
use cis_scim::list::list_response;
use cis_scim::user::{UserContext, to_user};
use http::header::{ETAG, IF_NONE_MATCH};
use http::{HeaderMap, HeaderValue, StatusCode, Uri};
use serde_json::Value;

use super::{Failure, ListParams, OneRequest, base_url, scim_json};
use crate::auth::{Caller, authenticate};
use crate::error::PersonApiError;
use crate::params::Params;
use crate::state::PersonApiState;
use crate::users::stored_json;

/// Profiles per vault page while walking.
const SCAN_PAGE: usize = 500;

/// The SCIM User of a stored profile as `caller` may read it (`None`: its uuid is hidden from them).
pub fn user_of(stored: StoredJson, caller: &Caller, base: &str) -> Result<Option<Value>, Failure> {
    let version = stored.version;
    let bytes = stored_json(stored, caller, None)?;
    let profile: Value = serde_json::from_slice(&bytes)
        .map_err(|e| PersonApiError::Internal(format!("a filtered profile is not JSON: {e}")))?;
    Ok(to_user(&profile, UserContext { base, version }))
}

/// Walks every stored profile (`active` as the vault filters it), in user_id order.
pub async fn scan(
    state: &PersonApiState,
    active: Option<bool>,
    mut each: impl FnMut(StoredJson) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut cursor = None;
    loop {
        let query = ListQuery {
            active,
            connection: None,
            cursor,
            limit: SCAN_PAGE,
        };
        let page = state
            .vault
            .list_profiles_json(&query)
            .await
            .map_err(PersonApiError::from)?;
        for stored in page.items {
            each(stored)?;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}

/// Counts the resources that match and keeps those in the requested window, projected.
pub struct Matcher<'a> {
    list: &'a ListParams,
    total: usize,
    page: Vec<Value>,
}

impl<'a> Matcher<'a> {
    pub fn new(list: &'a ListParams) -> Matcher<'a> {
        Matcher {
            list,
            total: 0,
            page: Vec::new(),
        }
    }

    pub fn offer(&mut self, resource: Value) {
        if self
            .list
            .filter
            .as_ref()
            .is_some_and(|f| !f.matches(&resource))
        {
            return;
        }
        self.total += 1;
        let window = self.list.window;
        if self.total >= window.start_index && self.page.len() < window.count {
            self.page.push(self.list.projection.apply(resource));
        }
    }

    pub fn finish(self) -> Value {
        list_response(self.total, self.list.window, self.page)
    }
}

/// The index lookups that find every user an indexed filter can match.
fn lookups(indexed: IndexedLookup) -> Vec<Lookup> {
    match indexed {
        IndexedLookup::Uuid(v) => vec![Lookup::Uuid(v)],
        IndexedLookup::UserId(v) => vec![Lookup::UserId(v)],
        // userName falls back to the primary username, then the user_id, when the email is hidden or
        // absent (cis_scim::user); those are indexed too.
        IndexedLookup::PrimaryEmail(v) => vec![
            Lookup::PrimaryEmail(v.clone()),
            Lookup::PrimaryUsername(v.clone()),
            Lookup::UserId(v),
        ],
    }
}

/// `GET /scim/v2/Users`.
pub async fn list(
    State(state): State<PersonApiState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Failure> {
    let caller = authenticate(&state, &headers).await?;
    let params = Params::from_uri(&uri)?;
    let list = ListParams::parse(&params)?;
    let base = base_url(&headers);
    let mut matcher = Matcher::new(&list);
    match list.filter.as_ref().and_then(cis_scim::Filter::indexed) {
        Some(indexed) => {
            let mut seen = Vec::new();
            for lookup in lookups(indexed) {
                let Some(stored) = state
                    .vault
                    .get_json(&lookup)
                    .await
                    .map_err(PersonApiError::from)?
                else {
                    continue;
                };
                if seen.contains(&stored.user_id) {
                    continue;
                }
                seen.push(stored.user_id.clone());
                if let Some(user) = user_of(stored, &caller, &base)? {
                    matcher.offer(user);
                }
            }
        }
        None => {
            let active = list.filter.as_ref().and_then(cis_scim::Filter::active);
            scan(&state, active, |stored| {
                if let Some(user) = user_of(stored, &caller, &base)? {
                    matcher.offer(user);
                }
                Ok(())
            })
            .await?;
        }
    }
    Ok(scim_json(StatusCode::OK, &matcher.finish()))
}

/// `GET /scim/v2/Users/{id}`: the user, its ETag (the vault version), 304 for a matching
/// `If-None-Match`.
pub async fn one(
    State(state): State<PersonApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Failure> {
    let OneRequest {
        caller,
        projection,
        base,
    } = OneRequest::read(&state, &headers, &uri).await?;
    let stored = state
        .vault
        .get_json(&Lookup::Uuid(id.clone()))
        .await
        .map_err(PersonApiError::from)?;
    let user = match stored {
        Some(stored) => user_of(stored, &caller, &base)?,
        None => None,
    };
    let Some(user) = user else {
        return Err(cis_scim::ScimError::not_found(format!("no User with id {id:?}")).into());
    };
    let etag = user["meta"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let etag_value = HeaderValue::from_str(&etag).ok();
    let unchanged = headers
        .get(IF_NONE_MATCH)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|wanted| {
            wanted
                .split(',')
                .any(|t| t.trim() == etag || t.trim() == "*")
        });
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        scim_json(StatusCode::OK, &projection.apply(user))
    };
    if let Some(value) = etag_value {
        response.headers_mut().insert(ETAG, value);
    }
    Ok(response)
}
