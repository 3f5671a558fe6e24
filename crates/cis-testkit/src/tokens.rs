//! Development bearer tokens for router tests: an issuer signing with the fixture `cis` key (any RS256 key
//! would do) and validators that trust it, or that cannot reach a JWKS at all.

use crate::fixtures::load_key;
use cis_common::auth::{DevIssuer, JwksCache, MemorySource, TokenValidator};
use std::sync::Arc;
use std::time::Duration;

/// The `iss` of every test token.
pub const ISSUER: &str = "https://auth.test.example/";
/// The `kid` of the test issuer's key.
pub const KID: &str = "test-issuer-key";
/// The audience of the Change API under test.
pub const CHANGE_AUDIENCE: &str = "https://change.test.example";
/// The audience of the Person API under test.
pub const PERSON_AUDIENCE: &str = "api.test.example";

/// A development issuer for `audience`; its `validator()` trusts it, its `bearer(scopes)` makes headers.
pub fn issuer(audience: &str) -> DevIssuer {
    DevIssuer::new(load_key("fake-publisher-key_1"), KID, ISSUER, audience)
}

/// A validator for `audience` whose issuer's JWKS cannot be fetched (and nothing is cached).
pub fn unreachable_jwks_validator(audience: &str) -> TokenValidator {
    let jwks = JwksCache::new(
        Arc::new(MemorySource::unreachable()),
        Duration::from_secs(3600),
    );
    TokenValidator::new(ISSUER, audience, Duration::ZERO, jwks)
}
