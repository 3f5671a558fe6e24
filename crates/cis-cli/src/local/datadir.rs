//! The data directory of `cis serve`, `cis token` and `cis publish`: the SQLite vault file and the
//! development material made on first run — one RSA key per publisher (the `cis` key signs uuid,
//! primary_username, last_modified, active), the token issuer's key, the uuid salt and the dev OAuth
//! clients. Files holding secrets are written with mode 0600 and never printed.
//!
//! ```text
//! <dir>/vault.sqlite3                 profiles, status records, outbox
//! <dir>/keys/<publisher>.priv.pem     development signing keys (ldap, mozilliansorg, hris, cis, access_provider)
//! <dir>/keys/<publisher>.pub.pem
//! <dir>/keys/issuer.priv.pem          development token issuer
//! <dir>/uuid_salt                     development uuid salt
//! <dir>/clients.json                  development OAuth clients: id, secret, allowed scopes
//! ```

use crate::local::webhooks::NOTIFIER_CLIENT;
use anyhow::{Context, bail};
use cis_crypto::SigningKey;
use cis_profile::Publisher;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every scope a development client can be given (docs/contract/well-known.md §1 plus `search:all`).
pub const ALL_SCOPES: &[&str] = cis_common::well_known::SCOPES_SUPPORTED;

/// A development OAuth client of the dev authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevClient {
    pub client_id: String,
    pub client_secret: String,
    /// Scopes this client may ask for (all of them when it asks for none).
    pub scopes: Vec<String>,
    /// Publishers this client may publish as (docs/security.md). Absent in files written before
    /// bindings existed: then the `publisher` client may publish as every publisher, the others as none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishers: Option<Vec<String>>,
}

impl DevClient {
    /// The publishers this client may publish as.
    pub fn bound_publishers(&self) -> Vec<String> {
        match &self.publishers {
            Some(list) => list.clone(),
            None if self.client_id == "publisher" => PUBLISHERS.map(String::from).to_vec(),
            None => Vec::new(),
        }
    }
}

/// The publishers a client can be bound to (everyone but `cis`).
const PUBLISHERS: [&str; 4] = ["ldap", "hris", "mozilliansorg", "access_provider"];

/// The data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// Everything `cis serve` needs from the data directory.
#[derive(Debug)]
pub struct DevMaterial {
    pub publisher_keys: BTreeMap<Publisher, Arc<SigningKey>>,
    pub issuer_key: SigningKey,
    pub uuid_salt: String,
    pub clients: Vec<DevClient>,
}

impl DataDir {
    /// `path`, or `$CIS_DATA_DIR`, or `~/.local/share/cis`.
    pub fn resolve(path: Option<&Path>) -> DataDir {
        let root = match path {
            Some(p) => p.to_path_buf(),
            None => match std::env::var_os("CIS_DATA_DIR").filter(|v| !v.is_empty()) {
                Some(v) => PathBuf::from(v),
                None => home().join(".local/share/cis"),
            },
        };
        DataDir { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }
    pub fn private_key_path(&self, name: &str) -> PathBuf {
        self.keys_dir().join(format!("{name}.priv.pem"))
    }

    /// Creates the directory and the development material that is missing; loads the rest.
    pub fn ensure(&self) -> anyhow::Result<DevMaterial> {
        std::fs::create_dir_all(self.keys_dir())
            .with_context(|| format!("cannot create {}", self.keys_dir().display()))?;
        restrict(&self.root, 0o700)?;
        let mut publisher_keys = BTreeMap::new();
        for publisher in Publisher::ALL {
            publisher_keys.insert(publisher, Arc::new(self.ensure_key(publisher.as_str())?));
        }
        let issuer_key = self.ensure_key("issuer")?;
        let uuid_salt = self.ensure_secret_file("uuid_salt", || random_hex(16))?;
        let clients = self.ensure_clients()?;
        Ok(DevMaterial {
            publisher_keys,
            issuer_key,
            uuid_salt,
            clients,
        })
    }

    /// Loads what `ensure` made, failing with a hint when `cis serve` never ran here.
    pub fn load(&self) -> anyhow::Result<DevMaterial> {
        if !self.private_key_path("issuer").exists() {
            bail!(
                "no development keys in {} — run `cis serve --data-dir {}` once first",
                self.root.display(),
                self.root.display()
            );
        }
        self.ensure()
    }

    /// The development token issuer's key (read afresh: one per issuer built from it).
    pub fn issuer_key(&self) -> anyhow::Result<SigningKey> {
        read_key(&self.private_key_path("issuer"))
    }

    /// The signing key of one publisher.
    pub fn publisher_key(&self, publisher: Publisher) -> anyhow::Result<SigningKey> {
        read_key(&self.private_key_path(publisher.as_str()))
    }

    fn ensure_key(&self, name: &str) -> anyhow::Result<SigningKey> {
        let path = self.private_key_path(name);
        if path.exists() {
            return read_key(&path);
        }
        let key = cis_crypto::generate_keypair(2048).context("generating a development key")?;
        // PKCS#1 (`BEGIN RSA PRIVATE KEY`): what every RSA library reads, cis_client-rust's included.
        let pem = key.to_pkcs1_pem().context("encoding a development key")?;
        write_secret(&path, pem.as_bytes())?;
        let public = self.keys_dir().join(format!("{name}.pub.pem"));
        std::fs::write(&public, key.public_key().to_spki_pem())
            .with_context(|| format!("cannot write {}", public.display()))?;
        Ok(key)
    }

    fn ensure_secret_file(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> anyhow::Result<String> {
        let path = self.root.join(name);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let text = text.trim().to_string();
            if !text.is_empty() {
                return Ok(text);
            }
        }
        let value = make();
        write_secret(&path, value.as_bytes())?;
        Ok(value)
    }

    fn ensure_clients(&self) -> anyhow::Result<Vec<DevClient>> {
        let path = self.root.join("clients.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let mut clients: Vec<DevClient> = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a list of clients", path.display()))?;
            // Data directories made before the webhook notifier had its client get it added.
            if !clients.iter().any(|c| c.client_id == NOTIFIER_CLIENT) {
                clients.push(notifier_client());
                let text = serde_json::to_string_pretty(&clients).context("encoding clients")?;
                write_secret(&path, text.as_bytes())?;
            }
            return Ok(clients);
        }
        let strings = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let client = |id: &str, scopes: &[&str], publishers: &[&str]| DevClient {
            client_id: id.into(),
            client_secret: random_hex(16),
            scopes: strings(scopes),
            publishers: Some(strings(publishers)),
        };
        let mut clients = vec![
            // Publishes as any publisher: the convenience client of local development.
            client("publisher", &["write"], &PUBLISHERS),
            client(
                "relying-party",
                &[
                    "classification:public",
                    "display:public",
                    "display:authenticated",
                ],
                &[],
            ),
            client("admin", ALL_SCOPES, &[]),
        ];
        // One client per publisher, bound to it alone, as each publisher has in a deployment.
        for publisher in PUBLISHERS {
            let id = format!("{}-publisher", publisher.replace('_', "-"));
            clients.push(client(&id, &["write"], &[publisher]));
        }
        clients.push(notifier_client());
        let text = serde_json::to_string_pretty(&clients).context("encoding clients")?;
        write_secret(&path, text.as_bytes())?;
        Ok(clients)
    }
}

/// The client the webhook notifier gets its tokens with (no scope: receivers check audience and issuer).
fn notifier_client() -> DevClient {
    DevClient {
        client_id: NOTIFIER_CLIENT.into(),
        client_secret: random_hex(16),
        scopes: Vec::new(),
        publishers: Some(Vec::new()),
    }
}

fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    SigningKey::parse(&text)
        .with_context(|| format!("{} is not an RSA private key", path.display()))
}

/// Writes a file only its owner may read (mode 0600).
pub fn write_secret(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    restrict(path, 0o600)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set permissions of {}", path.display()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}
