//! Standard Webhooks signatures (docs/webhooks.md §4): `webhook-id`, `webhook-timestamp` and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the secret of a
//! `whsec_<base64>` string. A receiver using the standardwebhooks library verifies them unchanged.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::fmt;

/// A subscription's signing secret. Its bytes never appear in `Debug` output or logs.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// `whsec_` followed by the base64 of at least 24 bytes (the library's secrets are 24 to 64).
    pub fn parse(text: &str) -> Result<WebhookSecret, String> {
        let encoded = text
            .strip_prefix("whsec_")
            .ok_or_else(|| "expected whsec_<base64>".to_string())?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "the part after whsec_ is not base64".to_string())?;
        if bytes.len() < 24 {
            return Err(format!("{} bytes; at least 24", bytes.len()));
        }
        Ok(WebhookSecret(bytes))
    }

    /// `v1,<signature>` of `id.timestamp.body`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let tag = hmac::sign(&key, format!("{id}.{timestamp}.{body}").as_bytes());
        format!("v1,{}", STANDARD.encode(tag.as_ref()))
    }

    /// The three headers of a signed request.
    pub fn headers(&self, id: &str, timestamp: i64, body: &str) -> [(String, String); 3] {
        [
            ("webhook-id".into(), id.to_string()),
            ("webhook-timestamp".into(), timestamp.to_string()),
            ("webhook-signature".into(), self.sign(id, timestamp, body)),
        ]
    }
}
