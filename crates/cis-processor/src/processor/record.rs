//! One record through the pipeline (docs/contract/processor-and-vault.md §3 steps 1–4): the status-record
//! check, parse and apply, recording `noop`, `failed` (rejections) and poison outcomes, and clearing the
//! user's pending mark once the outcome is final. Transient failures
//! are only reported here; stopping the batch is the caller's job. Logs carry codes and outcomes, never
//! profile contents.

use super::{Item, Processor, RecordOutcome};
use cis_change::{Caller, ChangeEnvelope, DecodeError, Op, Outcome, PipelineError, Rejection};
use cis_identity_vault::{ChangeOrigin, ChangeSource, Condition};
use cis_profile::UserId;
use tracing::{info, warn};

impl Processor {
    /// One record, then — once its outcome is final — the pending mark the Change API set for its user
    /// cleared (a later change of the user keeps its own mark). A mark that cannot be cleared only lapses
    /// later: the record's outcome stands.
    pub(super) async fn process_one(&self, item: &Item) -> RecordOutcome {
        let outcome = self.process(item).await;
        let done = matches!(
            outcome,
            RecordOutcome::Processed(_)
                | RecordOutcome::Noop
                | RecordOutcome::Failed(_)
                | RecordOutcome::Skipped
        );
        if let (true, Ok(decoded)) = (done, &item.decoded) {
            let env = &decoded.envelope;
            if let Some(user) = UserId::parse(&env.user_id)
                && let Err(e) = self
                    .pipeline
                    .clear_pending(&user, &env.sequence_number)
                    .await
            {
                warn!(error = %e, "the pending mark could not be cleared; it lapses on its own");
            }
        }
        outcome
    }

    async fn process(&self, item: &Item) -> RecordOutcome {
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
            // The user is gone already: the delete has nothing left to do.
            Err(PipelineError::Rejected(Rejection::UserNotFound(_))) if env.op == Op::Delete => {
                self.record_noop(env, Condition::Delete, source).await
            }
            Err(PipelineError::Rejected(rejection)) => {
                self.record_rejection(env, condition, source, &rejection)
                    .await
            }
            Err(e) => {
                warn!(error = %e, "transient failure; stopping the batch");
                RecordOutcome::Transient
            }
        }
    }

    /// Steps 3 and 5–14 (upsert) or §7 steps 3 and 5–8 (delete) of docs/contract/change-api.md.
    async fn apply(
        &self,
        env: &ChangeEnvelope,
        source: ChangeSource,
    ) -> Result<Outcome, PipelineError> {
        // The client the Change API authenticated; none for historic records and the local bypass.
        let caller = Caller::of(env.client_id.as_deref());
        let change = self
            .pipeline
            .parse_change(env.profile.clone(), Some(&env.user_id), caller)?;
        let seq = env.sequence_number.as_str();
        match env.op {
            Op::Upsert => self.pipeline.apply_upsert(&change, seq, source).await,
            Op::Delete => self.pipeline.apply_delete(&change, seq, source).await,
        }
    }

    async fn record_poison(&self, id: &str, error: &DecodeError) -> RecordOutcome {
        let rejection = Rejection::Undecodable(error.to_string());
        let source = ChangeSource::Stream;
        match self
            .pipeline
            .record_failed(
                id,
                "",
                (Condition::Update, source),
                ChangeOrigin::default(),
                &rejection,
            )
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
            .record_noop(seq, user, (condition, source), origin_of(env))
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
        rejection: &Rejection,
    ) -> RecordOutcome {
        let (seq, user) = (env.sequence_number.as_str(), env.user_id.as_str());
        match self
            .pipeline
            .record_failed(seq, user, (condition, source), origin_of(env), rejection)
            .await
        {
            Ok(()) => {
                info!(
                    outcome = "failed",
                    code = rejection.code(),
                    "change rejected"
                );
                RecordOutcome::Failed(rejection.code().to_string())
            }
            Err(e) => {
                warn!(error = %e, "could not record a rejection; stopping the batch");
                RecordOutcome::Transient
            }
        }
    }
}

/// Who sent a change that changed nothing or was refused, and the publishers its profile claims.
fn origin_of(env: &ChangeEnvelope) -> ChangeOrigin {
    ChangeOrigin {
        client_id: env.client_id.clone(),
        publishers: cis_change::claimed_publishers(&env.profile),
        changed: Vec::new(),
    }
}
