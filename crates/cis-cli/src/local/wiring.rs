//! Wiring of `cis serve`: the same routers, pipeline and processor the Lambda functions use (built by
//! `cis-runtime` from [`Backends`]), on the embedded SQLite vault with its outbox as the change stream, and
//! development keys and tokens from the data directory. Builds everything once at start-up and fails fast
//! with a clear message.

use crate::local::datadir::{DataDir, DevClient, DevMaterial};
use crate::local::devauth::{DevAuthorizer, well_known_document};
use crate::local::session::{DEV_AUTH0_DOMAIN, ServeSession, dev_issuer};
use crate::local::webhooks::{self, LocalWebhooks};
use anyhow::Context;
use cis_change::{ClientPublishers, OutboxChangeStream, StaticKeys};
use cis_change_service::ChangeServiceState;
use cis_common::Config;
use cis_crypto::{KeySet, PublicKey};
use cis_identity_vault::Vault;
use cis_identity_vault::outbox::Outbox;
use cis_identity_vault::sqlite::SqliteVault;
use cis_processor::LocalDrainer;
use cis_profile::Publisher;
use cis_runtime::Backends;
use cis_runtime::backends::person_api;
use cis_runtime::keys::publisher_rules;
use cis_runtime::tokens::{Api, LocalIssuer, validator};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// What `cis serve` runs.
pub struct Services {
    pub change: ChangeServiceState,
    pub person: cis_person_api::PersonApiState,
    pub auth: Arc<DevAuthorizer>,
    /// `None` with `--hold-processing`.
    pub drainer: Option<LocalDrainer>,
    /// `None` without subscriptions.
    pub webhooks: Option<LocalWebhooks>,
    pub session: ServeSession,
    pub trusted_from: String,
}

/// Where the three servers listen.
pub struct Urls {
    pub change: String,
    pub person: String,
    pub auth: String,
}

/// Builds every service for `config` on the data directory: the local [`Backends`] (SQLite vault, its
/// outbox as the change stream, development keys), then the same wiring the Lambda functions use.
pub async fn build(
    config: &Config,
    dir: &DataDir,
    material: DevMaterial,
    urls: &Urls,
    well_known_file: Option<&Path>,
    hold_processing: bool,
    notifications: webhooks::Notifications,
) -> anyhow::Result<Services> {
    let sqlite = Arc::new(SqliteVault::open(dir.root()).context("opening the SQLite vault")?);
    let webhooks = webhooks::build(
        config,
        &sqlite,
        notifications,
        &urls.auth,
        &material.clients,
    )
    .await?;
    let vault: Arc<dyn Vault> = sqlite.clone();
    let outbox: Arc<dyn Outbox> = sqlite;

    let (keys, trusted_from) = trusted_keys(&material, well_known_file)?;
    let cis_signer = material
        .publisher_keys
        .get(&Publisher::Cis)
        .cloned()
        .context("the data directory has no cis key")?;
    let uuid_salt = config
        .cis
        .uuid_salt
        .clone()
        .or(Some(material.uuid_salt.clone()));
    let backends = Backends {
        vault: Arc::clone(&vault),
        stream: Arc::new(OutboxChangeStream::new(Arc::clone(&outbox))),
        keys: Arc::new(StaticKeys::new(key_set(&keys))),
        cis_signer,
        rules: publisher_rules(config)?,
        uuid_salt,
        client_publishers: client_publishers(config, &material.clients)?,
    };

    let issuer_name = format!("https://{DEV_AUTH0_DOMAIN}/");
    let change_audience = config.change_service.api_identifier.clone();
    let person_audience = config.person_api.api_identifier.clone();
    let issuer = dev_issuer(dir.issuer_key()?, &issuer_name, &change_audience);
    let local = LocalIssuer {
        issuer: issuer_name.clone(),
        jwks: issuer.jwks(),
    };
    let change = backends.change_service(config, validator(Api::Change, config, Some(&local))?);
    let drainer = (!hold_processing).then(|| LocalDrainer::new(outbox, backends.processor(config)));
    let person_tokens = validator(Api::Person, config, Some(&local))?;
    let person = person_api(config, Arc::clone(&vault), person_tokens);

    let well_known = well_known_document(
        &keys,
        &urls.auth,
        &urls.change,
        &urls.person,
        &change_audience,
    );
    let auth = Arc::new(DevAuthorizer {
        issuer,
        audiences: dedup(
            [change_audience.clone(), person_audience.clone()]
                .into_iter()
                .chain(webhooks.iter().flat_map(|w| w.audiences.clone()))
                .collect(),
        ),
        clients: material.clients.clone(),
        well_known,
        base_url: urls.auth.clone(),
    });
    let session = ServeSession {
        change_url: urls.change.clone(),
        person_url: urls.person.clone(),
        auth_url: urls.auth.clone(),
        issuer: issuer_name,
        change_audience,
        person_audience,
        pid: std::process::id(),
    };
    Ok(Services {
        change,
        person,
        auth,
        drainer,
        webhooks,
        session,
        trusted_from,
    })
}

/// `[cis] client_publishers` when set, else the publishers each development client carries in
/// `clients.json` (docs/security.md).
fn client_publishers(config: &Config, clients: &[DevClient]) -> anyhow::Result<ClientPublishers> {
    if config.cis.client_publishers.is_some() {
        return Ok(cis_runtime::backends::client_publishers(config)?);
    }
    let map: BTreeMap<&str, Vec<String>> = clients
        .iter()
        .map(|c| (c.client_id.as_str(), c.bound_publishers()))
        .collect();
    let json = serde_json::to_string(&map).context("encoding the client bindings")?;
    ClientPublishers::from_json(&json).map_err(|e| anyhow::anyhow!("clients.json: {e}"))
}

/// Publisher name → trusted keys: the development keys, with the publishers a `--well-known` document
/// lists taking that document's keys instead (so a publisher holding its own key can be trusted).
fn trusted_keys(
    material: &DevMaterial,
    well_known_file: Option<&Path>,
) -> anyhow::Result<(BTreeMap<String, Vec<PublicKey>>, String)> {
    let mut keys: BTreeMap<String, Vec<PublicKey>> = material
        .publisher_keys
        .iter()
        .map(|(p, k)| (p.as_str().to_string(), vec![k.public_key().clone()]))
        .collect();
    let Some(path) = well_known_file else {
        return Ok((keys, "development keys of the data directory".to_string()));
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let from_file = KeySet::from_well_known(&doc)
        .with_context(|| format!("{} has no usable api.publishers_jwks", path.display()))?;
    let mut replaced = Vec::new();
    for publisher in Publisher::ALL {
        let listed = from_file.keys_for(publisher.as_str());
        if !listed.is_empty() {
            keys.insert(publisher.as_str().to_string(), listed.to_vec());
            replaced.push(publisher.as_str());
        }
    }
    Ok((
        keys,
        format!(
            "{} for {}, development keys for the rest",
            path.display(),
            replaced.join(", ")
        ),
    ))
}

fn key_set(keys: &BTreeMap<String, Vec<PublicKey>>) -> KeySet {
    let mut set = KeySet::new();
    for (publisher, list) in keys {
        for key in list {
            set.insert(publisher, key.clone());
        }
    }
    set
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(v.len());
    for item in v {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
