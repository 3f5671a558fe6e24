//! `mozilla-iam` from a stage's template and the publishers' public keys (docs/contract/well-known.md §5):
//! `${DOMAIN}` and `${STAGE}` substituted, `api.publishers_jwks` and the access file's key filled in, the
//! publisher rules and the profile schema the services embed beside it, and the three checked before they
//! are returned.

use super::check::{Problems, check};
use super::{Documents, Stage};
use cis_crypto::PublicKey;
use cis_profile::Publisher;
use cis_profile::profile::SCHEMA_JSON;
use cis_profile::rules::EMBEDDED_RULES_JSON;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The kid the original gave each publisher's key (its `pem_to_jwks.py`); verifiers ignore kids.
pub fn original_kid(publisher: Publisher) -> &'static str {
    match publisher {
        Publisher::Mozilliansorg => "MozilliansorgKeyId",
        Publisher::AccessProvider => "APKeyId",
        Publisher::Hris => "HRISKeyId",
        Publisher::Ldap => "LDAPKeyId",
        Publisher::Cis => "CISKeyId",
    }
}

/// The kid of the access file's key.
pub const ACCESS_FILE_KID: &str = "AccessFile";

/// Why the documents could not be built. Names keys by publisher and kid, never by their material.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the template is not a JSON object after substitution: {0}")]
    Template(String),
    #[error("the template has the placeholder {0}; only ${{DOMAIN}} and ${{STAGE}} are known")]
    UnknownPlaceholder(String),
    #[error("domain {0:?} is not a DNS name (lower-case letters, digits, '-' and '.')")]
    Domain(String),
    #[error("no public key for {0}: every publisher needs at least one")]
    MissingKeys(String),
    #[error("{publisher}: key id {kid:?} is given twice")]
    DuplicateKid { publisher: String, kid: String },
    #[error("{publisher}: the key {kid:?} is the same key as {first:?}")]
    DuplicateKey {
        publisher: String,
        kid: String,
        first: String,
    },
    #[error("the built documents fail their checks:\n{0}")]
    Invalid(Problems),
}

/// The public keys to publish: each publisher's `(kid, key)` in order, and the access file's key if any.
#[derive(Debug, Clone, Default)]
pub struct PublisherKeys {
    by_publisher: BTreeMap<&'static str, Vec<(String, PublicKey)>>,
    access_file: Option<PublicKey>,
}

impl PublisherKeys {
    pub fn new() -> PublisherKeys {
        PublisherKeys::default()
    }

    /// Adds a key of `publisher` (rotation publishes the old and the new one side by side).
    pub fn add(
        &mut self,
        publisher: Publisher,
        kid: impl Into<String>,
        key: PublicKey,
    ) -> Result<(), BuildError> {
        let kid = kid.into();
        let keys = self.by_publisher.entry(publisher.as_str()).or_default();
        if keys.iter().any(|(k, _)| *k == kid) {
            return Err(BuildError::DuplicateKid {
                publisher: publisher.as_str().into(),
                kid,
            });
        }
        if let Some((first, _)) = keys.iter().find(|(_, k)| k.spki_der() == key.spki_der()) {
            return Err(BuildError::DuplicateKey {
                publisher: publisher.as_str().into(),
                kid,
                first: first.clone(),
            });
        }
        keys.push((kid, key));
        Ok(())
    }

    /// The access file's verification key (`access_file.jwks.keys`, kid `AccessFile`).
    pub fn set_access_file(&mut self, key: PublicKey) {
        self.access_file = Some(key);
    }

    pub fn has_access_file(&self) -> bool {
        self.access_file.is_some()
    }

    /// The kids of `publisher`'s keys, in order.
    pub fn kids(&self, publisher: Publisher) -> Vec<&str> {
        self.by_publisher
            .get(publisher.as_str())
            .map(|keys| keys.iter().map(|(kid, _)| kid.as_str()).collect())
            .unwrap_or_default()
    }

    /// The publishers without a key.
    pub fn missing(&self) -> Vec<Publisher> {
        Publisher::ALL
            .into_iter()
            .filter(|p| self.by_publisher.get(p.as_str()).is_none_or(Vec::is_empty))
            .collect()
    }

    fn publishers_jwks(&self) -> Value {
        let map: Map<String, Value> = self
            .by_publisher
            .iter()
            .map(|(publisher, keys)| {
                let jwks: Vec<Value> = keys.iter().map(|(kid, key)| key.to_jwk(kid)).collect();
                ((*publisher).to_string(), json!({ "keys": jwks }))
            })
            .collect();
        Value::Object(map)
    }
}

/// Builds and checks a stage's documents from the `mozilla-iam` template text.
pub fn build(
    template: &str,
    stage: Stage,
    domain: &str,
    keys: &PublisherKeys,
) -> Result<Documents, BuildError> {
    let dns = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    if domain.is_empty() || !domain.chars().all(dns) || domain.starts_with(['.', '-']) {
        return Err(BuildError::Domain(domain.to_string()));
    }
    let missing = keys.missing();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|p| p.as_str()).collect();
        return Err(BuildError::MissingKeys(names.join(", ")));
    }
    let text = substitute(template, stage, domain)?;
    let mut doc: Value =
        serde_json::from_str(&text).map_err(|e| BuildError::Template(e.to_string()))?;
    let api = doc
        .get_mut("api")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| BuildError::Template("no api object".into()))?;
    api.insert("publishers_jwks".into(), keys.publishers_jwks());
    if let Some(key) = &keys.access_file {
        let access = doc
            .get_mut("access_file")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| BuildError::Template("no access_file object".into()))?;
        // One JWK object under `keys`, not a list: the published shape (docs/contract/well-known.md §1).
        access.insert(
            "jwks".into(),
            json!({ "keys": key.to_jwk(ACCESS_FILE_KID) }),
        );
    }
    let mut mozilla_iam =
        serde_json::to_string_pretty(&doc).map_err(|e| BuildError::Template(e.to_string()))?;
    mozilla_iam.push('\n');
    let documents = Documents {
        mozilla_iam,
        publisher_rules: EMBEDDED_RULES_JSON.to_string(),
        profile_schema: SCHEMA_JSON.to_string(),
    };
    check(&documents).map_err(BuildError::Invalid)?;
    Ok(documents)
}

/// Replaces `${DOMAIN}` and `${STAGE}`; any other `${...}` is an error.
fn substitute(template: &str, stage: Stage, domain: &str) -> Result<String, BuildError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('}').map_or(after.len(), |i| i + 1);
        match &after[..end] {
            "${DOMAIN}" => out.push_str(domain),
            "${STAGE}" => out.push_str(stage.host_prefix()),
            other => return Err(BuildError::UnknownPlaceholder(other.to_string())),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Ok(out)
}
