//! Deleting one profile (docs/contract/change-api.md §7 steps 5–8): the claims a delete rests on, the
//! stored profile, and the conditional delete together with its status record, retried on conflicts.
//!
//! Owns the delete permission rule (docs/contract/publisher-rules.md §4: the publisher claiming `active` must
//! be a directory publisher that may change `active`, and one the calling client may publish as). A delete rests on two attributes of its body, `user_id` and `active`:
//! those must be present and validly signed; the rest of the body is not used, so it is not verified.
//! Whether deletes are enabled at all (`allow_delete`) is the Change API's decision.

use super::change::Change;
use super::cis_attrs::claimed_publisher;
use super::error::PipelineError;
use super::{Outcome, Pipeline};
use crate::backoff;
use crate::rejection::Rejection;
use cis_identity_vault::{ChangeSource, Condition, StoredProfile, VaultError};
use cis_profile::rules::ACTIVE_PUBLISHERS;
use cis_profile::{AttrPath, Profile, Publisher};
use tracing::{debug, warn};

/// The attributes a delete relies on, verified in this order.
const DELETE_CLAIMS: [AttrPath; 2] = [AttrPath::USER_ID, AttrPath::ACTIVE];

impl Pipeline {
    /// Steps 5–7: the claims, the permission, and the stored profile (404 `user_not_found` when there is
    /// none). What the Change API runs in stream mode before it appends a delete.
    pub async fn check_delete(&self, change: &Change) -> Result<StoredProfile, PipelineError> {
        self.check_delete_claims(change).await?;
        self.read_existing(change).await
    }

    /// Steps 5–8: checks, then deletes conditionally on the version read, writing the `processed` status
    /// record in the same transaction; a concurrent write sends it back to step 7 (up to `write_retries`).
    pub async fn apply_delete(
        &self,
        change: &Change,
        sequence_number: &str,
        source: ChangeSource,
    ) -> Result<Outcome, PipelineError> {
        self.check_delete_claims(change).await?;
        let condition = Condition::Delete;
        for attempt in 0..=self.deps.write_retries {
            if attempt > 0 {
                backoff::sleep(attempt - 1).await;
            }
            let stored = self.read_existing(change).await?;
            let publishers = super::status::claimed_publishers(&change.profile.to_value());
            let status = self.processed_status(
                change,
                sequence_number,
                (condition, source, None),
                &[],
                &publishers,
            );
            let user = change.user_id.as_str();
            match self
                .deps
                .vault
                .delete(user, stored.expected(), status)
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
        Err(PipelineError::Conflict(change.user_id.clone()))
    }

    async fn check_delete_claims(&self, change: &Change) -> Result<(), PipelineError> {
        let incoming = &change.profile;
        if incoming.user_id().is_none() {
            let publisher = claimed_publisher(incoming, AttrPath::USER_ID);
            let text = format!("[delete] {publisher} is NOT allowed to publish field user_id");
            return Err(Rejection::InvalidPublisher(text).into());
        }
        let present: Vec<AttrPath> = DELETE_CLAIMS
            .into_iter()
            .filter(|p| incoming.attr(*p).is_some_and(|a| !a.is_null()))
            .collect();
        self.verify(incoming, &present).await?;
        if self.deps.switches.verify_publishers {
            check_permission(incoming, |p| {
                self.deps.client_publishers.allows(&change.caller, p)
            })?;
        }
        Ok(())
    }

    async fn read_existing(&self, change: &Change) -> Result<StoredProfile, PipelineError> {
        let user = &change.user_id;
        self.read(user)
            .await?
            .ok_or_else(|| Rejection::UserNotFound(user.to_string()).into())
    }
}

/// Step 6: `active` must be non-null and claimed by a publisher allowed to change it — a directory
/// publisher, never `cis` (whose signed `active` anyone can copy from the Person API) — that the caller may
/// publish as (`bound`).
fn check_permission(
    incoming: &Profile,
    bound: impl Fn(Publisher) -> bool,
) -> Result<(), Rejection> {
    let active = incoming.attr(AttrPath::ACTIVE);
    let allowed = active.is_some_and(|a| {
        !a.is_null()
            && a.publisher()
                .is_some_and(|p| p != Publisher::Cis && ACTIVE_PUBLISHERS.contains(&p) && bound(p))
    });
    if allowed {
        return Ok(());
    }
    let publisher = claimed_publisher(incoming, AttrPath::ACTIVE);
    let text = format!("[delete] {publisher} is NOT allowed to publish field active");
    Err(Rejection::InvalidPublisher(text))
}
