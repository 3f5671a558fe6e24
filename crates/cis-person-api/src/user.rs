//! One user: `GET /v2/user/{user_id,uuid,primary_email,primary_username}/{id}` (the filtered profile) and
//! `GET /v2/user/metadata/{primary_email}` (does CIS, does LDAP know this email).
//!
//! The id is the path segment, percent-decoded once (so `%2F` carries a `/` and `%7C` a `|`; the original
//! decoded twice and mangled a literal `%xx`). A user that is absent, or not in the requested `active` state,
//! is 404 `user_not_found` (the original answered 200 `{}`). Reads only.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cis_identity_vault::Lookup;
use cis_identity_vault::search::active_matches;
use cis_profile::AttrPath;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Uri};

use crate::auth::authenticate;
use crate::error::PersonApiError;
use crate::params::Params;
use crate::state::PersonApiState;
use crate::users::stored_json;

/// The path segment, or 400 when it cannot be decoded (not UTF-8 after percent-decoding).
pub(crate) fn segment(path: Result<Path<String>, PathRejection>) -> Result<String, PersonApiError> {
    match path {
        Ok(Path(id)) if !id.is_empty() => Ok(id),
        Ok(_) => Err(PersonApiError::invalid("(path)", "the identifier is empty")),
        Err(e) => Err(PersonApiError::invalid("(path)", e.body_text())),
    }
}

/// `GET /v2/user/user_id/{user_id}`.
#[utoipa::path(get, path = "/v2/user/user_id/{id}", summary = "A profile by user_id", tag = "users",
    params(
        ("id" = String, Path, description = "The user_id (percent-encode `|` as `%7C`)"),
        ("active" = Option<crate::openapi::Active>, Query, description = "`true` (default), `false` or `any`: the user only in that state"),
        ("filterDisplay" = Option<crate::openapi::DisplayLevel>, Query, description = "Show only attributes of this display level and more public ones (`public`, `authenticated`, `vouched`, `ndaed`, `staff`, `private`)"),
    ),
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "The profile, filtered for the token's classification and display scopes", body = cis_common::openapi::ProfileDocument),
        (status = 404, description = "No such user in the requested state (`user_not_found`)", body = cis_common::openapi::ErrorBody),
    ))]
pub async fn by_user_id(
    State(state): State<PersonApiState>,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    let id = segment(path)?;
    one_user(&state, &headers, &uri, Lookup::UserId(id)).await
}

/// `GET /v2/user/uuid/{uuid}`.
#[utoipa::path(get, path = "/v2/user/uuid/{id}", summary = "A profile by uuid", tag = "users",
    params(
        ("id" = String, Path, description = "The uuid"),
        ("active" = Option<crate::openapi::Active>, Query, description = "`true` (default), `false` or `any`: the user only in that state"),
        ("filterDisplay" = Option<crate::openapi::DisplayLevel>, Query, description = "Show only attributes of this display level and more public ones (`public`, `authenticated`, `vouched`, `ndaed`, `staff`, `private`)"),
    ),
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "The profile, filtered for the token's classification and display scopes", body = cis_common::openapi::ProfileDocument),
        (status = 404, description = "No such user in the requested state (`user_not_found`)", body = cis_common::openapi::ErrorBody),
    ))]
pub async fn by_uuid(
    State(state): State<PersonApiState>,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    let id = segment(path)?;
    one_user(&state, &headers, &uri, Lookup::Uuid(id)).await
}

/// `GET /v2/user/primary_email/{email}` (exact, case-sensitive match).
#[utoipa::path(get, path = "/v2/user/primary_email/{id}", summary = "A profile by primary email", description = "Exact, case-sensitive match.", tag = "users",
    params(
        ("id" = String, Path, description = "The primary email"),
        ("active" = Option<crate::openapi::Active>, Query, description = "`true` (default), `false` or `any`: the user only in that state"),
        ("filterDisplay" = Option<crate::openapi::DisplayLevel>, Query, description = "Show only attributes of this display level and more public ones (`public`, `authenticated`, `vouched`, `ndaed`, `staff`, `private`)"),
    ),
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "The profile, filtered for the token's classification and display scopes", body = cis_common::openapi::ProfileDocument),
        (status = 404, description = "No such user in the requested state (`user_not_found`)", body = cis_common::openapi::ErrorBody),
    ))]
pub async fn by_primary_email(
    State(state): State<PersonApiState>,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    let id = segment(path)?;
    one_user(&state, &headers, &uri, Lookup::PrimaryEmail(id)).await
}

/// `GET /v2/user/primary_username/{username}`.
#[utoipa::path(get, path = "/v2/user/primary_username/{id}", summary = "A profile by primary username", tag = "users",
    params(
        ("id" = String, Path, description = "The primary username"),
        ("active" = Option<crate::openapi::Active>, Query, description = "`true` (default), `false` or `any`: the user only in that state"),
        ("filterDisplay" = Option<crate::openapi::DisplayLevel>, Query, description = "Show only attributes of this display level and more public ones (`public`, `authenticated`, `vouched`, `ndaed`, `staff`, `private`)"),
    ),
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "The profile, filtered for the token's classification and display scopes", body = cis_common::openapi::ProfileDocument),
        (status = 404, description = "No such user in the requested state (`user_not_found`)", body = cis_common::openapi::ErrorBody),
    ))]
pub async fn by_primary_username(
    State(state): State<PersonApiState>,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    let id = segment(path)?;
    one_user(&state, &headers, &uri, Lookup::PrimaryUsername(id)).await
}

/// The identifier a lookup searched for (the 404's description).
fn searched(lookup: &Lookup) -> &str {
    match lookup {
        Lookup::UserId(v)
        | Lookup::Uuid(v)
        | Lookup::PrimaryEmail(v)
        | Lookup::PrimaryUsername(v)
        | Lookup::SequenceNumber(v) => v,
    }
}

/// Token, then parameters (`active`, `filterDisplay`), then the vault; the profile filtered for the caller.
async fn one_user(
    state: &PersonApiState,
    headers: &HeaderMap,
    uri: &Uri,
    lookup: Lookup,
) -> Result<Response, PersonApiError> {
    let caller = authenticate(state, headers).await?;
    let params = Params::from_uri(uri)?;
    let active = params.active()?;
    let filter_display = params.filter_display()?;
    let found = state
        .vault
        .get_json(&lookup)
        .await?
        .filter(|stored| active_matches(stored.active, active));
    let Some(stored) = found else {
        return Err(PersonApiError::UserNotFound(searched(&lookup).to_owned()));
    };
    let body = stored_json(stored, &caller, filter_display)?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

/// The answer of `GET /v2/user/metadata/{email}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MetadataAnswer {
    pub exists: Exists,
}

/// Who knows an email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Exists {
    /// A profile has it as `primary_email`.
    pub cis: bool,
    /// That profile's `access_information.ldap` is not null.
    pub ldap: bool,
}

/// `GET /v2/user/metadata/{primary_email}`: `{"exists": {"cis": <a profile has this primary email>,
/// "ldap": <its access_information.ldap is not null>}}`, whatever the user's `active`. Needs a valid token
/// (any scope); the original answered anyone.
#[utoipa::path(get, path = "/v2/user/metadata/{email}", summary = "Whether a primary email is known", description = "Whether a profile has this primary email and whether it has LDAP groups, whatever the user's `active`; needs a valid token of any scope.", tag = "users",
    params(("email" = String, Path, description = "A primary email")),
    security(("oauth2" = [])),
    responses((status = 200, description = "Whether CIS has a profile with this primary email, and whether LDAP knows it", body = MetadataAnswer)))]
pub async fn metadata(
    State(state): State<PersonApiState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, PersonApiError> {
    authenticate(&state, &headers).await?;
    let email = segment(path)?;
    let found = state.vault.get(&Lookup::PrimaryEmail(email)).await?;
    let ldap = found.as_ref().is_some_and(|stored| {
        AttrPath::parse("access_information.ldap")
            .and_then(|path| stored.profile.attr(path))
            .is_some_and(|attr| !attr.is_null())
    });
    let body = MetadataAnswer {
        exists: Exists {
            cis: found.is_some(),
            ldap,
        },
    };
    Ok(axum::Json(body).into_response())
}
