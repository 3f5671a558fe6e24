//! Keys and rules every deployment loads once: the publisher rules (a file, or the embedded document), the
//! `cis` signing key from the key folder (`secret_manager = file`; SSM is [`crate::aws`]'s), and
//! [`WellKnownKeys`], the pipeline's key provider over `cis_common::VerificationKeys` (file or well-known
//! document, cached and refreshed). Nothing here logs a key.

use crate::start::StartupError;
use cis_change::{KeyProvider, KeysUnavailable};
use cis_common::{Config, VerificationKeys};
use cis_crypto::{DirSigningKeySource, KeySet, SigningKey, SigningKeySource};
use cis_profile::Publisher;
use cis_profile::rules::PublisherRules;
use std::sync::Arc;

/// `publisher_rules_file` when set, else the embedded document (docs/contract/publisher-rules.md §1).
pub fn publisher_rules(config: &Config) -> Result<Arc<PublisherRules>, StartupError> {
    let Some(path) = &config.cis.publisher_rules_file else {
        return Ok(Arc::new(PublisherRules::embedded().clone()));
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| StartupError::RulesFile {
        path: shown.clone(),
        source,
    })?;
    let rules = PublisherRules::from_json(&text).map_err(|e| StartupError::RulesDocument {
        path: shown,
        message: e.to_string(),
    })?;
    Ok(Arc::new(rules))
}

/// The `cis` key from `secret_manager_file_path` (`secret_manager = file`, docs/contract/signatures.md §7).
pub fn cis_signer_from_files(config: &Config) -> Result<Arc<SigningKey>, StartupError> {
    let source = DirSigningKeySource::new(&config.cis.secret_manager_file_path);
    source
        .signing_key(Publisher::Cis)
        .map_err(|e| StartupError::SigningKey(e.to_string()))
}

/// The trusted publisher keys of a deployment (`well_known_mode`), as the pipeline's [`KeyProvider`]: one
/// refetch after a key miss, when the copy is old enough (docs/contract/signatures.md §5).
pub struct WellKnownKeys(pub VerificationKeys);

impl WellKnownKeys {
    pub fn from_config(config: &Config) -> Result<WellKnownKeys, StartupError> {
        VerificationKeys::from_config(config)
            .map(WellKnownKeys)
            .map_err(|e| StartupError::VerificationKeys(e.to_string()))
    }
}

#[async_trait::async_trait]
impl KeyProvider for WellKnownKeys {
    async fn key_set(&self) -> Result<Arc<KeySet>, KeysUnavailable> {
        self.0
            .key_set()
            .await
            .map_err(|e| KeysUnavailable(e.reason))
    }
    async fn refresh_after_miss(&self) -> Option<Arc<KeySet>> {
        if self.0.refresh_if_stale().await {
            self.0.key_set().await.ok()
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use cis_testkit::config;

    #[test]
    fn without_a_rules_file_the_embedded_rules_apply() {
        assert_eq!(
            *publisher_rules(&config(&[])).unwrap(),
            *PublisherRules::embedded()
        );
    }

    #[test]
    fn a_rules_file_that_does_not_parse_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.json");
        std::fs::write(&path, "{}").unwrap();
        let c = config(&[("CIS_PUBLISHER_RULES_FILE", path.to_str().unwrap())]);
        assert!(matches!(
            publisher_rules(&c),
            Err(StartupError::RulesDocument { .. })
        ));
    }

    #[test]
    fn the_cis_key_is_read_from_the_key_folder() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(&[("CIS_SECRET_MANAGER_FILE_PATH", dir.path().to_str().unwrap())]);
        assert!(matches!(
            cis_signer_from_files(&c),
            Err(StartupError::SigningKey(_))
        ));
        let pem = cis_testkit::fixtures::fixture_path("keys/fake-publisher-key_1.priv.pem");
        std::fs::copy(pem, dir.path().join("cis")).unwrap();
        assert!(cis_signer_from_files(&c).is_ok());
    }
}
