//! Status records (docs/contract/processor-and-vault.md §6): building them, and writing the ones that
//! accompany no vault write (`noop`, `failed`). A record is written once, conditionally; finding it already there means the
//! outcome was recorded before, which is success for an idempotent writer.
//!
//! Owns the record's timestamps (`processed_at`, `expires_at`). It does not decide outcomes.

use super::Pipeline;
use super::change::Change;
use super::error::{PipelineError, status_error};
use crate::rejection::Rejection;
use cis_identity_vault::{
    ChangeOrigin, ChangeSource, ChangeState, Condition, StatusError, StatusRecord, VaultError,
};
use cis_profile::AttrPath;
use time::OffsetDateTime;

/// What a status record says, apart from the times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInput<'a> {
    pub sequence_number: &'a str,
    pub user_id: &'a str,
    pub state: ChangeState,
    pub condition: Condition,
    pub source: ChangeSource,
    pub version: Option<u64>,
    pub error: Option<StatusError>,
    pub origin: ChangeOrigin,
}

impl Pipeline {
    /// A status record processed now, expiring after `status_retention_days` (never when 0).
    pub fn status_record(&self, input: StatusInput<'_>) -> StatusRecord {
        let now = OffsetDateTime::now_utc();
        let days = i64::from(self.deps.status_retention_days);
        StatusRecord {
            sequence_number: input.sequence_number.to_string(),
            user_id: input.user_id.to_string(),
            state: input.state,
            condition: input.condition,
            processed_at: cis_profile::timestamp::format(now),
            version: input.version,
            source: input.source,
            error: input.error,
            expires_at: (days > 0).then(|| now.unix_timestamp() + days * 86_400),
            origin: input.origin,
        }
    }

    /// The `processed` record a write of `change` carries in its transaction: its client, and the paths
    /// and publishers of what it changes.
    pub(super) fn processed_status(
        &self,
        change: &Change,
        sequence_number: &str,
        (condition, source, version): (Condition, ChangeSource, Option<u64>),
        changed: &[AttrPath],
        publishers: &[String],
    ) -> StatusRecord {
        self.status_record(StatusInput {
            sequence_number,
            user_id: change.user_id.as_str(),
            state: ChangeState::Processed,
            condition,
            source,
            version,
            error: None,
            origin: ChangeOrigin {
                client_id: change.caller.client_id().map(str::to_string),
                publishers: publishers.to_vec(),
                changed: changed.iter().map(|p| p.dotted().to_string()).collect(),
            },
        })
    }

    /// Records that a change found nothing to do.
    pub async fn record_noop(
        &self,
        sequence_number: &str,
        user_id: &str,
        (condition, source): (Condition, ChangeSource),
        origin: ChangeOrigin,
    ) -> Result<(), PipelineError> {
        let state = ChangeState::Noop;
        let input = StatusInput {
            sequence_number,
            user_id,
            state,
            condition,
            source,
            version: None,
            error: None,
            origin,
        };
        self.put_status_once(self.status_record(input)).await
    }

    /// Records that a change was rejected, with the rejection's code and description.
    pub async fn record_failed(
        &self,
        sequence_number: &str,
        user_id: &str,
        (condition, source): (Condition, ChangeSource),
        origin: ChangeOrigin,
        rejection: &Rejection,
    ) -> Result<(), PipelineError> {
        let state = ChangeState::Failed;
        let error = Some(status_error(rejection));
        let input = StatusInput {
            sequence_number,
            user_id,
            state,
            condition,
            source,
            version: None,
            error,
            origin,
        };
        self.put_status_once(self.status_record(input)).await
    }

    async fn put_status_once(&self, record: StatusRecord) -> Result<(), PipelineError> {
        match self.deps.vault.put_status(record).await {
            Ok(()) | Err(VaultError::StatusExists(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The stored outcome of a change whose write found its status record present.
    pub(super) async fn already_applied(
        &self,
        sequence_number: &str,
    ) -> Result<super::Outcome, PipelineError> {
        match self.deps.vault.get_status(sequence_number).await? {
            Some(record) => Ok(super::Outcome::AlreadyApplied(Box::new(record))),
            None => Err(PipelineError::Unavailable(format!(
                "status record {sequence_number} reported present but not readable"
            ))),
        }
    }
}

/// The publishers a profile document claims (every `signature.publisher.name`), sorted, once each: the
/// origin of a change that was refused or found nothing to do.
pub fn claimed_publishers(document: &serde_json::Value) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        let Some(members) = value.as_object() else {
            return;
        };
        if let Some(name) = value
            .pointer("/signature/publisher/name")
            .and_then(|n| n.as_str())
            && !name.is_empty()
        {
            out.insert(name.to_string());
        }
        for (key, member) in members {
            if key != "signature" && key != "metadata" {
                walk(member, out);
            }
        }
    }
    let mut found = std::collections::BTreeSet::new();
    walk(document, &mut found);
    found.into_iter().collect()
}
