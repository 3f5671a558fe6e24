//! One reconcile run of one target: read every profile of the vault (as the service: the target's
//! selection and mapping decide what it gets), read the target's users and groups, plan
//! (`cis_scim::plan`), then — unless dry — apply the user actions with bounded concurrency and the group
//! actions after them (members created by this run are known by then). One failing action never stops
//! the run; the report lists it. A target that cannot be read stops the run before any write.

use std::collections::HashMap;
use std::time::Instant;

use cis_identity_vault::{ListQuery, ProfileLister};
use cis_scim::desired::{Desired, desired};
use cis_scim::plan::{
    Existing, ExistingGroup, GroupAction, MemberRef, UserAction, plan_groups, plan_users,
};
use futures::StreamExt;
use serde_json::{Map, Value, json};

use crate::config::TargetConfig;
use crate::report::{ActionResult, Outcome, Report};
use crate::target::{ScimTarget, TargetError};

/// How to run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Plan only: nothing is written.
    pub dry_run: bool,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("reading the vault: {0}")]
    Vault(#[from] cis_identity_vault::VaultError),
    #[error("reading the target: {0}")]
    Target(#[from] TargetError),
}

/// Profiles per vault page.
const VAULT_PAGE: usize = 500;

/// What the target should hold for every profile of the vault.
pub async fn desired_users(
    vault: &dyn ProfileLister,
    config: &TargetConfig,
) -> Result<Vec<Desired>, SyncError> {
    let select = config.selection();
    let source = config.user_name_source();
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = vault
            .list_profiles_json(&ListQuery {
                active: None,
                connection: None,
                cursor,
                limit: VAULT_PAGE,
            })
            .await?;
        for stored in page.items {
            // The stored text as it is: a target needs the values, not a validated model.
            let profile: Value = serde_json::from_str(&stored.json).map_err(|e| {
                cis_identity_vault::VaultError::Corrupt {
                    id: stored.user_id.clone(),
                    message: format!("profile is not JSON: {e}"),
                }
            })?;
            if let Some(d) = desired(&profile, source, select.as_ref()) {
                all.push(d);
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

fn changes_of(set: &Map<String, Value>, remove: &[String]) -> Vec<String> {
    set.keys()
        .cloned()
        .chain(remove.iter().map(|r| format!("-{r}")))
        .collect()
}

pub(crate) fn outcome(action: &UserAction) -> Outcome {
    let (target_id, changes) = match action {
        UserAction::Create { .. } => (None, vec![]),
        UserAction::Update {
            id, set, remove, ..
        } => (Some(id.clone()), changes_of(set, remove)),
        UserAction::Disable { id, .. } => (Some(id.clone()), vec!["active".into()]),
        UserAction::Delete { id, .. } => (Some(id.clone()), vec![]),
    };
    Outcome {
        action: action.kind(),
        subject: action.external_id().to_string(),
        target_id,
        changes,
        result: ActionResult::Planned,
        error: None,
    }
}

pub(crate) async fn apply_user(
    target: &dyn ScimTarget,
    action: &UserAction,
    existing: &HashMap<String, Value>,
) -> Result<Option<String>, TargetError> {
    match action {
        UserAction::Create { resource, .. } => target.create_user(resource).await.map(Some),
        UserAction::Update {
            id,
            etag,
            set,
            remove,
            ..
        } => {
            let current = existing.get(id).cloned().unwrap_or(Value::Null);
            target
                .update_user(id, etag.as_deref(), set, remove, &current)
                .await
                .map(|_| None)
        }
        UserAction::Disable { id, etag, .. } => {
            let current = existing.get(id).cloned().unwrap_or(Value::Null);
            let mut set = Map::new();
            set.insert("active".into(), json!(false));
            target
                .update_user(id, etag.as_deref(), &set, &[], &current)
                .await
                .map(|_| None)
        }
        UserAction::Delete { id, etag, .. } => {
            target.delete_user(id, etag.as_deref()).await.map(|_| None)
        }
    }
}

/// Reconciles `target` with the vault as `config` says.
pub async fn sync(
    vault: &dyn ProfileLister,
    target: &dyn ScimTarget,
    config: &TargetConfig,
    options: Options,
) -> Result<Report, SyncError> {
    let started = Instant::now();
    let desired = desired_users(vault, config).await?;
    let existing: Vec<Existing> = target
        .users()
        .await?
        .into_iter()
        .filter_map(Existing::from_resource)
        .collect();
    let groups: Vec<ExistingGroup> = target
        .groups()
        .await?
        .iter()
        .filter_map(ExistingGroup::from_resource)
        .collect();
    let specs = config.group_specs();
    let user_actions = plan_users(&desired, &existing, config.disable_mode());
    let mut report = Report::new(
        &config.name,
        options.dry_run,
        desired.len(),
        desired.iter().filter(|d| d.wanted).count(),
        existing.len(),
    );
    let by_id: HashMap<String, Value> = existing
        .iter()
        .map(|e| (e.id.clone(), e.resource.clone()))
        .collect();
    let mut created: HashMap<String, String> = HashMap::new();
    if options.dry_run {
        report.actions.extend(user_actions.iter().map(outcome));
    } else {
        let results: Vec<(Outcome, Result<Option<String>, TargetError>)> =
            futures::stream::iter(user_actions.iter())
                .map(|action| {
                    let by_id = &by_id;
                    async move { (outcome(action), apply_user(target, action, by_id).await) }
                })
                .buffer_unordered(config.concurrency)
                .collect()
                .await;
        for (outcome, result) in results {
            let outcome = outcome.settle(result);
            if let (Some(id), "create") = (&outcome.target_id, outcome.action) {
                created.insert(outcome.subject.clone(), id.clone());
            }
            report.actions.push(outcome);
        }
        report
            .actions
            .sort_by(|a, b| (a.action, &a.subject).cmp(&(b.action, &b.subject)));
    }
    for action in plan_groups(&specs, &desired, &existing, &groups, &user_actions) {
        report
            .actions
            .push(apply_group(target, &action, &groups, &created, options.dry_run).await);
    }
    report.retries = target.retries();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Member ids: existing ones, and those this run created (a failed creation is left out).
fn resolve(members: &[MemberRef], created: &HashMap<String, String>) -> Vec<String> {
    members
        .iter()
        .filter_map(|m| match m {
            MemberRef::Existing(id) => Some(id.clone()),
            MemberRef::New(external_id) => created.get(external_id).cloned(),
        })
        .collect()
}

pub(crate) async fn apply_group(
    target: &dyn ScimTarget,
    action: &GroupAction,
    groups: &[ExistingGroup],
    created: &HashMap<String, String>,
    dry_run: bool,
) -> Outcome {
    let label = |m: &MemberRef| match m {
        MemberRef::Existing(id) => format!("+{id}"),
        MemberRef::New(external) => format!("+{external}"),
    };
    let (outcome, result) = match action {
        GroupAction::Create { spec, members } => {
            let outcome = Outcome {
                action: "create-group",
                subject: spec.cis.clone(),
                target_id: None,
                changes: members.iter().map(label).collect(),
                result: ActionResult::Planned,
                error: None,
            };
            if dry_run {
                return outcome;
            }
            let ids = resolve(members, created);
            (
                outcome,
                target
                    .create_group(&spec.cis, &spec.name, &ids)
                    .await
                    .map(Some),
            )
        }
        GroupAction::Update {
            id,
            spec,
            etag,
            adopt,
            add,
            remove,
        } => {
            let mut changes: Vec<String> = add.iter().map(label).collect();
            changes.extend(remove.iter().map(|r| format!("-{r}")));
            if *adopt {
                changes.push("externalId".into());
            }
            let outcome = Outcome {
                action: "update-group",
                subject: spec.cis.clone(),
                target_id: Some(id.clone()),
                changes,
                result: ActionResult::Planned,
                error: None,
            };
            if dry_run {
                return outcome;
            }
            let current = groups
                .iter()
                .find(|g| &g.id == id)
                .map(|g| g.members.clone())
                .unwrap_or_default();
            let add = resolve(add, created);
            let result = target
                .update_group(
                    id,
                    etag.as_deref(),
                    &spec.cis,
                    *adopt,
                    &spec.name,
                    &add,
                    remove,
                    &current,
                )
                .await
                .map(|_| None);
            (outcome, result)
        }
    };
    outcome.settle(result)
}

#[cfg(test)]
#[path = "run_tests.rs"]
pub(crate) mod tests;
