//! Near-real-time SCIM (docs/scim.md §3): a subscription whose URL is `scim:<target>` is delivered by a
//! per-user sync of that target (`cis_scim_sync::sync_user`) instead of a POST, so the notifier's
//! retries, backoff and dead letters apply to it unchanged. [`ScimSender`] routes: `scim:` URLs to the
//! sync, every other URL to the HTTP sender. Targets are connected once, on first use, and kept; the
//! syncs of one target run one at a time.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use cis_aws::ssm::SsmParameters;
use cis_identity_vault::ProfileReader;
use cis_notifications::retry::AttemptResult;
use cis_notifications::sender::{WebhookRequest, WebhookSender};
use cis_notifications::subscription::SCIM_SCHEME;
use cis_scim_sync::run::{Options, SyncError};
use cis_scim_sync::{HttpTarget, TargetConfig, TargetsFile, TokenSource, sync_user};
use serde_json::Value;
use tokio::sync::Mutex;
use tracing::{info, warn};

/// A target's bearer token, from where the target says (an SSM parameter needs `ssm`).
pub async fn resolve_token(
    source: &TokenSource,
    ssm: Option<&SsmParameters>,
) -> Result<Option<String>, String> {
    match source {
        TokenSource::None => Ok(None),
        TokenSource::Env(name) => std::env::var(name)
            .map(Some)
            .map_err(|_| format!("the target's token variable {name} is not set")),
        TokenSource::Ssm(name) => match ssm {
            Some(ssm) => ssm
                .get_secure(name)
                .await
                .map(Some)
                .map_err(|e| format!("SSM parameter {name}: {e}")),
            None => Err(format!("SSM parameter {name}: no AWS access here")),
        },
    }
}

struct Target {
    config: TargetConfig,
    token: Option<String>,
    connected: Mutex<Option<Arc<HttpTarget>>>,
    /// One per-user sync at a time per target: two users' syncs may both find a synced group missing,
    /// or both change its members.
    running: Mutex<()>,
}

/// Routes `scim:` deliveries to per-user syncs and the others to `http`.
pub struct ScimSender {
    http: Arc<dyn WebhookSender>,
    vault: Arc<dyn ProfileReader>,
    targets: HashMap<String, Target>,
}

impl ScimSender {
    /// Resolves every target's token now (a missing one fails the start, not a delivery).
    pub async fn new(
        http: Arc<dyn WebhookSender>,
        vault: Arc<dyn ProfileReader>,
        file: &TargetsFile,
        ssm: Option<&SsmParameters>,
    ) -> Result<ScimSender, String> {
        let mut targets = HashMap::new();
        for config in &file.targets {
            let token = resolve_token(&config.token, ssm).await?;
            targets.insert(
                config.name.clone(),
                Target {
                    config: config.clone(),
                    token,
                    connected: Mutex::new(None),
                    running: Mutex::new(()),
                },
            );
        }
        Ok(ScimSender {
            http,
            vault,
            targets,
        })
    }

    async fn connect(&self, target: &Target) -> Result<Arc<HttpTarget>, String> {
        let mut slot = target.connected.lock().await;
        if let Some(connected) = slot.as_ref() {
            return Ok(connected.clone());
        }
        let connected = HttpTarget::connect(
            &target.config.url,
            target.token.clone(),
            target.config.rate_limit,
        )
        .await
        .map(Arc::new)
        .map_err(|e| e.to_string())?;
        *slot = Some(connected.clone());
        Ok(connected)
    }
}

fn status(code: u16) -> AttemptResult {
    AttemptResult::Status {
        code,
        retry_after: None,
    }
}

#[async_trait]
impl WebhookSender for ScimSender {
    async fn send(&self, request: &WebhookRequest) -> AttemptResult {
        let Some(name) = request.url.strip_prefix(SCIM_SCHEME) else {
            return self.http.send(request).await;
        };
        let Some(target) = self.targets.get(name) else {
            warn!(target = name, "no such SCIM target in the targets file");
            return status(404);
        };
        let event: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
        let (Some(user_id), operation) = (event["id"].as_str(), event["operation"].as_str()) else {
            return status(400);
        };
        if operation == Some("test") {
            return status(204);
        }
        let client = match self.connect(target).await {
            Ok(client) => client,
            Err(e) => return AttemptResult::Connect(e),
        };
        let options = Options { dry_run: false };
        let _turn = target.running.lock().await;
        match sync_user(
            self.vault.as_ref(),
            client.as_ref(),
            &target.config,
            user_id,
            options,
        )
        .await
        {
            Ok(report) if report.failed() == 0 => {
                let actions: Vec<&str> = report.actions.iter().map(|a| a.action).collect();
                info!(target = name, user_id, ?actions, "per-user SCIM sync");
                status(200)
            }
            Ok(report) => {
                warn!(
                    target = name,
                    user_id,
                    failed = report.failed(),
                    "per-user SCIM sync failed"
                );
                status(502)
            }
            Err(SyncError::Vault(e)) => {
                warn!(target = name, user_id, error = %e, "per-user SCIM sync: vault");
                status(503)
            }
            Err(SyncError::Target(e)) => AttemptResult::Connect(e.to_string()),
        }
    }
}
