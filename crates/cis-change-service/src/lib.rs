//! # cis-change-service — the Change API as an axum [`Router`](axum::Router)
//!
//! Publishers send signed profiles here; the API checks everything it can before it answers (token and
//! scope, body, schema, user_id, signatures, publisher rules against the stored profile), then hands the
//! change to its [`ChangeSink`](cis_change::ChangeSink): written now (direct mode) or appended to the change
//! stream (stream mode). Used by `functions/change-api` (Lambda) and `cis serve`. Contract:
//! docs/contract/change-api.md.
//!
//! | module | owns |
//! |---|---|
//! | [`routes`] | the route table, CORS preflight, 404/405, `GET /v2`, `GET /v2/version` |
//! | [`state`] | [`ChangeServiceState`], [`Limits`] |
//! | [`auth`] | bearer token and `write` scope, before any body is read |
//! | [`body`] | size-limited reading, `Content-Type`, strict JSON, the "JSON string" form |
//! | [`user`] | `POST`/`PUT`/`DELETE /v2/user` |
//! | [`users`] | `POST`/`PUT /v2/users` (batch, per-item verdicts) |
//! | [`status`] | `GET /v2/status` |
//! | [`changes`] | `GET /v2/changes`: a user's change history |
//! | [`dryrun`] | `?dryRun=true`: every check, nothing written, the attribute verdicts |
//! | [`responses`] | the success bodies |
//! | [`openapi`] | the OpenAPI document (`GET /v2/openapi.json`, docs/openapi/change-api.json) |
//! | [`error`] | [`ChangeError`] and its one mapping to `ApiError`, rejections included |
//!
//! Never logs a token or a profile: logs carry user_id and sequence_number.

mod auth;
mod body;
mod changes;
mod dryrun;
mod error;
mod openapi;
mod responses;
mod routes;
mod state;
mod status;
mod user;
mod users;

pub use auth::{CHANGES_SCOPE, WRITE_SCOPE};
pub use dryrun::AttributeVerdict;
pub use error::ChangeError;
pub use openapi::document as openapi_document;
pub use responses::{DeleteAnswer, ProfileAnswer, StatusAnswer};
pub use routes::{CORS_ALLOW_HEADERS, ROOT_TEXT, router};
pub use state::{ChangeServiceState, Limits, SERVICE_VERSION};
