//! The webhook notifier of `cis serve` (docs/webhooks.md): the subscriptions (`--subscriptions FILE`, else
//! the configuration), the vault recording the event of every write in its transaction, the delivery
//! store in the same SQLite file, tokens from the development authorizer for the `webhook-notifier`
//! client, and the [`LocalNotifier`] task. Also what `cis webhooks` reads back: the subscriptions in
//! force are kept in `<data_dir>/subscriptions.json` (mode 0600: they may hold signing secrets).

use crate::local::datadir::{DataDir, DevClient};
use anyhow::Context;
use cis_common::Config;
use cis_identity_vault::{ProfileReader, SqliteVault};
use cis_notifications::subscription::SCIM_SCHEME;
use cis_notifications::{
    Auth, LocalNotifier, Notifier, SqliteDeliveryStore, Subscription, TokenSource,
};
use cis_runtime::webhooks::scim::ScimSender;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The development client the notifier gets its tokens with.
pub const NOTIFIER_CLIENT: &str = "webhook-notifier";

/// The subscriptions file `cis serve` keeps in the data directory.
pub fn subscriptions_file(dir: &DataDir) -> PathBuf {
    dir.root().join("subscriptions.json")
}

/// The running notifier and what the authorizer must know of it.
pub struct LocalWebhooks {
    pub notifier: LocalNotifier,
    /// The subscriptions' names, for the banner.
    pub names: Vec<String>,
    /// The audiences its tokens are for: the development authorizer must issue them.
    pub audiences: Vec<String>,
}

/// The subscriptions of `cis serve`: `file`, else `[cis] webhook_subscriptions`, else `[cis] rp_urls`.
/// Also stores their source text in the data directory for `cis webhooks`.
pub fn load(
    config: &Config,
    dir: &DataDir,
    file: Option<&Path>,
) -> anyhow::Result<Vec<Subscription>> {
    let subscriptions = cis_runtime::webhooks::local_subscriptions(config, file)?;
    let kept = subscriptions_file(dir);
    let source = match (file, config.webhooks.subscriptions.as_deref()) {
        (Some(path), _) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        (None, Some(text)) if text.trim_start().starts_with('[') => Some(text.to_string()),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path.trim()).with_context(|| format!("cannot read {path}"))?,
        ),
        (None, None) => None,
    };
    match source {
        Some(text) => crate::local::datadir::write_secret(&kept, text.as_bytes())?,
        None => {
            let _ = std::fs::remove_file(&kept);
        }
    }
    Ok(subscriptions)
}

/// The notifier's client-credentials tokens: `[cis] webhook_token_url`, `webhook_client_id` and
/// `webhook_client_secret` when set, else the development authorizer at `auth_url` and the
/// `webhook-notifier` client of `clients.json`.
pub fn token_source(
    config: &Config,
    auth_url: &str,
    clients: &[DevClient],
) -> anyhow::Result<Arc<dyn TokenSource>> {
    let w = &config.webhooks;
    let token_url = w
        .token_url
        .clone()
        .unwrap_or_else(|| format!("{auth_url}/oauth/token"));
    let client_id = w
        .client_id
        .clone()
        .unwrap_or_else(|| NOTIFIER_CLIENT.to_string());
    let secret = match &w.client_secret {
        Some(secret) => secret.clone(),
        None => clients
            .iter()
            .find(|c| c.client_id == client_id)
            .map(|c| c.client_secret.clone())
            .with_context(|| {
                format!("no secret for the webhook client {client_id}: set webhook_client_secret")
            })?,
    };
    Ok(cis_runtime::webhooks::client_credentials(
        &token_url, &client_id, &secret,
    )?)
}

/// Who hears of changes: the subscriptions, and the SCIM targets their `scim:<target>` URLs name.
pub struct Notifications {
    pub subscriptions: Vec<Subscription>,
    pub scim_targets: Option<cis_scim_sync::TargetsFile>,
}

/// Builds the notifier for the subscriptions (none: `None`, and the vault records no events).
/// Subscriptions to `scim:<target>` are per-user syncs of those targets (docs/scim.md §3).
pub async fn build(
    config: &Config,
    vault: &SqliteVault,
    notifications: Notifications,
    auth_url: &str,
    clients: &[DevClient],
) -> anyhow::Result<Option<LocalWebhooks>> {
    let Notifications {
        subscriptions,
        scim_targets,
    } = notifications;
    if subscriptions.is_empty() {
        vault.record_events(false);
        return Ok(None);
    }
    let names = subscriptions.iter().map(|s| s.name.clone()).collect();
    let mut audiences: Vec<String> = subscriptions
        .iter()
        .filter_map(|s| match &s.auth {
            Auth::OAuth { audience } => Some(audience.clone()),
            Auth::None => None,
        })
        .collect();
    audiences.sort();
    audiences.dedup();
    let tokens = if audiences.is_empty() {
        None
    } else {
        Some(token_source(config, auth_url, clients)?)
    };
    let mut sender = cis_runtime::webhooks::http_sender()?;
    let scim: Vec<&str> = subscriptions
        .iter()
        .filter_map(|s| s.url.strip_prefix(SCIM_SCHEME))
        .collect();
    if !scim.is_empty() {
        let targets = scim_targets.context(
            "a subscription is scim:<target>: give the targets with --scim-targets FILE (docs/scim.md §3)",
        )?;
        for name in scim {
            targets.target(name)?;
        }
        let reader: Arc<dyn ProfileReader> = Arc::new(vault.clone());
        let scim = ScimSender::new(sender, reader, &targets, None)
            .await
            .map_err(|e| anyhow::anyhow!("SCIM targets: {e}"))?;
        sender = Arc::new(scim);
    }
    let notifier: Notifier =
        cis_runtime::webhooks::notifier(config, subscriptions, sender, tokens)?;
    vault.record_events(true);
    let store =
        SqliteDeliveryStore::open(vault.path()).context("opening the webhook delivery store")?;
    Ok(Some(LocalWebhooks {
        notifier: LocalNotifier::new(Arc::new(notifier), Arc::new(store)),
        names,
        audiences,
    }))
}
