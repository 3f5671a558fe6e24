//! RSA keys: [`PublicKey`] (verification) and [`SigningKey`] (signing), their text forms, and key generation.
//!
//! Owns parsing keys from PEM (SubjectPublicKeyInfo, PKCS#1, PKCS#8) and JWK (via `jwk.rs`), the 2048-bit
//! minimum, writing keys out (PKCS#8 and SPKI PEM, the well-known JWK form) and the raw RS256 operations
//! (aws-lc-rs, PKCS#1 v1.5 with SHA-256 only). It does no file I/O (see `keyset.rs`, `signing_source.rs`) and
//! never prints key material: `Debug` shows the size only.

use crate::error::SignError;
use crate::{jwk, pem};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
    RsaPublicKeyComponents, RsaSubjectPublicKey,
};
use base64::Engine as _;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus aws-lc-rs verifies, in bits.
pub const MAX_RSA_BITS: usize = 8192;

/// Why a key (or a key set) could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Pem(#[from] pem::PemError),
    #[error("PEM block `{0}` is not a supported RSA key")]
    PemLabel(String),
    #[error("JWK: {0}")]
    Jwk(String),
    #[error("RSA modulus of {0} bits is below the {MIN_RSA_BITS}-bit minimum")]
    TooSmall(usize),
    #[error("RSA modulus of {0} bits is above the {MAX_RSA_BITS}-bit maximum")]
    TooLarge(usize),
    #[error("key rejected: {0}")]
    Rejected(&'static str),
    #[error("neither a PEM key nor a JWK")]
    NotAKey,
    #[error("unsupported RSA key size {0} (use 2048, 3072, 4096 or 8192)")]
    KeySize(u32),
    #[error("key generation failed")]
    Generate,
    #[error("well-known document: {0}")]
    WellKnown(String),
    #[error("no usable key in the key set")]
    NoUsableKey,
    #[error("no signing key for publisher {publisher} in {location}")]
    NoSigningKey { publisher: String, location: String },
    #[error("{}: {source}", path.display())]
    InFile {
        path: PathBuf,
        source: Box<KeyError>,
    },
}

pub(crate) fn bit_length(n: &[u8]) -> usize {
    match n.iter().position(|b| *b != 0) {
        Some(i) => (n.len() - i - 1) * 8 + (8 - n[i].leading_zeros() as usize),
        None => 0,
    }
}

pub(crate) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

struct PublicInner {
    parsed: ParsedPublicKey,
    n: Vec<u8>,
    e: Vec<u8>,
}

/// An RSA public key (2048–8192 bits) that verifies RS256 signatures. Cheap to clone.
#[derive(Clone)]
pub struct PublicKey(Arc<PublicInner>);

impl PublicKey {
    /// From the big-endian modulus and exponent; leading zero bytes are tolerated (and dropped).
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<PublicKey, KeyError> {
        let (n, e) = (strip_zeros(n), strip_zeros(e));
        match bit_length(n) {
            bits if bits < MIN_RSA_BITS => return Err(KeyError::TooSmall(bits)),
            bits if bits > MAX_RSA_BITS => return Err(KeyError::TooLarge(bits)),
            _ => {}
        }
        let parsed = RsaPublicKeyComponents { n, e }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|r| KeyError::Rejected(r.description_()))?;
        Ok(PublicKey(Arc::new(PublicInner {
            parsed,
            n: n.to_vec(),
            e: e.to_vec(),
        })))
    }

    /// From DER: SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let key =
            RsaSubjectPublicKey::from_der(der).map_err(|r| KeyError::Rejected(r.description_()))?;
        PublicKey::from_components(
            key.modulus().big_endian_without_leading_zero(),
            key.exponent().big_endian_without_leading_zero(),
        )
    }

    /// From PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or `BEGIN RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let block = pem::decode(text)?;
        match block.label.as_str() {
            "PUBLIC KEY" | "RSA PUBLIC KEY" => PublicKey::from_der(&block.der),
            other => Err(KeyError::PemLabel(other.to_string())),
        }
    }

    /// From a JWK object: `kty` must be `RSA`; `n` and `e` are used, everything else is ignored.
    pub fn from_jwk(jwk: &Value) -> Result<PublicKey, KeyError> {
        let (n, e) = jwk::public_components(jwk)?;
        PublicKey::from_components(&n, &e)
    }

    /// From text: a JWK (JSON object) or a PEM public key.
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        match jwk::parse_object(text)? {
            Some(value) => PublicKey::from_jwk(&value),
            None => PublicKey::from_pem(text),
        }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        bit_length(&self.0.n)
    }
    /// The modulus, big-endian without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.0.n
    }
    /// The public exponent, big-endian without leading zeros.
    pub fn exponent(&self) -> &[u8] {
        &self.0.e
    }
    /// The SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> &[u8] {
        self.0.parsed.as_ref()
    }
    /// `-----BEGIN PUBLIC KEY-----` PEM.
    pub fn to_spki_pem(&self) -> String {
        pem::encode("PUBLIC KEY", self.spki_der())
    }

    /// The well-known JWK form (docs/contract/well-known.md §1, §5): `alg`, `e`, `kid`, `kty`, `n`, `use`, `x5c`.
    pub fn to_jwk(&self, kid: &str) -> Value {
        json!({
            "alg": "RS256",
            "e": crate::jws::b64url_encode(self.exponent()),
            "kid": kid,
            "kty": "RSA",
            "n": crate::jws::b64url_encode(self.modulus()),
            "use": "sig",
            "x5c": [base64::engine::general_purpose::STANDARD.encode(self.spki_der())],
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 only: a signature whose DigestInfo names another hash fails.
    pub fn verify_rs256(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.0.parsed.verify_sig(msg, sig).is_ok()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.0.n == other.0.n && self.0.e == other.0.e
    }
}
impl Eq for PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.bits())
    }
}

/// An RSA private key that makes RS256 signatures.
pub struct SigningKey {
    pair: RsaKeyPair,
    public: PublicKey,
}

impl SigningKey {
    fn new(pair: RsaKeyPair) -> Result<SigningKey, KeyError> {
        let public = pair.public_key();
        let public = PublicKey::from_components(
            public.modulus().big_endian_without_leading_zero(),
            public.exponent().big_endian_without_leading_zero(),
        )?;
        Ok(SigningKey { pair, public })
    }

    /// From PEM: `BEGIN RSA PRIVATE KEY` (PKCS#1) or `BEGIN PRIVATE KEY` (PKCS#8).
    pub fn from_pem(text: &str) -> Result<SigningKey, KeyError> {
        let block = pem::decode(text)?;
        let pair = match block.label.as_str() {
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&block.der),
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&block.der),
            other => return Err(KeyError::PemLabel(other.to_string())),
        };
        SigningKey::new(pair.map_err(|r| KeyError::Rejected(r.description_()))?)
    }

    /// From a private JWK (`kty` RSA with `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`).
    pub fn from_jwk(jwk: &Value) -> Result<SigningKey, KeyError> {
        let pair = jwk::private_key_pair(jwk)?;
        SigningKey::new(pair)
    }

    /// From text: a private JWK (tried first), else PEM PKCS#1 or PKCS#8 (docs/contract/signatures.md §7).
    pub fn parse(text: &str) -> Result<SigningKey, KeyError> {
        match jwk::parse_object(text)? {
            Some(value) => SigningKey::from_jwk(&value),
            None => SigningKey::from_pem(text),
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `msg` (deterministic).
    pub fn sign_rs256(&self, msg: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, msg, &mut signature)
            .map_err(|_| SignError::Rsa)?;
        Ok(signature)
    }

    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8) PEM.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        let der = self.pair.as_der().map_err(|_| KeyError::Generate)?;
        Ok(pem::encode("PRIVATE KEY", der.as_ref()))
    }

    /// `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) PEM: the form every RSA library reads, including the
    /// ones that take no PKCS#8 (the Rust `cis_profile` crate behind cis_client-rust).
    pub fn to_pkcs1_pem(&self) -> Result<String, KeyError> {
        let der = self.pair.as_der().map_err(|_| KeyError::Generate)?;
        let pkcs1 = pkcs1_of_pkcs8(der.as_ref()).ok_or(KeyError::Generate)?;
        Ok(pem::encode("RSA PRIVATE KEY", pkcs1))
    }
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo`: `SEQUENCE { INTEGER version, SEQUENCE
/// algorithm, OCTET STRING privateKey, ... }` — the octet string's content.
fn pkcs1_of_pkcs8(der: &[u8]) -> Option<&[u8]> {
    let (tag, info, _) = der_element(der)?;
    if tag != 0x30 {
        return None;
    }
    let (version, _, rest) = der_element(info)?;
    let (algorithm, _, rest) = der_element(rest)?;
    let (octets, key, _) = der_element(rest)?;
    (version == 0x02 && algorithm == 0x30 && octets == 0x04).then_some(key)
}

/// One DER element of `der`: its tag, its content and what follows it.
fn der_element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(RSA-{})", self.public.bits())
    }
}

/// Generates a new RSA key pair of `bits` (2048, 3072, 4096 or 8192). The public half is
/// [`SigningKey::public_key`]; write them with [`SigningKey::to_pkcs8_pem`] and [`PublicKey::to_spki_pem`].
pub fn generate_keypair(bits: u32) -> Result<SigningKey, KeyError> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        8192 => KeySize::Rsa8192,
        other => return Err(KeyError::KeySize(other)),
    };
    SigningKey::new(RsaKeyPair::generate(size).map_err(|_| KeyError::Generate)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkcs1_key_of_a_fixture_pkcs8_key_is_the_fixture_pkcs1_key() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/");
        let pkcs1 = std::fs::read_to_string(format!("{dir}fake-publisher-key_0.priv.pem")).unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let key = SigningKey::parse(&pkcs1).unwrap();
        let pkcs8 = key.to_pkcs8_pem().unwrap();
        let back = SigningKey::parse(&pkcs8).unwrap().to_pkcs1_pem().unwrap();
        assert_eq!(
            pem::decode(&back).unwrap().der,
            pem::decode(&pkcs1).unwrap().der
        );
        assert_eq!(pkcs1_of_pkcs8(b"\x30\x03\x02\x01"), None);
    }

    #[test]
    fn bit_length_ignores_leading_zero_bytes() {
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01, 0xff]), 9);
        assert_eq!(bit_length(&[0, 0]), 0);
    }

    #[test]
    fn a_generated_key_signs_what_its_public_half_verifies() {
        let key = generate_keypair(2048).unwrap();
        assert_eq!(key.public_key().bits(), 2048);
        let sig = key.sign_rs256(b"message").unwrap();
        assert!(key.public_key().verify_rs256(b"message", &sig));
        assert!(!key.public_key().verify_rs256(b"messagf", &sig));
        let again = SigningKey::parse(&key.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let pkcs1 = key.to_pkcs1_pem().unwrap();
        assert!(
            pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
            "{pkcs1}"
        );
        assert_eq!(
            SigningKey::parse(&pkcs1).unwrap().public_key(),
            key.public_key()
        );
        let public = PublicKey::parse(&key.public_key().to_spki_pem()).unwrap();
        assert_eq!(&public, key.public_key());
        assert!(format!("{key:?}").contains("2048"));
        assert!(matches!(
            generate_keypair(1024),
            Err(KeyError::KeySize(1024))
        ));
    }
}
