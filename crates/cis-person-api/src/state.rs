//! [`PersonApiState`]: what every Person API handler shares (built once per cold start), and
//! [`PersonApiState::from_config`], used by the services' start-up for `functions/person-api` and `cis serve`.
//!
//! Owns the page limits ([`PageLimits`]) and the `advanced_search` switch. It builds no adapter itself:
//! callers hand in the vault and the token validator.

use std::sync::Arc;

use cis_common::Config;
use cis_common::auth::TokenValidator;
use cis_identity_vault::Vault;

/// The service version `GET /v2/version` reports.
pub const SERVICE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How large one answer of a paging route may get. A page ends at whichever limit it reaches first; the
/// byte limit keeps a page well under the 6 MB Lambda response limit even after API Gateway's JSON
/// escaping of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    /// Profiles per `/v2/users` page.
    pub users_items: usize,
    /// Entries per `/v2/users/id/all` page.
    pub ids_items: usize,
    /// Users per attribute-search page.
    pub search_items: usize,
    /// Bytes of the items of one page (the JSON of each item, as sent).
    pub max_bytes: usize,
    /// Vault pages one answer may gather (a selective filter must not make one request run for long;
    /// the answer then carries fewer items and a `nextPage`).
    pub max_vault_calls: usize,
    /// How many items the first vault page of an answer asks for; later ones are sized from the bytes
    /// per item seen so far.
    pub first_chunk: usize,
}

impl Default for PageLimits {
    fn default() -> Self {
        PageLimits {
            users_items: 500,
            ids_items: 5_000,
            search_items: 100,
            max_bytes: 3 * 1024 * 1024,
            max_vault_calls: 8,
            first_chunk: 50,
        }
    }
}

/// Everything the handlers need; cheap to clone (all `Arc`s).
#[derive(Clone)]
pub struct PersonApiState {
    pub tokens: Arc<TokenValidator>,
    /// Read only: the Person API never writes.
    pub vault: Arc<dyn Vault>,
    /// Mounts `/v2/users/id/all/by_attribute_contains` (`[person_api] advanced_search`).
    pub advanced_search: bool,
    pub limits: PageLimits,
    /// What `GET /v2/version` answers.
    pub version: Arc<str>,
}

impl std::fmt::Debug for PersonApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonApiState")
            .field("tokens", &self.tokens)
            .field("advanced_search", &self.advanced_search)
            .field("limits", &self.limits)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl PersonApiState {
    /// A state with default limits and attribute search off (tests, tools).
    pub fn new(tokens: Arc<TokenValidator>, vault: Arc<dyn Vault>) -> PersonApiState {
        PersonApiState {
            tokens,
            vault,
            advanced_search: false,
            limits: PageLimits::default(),
            version: Arc::from(SERVICE_VERSION),
        }
    }

    /// Wires the Person API from a validated configuration (`[person_api] advanced_search`) and the
    /// adapters a deployment provides: the token validator and the vault (both built by the services'
    /// start-up).
    pub fn from_config(
        config: &Config,
        tokens: Arc<TokenValidator>,
        vault: Arc<dyn Vault>,
    ) -> PersonApiState {
        PersonApiState {
            advanced_search: config.person_api.advanced_search,
            ..PersonApiState::new(tokens, vault)
        }
    }

    pub fn with_advanced_search(mut self, on: bool) -> PersonApiState {
        self.advanced_search = on;
        self
    }

    pub fn with_limits(mut self, limits: PageLimits) -> PersonApiState {
        self.limits = limits;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cis_identity_vault::MemoryVault;
    use std::collections::HashMap;

    fn config(env: &[(&str, &str)]) -> Config {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Config::from_sources(None, &env).unwrap()
    }

    #[test]
    fn advanced_search_follows_the_configuration() {
        let tokens = Arc::new(TokenValidator::disabled());
        let vault: Arc<dyn Vault> = Arc::new(MemoryVault::new());
        let on = config(&[("PERSON_API_ADVANCED_SEARCH", "True")]);
        let state = PersonApiState::from_config(&on, tokens.clone(), vault.clone());
        assert!(state.advanced_search);
        assert_eq!(state.limits, PageLimits::default());
        let off = PersonApiState::from_config(&config(&[]), tokens, vault);
        assert!(!off.advanced_search);
    }

    #[test]
    fn the_default_byte_limit_leaves_room_under_six_megabytes() {
        // API Gateway escapes the body inside its JSON envelope: quotes double, so allow for ~30 % growth
        let limits = PageLimits::default();
        assert!(limits.max_bytes * 13 / 10 < 6 * 1000 * 1000);
    }
}
