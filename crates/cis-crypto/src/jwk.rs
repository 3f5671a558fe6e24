//! JSON Web Keys (RFC 7517) for RSA: reading the public members `n`/`e` and the private CRT members.
//!
//! Owns the JWK member rules of docs/contract/signatures.md §5: `kty` must be `RSA`; `n` and `e` are base64url (a leading
//! zero byte in `n` is tolerated); `alg`, `use`, `kid`, `x5c` and `x5t` are ignored. It builds no key sets and
//! writes no JWKs (that is `PublicKey::to_jwk`). Error texts name members, never their values.

use crate::jws::b64url_decode;
use crate::keys::{KeyError, MIN_RSA_BITS, bit_length, strip_zeros};
use aws_lc_rs::rsa::KeyPairComponents;
use aws_lc_rs::signature::{RsaKeyPair, RsaPublicKeyComponents};
use serde_json::Value;

/// Parses `text` as a JSON object when it looks like one (first non-blank character `{`); `None` otherwise,
/// so the caller can try PEM.
pub(crate) fn parse_object(text: &str) -> Result<Option<Value>, KeyError> {
    if !text.trim_start().starts_with('{') {
        return Ok(None);
    }
    match cis_profile::json::parse_strict(text.as_bytes()) {
        Ok(value @ Value::Object(_)) => Ok(Some(value)),
        Ok(_) => Err(KeyError::Jwk("not a JSON object".into())),
        Err(e) => Err(KeyError::Jwk(format!("not valid JSON ({e})"))),
    }
}

fn member(jwk: &Value, name: &str) -> Result<Vec<u8>, KeyError> {
    let text = jwk
        .get(name)
        .ok_or_else(|| KeyError::Jwk(format!("member `{name}` missing")))?;
    let text = text
        .as_str()
        .ok_or_else(|| KeyError::Jwk(format!("member `{name}` is not a string")))?;
    b64url_decode(text).ok_or_else(|| KeyError::Jwk(format!("member `{name}` is not base64url")))
}

/// The modulus and exponent of an RSA JWK (`kty` `RSA`), as decoded (possibly with leading zeros).
pub(crate) fn public_components(jwk: &Value) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    if !jwk.is_object() {
        return Err(KeyError::Jwk("not a JSON object".into()));
    }
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {}
        Some(other) => return Err(KeyError::Jwk(format!("kty `{other}` is not RSA"))),
        None => return Err(KeyError::Jwk("member `kty` missing".into())),
    }
    Ok((member(jwk, "n")?, member(jwk, "e")?))
}

/// An RSA key pair from a private JWK; every CRT member is required.
pub(crate) fn private_key_pair(jwk: &Value) -> Result<RsaKeyPair, KeyError> {
    let (n, e) = public_components(jwk)?;
    let bits = bit_length(&n);
    if bits < MIN_RSA_BITS {
        return Err(KeyError::TooSmall(bits));
    }
    let components = KeyPairComponents {
        public_key: RsaPublicKeyComponents {
            n: strip_zeros(&n).to_vec(),
            e: strip_zeros(&e).to_vec(),
        },
        d: member(jwk, "d")?,
        p: member(jwk, "p")?,
        q: member(jwk, "q")?,
        dP: member(jwk, "dp")?,
        dQ: member(jwk, "dq")?,
        qInv: member(jwk, "qi")?,
    };
    RsaKeyPair::from_components(&components).map_err(|r| KeyError::Rejected(r.description_()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_rsa_jwks_with_base64url_members_are_read() {
        assert!(matches!(
            public_components(&json!({"kty": "EC", "n": "AQAB", "e": "AQAB"})),
            Err(KeyError::Jwk(_))
        ));
        assert!(matches!(
            public_components(&json!({"n": "AQAB", "e": "AQAB"})),
            Err(KeyError::Jwk(_))
        ));
        assert!(matches!(
            public_components(&json!({"kty": "RSA", "n": "AQ+B", "e": "AQAB"})),
            Err(KeyError::Jwk(_))
        ));
        assert!(matches!(
            public_components(&json!({"kty": "RSA", "e": "AQAB"})),
            Err(KeyError::Jwk(_))
        ));
        let (n, e) =
            public_components(&json!({"kty": "RSA", "n": "AAEC", "e": "AQAB", "use": 7})).unwrap();
        assert_eq!((n, e), (vec![0, 1, 2], vec![1, 0, 1]));
    }

    #[test]
    fn text_is_a_jwk_candidate_only_when_it_starts_with_a_brace() {
        assert!(
            parse_object("-----BEGIN PUBLIC KEY-----")
                .unwrap()
                .is_none()
        );
        assert!(parse_object("  {\"kty\": \"RSA\"}").unwrap().is_some());
        assert!(parse_object("{nope").is_err());
    }
}
