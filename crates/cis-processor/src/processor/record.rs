//! One record through the pipeline (processor-and-vault.md §3 steps 1–4): the status-record check, apply,
//! and recording `noop`, `failed` (rejections) and poison outcomes. Transient failures are only reported
//! here; stopping the batch is the caller's job. Logs carry codes and outcomes, never profile contents.

use super::{Item, Processor, RecordOutcome};
use crate::envelope::{ChangeEnvelope, DecodeError, Op};
use crate::pipeline::{Outcome, PipelineError};
use cis_identity_vault::{ChangeSource, Condition, StatusError};
use cis_profile::Profile;
use tracing::{info, warn};

impl Processor {
    pub(super) async fn process_one(&self, item: &Item) -> RecordOutcome {
        let decoded = match &item.decoded {
            Ok(d) => d,
            Err(e) => return self.record_poison(&item.id, e).await,
        };
        let env = &decoded.envelope;
        match self.pipeline.vault().get_status(&env.sequence_number).await {
            Ok(Some(_)) => {
                info!(
                    outcome = "skipped",
                    "status record exists: already processed"
                );
                return RecordOutcome::Skipped;
            }
            Ok(None) => {}
            Err(e) => {
                warn!(error = %e, "status lookup failed; stopping the batch");
                return RecordOutcome::Transient;
            }
        }
        let source = if decoded.historic {
            ChangeSource::Historic
        } else {
            ChangeSource::Stream
        };
        let condition = match env.op {
            Op::Delete => Condition::Delete,
            Op::Upsert => env.condition.unwrap_or(Condition::Update),
        };
        match self.apply(env, source).await {
            Ok(Outcome::Written { condition, version }) => {
                info!(
                    outcome = "processed",
                    condition = condition.as_str(),
                    version,
                    "change stored"
                );
                RecordOutcome::Processed(condition)
            }
            Ok(Outcome::Noop { condition }) => self.record_noop(env, condition, source).await,
            Ok(Outcome::AlreadyApplied(record)) => {
                info!(
                    outcome = "skipped",
                    state = record.state.as_str(),
                    "change was applied before"
                );
                RecordOutcome::Skipped
            }
            Err(e) if env.op == Op::Delete && e.is_user_not_found() => {
                self.record_noop(env, Condition::Delete, source).await
            }
            Err(e) if e.is_transient() => {
                warn!(code = e.code(), error = %e, "transient failure; stopping the batch");
                RecordOutcome::Transient
            }
            Err(e) => self.record_rejection(env, condition, source, &e).await,
        }
    }

    /// Steps 3 and 5–14 (upsert) or §7 steps 3 and 5–8 (delete).
    async fn apply(
        &self,
        env: &ChangeEnvelope,
        source: ChangeSource,
    ) -> Result<Outcome, PipelineError> {
        let parsed = if self.pipeline.switches().validate_schema {
            Profile::from_value(env.profile.clone())
        } else {
            Profile::from_stored(env.profile.clone())
        };
        let profile =
            parsed.map_err(|e| PipelineError::rejected(400, "invalid_profile", e.to_string()))?;
        let (user, seq) = (env.user_id.as_str(), env.sequence_number.as_str());
        match env.op {
            Op::Upsert => {
                self.pipeline
                    .apply_upsert(&profile, user, seq, source)
                    .await
            }
            Op::Delete => {
                self.pipeline
                    .apply_delete(&profile, user, seq, source)
                    .await
            }
        }
    }

    async fn record_poison(&self, id: &str, error: &DecodeError) -> RecordOutcome {
        let status = StatusError {
            code: "undecodable_record".into(),
            description: error.to_string(),
        };
        let source = ChangeSource::Stream;
        match self
            .pipeline
            .record_failed(id, "", Condition::Update, source, status)
            .await
        {
            Ok(()) => {
                warn!(outcome = "poison", reason = %error, "undecodable record recorded and acknowledged");
                RecordOutcome::Poison
            }
            Err(e) => {
                warn!(error = %e, "could not record a poison record; stopping the batch");
                RecordOutcome::Transient
            }
        }
    }

    async fn record_noop(
        &self,
        env: &ChangeEnvelope,
        condition: Condition,
        source: ChangeSource,
    ) -> RecordOutcome {
        let (seq, user) = (env.sequence_number.as_str(), env.user_id.as_str());
        match self
            .pipeline
            .record_noop(seq, user, condition, source)
            .await
        {
            Ok(()) => {
                info!(outcome = "noop", "nothing to change");
                RecordOutcome::Noop
            }
            Err(e) => {
                warn!(error = %e, "could not record a noop; stopping the batch");
                RecordOutcome::Transient
            }
        }
    }

    async fn record_rejection(
        &self,
        env: &ChangeEnvelope,
        condition: Condition,
        source: ChangeSource,
        error: &PipelineError,
    ) -> RecordOutcome {
        let (seq, user) = (env.sequence_number.as_str(), env.user_id.as_str());
        match self
            .pipeline
            .record_failed(seq, user, condition, source, error.status_error())
            .await
        {
            Ok(()) => {
                info!(outcome = "failed", code = error.code(), "change rejected");
                RecordOutcome::Failed(error.code().to_string())
            }
            Err(e) => {
                warn!(error = %e, "could not record a rejection; stopping the batch");
                RecordOutcome::Transient
            }
        }
    }
}
