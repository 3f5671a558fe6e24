//! Changes behind changes: a user whose earlier change is accepted but not applied yet (stream mode) is
//! judged without the stored profile, which the stream is about to change (docs/contract/change-api.md §8).
//!
//! Owns the pending marks' lifetime and [`Pipeline::check_queued`], the checks that hold whatever the
//! pending changes do. The processor applies such a change with every check, against the profile stored when
//! it runs, and records a rejection in the status record. Nothing here signs or writes a profile.

use super::change::Change;
use super::check::publisher_changes;
use super::error::PipelineError;
use super::{Checked, Pipeline};
use cis_identity_vault::{Condition, Expected};
use cis_profile::merge::{apply_changes, change_publishers};
use cis_profile::{Profile, UserId};
use time::OffsetDateTime;

/// How long a mark lasts when the processor never clears it (an append that failed after marking): the
/// user's changes are judged without the stored profile for that long at most.
pub const PENDING_TTL_SECONDS: i64 = 3600;

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl Pipeline {
    /// Whether `user` has a change accepted but not applied yet.
    pub async fn is_pending(&self, user: &UserId) -> Result<bool, PipelineError> {
        Ok(self.deps.vault.is_pending(user.as_str(), now()).await?)
    }

    /// Marks `user` as having `sequence_number` pending (before the change is appended).
    pub async fn mark_pending(
        &self,
        user: &UserId,
        sequence_number: &str,
    ) -> Result<(), PipelineError> {
        let expires_at = now() + PENDING_TTL_SECONDS;
        let vault = &self.deps.vault;
        Ok(vault
            .mark_pending(user.as_str(), sequence_number, expires_at)
            .await?)
    }

    /// Clears `user`'s mark if it is still that of `sequence_number` (once that change is done).
    pub async fn clear_pending(
        &self,
        user: &UserId,
        sequence_number: &str,
    ) -> Result<(), PipelineError> {
        let vault = &self.deps.vault;
        Ok(vault.clear_pending(user.as_str(), sequence_number).await?)
    }

    /// The checks of a change queued behind pending ones: every attribute that differs from the profile
    /// stored now must carry a valid signature of a publisher the caller may publish as (an attribute the
    /// pending changes set may still differ, and the processor checks it then). The publisher rules, the new-user checks and the size need the
    /// profile the pending changes leave, so they are the processor's; a change here is never a no-op.
    pub async fn check_queued(&self, change: &Change) -> Result<Checked, PipelineError> {
        let stored = self.read(&change.user_id).await?;
        let (expected, base) = match stored {
            Some(s) => (s.expected(), s.profile),
            None => (Expected::Absent, Profile::null()),
        };
        let incoming = &change.profile;
        let changed = publisher_changes(&base, incoming);
        self.verify(incoming, &changed).await?;
        self.check_binding(change, &changed)?;
        let created = changed
            .iter()
            .copied()
            .filter(|p| base.attr(*p).is_none_or(|a| a.is_null()))
            .collect();
        let merged = apply_changes(base, incoming, &changed);
        let change_publishers = change_publishers(&merged, &changed);
        Ok(Checked {
            // The pending changes make or keep the user: this one updates it.
            condition: Condition::Update,
            noop: false,
            merged,
            changed,
            created,
            change_publishers,
            expected,
        })
    }
}
