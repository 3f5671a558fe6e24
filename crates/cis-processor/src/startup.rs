//! Start-up helpers for the binaries that run the processor (`functions/stream-processor`, `cis serve`): the
//! publisher rules from configuration, the `cis` key from the key folder, the processor's switches. They run
//! once per cold start and fail fast (STYLE.md rules 5–6).
//!
//! Nothing here talks to AWS (SSM keys and salt are `cis-aws`'s, chosen by the binary) and nothing logs a key.

use crate::pipeline::Switches;
use cis_common::Config;
use cis_crypto::{DirSigningKeySource, KeyError, SigningKey, SigningKeySource};
use cis_profile::Publisher;
use cis_profile::rules::PublisherRules;
use std::sync::Arc;

/// Why the processor cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
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

/// The `cis` key from `secret_manager_file_path` (`secret_manager = file`, signatures.md §7).
pub fn cis_signer_from_files(config: &Config) -> Result<Arc<SigningKey>, StartupError> {
    let source = DirSigningKeySource::new(&config.cis.secret_manager_file_path);
    Ok(source.signing_key(Publisher::Cis)?)
}

/// The processor's switches: `processor_verify_signatures`, `processor_verify_publishers` and
/// `validate_schema` (processor-and-vault.md §3; configuration keeps them on outside `local`).
pub fn processor_switches(config: &Config) -> Switches {
    let cis = &config.cis;
    Switches {
        verify_signatures: cis.processor_verify_signatures,
        verify_publishers: cis.processor_verify_publishers,
        validate_schema: cis.validate_schema,
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
    fn the_processor_uses_its_own_switches() {
        let c = config(&[
            ("CIS_ENVIRONMENT", "local"),
            ("CIS_PROCESSOR_VERIFY_PUBLISHERS", "false"),
        ]);
        let s = processor_switches(&c);
        assert!(s.verify_signatures && !s.verify_publishers && s.validate_schema);
        assert!(
            c.cis.verify_publishers,
            "the Change API's switch is another key"
        );
    }

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
        let pem = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/keys/fake-publisher-key_1.priv.pem"
        );
        std::fs::copy(pem, dir.path().join("cis")).unwrap();
        assert!(cis_signer_from_files(&c).is_ok());
    }
}
