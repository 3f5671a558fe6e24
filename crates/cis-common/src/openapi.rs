//! What the OpenAPI documents of both APIs share (docs/openapi/): the JSON error body, the profile
//! document, the OAuth2 client-credentials security scheme with the scopes, and the error responses every
//! authenticated operation may give — added to each operation in one place ([`CommonErrors`]) rather than
//! repeated on every handler.

use serde::Serialize;
use std::borrow::Cow;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Scopes, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

/// The name of the security scheme in both documents.
pub const SECURITY_SCHEME: &str = "oauth2";

/// Every error of both APIs: `{"code": ..., "description": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable (`invalid_signature`, `user_not_found`, ...).
    pub code: String,
    /// For people; may change between releases.
    pub description: String,
}

/// `GET /v2/version`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionAnswer {
    pub message: String,
}

/// A profile v2 document (the draft-04 schema at `/.well-known/profile.schema`): an object of attributes,
/// each with its `value`/`values`, `metadata` and `signature`. The Person API answers it filtered for the
/// caller's scopes; the Change API takes it signed by its publishers.
pub struct ProfileDocument;

impl PartialSchema for ProfileDocument {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A profile v2 document: one member per attribute (`first_name`, `access_information`, ...), \
                 each an object with `value` or `values`, `metadata` and `signature`. Format: \
                 /.well-known/profile.schema.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for ProfileDocument {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Profile")
    }
}

/// Adds the OAuth2 client-credentials scheme with `scopes` (name, what it allows).
pub struct Security {
    pub token_url: &'static str,
    pub scopes: &'static [(&'static str, &'static str)],
}

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let scopes: Scopes = self.scopes.iter().map(|(s, d)| (*s, *d)).collect();
        let flow = Flow::ClientCredentials(ClientCredentials::new(self.token_url, scopes));
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .add_security_scheme(SECURITY_SCHEME, SecurityScheme::OAuth2(OAuth2::new([flow])));
    }
}

/// Adds to every operation that requires a token the errors any authenticated request may get, each with
/// [`ErrorBody`]: 400 (bad parameters), 401 (token missing or invalid), 403 (scope), 500 (a bug, with a
/// reference) and 503 (a backend unavailable), unless the operation documents its own.
pub struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut OpenApi) {
        let errors = [
            (
                "400",
                "The request is malformed: a parameter or the body (see `code`)",
            ),
            (
                "401",
                "The bearer token is missing, malformed, expired, or not for this API",
            ),
            (
                "403",
                "The token lacks a scope this operation needs, or the request is refused (see `code`)",
            ),
            (
                "500",
                "An internal error; `description` carries a reference for the logs",
            ),
            (
                "503",
                "A backend (vault, keys, change stream) is unavailable; retry later",
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                if operation.security.as_ref().is_none_or(Vec::is_empty) {
                    continue;
                }
                for (status, description) in errors {
                    if operation.responses.responses.contains_key(status) {
                        continue;
                    }
                    let content = ContentBuilder::new()
                        .schema(Some(ErrorBody::schema_ref()))
                        .build();
                    let response = ResponseBuilder::new()
                        .description(description)
                        .content("application/json", content)
                        .build();
                    operation
                        .responses
                        .responses
                        .insert(status.to_string(), response.into());
                }
            }
        }
    }
}

/// Gives every operation a unique id, `<method>_<path>` (`post_v2_user`, `put_v2_user`): one handler that
/// serves two methods would otherwise give both its name.
pub struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            // `/v2/user/uuid/{id}` → `v2_user_uuid_id`: one underscore between the words.
            let slug = path
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|word| !word.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    operation.operation_id = Some(format!("{method}_{slug}"));
                }
            }
        }
    }
}

impl ErrorBody {
    fn schema_ref() -> RefOr<Schema> {
        RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))
    }
}

/// An API's document, its `info.version` set to the service's: what `GET /v2/openapi.json` answers.
pub fn document_of<D: utoipa::OpenApi>(version: &str) -> String {
    let mut doc = D::openapi();
    doc.info.version = version.to_string();
    to_json(&doc)
}

/// The answer of `GET /v2/openapi.json`: `document`, as `application/json`.
pub fn serve(document: &'static str) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(http::header::CONTENT_TYPE, "application/json")], document).into_response()
}

/// The document as the APIs serve it and `docs/openapi/` keeps it: pretty JSON, a final newline.
pub fn to_json(openapi: &OpenApi) -> String {
    let mut text = openapi.to_pretty_json().unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
