//! [`TokenValidator`]: runs the checks of docs/contract/change-api.md §3 in order — header, compact RS256 JWS with a `kid`,
//! the issuer key by `kid`, the signature, the claims — or grants everything under the local bypass.
//!
//! It decides nothing about routes: callers ask [`Claims::scopes`] for the scope they need. Failures are
//! logged at debug by reason only; the token and the header are never logged.
//!
//! A token whose signature verified is remembered with the key that verified it ([`Verified`]): the same
//! token presented again skips the RSA verification while its `kid` still names that key. Everything else
//! — the header, the key lookup, the claims with expiry — is checked on every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use http::header::AUTHORIZATION;
use serde_json::Value;

use super::claims::{Expected, check};
use super::{AuthError, Claims, JwksCache, jwks::DEFAULT_JWKS_TIMEOUT};
use crate::config::TokenSettings;
use crate::fetch::{DocumentSource, FetchError, source_for_url};
use cis_crypto::PublicKey;

struct Checks {
    issuer: String,
    audience: String,
    leeway: Duration,
    jwks: JwksCache,
    verified: Verified,
}

/// Tokens whose signature verified, each with the key that verified it; emptied when full.
#[derive(Default)]
struct Verified(Mutex<HashMap<String, PublicKey>>);

/// At most this many tokens are remembered (a token is a few hundred bytes to a few KB).
const VERIFIED_CAPACITY: usize = 1024;

impl Verified {
    /// Whether `token` verified before with `key` (the same modulus and exponent).
    fn knows(&self, token: &str, key: &PublicKey) -> bool {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(token).is_some_and(|known| known == key)
    }

    fn remember(&self, token: &str, key: PublicKey) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= VERIFIED_CAPACITY {
            map.clear();
        }
        map.insert(token.to_owned(), key);
    }
}

/// Validates bearer tokens for one API.
pub struct TokenValidator {
    checks: Option<Checks>,
}

impl std::fmt::Debug for TokenValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.checks {
            None => f.write_str("TokenValidator(disabled)"),
            Some(c) => f
                .debug_struct("TokenValidator")
                .field("issuer", &c.issuer)
                .field("audience", &c.audience)
                .field("jwks", &c.jwks)
                .finish(),
        }
    }
}

impl TokenValidator {
    pub fn new(issuer: &str, audience: &str, leeway: Duration, jwks: JwksCache) -> TokenValidator {
        TokenValidator {
            checks: Some(Checks {
                issuer: issuer.to_owned(),
                audience: audience.to_owned(),
                leeway,
                jwks,
                verified: Verified::default(),
            }),
        }
    }

    /// From settings, with the JWKS from `source`.
    pub fn with_source(
        settings: &TokenSettings,
        source: Arc<dyn DocumentSource>,
    ) -> TokenValidator {
        let jwks = JwksCache::new(source, settings.jwks_cache);
        TokenValidator::new(&settings.issuer, &settings.audience, settings.leeway, jwks)
    }

    /// From settings, with the JWKS fetched from `settings.jwks_url` (`https://`, `http://`, `file://`).
    pub fn from_settings(settings: &TokenSettings) -> Result<TokenValidator, FetchError> {
        let source = source_for_url(&settings.jwks_url, DEFAULT_JWKS_TIMEOUT)?;
        Ok(TokenValidator::with_source(settings, source))
    }

    /// The local development bypass: no token needed, every scope granted.
    pub fn disabled() -> TokenValidator {
        TokenValidator { checks: None }
    }

    pub fn is_disabled(&self) -> bool {
        self.checks.is_none()
    }

    /// Validates the `Authorization` header of a request.
    pub async fn validate_headers(&self, headers: &HeaderMap) -> Result<Claims, AuthError> {
        match headers.get(AUTHORIZATION).map(|v| v.to_str()) {
            None => self.validate(None).await,
            Some(Ok(text)) => self.validate(Some(text)).await,
            Some(Err(_)) if self.is_disabled() => Ok(Claims::bypass()),
            Some(Err(_)) => Err(AuthError::Unparsable {
                reason: "header is not visible ASCII",
            }),
        }
    }

    /// Validates an `Authorization` header value (`None` when the header is absent).
    pub async fn validate(&self, authorization: Option<&str>) -> Result<Claims, AuthError> {
        let Some(checks) = &self.checks else {
            return Ok(Claims::bypass());
        };
        let result = checks.run(authorization).await;
        if let Err(error) = &result {
            let reason = match error {
                AuthError::Unparsable { reason } => reason,
                _ => "",
            };
            tracing::debug!(code = error.code(), %error, reason, "bearer token refused");
        }
        result
    }
}

impl Checks {
    async fn run(&self, authorization: Option<&str>) -> Result<Claims, AuthError> {
        let token = bearer_token(authorization)?;
        let jws = cis_crypto::decode_compact(token).map_err(|e| AuthError::Unparsable {
            reason: match e {
                cis_crypto::JwsError::Algorithm => "algorithm is not RS256",
                _ => "not a compact JWS",
            },
        })?;
        let kid = jws
            .header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(AuthError::KeyNotFound)?;
        let key = self.jwks.key(kid).await?;
        if !self.verified.knows(token, &key) {
            if !key.verify_rs256(jws.signing_input().as_bytes(), &jws.signature) {
                return Err(AuthError::Unparsable {
                    reason: "signature does not verify",
                });
            }
            self.verified.remember(token, key);
        }
        // Strict JSON, as for profiles: a payload with a member twice (which one would a reader believe?),
        // lone surrogates or unrepresentable numbers is refused.
        let payload = match cis_profile::json::parse_strict(&jws.payload) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(AuthError::Unparsable {
                    reason: "payload is not a strict JSON object",
                });
            }
        };
        let expected = Expected {
            issuer: &self.issuer,
            audience: &self.audience,
            leeway_seconds: self.leeway.as_secs_f64(),
            now_seconds: now_seconds(),
        };
        check(&payload, &expected)
    }
}

/// The token of `Bearer <token>` (docs/contract/change-api.md §3 steps 1–2).
fn bearer_token(authorization: Option<&str>) -> Result<&str, AuthError> {
    let header = authorization.ok_or(AuthError::HeaderMissing)?;
    let mut parts = header.split_whitespace();
    match parts.next() {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer") => {}
        _ => return Err(AuthError::NotBearer),
    }
    let token = parts.next().ok_or(AuthError::TokenNotFound)?;
    if parts.next().is_some() {
        return Err(AuthError::TooManyParts);
    }
    Ok(token)
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_split_on_whitespace() {
        assert_eq!(bearer_token(None), Err(AuthError::HeaderMissing));
        assert_eq!(bearer_token(Some("Basic abc")), Err(AuthError::NotBearer));
        assert_eq!(bearer_token(Some("")), Err(AuthError::NotBearer));
        assert_eq!(bearer_token(Some("Bearer")), Err(AuthError::TokenNotFound));
        assert_eq!(
            bearer_token(Some("Bearer a b")),
            Err(AuthError::TooManyParts)
        );
        assert_eq!(bearer_token(Some("bEaReR   tok ")), Ok("tok"));
    }
}
