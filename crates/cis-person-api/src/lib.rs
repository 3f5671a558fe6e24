//! # cis-person-api — the Person API as an axum [`Router`](axum::Router)
//!
//! Relying parties and publishers read profiles here: one user by user_id, uuid, primary email or primary
//! username; pages of full profiles; the ids of one connection method (from the vault's index); an attribute
//! search (when `advanced_search` is on); an existence probe by email. Every profile is filtered by the
//! caller's `classification:*` / `display:*` scopes and the optional `filterDisplay` level
//! (`cis_profile::filter`). Used by `functions/person-api` (Lambda) and `cis serve`.
//! Contract: `docs/person-api.md` and its reference §1, as amended by `docs/contract/decisions.md`; the decisions
//! this crate takes are written down in `docs/person-api.md`.
//!
//! | module | owns |
//! |---|---|
//! | [`routes`] | the route table, CORS, 404/405, `GET /v2`, `GET /v2/version` |
//! | [`state`] | [`PersonApiState`], [`PageLimits`], wiring from a `Config` |
//! | [`auth`] | the bearer token, the caller's scopes, what those scopes let the caller see |
//! | [`params`] | query parameters: `active`, `filterDisplay`, booleans, duplicates |
//! | [`token`] | opaque, route-bound `nextPage` tokens and the legacy `{"id": ...}` forms |
//! | [`paging`] | gathering vault pages into one response page bounded by count and bytes |
//! | [`user`] | `GET /v2/user/{user_id,uuid,primary_email,primary_username}/{id}`, `GET /v2/user/metadata/{email}` |
//! | [`users`] | `GET /v2/users` |
//! | [`ids`] | `GET /v2/users/id/all` |
//! | [`search`] | `GET /v2/users/id/all/by_attribute_contains` |
//! | [`error`] | [`PersonApiError`] and its one mapping to `ApiError` |
//! | [`scim`] | SCIM 2.0, read-only, under `/scim/v2` (docs/scim.md) |
//! | [`openapi`] | the OpenAPI document (`GET /v2/openapi.json`, docs/openapi/person-api.json) and the page shapes it names |
//!
//! Read-only: nothing here writes the vault. Never logs a token or a profile (logs carry user ids only).

mod auth;
mod error;
mod ids;
mod legacy;
mod openapi;
mod paging;
mod params;
mod routes;
mod scim;
mod search;
mod state;
mod token;
mod user;
mod users;

pub use auth::Caller;
pub use error::PersonApiError;
pub use openapi::document as openapi_document;
pub use routes::router;
pub use state::{PageLimits, PersonApiState, SERVICE_VERSION};
