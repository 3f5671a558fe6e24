//! Checking one upsert (docs/contract/change-api.md §4 steps 5–13) against the profile stored now:
//! [`Pipeline::check_upsert`], and [`Pipeline::plan`], the same steps against a profile the caller read
//! (the apply loop re-plans after every conflict).
//!
//! Owns the order of the steps and the new-user rules. Merge and the publisher rules are `cis-profile`'s,
//! signatures `cis-crypto`'s. Nothing here signs or writes: CIS's own attributes are the apply step's.

use super::change::Change;
use super::error::PipelineError;
use super::size::{CIS_ATTRIBUTES_ALLOWANCE, MAX_ITEM_BYTES, item_size};
use super::{Checked, Pipeline};
use crate::rejection::Rejection;
use cis_identity_vault::{Condition, Expected, Lookup, StoredProfile};
use cis_profile::merge::{apply_changes, change_publishers, changed_attributes};
use cis_profile::{AttrPath, Profile, UserId};

impl Pipeline {
    /// Steps 5–13 for `change` against the profile stored now: what a write would change, or why the
    /// change is refused. Signs nothing and writes nothing (what the Change API runs in stream mode).
    pub async fn check_upsert(&self, change: &Change) -> Result<Checked, PipelineError> {
        let stored = self.read(&change.user_id).await?;
        self.plan(change, stored).await
    }

    /// Step 6: the stored profile, strongly consistent.
    pub(super) async fn read(&self, user: &UserId) -> Result<Option<StoredProfile>, PipelineError> {
        let lookup = Lookup::UserId(user.as_str().to_string());
        Ok(self.deps.vault.get(&lookup).await?)
    }

    /// Steps 5, 7–9, 11 and 13 against `stored` (`None`: a new user): the changed set first, so that only
    /// the attributes that change need a valid signature and a publisher allowed to change them.
    pub(super) async fn plan(
        &self,
        change: &Change,
        stored: Option<StoredProfile>,
    ) -> Result<Checked, PipelineError> {
        let incoming = &change.profile;
        let (condition, expected, base) = match stored {
            Some(s) => (Condition::Update, s.expected(), s.profile),
            None => (Condition::Create, Expected::Absent, Profile::null()),
        };
        let changed = publisher_changes(&base, incoming);
        if condition == Condition::Update && changed.is_empty() {
            return Ok(Checked {
                condition,
                noop: true,
                merged: base,
                changed,
                created: Vec::new(),
                change_publishers: Vec::new(),
                expected,
            });
        }
        let created = changed
            .iter()
            .copied()
            .filter(|p| base.attr(*p).is_none_or(|a| a.is_null()))
            .collect();
        self.verify(incoming, &changed).await?;
        if condition == Condition::Create {
            check_new_user(incoming)?;
            if self.deps.uuid_salt.is_none() {
                let text = "no uuid salt configured: new profiles cannot be created";
                return Err(PipelineError::Unavailable(text.into()));
            }
        }
        self.check_binding(change, &changed)?;
        if self.deps.switches.verify_publishers {
            self.deps
                .rules
                .check_changes(&base, incoming, &changed)
                .map_err(|e| Rejection::InvalidPublisher(e.to_string()))?;
        }
        let merged = apply_changes(base, incoming, &changed);
        let change_publishers = change_publishers(&merged, &changed);
        check_size(&merged, &changed, &change_publishers)?;
        Ok(Checked {
            condition,
            noop: false,
            merged,
            changed,
            created,
            change_publishers,
            expected,
        })
    }
}

impl Pipeline {
    /// Step 11, the binding half (docs/security.md): every changed attribute signed by a publisher the
    /// caller may publish as, and none by `cis`.
    pub(super) fn check_binding(
        &self,
        change: &Change,
        changed: &[AttrPath],
    ) -> Result<(), Rejection> {
        let incoming = &change.profile;
        self.deps
            .client_publishers
            .check(&change.caller, changed, |p| {
                incoming.attr(p).and_then(|a| a.publisher())
            })
    }
}

/// The attributes a publisher's profile changes: the merge's changed set without `last_modified`, which CIS
/// rewrites on every write whatever a publisher sends there (so an echoed copy, stale or not, is ignored).
pub(super) fn publisher_changes(base: &Profile, incoming: &Profile) -> Vec<AttrPath> {
    let mut changed = changed_attributes(base, incoming);
    changed.retain(|p| *p != AttrPath::LAST_MODIFIED);
    changed
}

/// Step 7: what a create must and must not carry.
fn check_new_user(incoming: &Profile) -> Result<(), Rejection> {
    let set = |path| incoming.attr(path).is_some_and(|a| !a.is_null());
    if set(AttrPath::UUID) || set(AttrPath::PRIMARY_USERNAME) {
        return Err(Rejection::UuidOrPrimaryUsernameSet);
    }
    if !set(AttrPath::USER_ID) {
        return Err(Rejection::NewUserIdMissing);
    }
    if !set(AttrPath::ACTIVE) {
        return Err(Rejection::ActiveMissing);
    }
    Ok(())
}

/// Step 13: the vault item must fit DynamoDB's 400 KB, counting room for the attributes CIS adds when it
/// applies the change (so that a change this check accepts always fits when written).
pub(super) fn check_size(
    profile: &Profile,
    changed: &[AttrPath],
    publishers: &[String],
) -> Result<(), Rejection> {
    let dotted: Vec<String> = changed.iter().map(|p| p.dotted().to_string()).collect();
    let size = item_size(profile, &dotted, publishers) + CIS_ATTRIBUTES_ALLOWANCE;
    if size > MAX_ITEM_BYTES {
        return Err(Rejection::ProfileTooLarge {
            size,
            limit: MAX_ITEM_BYTES,
        });
    }
    Ok(())
}
