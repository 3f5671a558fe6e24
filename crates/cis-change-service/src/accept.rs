//! Accepting profiles (change-api.md §4 steps 3–15, §8): schema validation into a [`Profile`], the user
//! of the change, then the pipeline and the hand-off — a conditional vault write in direct mode, or
//! synchronous validation followed by one stream append for every queued change in stream mode.
//!
//! Shared by `POST /v2/user` (one item) and `POST /v2/users` (many). It does not read bodies or build HTTP
//! responses. Logs carry user_id and sequence_number only, never a profile.

use cis_identity_vault::{ChangeSource, Condition};
use cis_processor::{ChangeEnvelope, Outcome, new_sequence_number};
use cis_profile::{Profile, ProfileError};
use serde_json::{Map, Value};
use tracing::info;

use crate::error::ChangeError;
use crate::state::ChangeServiceState;

/// One schema-valid profile and the user it changes.
#[derive(Debug)]
pub struct Incoming {
    pub profile: Profile,
    /// The profile exactly as sent (member order kept), for the stream envelope; `None` in direct mode.
    pub original: Option<Value>,
    pub user_id: String,
}

/// An accepted change (§5).
#[derive(Debug, Clone, PartialEq)]
pub enum Accepted {
    /// Stored (direct mode) or durably queued (stream mode) under this sequence number.
    Changed {
        sequence_number: String,
        condition: Condition,
        user_id: String,
    },
    /// Nothing to change: no sequence number.
    Noop {
        condition: Condition,
        user_id: String,
    },
}

/// What steps 5–13 left to do for one item.
#[derive(Debug)]
pub enum Judged {
    Done(Accepted),
    /// Stream mode: valid and not a no-op; appended by [`hand_off`].
    Queue(ChangeEnvelope),
}

/// Step 3: schema validation (both layers), or only the structure check when `validate_schema` is off
/// (local only). The error names the first violation as `<json-pointer>: <message>`.
pub fn validate_profile(
    state: &ChangeServiceState,
    map: Map<String, Value>,
) -> Result<(Profile, Option<Value>), ChangeError> {
    let value = Value::Object(map);
    let original = state.is_stream_mode().then(|| value.clone());
    let parsed = if state.pipeline.switches().validate_schema {
        Profile::from_value(value)
    } else {
        Profile::from_stored(value)
    };
    let profile = parsed.map_err(|e| ChangeError::InvalidProfile(first_violation(&e)))?;
    Ok((profile, original))
}

fn first_violation(e: &ProfileError) -> String {
    e.violations()
        .first()
        .map_or_else(|| e.to_string(), ToString::to_string)
}

/// Step 4: the user of a change from the query (`q`, empty = absent) and the body (`b`).
pub fn resolve_user_id(query: Option<&str>, profile: &Profile) -> Result<String, ChangeError> {
    let query = query.filter(|q| !q.is_empty());
    let body = profile.user_id().filter(|b| !b.is_empty());
    match (query, body) {
        (Some(q), Some(b)) if q != b => Err(ChangeError::UserIdMismatch),
        (Some(q), _) => Ok(q.to_string()),
        (None, Some(b)) => Ok(b.to_string()),
        (None, None) => Err(ChangeError::UserIdMissing),
    }
}

/// Steps 5–14 for one item. Direct mode applies the change (written before this returns); stream mode
/// validates against the stored profile and returns the envelope to append.
pub async fn judge(
    state: &ChangeServiceState,
    item: Incoming,
    client_id: Option<String>,
) -> Result<Judged, ChangeError> {
    let Incoming {
        profile,
        original,
        user_id,
    } = item;
    if state.is_stream_mode() {
        let prepared = state.pipeline.prepare_upsert(&profile, &user_id).await?;
        if prepared.noop {
            info!(user_id = %user_id, "no change");
            return Ok(Judged::Done(Accepted::Noop {
                condition: prepared.condition,
                user_id,
            }));
        }
        let original = original.unwrap_or_else(|| profile.into_value());
        let sequence_number = new_sequence_number();
        let envelope = ChangeEnvelope::upsert(
            sequence_number,
            user_id,
            prepared.condition,
            client_id,
            original,
        );
        return Ok(Judged::Queue(envelope));
    }
    let sequence_number = new_sequence_number();
    let outcome = state
        .pipeline
        .apply_upsert(&profile, &user_id, &sequence_number, ChangeSource::Direct)
        .await?;
    let accepted = match outcome {
        Outcome::Written { condition, .. } => Accepted::Changed {
            sequence_number,
            condition,
            user_id,
        },
        Outcome::Noop { condition } => Accepted::Noop { condition, user_id },
        // A fresh number cannot have been applied before; answer with what the record says anyway.
        Outcome::AlreadyApplied(record) => Accepted::Changed {
            sequence_number: record.sequence_number,
            condition: record.condition,
            user_id,
        },
    };
    log_accepted(&accepted, "stored");
    Ok(Judged::Done(accepted))
}

/// Step 14 of stream mode: appends every queued change in one call (one record per change, partition key
/// = user_id) and turns each item into its final verdict, in input order.
pub async fn hand_off(
    state: &ChangeServiceState,
    judged: Vec<Result<Judged, ChangeError>>,
) -> Vec<Result<Accepted, ChangeError>> {
    let queued: Vec<ChangeEnvelope> = judged
        .iter()
        .filter_map(|j| match j {
            Ok(Judged::Queue(envelope)) => Some(envelope.clone()),
            _ => None,
        })
        .collect();
    let mut results = match (&state.stream, queued.is_empty()) {
        (_, true) => Vec::new(),
        (Some(stream), false) => stream.append(&queued).await,
        // Unreachable: only stream mode queues; refuse rather than lose the change.
        (None, false) => queued.iter().map(|_| Err(no_stream())).collect(),
    }
    .into_iter();
    judged
        .into_iter()
        .map(|j| match j? {
            Judged::Done(accepted) => Ok(accepted),
            Judged::Queue(envelope) => {
                results.next().unwrap_or_else(|| Err(no_stream()))?;
                let accepted = Accepted::Changed {
                    condition: envelope.condition.unwrap_or(Condition::Update),
                    sequence_number: envelope.sequence_number,
                    user_id: envelope.user_id,
                };
                log_accepted(&accepted, "queued");
                Ok(accepted)
            }
        })
        .collect()
}

fn no_stream() -> cis_processor::StreamError {
    cis_processor::StreamError::Unavailable(
        "the change stream returned fewer results than records".into(),
    )
}

fn log_accepted(accepted: &Accepted, how: &'static str) {
    if let Accepted::Changed {
        sequence_number,
        condition,
        user_id,
    } = accepted
    {
        info!(user_id = %user_id, sequence_number = %sequence_number, condition = condition.as_str(), how, "change accepted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cis_profile::AttrPath;
    use cis_profile::attr::set_payload;

    fn profile_with_user(user_id: Option<&str>) -> Profile {
        let mut p = Profile::null();
        if let Some(id) = user_id {
            let mut attr = p.attr_or_null(AttrPath::USER_ID);
            set_payload(&mut attr, AttrPath::USER_ID.kind(), Value::from(id));
            p.set_attr(AttrPath::USER_ID, attr);
        }
        p
    }

    #[test]
    fn the_query_user_id_wins_when_the_body_has_none() {
        assert_eq!(
            resolve_user_id(Some("a"), &profile_with_user(None)).unwrap(),
            "a"
        );
        assert_eq!(
            resolve_user_id(None, &profile_with_user(Some("b"))).unwrap(),
            "b"
        );
        assert_eq!(
            resolve_user_id(Some(""), &profile_with_user(Some("b"))).unwrap(),
            "b"
        );
        assert_eq!(
            resolve_user_id(Some("b"), &profile_with_user(Some("b"))).unwrap(),
            "b"
        );
    }

    #[test]
    fn a_query_user_id_that_differs_from_the_body_is_refused() {
        assert!(matches!(
            resolve_user_id(Some("a"), &profile_with_user(Some("b"))),
            Err(ChangeError::UserIdMismatch)
        ));
        assert!(matches!(
            resolve_user_id(None, &profile_with_user(None)),
            Err(ChangeError::UserIdMissing)
        ));
        assert!(matches!(
            resolve_user_id(Some(""), &profile_with_user(None)),
            Err(ChangeError::UserIdMissing)
        ));
    }
}
