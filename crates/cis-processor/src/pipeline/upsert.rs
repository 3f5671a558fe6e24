//! Create or update one profile: change-api.md §4 steps 5–13 ([`Pipeline::prepare_upsert`]) and step 14's
//! conditional write with re-read, re-merge and retry on conflicts ([`Pipeline::apply_upsert`],
//! processor-and-vault.md §5.3).
//!
//! Owns the order of the steps and the new-user checks. Schema validation (step 3) happened when the caller
//! built the [`Profile`]; merge, rules and identifiers are `cis-profile`'s, signatures `cis-crypto`'s.

use super::cis_attrs::{resign_active, set_identifiers, set_last_modified};
use super::error::PipelineError;
use super::retry::sleep_before_retry;
use super::size::{MAX_ITEM_BYTES, item_size};
use super::status::StatusInput;
use super::{Outcome, Pipeline, Prepared};
use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, Expected, Lookup, ProfileWrite, StoredProfile, VaultError,
};
use cis_profile::merge::{change_publishers, merge};
use cis_profile::{AttrPath, Profile};
use tracing::{debug, warn};

const UUID_SET: &str = "The fields primary_username or uuid have been set in a new profile.";
const MISMATCH: &str = "user_id query parameter does not match profile, that looks wrong";

impl Pipeline {
    /// Steps 5–13 for `incoming` (already schema-checked) as a change of `user_id`: verifies the incoming
    /// signatures, reads the stored profile and returns what would be written. Nothing is written.
    pub async fn prepare_upsert(
        &self,
        incoming: &Profile,
        user_id: &str,
    ) -> Result<Prepared, PipelineError> {
        check_user_id(incoming, user_id)?;
        self.verify_signatures(incoming).await?;
        let stored = self.read(user_id).await?;
        self.plan_upsert(incoming, user_id, stored.as_ref())
    }

    /// Prepares and writes the change conditionally together with its `processed` status record. On a
    /// version conflict (or a lost create) it re-reads and re-prepares, up to `write_retries` more times
    /// with full-jitter backoff, then answers `write_conflict`. A no-op writes nothing (see
    /// [`Pipeline::record_noop`]); a status record already present means the change was applied before.
    pub async fn apply_upsert(
        &self,
        incoming: &Profile,
        user_id: &str,
        sequence_number: &str,
        source: ChangeSource,
    ) -> Result<Outcome, PipelineError> {
        check_user_id(incoming, user_id)?;
        self.verify_signatures(incoming).await?;
        for attempt in 0..=self.deps.write_retries {
            if attempt > 0 {
                sleep_before_retry(attempt - 1).await;
            }
            let stored = self.read(user_id).await?;
            let prepared = self.plan_upsert(incoming, user_id, stored.as_ref())?;
            if prepared.noop {
                return Ok(Outcome::Noop {
                    condition: prepared.condition,
                });
            }
            let condition = prepared.condition;
            let version = Some(next_version(prepared.expected));
            let state = ChangeState::Processed;
            let input = StatusInput {
                sequence_number,
                user_id,
                state,
                condition,
                source,
                version,
                error: None,
            };
            let status = self.status_record(input);
            match self
                .deps
                .vault
                .put(to_write(prepared, sequence_number), status)
                .await
            {
                Ok(version) => {
                    return Ok(Outcome::Written {
                        condition,
                        version: Some(version),
                    });
                }
                // A concurrent writer won (or deleted the user): re-read and run the steps again.
                Err(
                    VaultError::VersionConflict(_)
                    | VaultError::AlreadyExists(_)
                    | VaultError::NotFound(_),
                ) => {
                    debug!(attempt, "version conflict, re-reading");
                }
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
        Err(PipelineError::Conflict(user_id.to_string()))
    }

    /// Step 6: the stored profile, strongly consistent.
    pub(super) async fn read(&self, user_id: &str) -> Result<Option<StoredProfile>, PipelineError> {
        Ok(self
            .deps
            .vault
            .get(&Lookup::UserId(user_id.to_string()))
            .await?)
    }

    /// Steps 7–13 against a given stored profile.
    fn plan_upsert(
        &self,
        incoming: &Profile,
        user_id: &str,
        stored: Option<&StoredProfile>,
    ) -> Result<Prepared, PipelineError> {
        let null = Profile::null();
        let base = stored.map_or(&null, |s| &s.profile);
        if stored.is_none() {
            check_new_user(incoming)?;
        }
        let merged = merge(base, incoming);
        let (condition, expected) = match stored {
            Some(s) => (Condition::Update, s.expected()),
            None => (Condition::Create, Expected::Absent),
        };
        if stored.is_some() && merged.changed.is_empty() {
            let profile = base.clone();
            return Ok(Prepared {
                condition,
                noop: true,
                merged: profile,
                changed: vec![],
                change_publishers: vec![],
                expected,
            });
        }
        // Who changed what is decided before CIS re-signs anything as itself.
        let publishers = change_publishers(&merged.profile, &merged.changed);
        let (mut profile, mut changed) = (merged.profile, merged.changed);
        let now = cis_profile::timestamp::now();
        if stored.is_none() {
            let salt = self.deps.uuid_salt.as_deref().ok_or_else(|| {
                PipelineError::Unavailable(
                    "no uuid salt configured: new profiles cannot be created".into(),
                )
            })?;
            set_identifiers(&mut profile, salt, user_id, &now, &self.deps.cis_signer)?;
            changed.extend([AttrPath::UUID, AttrPath::PRIMARY_USERNAME]);
        }
        if self.deps.switches.verify_publishers {
            self.deps
                .rules
                .check_profile(base, &profile)
                .map_err(|e| PipelineError::rejected(403, "invalid_publisher", e.to_string()))?;
        }
        set_last_modified(&mut profile, &now, &self.deps.cis_signer)?;
        resign_active(&mut profile, &self.deps.cis_signer)?;
        changed.push(AttrPath::LAST_MODIFIED);
        changed.sort();
        changed.dedup();
        let publishers = if publishers.is_empty() {
            vec!["cis".to_string()]
        } else {
            publishers
        };
        check_size(&profile, &changed, &publishers)?;
        Ok(Prepared {
            condition,
            noop: false,
            merged: profile,
            changed,
            change_publishers: publishers,
            expected,
        })
    }
}

/// The body's user_id, when set, must be the user of the change (step 4, checked again for stream records).
fn check_user_id(incoming: &Profile, user_id: &str) -> Result<(), PipelineError> {
    if user_id.is_empty() {
        return Err(PipelineError::rejected(
            400,
            "user_id_missing",
            "the profile has no user_id",
        ));
    }
    match incoming.user_id() {
        Some(body) if body != user_id => Err(PipelineError::rejected(
            400,
            "integration_exception",
            MISMATCH,
        )),
        _ => Ok(()),
    }
}

/// Step 7: what a create must and must not carry.
fn check_new_user(incoming: &Profile) -> Result<(), PipelineError> {
    let set = |path| incoming.attr(path).is_some_and(|a| !a.is_null());
    if set(AttrPath::UUID) || set(AttrPath::PRIMARY_USERNAME) {
        return Err(PipelineError::rejected(
            403,
            "uuid_or_primary_username_set",
            UUID_SET,
        ));
    }
    if !set(AttrPath::USER_ID) {
        let text = "a new profile must carry user_id in the body, not only in the query";
        return Err(PipelineError::rejected(400, "user_id_missing", text));
    }
    if !set(AttrPath::ACTIVE) {
        return Err(PipelineError::rejected(
            400,
            "active_missing",
            "a new profile must set active",
        ));
    }
    Ok(())
}

/// Step 13: the vault item must fit DynamoDB's 400 KB.
fn check_size(
    profile: &Profile,
    changed: &[AttrPath],
    publishers: &[String],
) -> Result<(), PipelineError> {
    let dotted: Vec<String> = changed.iter().map(|p| p.dotted().to_string()).collect();
    let size = item_size(profile, &dotted, publishers);
    if size > MAX_ITEM_BYTES {
        let text = format!(
            "the stored profile would be {size} bytes, over the {MAX_ITEM_BYTES}-byte limit"
        );
        return Err(PipelineError::rejected(413, "profile_too_large", text));
    }
    Ok(())
}

/// The version a write under `expected` produces.
fn next_version(expected: Expected) -> u64 {
    match expected {
        Expected::Version(v) => v + 1,
        Expected::Absent | Expected::Unversioned => 1,
    }
}

fn to_write(prepared: Prepared, sequence_number: &str) -> ProfileWrite {
    ProfileWrite {
        profile: prepared.merged,
        expected: prepared.expected,
        sequence_number: sequence_number.to_string(),
        changed_attributes: prepared
            .changed
            .iter()
            .map(|p| p.dotted().to_string())
            .collect(),
        change_publishers: prepared.change_publishers,
    }
}
