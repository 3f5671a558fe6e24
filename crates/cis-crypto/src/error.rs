//! The signing and verification errors, with the exact reasons of docs/contract/signatures.md §4.
//!
//! Owns only the error types; the steps that produce them live in `attribute.rs` and `profile.rs`. The
//! `Display` texts are part of the contract: the Change API sends them as the description of a 403
//! `invalid_signature`. They never contain a token or a key.

use cis_profile::AttrPath;

/// Why an attribute (or a payload) could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The attribute's payload is null: null means "no change" and is never signed.
    #[error("value is null")]
    NullValue,
    /// A named attribute is null (profile signing with an explicit list).
    #[error("{0}: value is null")]
    NullAttribute(AttrPath),
    /// A named attribute is not in the profile (an `identities` member the document leaves out).
    #[error("{0}: attribute not present in the profile")]
    MissingAttribute(AttrPath),
    /// The RSA operation failed (should not happen with a key that loaded).
    #[error("RSA signing failed")]
    Rsa,
    /// This process holds no key to sign with (the Change API in stream mode never signs).
    #[error("no signing key is loaded in this process")]
    NoKey,
}

/// Why an attribute's signature is not accepted (docs/contract/signatures.md §4, steps 1–7, in that order).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Step 1: the payload is null.
    #[error("value is null")]
    NullValue,
    /// Step 2: `signature.publisher.value` is empty.
    #[error("not signed")]
    Unsigned,
    /// Step 3: not three strict base64url segments.
    #[error("malformed token")]
    Malformed,
    /// Step 4: the header is not a JSON object with `"alg":"RS256"`.
    #[error("algorithm must be RS256")]
    Algorithm,
    /// Step 5: no trusted key for the publisher named in the attribute.
    #[error("no trusted key for publisher {0}")]
    UnknownPublisher(String),
    /// Step 6: no key of the publisher verifies the signature.
    #[error("signature does not verify with any key of publisher {0}")]
    BadSignature(String),
    /// Step 7: the payload segment is not a UTF-8 JSON object (or has duplicate members).
    #[error("payload is not a JSON object")]
    MalformedPayload,
    /// Step 7: the signed payload differs from the attribute minus `signature`.
    #[error("signed payload does not match the attribute")]
    PayloadMismatch,
}

impl VerifyError {
    /// True when fresher keys could change the outcome (unknown publisher or no key verifies): the trigger
    /// for the one well-known refetch of docs/contract/signatures.md §5.
    pub fn is_key_miss(&self) -> bool {
        matches!(
            self,
            VerifyError::UnknownPublisher(_) | VerifyError::BadSignature(_)
        )
    }
}

/// A profile-wide verification failure: the attribute and why (`Display`: `<dotted path>: <reason>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {error}")]
pub struct ProfileVerifyError {
    pub path: AttrPath,
    pub error: VerifyError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_exactly_as_the_contract_says() {
        let cases = [
            (VerifyError::NullValue, "value is null"),
            (VerifyError::Unsigned, "not signed"),
            (VerifyError::Malformed, "malformed token"),
            (VerifyError::Algorithm, "algorithm must be RS256"),
            (
                VerifyError::UnknownPublisher("cis".into()),
                "no trusted key for publisher cis",
            ),
            (
                VerifyError::BadSignature("ldap".into()),
                "signature does not verify with any key of publisher ldap",
            ),
            (
                VerifyError::MalformedPayload,
                "payload is not a JSON object",
            ),
            (
                VerifyError::PayloadMismatch,
                "signed payload does not match the attribute",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
        let path = AttrPath::parse("staff_information.title").unwrap();
        let e = ProfileVerifyError {
            path,
            error: VerifyError::Unsigned,
        };
        assert_eq!(e.to_string(), "staff_information.title: not signed");
    }
}
