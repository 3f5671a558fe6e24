//! Signing and verifying one attribute (docs/contract/signatures.md §1, §2, §4).
//!
//! Owns what is signed (the attribute minus `signature`, in its own member order), writing
//! `signature.publisher`, and the verification steps in their contract order, each with its error kind. It
//! does not decide whether the publisher may publish the attribute (publisher rules, `cis-profile`), and it
//! does not walk profiles (`profile.rs`).

use crate::error::{SignError, VerifyError};
use crate::jws::{self, ATTRIBUTE_HEADER_B64, JwsError};
use crate::keys::SigningKey;
use crate::keyset::KeySet;
use crate::pyjson;
use cis_profile::json::{json_eq, parse_strict};
use cis_profile::{Attr, Publisher};
use serde_json::{Map, Value};

/// The compact token for an attribute: header `{"alg":"RS256","typ":"JWT"}`, payload = the attribute minus
/// `signature` in Python's compact JSON. Null payload → [`SignError::NullValue`].
pub fn attribute_token(attr: &Map<String, Value>, key: &SigningKey) -> Result<String, SignError> {
    if Attr(attr).is_null() {
        return Err(SignError::NullValue);
    }
    jws::sign_with_header_b64(ATTRIBUTE_HEADER_B64, &pyjson::attribute_payload(attr), key)
}

/// Signs `attr` as `publisher`: `signature.publisher` becomes `{alg: RS256, typ: JWS, name, value: token}`;
/// `signature.additional` is kept. Empty values (`""`, `{}`, `false`) are signed; null is refused.
pub fn sign_attribute(
    attr: &mut Map<String, Value>,
    publisher: Publisher,
    key: &SigningKey,
) -> Result<(), SignError> {
    let token = attribute_token(attr, key)?;
    cis_profile::attr::set_publisher(attr, publisher.as_str(), &token);
    Ok(())
}

/// Verifies one attribute against the trusted keys of the publisher it names (docs/contract/signatures.md §4, steps 1–7,
/// the first failure is the result). A null attribute is an error here; profile-wide checks skip nulls.
pub fn verify_attribute(attr: &Map<String, Value>, keys: &KeySet) -> Result<(), VerifyError> {
    let view = Attr(attr);
    if view.is_null() {
        return Err(VerifyError::NullValue);
    }
    let token = view.token();
    if token.is_empty() {
        return Err(VerifyError::Unsigned);
    }
    let jws = jws::decode_compact(token).map_err(|e| match e {
        JwsError::Malformed => VerifyError::Malformed,
        JwsError::Header | JwsError::Algorithm => VerifyError::Algorithm,
    })?;
    let publisher = view.publisher_name().unwrap_or_default();
    let trusted = keys.keys_for(publisher);
    if trusted.is_empty() {
        return Err(VerifyError::UnknownPublisher(publisher.to_string()));
    }
    let message = jws.signing_input().as_bytes();
    if !trusted
        .iter()
        .any(|key| key.verify_rs256(message, &jws.signature))
    {
        return Err(VerifyError::BadSignature(publisher.to_string()));
    }
    // Fast path: the payload is byte for byte what CIS (and the original) would sign for this attribute.
    // Such bytes are a duplicate-free JSON object that reads back as exactly the attribute minus `signature`,
    // so the full comparison below would accept them too.
    if jws.payload == pyjson::attribute_payload(attr) {
        return Ok(());
    }
    let payload = match parse_strict(&jws.payload) {
        Ok(Value::Object(map)) => map,
        _ => return Err(VerifyError::MalformedPayload),
    };
    if matches_signed_part(&payload, attr) {
        Ok(())
    } else {
        Err(VerifyError::PayloadMismatch)
    }
}

/// JSON-value equality of `payload` with `attr` minus `signature`, without copying the attribute.
fn matches_signed_part(payload: &Map<String, Value>, attr: &Map<String, Value>) -> bool {
    let unsigned_members = attr.len() - usize::from(attr.contains_key("signature"));
    payload.len() == unsigned_members
        && payload
            .iter()
            .all(|(k, v)| k != "signature" && attr.get(k).is_some_and(|w| json_eq(v, w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payload_comparison_ignores_order_and_signature_but_not_extra_members() {
        let attr = json!({"signature": {}, "metadata": {"a": 1}, "value": "x"});
        let attr = attr.as_object().unwrap();
        let same = json!({"value": "x", "metadata": {"a": 1.0}});
        assert!(matches_signed_part(same.as_object().unwrap(), attr));
        let extra = json!({"value": "x", "metadata": {"a": 1}, "signature": {}});
        assert!(!matches_signed_part(extra.as_object().unwrap(), attr));
        let missing = json!({"value": "x"});
        assert!(!matches_signed_part(missing.as_object().unwrap(), attr));
        let unsigned = json!({"metadata": {"a": 1}, "value": "x"});
        assert!(matches_signed_part(
            unsigned.as_object().unwrap(),
            unsigned.as_object().unwrap()
        ));
    }
}
