//! SCIM provisioning on AWS (docs/scim.md §3): the targets of a deployment (`[cis]
//! scim_targets_ssm_parameter`, else `scim_targets`), their tokens (SSM or environment), and
//! [`ScheduledSync`], the `scim-sync` function's run: every target reconciled with the DynamoDB vault on
//! each schedule event, one JSON report line per target, and a failed invocation when a target could not
//! be synced or an action failed (the schedule retries; a run after a successful one changes nothing).

use std::sync::Arc;

use cis_aws::SsmParameters;
use cis_common::Config;
use cis_identity_vault::ProfileLister;
use cis_scim_sync::run::Options;
use cis_scim_sync::{HttpTarget, TargetConfig, TargetsFile, sync};
use serde_json::{Value, json};

use crate::aws::Aws;
use crate::start::StartupError;
use crate::webhooks::scim::resolve_token;

fn invalid(e: impl std::fmt::Display) -> StartupError {
    StartupError::Scim(e.to_string())
}

/// The SSM client of the deployment's secrets.
pub fn ssm(aws: &Aws, config: &Config) -> SsmParameters {
    SsmParameters::new(cis_aws::ssm_client(
        aws.sdk(),
        Some(&config.cis.secret_manager_ssm_region),
    ))
}

/// The deployment's SCIM targets, if it has any.
pub async fn deployed_targets(
    ssm: &SsmParameters,
    config: &Config,
) -> Result<Option<TargetsFile>, StartupError> {
    let w = &config.webhooks;
    if let Some(name) = &w.scim_targets_ssm_parameter {
        let text = ssm.get_secure(name).await.map_err(invalid)?;
        return TargetsFile::parse(&text).map(Some).map_err(invalid);
    }
    w.scim_targets
        .as_deref()
        .map(TargetsFile::from_setting)
        .transpose()
        .map_err(invalid)
}

/// The scheduled sync of every target.
pub struct ScheduledSync {
    vault: Arc<dyn ProfileLister>,
    targets: Vec<(TargetConfig, Option<String>)>,
}

/// A run in which some target could not be synced or some action failed.
#[derive(Debug, thiserror::Error)]
#[error("the SCIM sync failed for {failed:?}: {report}")]
pub struct SyncFailed {
    pub failed: Vec<String>,
    pub report: Value,
}

impl ScheduledSync {
    /// Targets and tokens read once per cold start; no targets is a start-up error.
    pub async fn new(aws: &Aws, config: &Config) -> Result<ScheduledSync, StartupError> {
        let ssm = ssm(aws, config);
        let file = deployed_targets(&ssm, config)
            .await?
            .ok_or_else(|| invalid("no targets: set scim_targets_ssm_parameter or scim_targets"))?;
        let mut targets = Vec::new();
        for target in file.targets {
            let token = resolve_token(&target.token, Some(&ssm))
                .await
                .map_err(invalid)?;
            targets.push((target, token));
        }
        let vault: Arc<dyn ProfileLister> = aws.vault(config).await?;
        Ok(ScheduledSync { vault, targets })
    }

    /// One run: each target in turn; its report (counts, failures) logged as one JSON line.
    pub async fn run(&self) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let mut reports = Vec::new();
        let mut failed = Vec::new();
        for (config, token) in &self.targets {
            let report =
                match HttpTarget::connect(&config.url, token.clone(), config.rate_limit).await {
                    Ok(target) => sync(self.vault.as_ref(), &target, config, Options::default())
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(format!("cannot reach the target: {e}")),
                };
            let line = match report {
                Ok(report) => {
                    if report.failed() > 0 {
                        failed.push(config.name.clone());
                    }
                    json!({
                        "target": config.name,
                        "counts": report.counts(),
                        "failed": report.failed(),
                        "failures": report.actions.iter()
                            .filter(|a| a.error.is_some())
                            .map(|a| json!({"action": a.action, "subject": a.subject, "error": a.error}))
                            .collect::<Vec<_>>(),
                        "cis_users": report.cis_users,
                        "wanted": report.wanted,
                        "retries": report.retries,
                        "seconds": report.seconds,
                    })
                }
                Err(e) => {
                    failed.push(config.name.clone());
                    json!({"target": config.name, "error": e})
                }
            };
            tracing::info!(report = %line, "scim sync");
            reports.push(line);
        }
        let report = Value::Array(reports);
        if failed.is_empty() {
            Ok(report)
        } else {
            Err(Box::new(SyncFailed { failed, report }))
        }
    }
}
