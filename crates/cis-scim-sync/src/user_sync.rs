//! A per-user sync (docs/scim.md §3, near-real-time): what a change event for one user triggers in every
//! target. It reads that user from the vault and only the matching users from the target (by externalId,
//! then userName), plans and applies as the full run does, and fixes that user's membership in the
//! target's synced groups. A user deleted from the vault is disabled (or deleted) where CIS provisioned
//! it. The scheduled full run stays the safety net.

use std::collections::HashMap;
use std::time::Instant;

use cis_identity_vault::{Lookup, ProfileReader};
use cis_scim::desired::{Desired, desired};
use cis_scim::plan::{Existing, ExistingGroup, GroupAction, MemberRef, plan_users};
use serde_json::{Value, json};

use crate::config::TargetConfig;
use crate::report::Report;
use crate::run::{Options, SyncError, apply_group, apply_user, outcome};
use crate::target::ScimTarget;

/// Brings `user_id` in `target` to what the vault says.
pub async fn sync_user(
    vault: &dyn ProfileReader,
    target: &dyn ScimTarget,
    config: &TargetConfig,
    user_id: &str,
    options: Options,
) -> Result<Report, SyncError> {
    let started = Instant::now();
    let stored = vault.get(&Lookup::UserId(user_id.to_string())).await?;
    let select = config.selection();
    let want = stored
        .and_then(|s| {
            desired(
                &s.profile.to_value(),
                config.user_name_source(),
                select.as_ref(),
            )
        })
        .unwrap_or_else(|| Desired {
            // Gone from the vault: only what CIS provisioned (matched by externalId) is disabled.
            external_id: user_id.to_string(),
            user_name: String::new(),
            wanted: false,
            resource: json!({}),
            groups: Vec::new(),
        });
    let user_name = (!want.user_name.is_empty()).then_some(want.user_name.as_str());
    let found: Vec<Existing> = target
        .find_users(user_id, user_name)
        .await?
        .into_iter()
        .filter_map(Existing::from_resource)
        .collect();
    let actions = plan_users(std::slice::from_ref(&want), &found, config.disable_mode());
    let mut report = Report::new(
        &config.name,
        options.dry_run,
        1,
        usize::from(want.wanted),
        found.len(),
    );
    let by_id: HashMap<String, Value> = found
        .iter()
        .map(|e| (e.id.clone(), e.resource.clone()))
        .collect();
    let mut target_id = found
        .iter()
        .find(|e| e.external_id.as_deref() == Some(user_id))
        .or_else(|| found.first())
        .map(|e| e.id.clone());
    for action in &actions {
        if options.dry_run {
            report.actions.push(outcome(action));
            continue;
        }
        let done = outcome(action).settle(apply_user(target, action, &by_id).await);
        if let (Some(id), "create") = (&done.target_id, done.action) {
            target_id = Some(id.clone());
        }
        report.actions.push(done);
    }
    if let Some(id) = target_id
        && !config.groups.is_empty()
    {
        let groups: Vec<ExistingGroup> = target
            .groups()
            .await?
            .iter()
            .filter_map(ExistingGroup::from_resource)
            .collect();
        for spec in config.group_specs() {
            let member = want.wanted && want.groups.contains(&spec.cis);
            let group = groups
                .iter()
                .find(|g| g.external_id.as_deref() == Some(spec.cis.as_str()))
                .or_else(|| groups.iter().find(|g| g.display_name == spec.name));
            let action = match group {
                None if member => GroupAction::Create {
                    spec,
                    members: vec![MemberRef::Existing(id.clone())],
                },
                None => continue,
                Some(g) => {
                    let is = g.members.contains(&id);
                    let adopt = g.external_id.as_deref() != Some(spec.cis.as_str());
                    if is == member && !adopt {
                        continue;
                    }
                    GroupAction::Update {
                        id: g.id.clone(),
                        spec,
                        etag: g.etag.clone(),
                        adopt,
                        add: if member && !is {
                            vec![MemberRef::Existing(id.clone())]
                        } else {
                            vec![]
                        },
                        remove: if !member && is {
                            vec![id.clone()]
                        } else {
                            vec![]
                        },
                    }
                }
            };
            report.actions.push(
                apply_group(target, &action, &groups, &HashMap::new(), options.dry_run).await,
            );
        }
    }
    report.retries = target.retries();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::sync;
    use crate::run::tests::{config, vault};
    use crate::target::MemoryTarget;
    use cis_identity_vault::ProfileWriter;

    #[tokio::test]
    async fn one_users_change_reaches_the_target_without_a_full_run() {
        let vault = vault(4).await;
        let target = MemoryTarget::new();
        let config = config("");
        sync(&vault, &target, &config, Options::default())
            .await
            .unwrap();
        // u1 (in group team) becomes inactive: disabled and out of the group, nobody else read.
        let stored = vault
            .get(&Lookup::UserId("ad|Mozilla-LDAP|u1".into()))
            .await
            .unwrap()
            .unwrap();
        let mut value = stored.profile.to_value();
        value["active"]["value"] = json!(false);
        let write = cis_identity_vault::ProfileWrite {
            profile: cis_profile::Profile::from_stored(value).unwrap(),
            expected: stored.expected(),
            sequence_number: "99".into(),
            changed_attributes: vec!["active".into()],
            change_publishers: vec![],
        };
        let mut status = crate::run::tests::status("99", "ad|Mozilla-LDAP|u1");
        status.condition = cis_identity_vault::Condition::Update;
        vault.put(write, status).await.unwrap();
        let report = sync_user(
            &vault,
            &target,
            &config,
            "ad|Mozilla-LDAP|u1",
            Options::default(),
        )
        .await
        .unwrap();
        let kinds: Vec<&str> = report.actions.iter().map(|a| a.action).collect();
        assert_eq!(kinds, ["disable", "update-group"], "{}", report.table());
        let again = sync_user(
            &vault,
            &target,
            &config,
            "ad|Mozilla-LDAP|u1",
            Options::default(),
        )
        .await
        .unwrap();
        assert!(again.actions.is_empty(), "{}", again.table());
        let full = sync(&vault, &target, &config, Options::default())
            .await
            .unwrap();
        assert!(
            full.actions.is_empty(),
            "the full run agrees: {}",
            full.table()
        );
        // A user unknown to the vault and to the target: nothing to do.
        let nobody = sync_user(
            &vault,
            &target,
            &config,
            "ad|Mozilla-LDAP|nobody",
            Options::default(),
        )
        .await
        .unwrap();
        assert!(nobody.actions.is_empty());
    }
}
