//! # cis-publisher — the client side of the Change API
//!
//! What a publisher (LDAP, HRIS, Auth0, DinoPark, or `cis publish`) needs to send profile changes:
//!
//! | module | owns |
//! |---|---|
//! | [`prepare`] | keeping only what a publisher may publish and signing it (publisher rules + cis-crypto) |
//! | [`token`] | bearer tokens: a fixed token or the OAuth client-credentials flow, cached until expiry |
//! | [`client`] | HTTP calls: `POST /v2/user`, `POST /v2/users`, `GET /v2/status` with timeouts and retries |
//! | [`publish`] | a whole publishing run: prepare, post singly or in batches, wait for status, summarise |
//!
//! It never logs tokens or profile contents: user ids and sequence numbers only.

pub mod client;
pub mod prepare;
pub mod publish;
pub mod token;

pub use client::{
    AttributeVerdict, ChangeClient, ChangeResult, ClientError, DryRunResult, StatusResult,
};
pub use prepare::{PrepareError, Prepared, prepare_for_publisher};
pub use publish::{Outcome, ProfileReport, PublishOptions, PublishSummary, publish};
pub use token::{TokenError, TokenSource};
