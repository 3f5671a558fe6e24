//! Applying one upsert (docs/contract/change-api.md §4 steps 10, 12 and 14; docs/contract/processor-and-vault.md
//! §5.3): check against a fresh read, set and sign CIS's own attributes, write conditionally together with
//! the `processed` status record, and on a version conflict read, check and try again.
//!
//! Owns the write loop and the only place a change's signatures as `cis` are made. The version a write
//! produces is the vault's rule (`Expected::next_version`), not decided here.

use super::change::Change;
use super::cis_attrs::{resign_active, set_identifiers, set_last_modified};
use super::error::PipelineError;
use super::{Checked, Outcome, Pipeline};
use crate::backoff;
use cis_identity_vault::{ChangeSource, Condition, ProfileWrite, VaultError};
use cis_profile::{AttrPath, UserId};
use tracing::{debug, warn};

impl Pipeline {
    /// Checks and writes `change` under `sequence_number`. A no-op writes nothing (see
    /// [`Pipeline::record_noop`]); a status record already present means the change was applied before.
    /// After `write_retries` conflicts in a row: `Conflict` (503 `write_conflict`).
    pub async fn apply_upsert(
        &self,
        change: &Change,
        sequence_number: &str,
        source: ChangeSource,
    ) -> Result<Outcome, PipelineError> {
        for attempt in 0..=self.deps.write_retries {
            if attempt > 0 {
                backoff::sleep(attempt - 1).await;
            }
            let stored = self.read(&change.user_id).await?;
            let checked = self.plan(change, stored).await?;
            if checked.noop {
                let condition = checked.condition;
                return Ok(Outcome::Noop { condition });
            }
            let condition = checked.condition;
            let version = checked.expected.next_version().ok_or_else(|| {
                PipelineError::Unavailable("the stored version cannot be incremented".into())
            })?;
            let (changed, publishers) =
                (checked.changed.clone(), checked.change_publishers.clone());
            let write = self.finish(checked, &change.user_id, sequence_number)?;
            let status = self.processed_status(
                change,
                sequence_number,
                (condition, source, Some(version)),
                &changed,
                &publishers,
            );
            match self.deps.vault.put(write, status).await {
                Ok(version) => {
                    let version = Some(version);
                    return Ok(Outcome::Written { condition, version });
                }
                // A concurrent writer won (or deleted the user): read and check again.
                Err(
                    VaultError::VersionConflict(_)
                    | VaultError::AlreadyExists(_)
                    | VaultError::NotFound(_),
                ) => debug!(attempt, "version conflict, re-reading"),
                Err(VaultError::StatusExists(_)) => {
                    return self.already_applied(sequence_number).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        warn!(
            retries = self.deps.write_retries,
            "write conflicts unresolved"
        );
        Err(PipelineError::Conflict(change.user_id.clone()))
    }

    /// Steps 10 and 12 on a checked change: a new user's identifiers, `last_modified` and `active` as `cis`.
    fn finish(
        &self,
        checked: Checked,
        user: &UserId,
        sequence_number: &str,
    ) -> Result<ProfileWrite, PipelineError> {
        let Checked {
            condition,
            merged: mut profile,
            mut changed,
            change_publishers,
            expected,
            ..
        } = checked;
        let signer = self.deps.cis_signer.as_ref();
        let now = cis_profile::timestamp::now();
        if condition == Condition::Create {
            let salt = self
                .deps
                .uuid_salt
                .as_deref()
                .ok_or_else(|| PipelineError::Unavailable("no uuid salt configured".into()))?;
            set_identifiers(&mut profile, salt, user, &now, signer)?;
            changed.extend([AttrPath::UUID, AttrPath::PRIMARY_USERNAME]);
        }
        set_last_modified(&mut profile, &now, signer)?;
        resign_active(&mut profile, signer)?;
        changed.push(AttrPath::LAST_MODIFIED);
        changed.sort();
        changed.dedup();
        let change_publishers = if change_publishers.is_empty() {
            vec!["cis".to_string()]
        } else {
            change_publishers
        };
        Ok(ProfileWrite {
            profile,
            expected,
            sequence_number: sequence_number.to_string(),
            changed_attributes: changed.iter().map(|p| p.dotted().to_string()).collect(),
            change_publishers,
        })
    }
}
