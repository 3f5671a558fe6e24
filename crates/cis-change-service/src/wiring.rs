//! Start-up helpers shared by `functions/change-api` and `cis serve`: the publisher rules from
//! configuration, the `cis` signing key from the key folder (`secret_manager = file`), and the adapter
//! that lets the pipeline read `cis_common::VerificationKeys`.
//!
//! Everything here runs once per cold start and fails fast; nothing here talks to AWS (the SSM variants
//! live in `cis-aws` and are chosen by the binary). Keys are never logged, only where they came from.

use std::sync::Arc;

use cis_common::{Config, VerificationKeys};
use cis_crypto::{DirSigningKeySource, KeyError, KeySet, SigningKey, SigningKeySource};
use cis_processor::{KeyProvider, KeysUnavailable};
use cis_profile::Publisher;
use cis_profile::rules::PublisherRules;

/// Why the Change API cannot start.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("cannot read the publisher rules file {path}: {source}")]
    RulesFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the publisher rules file {path} is not a valid rules document: {message}")]
    RulesDocument { path: String, message: String },
    #[error("no usable cis signing key: {0}")]
    SigningKey(#[from] KeyError),
}

/// `publisher_rules_file` when set, else the embedded document (publisher-rules.md §1).
pub fn publisher_rules(config: &Config) -> Result<Arc<PublisherRules>, WiringError> {
    let Some(path) = &config.cis.publisher_rules_file else {
        return Ok(Arc::new(PublisherRules::embedded().clone()));
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| WiringError::RulesFile {
        path: shown.clone(),
        source,
    })?;
    let rules = PublisherRules::from_json(&text).map_err(|e| WiringError::RulesDocument {
        path: shown,
        message: e.to_string(),
    })?;
    Ok(Arc::new(rules))
}

/// The `cis` key from `secret_manager_file_path` (file mode, signatures.md §7).
pub fn cis_signer_from_files(config: &Config) -> Result<Arc<SigningKey>, WiringError> {
    let source = DirSigningKeySource::new(&config.cis.secret_manager_file_path);
    Ok(source.signing_key(Publisher::Cis)?)
}

/// [`VerificationKeys`] as the pipeline's [`KeyProvider`]: one refresh after a key miss, when the copy is
/// old enough (signatures.md §5).
#[derive(Debug, Clone)]
pub struct VerificationKeyProvider(pub Arc<VerificationKeys>);

#[async_trait::async_trait]
impl KeyProvider for VerificationKeyProvider {
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
    use std::collections::HashMap;

    fn config(env: &[(&str, &str)]) -> Config {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_sources(None, &env).unwrap()
    }

    #[test]
    fn the_embedded_rules_are_used_without_a_rules_file() {
        let rules = publisher_rules(&config(&[])).unwrap();
        assert_eq!(*rules, *PublisherRules::embedded());
    }

    #[test]
    fn a_missing_rules_file_stops_the_start() {
        let c = config(&[("CIS_PUBLISHER_RULES_FILE", "/nonexistent/rules.json")]);
        assert!(matches!(
            publisher_rules(&c),
            Err(WiringError::RulesFile { .. })
        ));
    }

    #[test]
    fn a_key_folder_without_a_cis_key_stops_the_start() {
        let dir = std::env::temp_dir().join(format!("cis-no-keys-{}", std::process::id()));
        let c = config(&[("CIS_SECRET_MANAGER_FILE_PATH", dir.to_str().unwrap())]);
        assert!(matches!(
            cis_signer_from_files(&c),
            Err(WiringError::SigningKey(_))
        ));
    }

    #[tokio::test]
    async fn verification_keys_serve_the_pipeline() {
        let provider = VerificationKeyProvider(Arc::new(VerificationKeys::fixed(KeySet::new())));
        assert!(provider.key_set().await.is_ok());
        assert!(provider.refresh_after_miss().await.is_none());
    }
}
