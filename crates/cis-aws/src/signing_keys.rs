//! Private signing keys in SSM (docs/contract/signatures.md §7, `secret_manager = aws-ssm`): the key of publisher `<p>` is
//! the SecureString `<secret_manager_ssm_path>/<p>`, a private JWK or PEM. Keys are loaded at cold start
//! ([`SsmSigningKeys::load`]) because signing is synchronous; a service that signs as `cis` loads `cis` and
//! refuses to start without it. Key material is never logged.

use crate::error::AwsError;
use crate::ssm::SsmParameters;
use cis_crypto::{KeyError, SigningKey, SigningKeySource};
use cis_profile::Publisher;
use std::collections::HashMap;
use std::sync::Arc;

/// Signing keys read from SSM, by publisher.
#[derive(Debug, Clone)]
pub struct SsmSigningKeys {
    path: String,
    keys: HashMap<Publisher, Arc<SigningKey>>,
}

/// The SSM parameter holding a publisher's key: `<path>/<publisher>`.
pub fn key_parameter(path: &str, publisher: Publisher) -> String {
    format!("{}/{}", path.trim_end_matches('/'), publisher.as_str())
}

impl SsmSigningKeys {
    /// Reads and parses the keys of `publishers` under `path`. Any missing or unparsable key is an error.
    pub async fn load(
        params: &SsmParameters,
        path: &str,
        publishers: &[Publisher],
    ) -> Result<SsmSigningKeys, AwsError> {
        let mut keys = HashMap::new();
        for publisher in publishers {
            let name = key_parameter(path, *publisher);
            let text = params.get_secure(&name).await?;
            let key = SigningKey::parse(&text).map_err(|e| AwsError::InvalidSigningKey {
                publisher: publisher.as_str().to_string(),
                name: name.clone(),
                message: e.to_string(),
            })?;
            keys.insert(*publisher, Arc::new(key));
        }
        Ok(SsmSigningKeys {
            path: path.to_string(),
            keys,
        })
    }
}

impl SigningKeySource for SsmSigningKeys {
    fn signing_key(&self, publisher: Publisher) -> Result<Arc<SigningKey>, KeyError> {
        self.keys
            .get(&publisher)
            .cloned()
            .ok_or_else(|| KeyError::NoSigningKey {
                publisher: publisher.to_string(),
                location: format!(
                    "SSM {} (keys loaded at start-up)",
                    key_parameter(&self.path, publisher)
                ),
            })
    }
}
