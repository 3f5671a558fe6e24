//! The Change API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the answer types they serialise (docs/openapi/change-api.json keeps a copy that a test compares), and
//! `GET /v2/openapi.json`, which serves it to anyone.

use axum::response::Response;
use cis_common::openapi::{
    CommonErrors, ErrorBody, ProfileDocument, Security, UniqueOperationIds, VersionAnswer,
};
use std::sync::OnceLock;
use utoipa::OpenApi;

use crate::changes::{ChangeRecord, ChangesAnswer, NextPage};
use crate::dryrun::AttributeVerdict;
use crate::responses::{
    BatchRefusal, DeleteAnswer, ProfileAnswer, StatusAnswer, StatusErrorAnswer,
};

/// The scopes of the Change API.
const SCOPES: &[(&str, &str)] = &[
    (
        "write",
        "Create, update and delete profiles (as the publishers the client is bound to)",
    ),
    ("read:changes", "Read a user's change history"),
];

const SECURITY: Security = Security {
    token_url: "https://auth.mozilla.auth0.com/oauth/token",
    scopes: SCOPES,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CIS Change API",
        description = "Publishers send signed profile changes; the API checks them (token, schema, signatures, \
            publisher rules) and stores or queues them. Guide: docs/change-api.md.",
        license(name = "MPL-2.0"),
    ),
    paths(
        crate::routes::root,
        crate::routes::version,
        crate::user::upsert,
        crate::user::delete,
        crate::users::upsert_many,
        crate::status::status,
        crate::changes::changes,
        serve,
    ),
    components(schemas(
        ProfileDocument, ProfileAnswer, AttributeVerdict, BatchRefusal, DeleteAnswer, StatusAnswer,
        StatusErrorAnswer, ChangesAnswer, ChangeRecord, NextPage, ErrorBody, VersionAnswer,
    )),
    modifiers(&SECURITY, &CommonErrors, &UniqueOperationIds),
    tags(
        (name = "changes", description = "Publishing profile changes and following them"),
        (name = "service", description = "About the service"),
    ),
)]
pub struct ChangeApiDoc;

/// The document, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| cis_common::openapi::document_of::<ChangeApiDoc>(crate::SERVICE_VERSION))
}

/// `GET /v2/openapi.json`.
#[utoipa::path(get, path = "/v2/openapi.json", summary = "This OpenAPI document", tag = "service",
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json")))]
pub(crate) async fn serve() -> Response {
    cis_common::openapi::serve(document())
}
