//! # cis-crypto — attribute signatures
//!
//! Signing and verifying profile attributes with compact RS256 JWS, byte-compatible with the original Python
//! `cis_crypto` (spec: `docs/contract/signatures.md`), and the trusted key sets that verification uses. Pure: no async, no
//! AWS, no HTTP. Key *sources* that need I/O read files synchronously behind small ports ([`KeySource`],
//! [`SigningKeySource`]); network fetching and caching of the well-known document belong to `cis-common`.
//!
//! | module | owns |
//! |---|---|
//! | [`pyjson`] | payload bytes: Python `json.dumps(separators=(",", ":"))` exactly |
//! | [`jws`] | compact JWS: strict base64url, [`sign_compact`], [`decode_compact`] |
//! | [`pem`] | the PEM envelope |
//! | [`keys`] | [`PublicKey`], [`SigningKey`], key generation, raw RS256 |
//! | `jwk` | reading RSA JWKs (public and private) |
//! | [`keyset`] | [`KeySet`] (publisher → keys), well-known parsing, the [`KeySource`] port and adapters |
//! | [`signing_source`] | [`SigningKeySource`]: private keys by publisher name, cached per name |
//! | [`attribute`] | [`sign_attribute`], [`verify_attribute`] (docs/contract/signatures.md §4 steps 1–7) |
//! | [`profile`] | [`sign_profile`], [`verify_profile`], [`verify_attributes`], [`verify_profile_all`] (step 8) |
//! | [`error`] | [`SignError`], [`VerifyError`], [`ProfileVerifyError`] with the contract's reasons |
//!
//! Keys, tokens and profiles are never logged.

pub mod attribute;
pub mod error;
mod jwk;
pub mod jws;
pub mod keys;
pub mod keyset;
pub mod pem;
pub mod profile;
pub mod pyjson;
pub mod signing_source;

pub use attribute::{attribute_token, sign_attribute, verify_attribute};
pub use error::{ProfileVerifyError, SignError, VerifyError};
pub use jws::{CompactJws, JwsError, decode_compact, sign_compact};
pub use keys::{KeyError, PublicKey, SigningKey, generate_keypair};
pub use keyset::{
    FileKeySource, KeySet, KeySource, MemoryKeySource, WellKnownFileSource, public_keys_from_text,
};
pub use profile::{
    sign_profile, signed_attribute_count, verify_attributes, verify_profile, verify_profile_all,
};
pub use signing_source::{DirSigningKeySource, MemorySigningKeySource, SigningKeySource};
