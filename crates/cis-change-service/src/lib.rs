//! # cis-change-service — the Change API as an axum [`Router`](axum::Router)
//!
//! Publishers send signed profiles here; the API checks everything it can before it answers (token and
//! scope, body, schema, user_id, signatures, publisher rules against the stored profile), then writes the
//! vault itself (direct mode) or appends the change to the change stream (stream mode). Used by
//! `functions/change-api` (Lambda) and `cis serve`. Contract: `spec/change-api.md`.
//!
//! | module | owns |
//! |---|---|
//! | [`routes`] | the route table, CORS preflight, 404/405, `GET /v2`, `GET /v2/version` |
//! | [`state`] | [`ChangeServiceState`], [`Limits`], wiring from a `Config` and [`Adapters`] |
//! | [`auth`] | bearer token and `write` scope, before any body is read |
//! | [`body`] | size-limited reading, `Content-Type`, strict JSON, the "JSON string" form |
//! | [`accept`] | schema, user_id, the pipeline, direct-mode write or stream-mode hand-off |
//! | [`user`] | `POST`/`PUT`/`DELETE /v2/user` |
//! | [`users`] | `POST`/`PUT /v2/users` (batch, per-item verdicts) |
//! | [`status`] | `GET /v2/status` |
//! | [`responses`] | the success bodies |
//! | [`error`] | [`ChangeError`] and its one mapping to `ApiError` |
//! | [`wiring`] | start-up helpers shared with `cis serve`: rules, the `cis` key from files, the key provider |
//!
//! Never logs a token or a profile: logs carry user_id and sequence_number.

pub mod accept;
pub mod auth;
pub mod body;
pub mod error;
pub mod responses;
pub mod routes;
pub mod state;
pub mod status;
pub mod user;
pub mod users;
pub mod wiring;

pub use error::ChangeError;
pub use routes::router;
pub use state::{Adapters, ChangeServiceState, Limits, SERVICE_VERSION};
pub use wiring::WiringError;
