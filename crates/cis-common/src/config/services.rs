//! The `[change_service]` and `[person_api]` sections (docs/configuration.md §3, §4) and [`TokenSettings`], the
//! part of each that the bearer-token validator needs.
//!
//! Reading and per-key typing only; the local-only rule for `person_api.jwt_validation` is checked in
//! `validate.rs`.

use std::time::Duration;

use super::reader::SectionReader;

const DEFAULT_AUTH0_DOMAIN: &str = "auth-dev.mozilla.auth0.com";

/// What a [`crate::auth::TokenValidator`] needs: issuer, audience, JWKS location and timings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    /// `https://<auth0_domain>/`.
    pub issuer: String,
    /// The required audience (`api_identifier`).
    pub audience: String,
    pub jwks_url: String,
    pub jwks_cache: Duration,
    pub leeway: Duration,
}

/// `[change_service]`: the Change API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeServiceConfig {
    pub auth0_domain: String,
    pub api_identifier: String,
    /// Always `["RS256"]`: anything else is refused at load.
    pub algorithms: Vec<String>,
    /// Defaults to `https://<auth0_domain>/.well-known/jwks.json`.
    pub jwks_url: String,
    pub jwks_cache_seconds: u64,
    pub token_leeway_seconds: u64,
    pub max_batch_size: usize,
    pub max_body_bytes: usize,
    pub write_concurrency: usize,
    /// Seconds a request body has to arrive in full (408 after).
    pub body_timeout_seconds: u64,
}

/// `[person_api]`: the Person API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonApiConfig {
    pub auth0_domain: String,
    pub api_identifier: String,
    pub jwks_url: String,
    pub jwks_cache_seconds: u64,
    pub token_leeway_seconds: u64,
    /// Local-only switch.
    pub jwt_validation: bool,
    pub advanced_search: bool,
}

fn default_jwks_url(domain: &str) -> String {
    format!("https://{domain}/.well-known/jwks.json")
}

fn issuer_of(domain: &str) -> String {
    format!("https://{domain}/")
}

/// The deployed default audience of the Change API.
pub const CHANGE_AUDIENCE: &str = "https://change.sso.allizom.org";
/// The deployed default audience of the Person API, and `cis serve`'s one audience for both APIs (every
/// deployed stage of the original used one audience for both; `dev` used this one).
pub const PERSON_AUDIENCE: &str = "api.dev.sso.allizom.org";

impl ChangeServiceConfig {
    /// `audience` is the default `api_identifier` (deployed: [`CHANGE_AUDIENCE`]; `cis serve`:
    /// [`PERSON_AUDIENCE`], so that one token works against both APIs).
    pub(crate) fn read(r: &mut SectionReader<'_>, audience: &str) -> ChangeServiceConfig {
        let auth0_domain = r.string("auth0_domain", DEFAULT_AUTH0_DOMAIN);
        let api_identifier = r.string("api_identifier", audience);
        let algorithms = match r.raw("algorithms") {
            None => vec!["RS256".to_owned()],
            Some(raw) => {
                let list = super::reader::parse_list(&raw.value);
                if list != ["RS256"] {
                    r.problem(
                        "algorithms",
                        &raw,
                        "must be RS256 (the only algorithm accepted)",
                    );
                }
                vec!["RS256".to_owned()]
            }
        };
        let jwks_url = r.string("jwks_url", &default_jwks_url(&auth0_domain));
        let config = ChangeServiceConfig {
            algorithms,
            jwks_url,
            jwks_cache_seconds: r.integer("jwks_cache_seconds", 3600),
            token_leeway_seconds: r.integer("token_leeway_seconds", 0),
            max_batch_size: r.integer("max_batch_size", 500),
            max_body_bytes: r.integer("max_body_bytes", 6_291_456),
            write_concurrency: r.integer("write_concurrency", 16),
            body_timeout_seconds: r.integer("body_timeout_seconds", 30),
            auth0_domain,
            api_identifier,
        };
        if config.body_timeout_seconds == 0 {
            r.problem_text("[change_service] body_timeout_seconds = 0: must be at least 1".into());
        }
        if config.write_concurrency == 0 {
            r.problem_text("[change_service] write_concurrency = 0: must be at least 1".into());
        }
        config
    }

    /// `https://<auth0_domain>/`.
    pub fn issuer(&self) -> String {
        issuer_of(&self.auth0_domain)
    }

    pub fn jwks_url(&self) -> &str {
        &self.jwks_url
    }

    pub fn token_settings(&self) -> TokenSettings {
        token_settings(
            &self.auth0_domain,
            &self.api_identifier,
            &self.jwks_url,
            self.jwks_cache_seconds,
            self.token_leeway_seconds,
        )
    }
}

impl PersonApiConfig {
    pub(crate) fn read(r: &mut SectionReader<'_>) -> PersonApiConfig {
        let auth0_domain = r.string("auth0_domain", DEFAULT_AUTH0_DOMAIN);
        let jwks_url = r.string("jwks_url", &default_jwks_url(&auth0_domain));
        let config = PersonApiConfig {
            api_identifier: r.string("api_identifier", PERSON_AUDIENCE),
            jwks_url,
            jwks_cache_seconds: r.integer("jwks_cache_seconds", 3600),
            token_leeway_seconds: r.integer("token_leeway_seconds", 0),
            jwt_validation: r.bool("jwt_validation", true),
            advanced_search: r.bool("advanced_search", false),
            auth0_domain,
        };
        r.ignored("environment", "the local-only rule uses [cis] environment");
        for key in ["graphql", "graphiql", "initialize_vault"] {
            r.ignored(key, "not supported");
        }
        config
    }

    /// `https://<auth0_domain>/`.
    pub fn issuer(&self) -> String {
        issuer_of(&self.auth0_domain)
    }

    pub fn jwks_url(&self) -> &str {
        &self.jwks_url
    }

    pub fn token_settings(&self) -> TokenSettings {
        token_settings(
            &self.auth0_domain,
            &self.api_identifier,
            &self.jwks_url,
            self.jwks_cache_seconds,
            self.token_leeway_seconds,
        )
    }
}

/// The token rules of one API section: both sections have the same keys with their own values.
fn token_settings(
    auth0_domain: &str,
    audience: &str,
    jwks_url: &str,
    cache_seconds: u64,
    leeway_seconds: u64,
) -> TokenSettings {
    TokenSettings {
        issuer: issuer_of(auth0_domain),
        audience: audience.to_string(),
        jwks_url: jwks_url.to_string(),
        jwks_cache: Duration::from_secs(cache_seconds),
        leeway: Duration::from_secs(leeway_seconds),
    }
}
