//! Compact JWS (RS256 only): strict base64url, splitting and decoding tokens, and making them (docs/contract/signatures.md §2,
//! §3).
//!
//! Owns the token envelope, generic enough for a bearer-token validator to reuse: [`sign_compact`] and
//! [`decode_compact`]. It does not know about attributes, publishers or key sets, and it never checks
//! signatures itself (that is [`PublicKey::verify_rs256`](crate::PublicKey::verify_rs256) over
//! [`CompactJws::signing_input`]). Tokens are never logged.

use crate::error::SignError;
use crate::keys::SigningKey;
use crate::pyjson;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// The only header CIS writes on attribute signatures: `{"alg":"RS256","typ":"JWT"}`, base64url.
pub const ATTRIBUTE_HEADER_B64: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9";

/// Why a token is not an acceptable compact JWS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// Not exactly three non-empty base64url segments (whitespace, `+`/`/`, wrong padding, a fourth segment ...).
    #[error("malformed token")]
    Malformed,
    /// The header segment is not a JSON object.
    #[error("token header is not a JSON object")]
    Header,
    /// The header's `alg` is missing or not `RS256`.
    #[error("algorithm must be RS256")]
    Algorithm,
}

/// A decoded compact JWS whose header is a JSON object with `"alg":"RS256"`. Its signature is not checked.
#[derive(Clone, PartialEq)]
pub struct CompactJws {
    pub header: Map<String, Value>,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
    signing_input_len: usize,
    token: String,
}

impl CompactJws {
    /// The token's original first two segments and the dot between them: what the signature covers.
    pub fn signing_input(&self) -> &str {
        &self.token[..self.signing_input_len]
    }
}

impl std::fmt::Debug for CompactJws {
    // A token may be a bearer credential: show its shape only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompactJws")
            .field("header", &self.header)
            .field("payload_len", &self.payload.len())
            .field("signature_len", &self.signature.len())
            .finish()
    }
}

/// Encodes bytes as base64url without padding.
pub fn b64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes one base64url segment strictly: the URL-safe alphabet only, canonical trailing bits, and `=` padding
/// only when it is exactly the padding that completes the last quantum.
pub fn b64url_decode(segment: &str) -> Option<Vec<u8>> {
    let unpadded = segment.trim_end_matches('=');
    let padding = segment.len() - unpadded.len();
    if padding > 0 && (padding > 2 || !segment.len().is_multiple_of(4)) {
        return None;
    }
    URL_SAFE_NO_PAD.decode(unpadded).ok()
}

/// Signs `payload` under `header` (serialised like Python's compact `json.dumps`) with RS256 and returns the
/// compact token `B64(header).B64(payload).B64(signature)`.
pub fn sign_compact(header: &Value, payload: &[u8], key: &SigningKey) -> Result<String, SignError> {
    sign_with_header_b64(&b64url_encode(&pyjson::to_vec(header)), payload, key)
}

/// [`sign_compact`] with an already encoded header segment.
pub(crate) fn sign_with_header_b64(
    header_b64: &str,
    payload: &[u8],
    key: &SigningKey,
) -> Result<String, SignError> {
    let payload_len = base64::encoded_len(payload.len(), false).unwrap_or(0);
    let mut token =
        String::with_capacity(header_b64.len() + payload_len + key.public_key().bits() / 6 + 8);
    token.push_str(header_b64);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let signature = key.sign_rs256(token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
    Ok(token)
}

/// Splits and decodes a compact JWS (docs/contract/signatures.md §3, §4 steps 3–4): exactly three non-empty base64url
/// segments, a header that is a JSON object (members in any order, extra members ignored) with
/// `"alg":"RS256"`. The payload is returned as bytes, unparsed.
pub fn decode_compact(token: &str) -> Result<CompactJws, JwsError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    if h.is_empty() || p.is_empty() || s.is_empty() {
        return Err(JwsError::Malformed);
    }
    let payload = b64url_decode(p).ok_or(JwsError::Malformed)?;
    let signature = b64url_decode(s).ok_or(JwsError::Malformed)?;
    let header = if h == ATTRIBUTE_HEADER_B64 {
        // The header every CIS and Python attribute signature carries: skip decoding and parsing it.
        let mut map = Map::with_capacity(2);
        map.insert("alg".into(), Value::from("RS256"));
        map.insert("typ".into(), Value::from("JWT"));
        map
    } else {
        let header = b64url_decode(h).ok_or(JwsError::Malformed)?;
        match cis_profile::json::parse_strict(&header) {
            Ok(Value::Object(map)) => map,
            _ => return Err(JwsError::Header),
        }
    };
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(JwsError::Algorithm);
    }
    Ok(CompactJws {
        header,
        payload,
        signature,
        signing_input_len: h.len() + 1 + p.len(),
        token: token.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_attribute_header_constant_is_the_encoded_header() {
        let header = json!({"alg": "RS256", "typ": "JWT"});
        assert_eq!(
            b64url_encode(&pyjson::to_vec(&header)),
            ATTRIBUTE_HEADER_B64
        );
    }

    #[test]
    fn base64url_accepts_only_canonical_padding() {
        assert_eq!(b64url_decode("YQ").unwrap(), b"a");
        assert_eq!(b64url_decode("YQ==").unwrap(), b"a");
        assert_eq!(b64url_decode("YWI=").unwrap(), b"ab");
        assert!(b64url_decode("YQ=").is_none());
        assert!(b64url_decode("YWI==").is_none());
        assert!(b64url_decode("YWJj=").is_none());
        assert!(b64url_decode("Y Q").is_none());
        assert!(b64url_decode("+/8").is_none());
        assert_eq!(b64url_decode("-_8").unwrap(), [0xfb, 0xff]);
        assert!(b64url_decode("YR").is_none(), "non-canonical trailing bits");
    }

    #[test]
    fn tokens_need_exactly_three_segments_and_an_rs256_object_header() {
        let h = b64url_encode(br#"{"typ":"JWT","kid":"x","alg":"RS256"}"#);
        let ok = format!("{h}.e30.c2ln");
        let jws = decode_compact(&ok).unwrap();
        assert_eq!(jws.signing_input(), format!("{h}.e30"));
        assert_eq!(jws.payload, b"{}");
        assert_eq!(jws.signature, b"sig");
        for bad in [
            format!("{ok}.x"),
            format!("{h}.e30"),
            format!("{ok}\n"),
            format!(" {ok}"),
            format!("{h}..c2ln"),
        ] {
            assert_eq!(decode_compact(&bad), Err(JwsError::Malformed), "{bad:?}");
        }
        let array = b64url_encode(b"[1]");
        assert_eq!(
            decode_compact(&format!("{array}.e30.c2ln")),
            Err(JwsError::Header)
        );
        for alg in [
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"none"}"#,
            r#"{"typ":"JWT"}"#,
            r#"{"alg":"rs256"}"#,
        ] {
            let h = b64url_encode(alg.as_bytes());
            assert_eq!(
                decode_compact(&format!("{h}.e30.c2ln")),
                Err(JwsError::Algorithm),
                "{alg}"
            );
        }
    }
}
