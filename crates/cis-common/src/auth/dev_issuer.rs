//! [`DevIssuer`]: a development token issuer — an RSA key with a `kid`, an issuer and an audience — that mints
//! RS256 access tokens like Auth0's client-credentials tokens and serves the matching JWKS. Used by `cis
//! serve` (so a new user can publish and read without Auth0) and by router tests of other crates.
//!
//! It must never be wired into a deployed service: only `environment = local` and tests use it.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cis_crypto::{KeyError, SignError, SigningKey};
use serde_json::{Value, json};

use super::TokenValidator;
use crate::fetch::MemorySource;

/// Mints tokens for one issuer and audience.
#[derive(Debug, Clone)]
pub struct DevIssuer {
    key: Arc<SigningKey>,
    kid: String,
    issuer: String,
    audience: String,
}

impl DevIssuer {
    pub fn new(key: SigningKey, kid: &str, issuer: &str, audience: &str) -> DevIssuer {
        DevIssuer {
            key: Arc::new(key),
            kid: kid.to_owned(),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    /// A fresh 2048-bit key with kid `cis-dev-<random>`.
    pub fn generate(issuer: &str, audience: &str) -> Result<DevIssuer, KeyError> {
        let key = cis_crypto::generate_keypair(2048)?;
        let kid = format!(
            "cis-dev-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        Ok(DevIssuer::new(key, &kid, issuer, audience))
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    pub fn audience(&self) -> &str {
        &self.audience
    }
    /// The private key (for `cis serve` to persist it in its data directory).
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The JWKS serving the public key: `{"keys": [<jwk with kid>]}`.
    pub fn jwks(&self) -> Value {
        json!({"keys": [self.key.public_key().to_jwk(&self.kid)]})
    }

    /// The claims of a token for `subject` with `scopes`, valid from now for `ttl`.
    pub fn claims(&self, subject: &str, scopes: &[&str], ttl: Duration) -> Value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        json!({
            "iss": self.issuer,
            "sub": subject,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl.as_secs(),
            "azp": subject.trim_end_matches("@clients"),
            "scope": scopes.join(" "),
            "gty": "client-credentials",
        })
    }

    /// A token for `subject` with `scopes`, valid for `ttl`.
    pub fn try_issue(
        &self,
        subject: &str,
        scopes: &[&str],
        ttl: Duration,
    ) -> Result<String, SignError> {
        self.try_sign(&self.claims(subject, scopes, ttl))
    }

    /// A token for `subject` with `scopes`, valid for `ttl`. Signing with a key that loaded does not fail in
    /// practice; if the RSA operation ever does, the token returned is empty, so every validator refuses it
    /// (fails closed), and the failure is logged. [`DevIssuer::try_issue`] reports the error instead.
    pub fn issue(&self, subject: &str, scopes: &[&str], ttl: Duration) -> String {
        self.sign(&self.claims(subject, scopes, ttl))
    }

    /// A token with exactly these claims (tests: expired, wrong audience, string `exp` ...).
    pub fn try_sign(&self, claims: &Value) -> Result<String, SignError> {
        self.try_sign_with_header(
            &json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}),
            claims,
        )
    }

    /// [`DevIssuer::try_sign`], failing closed like [`DevIssuer::issue`].
    pub fn sign(&self, claims: &Value) -> String {
        self.try_sign(claims).unwrap_or_else(|error| {
            tracing::error!(%error, "development token signing failed");
            String::new()
        })
    }

    /// A token with this header and these claims (tests: no `kid`, unknown `kid` ...).
    pub fn try_sign_with_header(
        &self,
        header: &Value,
        claims: &Value,
    ) -> Result<String, SignError> {
        cis_crypto::sign_compact(header, claims.to_string().as_bytes(), &self.key)
    }

    /// A validator trusting only this issuer, with its JWKS held in memory: the convenient way for router
    /// tests to authenticate requests.
    pub fn validator(&self) -> TokenValidator {
        let source = Arc::new(MemorySource::new(self.jwks()));
        TokenValidator::new(
            &self.issuer,
            &self.audience,
            Duration::ZERO,
            super::JwksCache::new(source, Duration::from_secs(3600)),
        )
    }

    /// `Bearer <token>` for `scopes`, valid for an hour (tests).
    pub fn bearer(&self, scopes: &[&str]) -> String {
        format!(
            "Bearer {}",
            self.issue("dev-client@clients", scopes, Duration::from_secs(3600))
        )
    }
}
