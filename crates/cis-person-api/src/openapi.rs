//! The Person API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the answer types (docs/openapi/person-api.json keeps a copy that a test compares), and
//! `GET /v2/openapi.json`, which serves it to anyone. The pages are written straight from stored bytes
//! (`paging::page_response`); the page types below name their shape for the document.

use axum::response::Response;
use cis_common::openapi::{
    CommonErrors, ErrorBody, ProfileDocument, Security, UniqueOperationIds, VersionAnswer,
};
use std::sync::OnceLock;
use utoipa::{OpenApi, ToSchema};

use crate::ids::Entry;
use crate::user::{Exists, MetadataAnswer};

/// `active`: which users a read considers (default `true`; the words in any case).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // a shape for the document; `params::Params::active` parses it
pub enum Active {
    True,
    False,
    Any,
}

/// `filterDisplay`: show only attributes of this display level and more public ones.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // a shape for the document; `params::Params::filter_display` parses it
pub enum DisplayLevel {
    Public,
    Authenticated,
    Vouched,
    Ndaed,
    Staff,
    Private,
}

/// The next page's token.
#[derive(ToSchema)]
#[allow(dead_code)] // a shape for the document; `paging::page_response` writes it
pub struct NextPage {
    pub id: String,
}

/// `GET /v2/users`: `{"Items": [...], "nextPage": {"id": ...} | null}`.
#[derive(ToSchema)]
#[allow(dead_code)] // a shape for the document; `paging::page_response` writes it
pub struct UsersPage {
    #[schema(rename = "Items")]
    pub items: Vec<ProfileDocument>,
    #[schema(rename = "nextPage")]
    pub next_page: Option<NextPage>,
}

/// `GET /v2/users/id/all`.
#[derive(ToSchema)]
#[allow(dead_code)] // a shape for the document; `paging::page_response` writes it
pub struct IdsPage {
    #[schema(value_type = Vec<Entry>)]
    pub users: Vec<serde_json::Value>,
    #[schema(rename = "nextPage")]
    pub next_page: Option<NextPage>,
}

/// One hit of the attribute search.
#[derive(ToSchema)]
#[allow(dead_code)] // a shape for the document; `paging::page_response` writes it
pub struct SearchHit {
    /// The user_id; with `fullProfiles=true`, the stored `user_id` attribute (an object).
    pub id: serde_json::Value,
    /// With `fullProfiles=true`: the profile, filtered for the caller.
    #[schema(value_type = Option<ProfileDocument>)]
    pub profile: Option<serde_json::Value>,
}

/// `GET /v2/users/id/all/by_attribute_contains`.
#[derive(ToSchema)]
#[allow(dead_code)] // a shape for the document; `paging::page_response` writes it
pub struct SearchPage {
    pub users: Vec<SearchHit>,
    #[schema(rename = "nextPage")]
    pub next_page: Option<NextPage>,
}

/// The Person API's scopes.
const SCOPES: &[(&str, &str)] = &[
    (
        "read:fullprofile",
        "Every attribute, whatever its classification",
    ),
    ("classification:public", "Attributes classified PUBLIC"),
    (
        "classification:mozilla_confidential",
        "... and MOZILLA CONFIDENTIAL",
    ),
    (
        "classification:workgroup:staff_only",
        "... and WORKGROUP CONFIDENTIAL: STAFF ONLY",
    ),
    ("classification:workgroup", "... and WORKGROUP CONFIDENTIAL"),
    (
        "classification:individual",
        "... and INDIVIDUAL CONFIDENTIAL",
    ),
    ("display:all", "Attributes of every display level"),
    ("display:staff", "Display levels up to staff"),
    ("display:ndaed", "... up to ndaed"),
    ("display:vouched", "... up to vouched"),
    ("display:authenticated", "... up to authenticated"),
    ("display:public", "Public attributes only"),
    ("search:all", "The attribute search"),
];

const SECURITY: Security = Security {
    token_url: "https://auth.mozilla.auth0.com/oauth/token",
    scopes: SCOPES,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CIS Person API",
        description = "Read-only access to profiles, each filtered attribute by attribute for the token's \
            classification and display scopes. Guide: docs/person-api.md.",
        license(name = "MPL-2.0"),
    ),
    paths(
        crate::routes::root,
        crate::routes::version,
        crate::user::by_user_id,
        crate::user::by_uuid,
        crate::user::by_primary_email,
        crate::user::by_primary_username,
        crate::user::metadata,
        crate::users::users,
        crate::ids::ids,
        crate::search::by_attribute_contains,
        serve,
    ),
    components(schemas(
        ProfileDocument, UsersPage, IdsPage, Entry, SearchPage, SearchHit, NextPage, MetadataAnswer,
        Exists, ErrorBody, VersionAnswer, Active, DisplayLevel,
    )),
    modifiers(&SECURITY, &CommonErrors, &UniqueOperationIds),
    tags(
        (name = "users", description = "Reading profiles"),
        (name = "service", description = "About the service"),
    ),
)]
pub struct PersonApiDoc;

/// The document, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| cis_common::openapi::document_of::<PersonApiDoc>(crate::SERVICE_VERSION))
}

/// `GET /v2/openapi.json`.
#[utoipa::path(get, path = "/v2/openapi.json", summary = "This OpenAPI document", tag = "service",
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json")))]
pub(crate) async fn serve() -> Response {
    cis_common::openapi::serve(document())
}
