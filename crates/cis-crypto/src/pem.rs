//! PEM armour: finding a `-----BEGIN <label>-----` block and decoding its base64 body, and writing one.
//!
//! Owns only the text envelope (RFC 7468). It knows nothing about what the DER inside means; `keys.rs` decides
//! which labels it accepts. Encrypted PEM (`Proc-Type` headers) is not supported and fails to decode.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// One decoded PEM block.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
}

impl std::fmt::Debug for PemBlock {
    // The DER may be a private key: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PemBlock({}, {} bytes)", self.label, self.der.len())
    }
}

/// Why a text is not PEM.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    #[error("no PEM block (-----BEGIN ...-----) found")]
    NoBlock,
    #[error("PEM block `{0}` has no matching END line")]
    Unterminated(String),
    #[error("PEM block `{0}` is not valid base64")]
    Base64(String),
}

/// Decodes the first PEM block of `text`.
pub fn decode(text: &str) -> Result<PemBlock, PemError> {
    let begin = text.find("-----BEGIN ").ok_or(PemError::NoBlock)?;
    let after_begin = &text[begin + "-----BEGIN ".len()..];
    let label_end = after_begin.find("-----").ok_or(PemError::NoBlock)?;
    let label = after_begin[..label_end].to_string();
    let body_and_rest = &after_begin[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let body_end = body_and_rest
        .find(&end_marker)
        .ok_or_else(|| PemError::Unterminated(label.clone()))?;
    let body: String = body_and_rest[..body_end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD
        .decode(body.as_bytes())
        .map_err(|_| PemError::Base64(label.clone()))?;
    Ok(PemBlock { label, der })
}

/// Writes `der` as a PEM block with 64-character lines and a final newline.
pub fn encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in body.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_round_trips_through_encode_and_decode() {
        let der: Vec<u8> = (0..=255).collect();
        let text = encode("PUBLIC KEY", &der);
        assert!(text.lines().all(|l| l.len() <= 64));
        let block = decode(&format!("junk before\n{text}junk after")).unwrap();
        assert_eq!(
            block,
            PemBlock {
                label: "PUBLIC KEY".into(),
                der
            }
        );
    }

    #[test]
    fn broken_blocks_are_rejected() {
        assert_eq!(decode("hello"), Err(PemError::NoBlock));
        assert!(matches!(
            decode("-----BEGIN X-----\nAAAA\n"),
            Err(PemError::Unterminated(_))
        ));
        assert!(matches!(
            decode("-----BEGIN X-----\n@@@@\n-----END X-----"),
            Err(PemError::Base64(_))
        ));
    }
}
