//! `<data-dir>/serve.json`: what a running (or last) `cis serve` announced — its URLs, token issuer and
//! audiences — so that `cis token` and `cis publish` agree with it without flags. Holds no secret.

use anyhow::Context;
use cis_common::auth::DevIssuer;
use cis_crypto::SigningKey;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The development issuer's identity: fixed, so tokens do not depend on the listen address.
pub const DEV_AUTH0_DOMAIN: &str = "cis-dev.localhost";

/// What `cis serve` writes at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServeSession {
    pub change_url: String,
    pub person_url: String,
    pub auth_url: String,
    pub issuer: String,
    pub change_audience: String,
    pub person_audience: String,
    pub pid: u32,
}

impl ServeSession {
    pub fn path(data_dir: &Path) -> std::path::PathBuf {
        data_dir.join("serve.json")
    }

    pub fn write(&self, data_dir: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self).context("encoding serve.json")?;
        std::fs::write(Self::path(data_dir), text).context("writing serve.json")
    }

    pub fn read(data_dir: &Path) -> anyhow::Result<ServeSession> {
        let path = Self::path(data_dir);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{} not found — start `cis serve --data-dir {}` first",
                path.display(),
                data_dir.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("{} is damaged", path.display()))
    }

    pub fn audiences(&self) -> Vec<String> {
        let mut a = vec![self.change_audience.clone()];
        if self.person_audience != self.change_audience {
            a.push(self.person_audience.clone());
        }
        a
    }
}

/// The development token issuer for a data directory's issuer key. The `kid` is derived from the key, so
/// `cis token` and `cis serve` agree on it across restarts.
pub fn dev_issuer(key: SigningKey, issuer: &str, audience: &str) -> DevIssuer {
    let kid = format!("cis-dev-{:016x}", fnv1a(key.public_key().spki_der()));
    DevIssuer::new(key, &kid, issuer, audience)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
