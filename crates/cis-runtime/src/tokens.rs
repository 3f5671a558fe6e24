//! The bearer-token validator of each API, decided in one place for every binary: the API's own
//! `jwt_validation` switch (`[cis] jwt_validation` for the Change API, `[person_api] jwt_validation` for the
//! Person API; both local-only, docs/configuration.md §1.1), its issuer, audience and JWKS from its section
//! — or, under `cis serve`, the development authorizer as issuer with its JWKS held in memory.

use crate::start::StartupError;
use cis_common::Config;
use cis_common::auth::{DEFAULT_JWKS_TIMEOUT, JwksCache, TokenValidator};
use cis_common::config::TokenSettings;
use cis_common::fetch::{MemorySource, source_for_url};
use serde_json::Value;
use std::sync::Arc;

/// Which API a validator is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Change,
    Person,
}

/// A local token issuer that replaces the configured one (`cis serve`'s development authorizer).
#[derive(Debug, Clone)]
pub struct LocalIssuer {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// Its JWKS document.
    pub jwks: Value,
}

/// Whether `api` checks tokens at all.
pub fn validation_enabled(api: Api, config: &Config) -> bool {
    match api {
        Api::Change => config.cis.jwt_validation,
        Api::Person => config.person_api.jwt_validation,
    }
}

/// The token settings of `api`'s section.
pub fn settings(api: Api, config: &Config) -> TokenSettings {
    match api {
        Api::Change => config.change_service.token_settings(),
        Api::Person => config.person_api.token_settings(),
    }
}

/// The validator of `api`: disabled when its `jwt_validation` is off; otherwise trusting the configured
/// issuer (JWKS fetched from its `jwks_url`), or `local` when given.
pub fn validator(
    api: Api,
    config: &Config,
    local: Option<&LocalIssuer>,
) -> Result<TokenValidator, StartupError> {
    if !validation_enabled(api, config) {
        return Ok(TokenValidator::disabled());
    }
    let mut settings = settings(api, config);
    let source = match local {
        Some(local) => {
            settings.issuer = local.issuer.clone();
            Arc::new(MemorySource::new(local.jwks.clone())) as _
        }
        None => source_for_url(&settings.jwks_url, DEFAULT_JWKS_TIMEOUT)
            .map_err(|e| StartupError::Tokens(e.to_string()))?,
    };
    let jwks = JwksCache::new(source, settings.jwks_cache);
    Ok(TokenValidator::new(
        &settings.issuer,
        &settings.audience,
        settings.leeway,
        jwks,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use cis_testkit::config;

    fn local() -> LocalIssuer {
        LocalIssuer {
            issuer: "https://cis-dev.localhost/".into(),
            jwks: serde_json::json!({"keys": []}),
        }
    }

    /// Every combination of the two switches, with and without the local issuer: each API follows its
    /// own switch and nothing else.
    #[test]
    fn each_api_follows_its_own_jwt_validation_switch() {
        for change_on in [true, false] {
            for person_on in [true, false] {
                let c = config(&[
                    ("CIS_ENVIRONMENT", "local"),
                    (
                        "CIS_JWT_VALIDATION",
                        if change_on { "true" } else { "false" },
                    ),
                    (
                        "PERSON_API_JWT_VALIDATION",
                        if person_on { "true" } else { "false" },
                    ),
                ]);
                for issuer in [None, Some(local())] {
                    let change = validator(Api::Change, &c, issuer.as_ref()).unwrap();
                    let person = validator(Api::Person, &c, issuer.as_ref()).unwrap();
                    assert_eq!(change.is_disabled(), !change_on, "{change_on} {person_on}");
                    assert_eq!(person.is_disabled(), !person_on, "{change_on} {person_on}");
                }
            }
        }
    }
}
