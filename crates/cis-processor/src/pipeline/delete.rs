//! Delete one profile (change-api.md §7 steps 5–8): signatures, the permission on `active`, the stored
//! profile, and the conditional delete together with its status record, retried on version conflicts.
//!
//! Owns the delete permission rule (publisher-rules.md §4: the publisher claiming `active` must be one that
//! may change `active`). Whether deletes are enabled at all (`allow_delete`) is the Change API's decision.

use super::cis_attrs::claimed_publisher;
use super::error::PipelineError;
use super::retry::sleep_before_retry;
use super::status::StatusInput;
use super::{Outcome, Pipeline};
use cis_identity_vault::{ChangeSource, ChangeState, Condition, StoredProfile, VaultError};
use cis_profile::rules::ACTIVE_PUBLISHERS;
use cis_profile::{AttrPath, Profile};
use tracing::{debug, warn};

impl Pipeline {
    /// Steps 5–7: signatures, permission, and the stored profile (404 `user_not_found` when there is none).
    /// What the Change API runs in stream mode before it appends a delete.
    pub async fn check_delete(
        &self,
        incoming: &Profile,
        user_id: &str,
    ) -> Result<StoredProfile, PipelineError> {
        self.check_delete_request(incoming, user_id).await?;
        self.read_existing(user_id).await
    }

    /// Steps 5–8: checks, then deletes conditionally on the version read, writing the `processed` status
    /// record in the same transaction; a concurrent write sends it back to step 7 (up to `write_retries`).
    pub async fn apply_delete(
        &self,
        incoming: &Profile,
        user_id: &str,
        sequence_number: &str,
        source: ChangeSource,
    ) -> Result<Outcome, PipelineError> {
        self.check_delete_request(incoming, user_id).await?;
        let condition = Condition::Delete;
        for attempt in 0..=self.deps.write_retries {
            if attempt > 0 {
                sleep_before_retry(attempt - 1).await;
            }
            let stored = self.read_existing(user_id).await?;
            let state = ChangeState::Processed;
            let input = StatusInput {
                sequence_number,
                user_id,
                state,
                condition,
                source,
                version: None,
                error: None,
            };
            let status = self.status_record(input);
            match self
                .deps
                .vault
                .delete(user_id, stored.expected(), status)
                .await
            {
                Ok(()) => {
                    return Ok(Outcome::Written {
                        condition,
                        version: None,
                    });
                }
                // Changed or deleted concurrently: read again (a vanished user then answers 404).
                Err(VaultError::VersionConflict(_) | VaultError::NotFound(_)) => {
                    debug!(attempt, "delete conflicted, re-reading");
                }
                Err(VaultError::StatusExists(_)) => {
                    return self.already_applied(sequence_number).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        warn!(
            retries = self.deps.write_retries,
            "delete conflicts unresolved"
        );
        Err(PipelineError::Conflict(user_id.to_string()))
    }

    async fn check_delete_request(
        &self,
        incoming: &Profile,
        user_id: &str,
    ) -> Result<(), PipelineError> {
        if incoming.user_id().is_some_and(|body| body != user_id) {
            let text = "user_id query parameter does not match profile, that looks wrong";
            return Err(PipelineError::rejected(400, "integration_exception", text));
        }
        self.verify_signatures(incoming).await?;
        if user_id.is_empty() || incoming.user_id().is_none() {
            let publisher = claimed_publisher(incoming, AttrPath::USER_ID);
            let text = format!("[delete] {publisher} is NOT allowed to publish field user_id");
            return Err(PipelineError::rejected(403, "invalid_publisher", text));
        }
        if self.deps.switches.verify_publishers {
            check_permission(incoming)?;
        }
        Ok(())
    }

    async fn read_existing(&self, user_id: &str) -> Result<StoredProfile, PipelineError> {
        self.read(user_id).await?.ok_or_else(|| {
            PipelineError::rejected(
                404,
                "user_not_found",
                format!("no profile for user: {user_id}"),
            )
        })
    }
}

/// Step 6: `active` must be non-null and claimed by a publisher allowed to change it.
fn check_permission(incoming: &Profile) -> Result<(), PipelineError> {
    let active = incoming.attr(AttrPath::ACTIVE);
    let allowed = active.is_some_and(|a| {
        !a.is_null()
            && a.publisher()
                .is_some_and(|p| ACTIVE_PUBLISHERS.contains(&p))
    });
    if allowed {
        return Ok(());
    }
    let publisher = claimed_publisher(incoming, AttrPath::ACTIVE);
    let text = format!("[delete] {publisher} is NOT allowed to publish field active");
    Err(PipelineError::rejected(403, "invalid_publisher", text))
}
