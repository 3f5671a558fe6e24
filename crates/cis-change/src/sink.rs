//! [`ChangeSink`]: what the Change API does with a change once it is parsed — decided once, at wiring time,
//! so that no handler asks which mode it runs in (docs/contract/change-api.md §8):
//!
//! - [`DirectSink`] (`stream_bypass = true`): apply now — check, sign CIS's attributes, conditional write
//!   with its status record — and answer with the stored outcome;
//! - [`StreamSink`] (the default): check now against the stored profile (no signing, no write), mark the user
//!   pending, then append every acceptable change to the change stream in one call; the processor applies
//!   it later and clears the mark. A user already pending is judged by [`Pipeline::check_queued`].
//!
//! Owns the per-item concurrency of a batch (a task per item, at most `concurrency` at a time) and the
//! sequence numbers of accepted changes. Logs carry user ids and sequence numbers, never a profile.

use crate::envelope::{ChangeEnvelope, new_sequence_number};
use crate::pipeline::{Change, Outcome, Pipeline, PipelineError};
use crate::stream::{ChangeStream, StreamError};
use async_trait::async_trait;
use cis_identity_vault::{ChangeSource, Condition};
use cis_profile::UserId;
use futures::StreamExt;
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use tracing::info;

/// One change as the Change API hands it over: parsed, and the document exactly as the publisher sent it
/// (member order kept: the stream envelope carries it, docs/contract/processor-and-vault.md §2).
#[derive(Debug, Clone)]
pub struct Incoming {
    pub change: Change,
    pub document: Value,
}

/// An accepted change (docs/contract/change-api.md §5, §7).
#[derive(Debug, Clone, PartialEq)]
pub enum Accepted {
    /// Stored (direct mode) or durably queued (stream mode) under this sequence number.
    Changed {
        sequence_number: String,
        condition: Condition,
        user_id: UserId,
    },
    /// Nothing to change: no sequence number.
    Noop {
        condition: Condition,
        user_id: UserId,
    },
}

/// Why a sink did not accept a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The change stream did not take the change.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// A bug (a task that panicked): nothing about the change is known.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Where accepted changes go.
#[async_trait]
pub trait ChangeSink: Send + Sync {
    /// Judges each upsert (at most one per user) and accepts the acceptable ones; one verdict per item, in
    /// input order.
    async fn upserts(
        &self,
        items: Vec<Incoming>,
        client_id: Option<String>,
    ) -> Vec<Result<Accepted, SinkError>>;

    /// Judges a delete and accepts it when permitted.
    async fn delete(
        &self,
        item: Incoming,
        client_id: Option<String>,
    ) -> Result<Accepted, SinkError>;

    /// `direct` or `stream`, for start-up logs.
    fn mode(&self) -> &'static str;
}

/// Applies changes before answering.
#[derive(Debug, Clone)]
pub struct DirectSink {
    pipeline: Arc<Pipeline>,
    concurrency: usize,
}

impl DirectSink {
    pub fn new(pipeline: Arc<Pipeline>, concurrency: usize) -> DirectSink {
        let concurrency = concurrency.max(1);
        DirectSink {
            pipeline,
            concurrency,
        }
    }
}

#[async_trait]
impl ChangeSink for DirectSink {
    async fn upserts(
        &self,
        items: Vec<Incoming>,
        _client_id: Option<String>,
    ) -> Vec<Result<Accepted, SinkError>> {
        let pipeline = &self.pipeline;
        each(items, self.concurrency, |item| {
            let pipeline = Arc::clone(pipeline);
            async move { apply_one(&pipeline, item.change).await }
        })
        .await
    }

    async fn delete(
        &self,
        item: Incoming,
        _client_id: Option<String>,
    ) -> Result<Accepted, SinkError> {
        let sequence_number = new_sequence_number();
        let change = item.change;
        self.pipeline
            .apply_delete(&change, &sequence_number, ChangeSource::Direct)
            .await?;
        Ok(accepted(
            sequence_number,
            Condition::Delete,
            change.user_id,
            "stored",
        ))
    }

    fn mode(&self) -> &'static str {
        "direct"
    }
}

async fn apply_one(pipeline: &Pipeline, change: Change) -> Result<Accepted, SinkError> {
    let sequence_number = new_sequence_number();
    let outcome = pipeline
        .apply_upsert(&change, &sequence_number, ChangeSource::Direct)
        .await?;
    let user_id = change.user_id;
    Ok(match outcome {
        Outcome::Written { condition, .. } => {
            accepted(sequence_number, condition, user_id, "stored")
        }
        Outcome::Noop { condition } => Accepted::Noop { condition, user_id },
        // A fresh number cannot have been applied before; answer with what the record says anyway.
        Outcome::AlreadyApplied(record) => Accepted::Changed {
            sequence_number: record.sequence_number,
            condition: record.condition,
            user_id,
        },
    })
}

/// Checks changes and appends them to the change stream.
#[derive(Clone)]
pub struct StreamSink {
    pipeline: Arc<Pipeline>,
    stream: Arc<dyn ChangeStream>,
    concurrency: usize,
}

impl StreamSink {
    pub fn new(
        pipeline: Arc<Pipeline>,
        stream: Arc<dyn ChangeStream>,
        concurrency: usize,
    ) -> StreamSink {
        let concurrency = concurrency.max(1);
        StreamSink {
            pipeline,
            stream,
            concurrency,
        }
    }

    /// Marks each envelope's user as pending, then appends the marked ones in one call; each envelope's
    /// verdict, in order. A change whose mark could not be written is not appended (503).
    async fn append(&self, envelopes: Vec<ChangeEnvelope>) -> Vec<Result<Accepted, SinkError>> {
        let marks = futures::future::join_all(envelopes.iter().map(|e| async {
            let user = UserId::parse(&e.user_id)
                .ok_or_else(|| SinkError::Internal("an envelope without user".into()))?;
            self.pipeline
                .mark_pending(&user, &e.sequence_number)
                .await?;
            Ok::<_, SinkError>(user)
        }))
        .await;
        let marked: Vec<ChangeEnvelope> = envelopes
            .iter()
            .zip(&marks)
            .filter(|(_, m)| m.is_ok())
            .map(|(e, _)| e.clone())
            .collect();
        let mut results = self.stream.append(&marked).await.into_iter();
        envelopes
            .into_iter()
            .zip(marks)
            .map(|(envelope, mark)| {
                let user_id = mark?;
                results.next().unwrap_or_else(|| Err(short_answer()))?;
                let condition = envelope.condition.unwrap_or(Condition::Update);
                Ok(accepted(
                    envelope.sequence_number,
                    condition,
                    user_id,
                    "queued",
                ))
            })
            .collect()
    }
}

impl std::fmt::Debug for StreamSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSink")
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// What the check left to do for one upsert in stream mode.
enum Judged {
    Done(Accepted),
    Queue(ChangeEnvelope),
}

#[async_trait]
impl ChangeSink for StreamSink {
    async fn upserts(
        &self,
        items: Vec<Incoming>,
        client_id: Option<String>,
    ) -> Vec<Result<Accepted, SinkError>> {
        let pipeline = &self.pipeline;
        let judged = each(items, self.concurrency, |item| {
            let (pipeline, client_id) = (Arc::clone(pipeline), client_id.clone());
            async move { judge(&pipeline, item, client_id).await }
        })
        .await;
        let queued: Vec<ChangeEnvelope> = judged
            .iter()
            .filter_map(|j| match j {
                Ok(Judged::Queue(envelope)) => Some(envelope.clone()),
                _ => None,
            })
            .collect();
        let mut appended = self.append(queued).await.into_iter();
        judged
            .into_iter()
            .map(|j| match j? {
                Judged::Done(accepted) => Ok(accepted),
                Judged::Queue(_) => appended
                    .next()
                    .unwrap_or_else(|| Err(short_answer().into())),
            })
            .collect()
    }

    async fn delete(
        &self,
        item: Incoming,
        client_id: Option<String>,
    ) -> Result<Accepted, SinkError> {
        self.pipeline.check_delete(&item.change).await?;
        let user = item.change.user_id.into_string();
        let envelope =
            ChangeEnvelope::delete(new_sequence_number(), user, client_id, item.document);
        self.append(vec![envelope])
            .await
            .pop()
            .unwrap_or_else(|| Err(short_answer().into()))
    }

    fn mode(&self) -> &'static str {
        "stream"
    }
}

async fn judge(
    pipeline: &Pipeline,
    item: Incoming,
    client_id: Option<String>,
) -> Result<Judged, SinkError> {
    let user_id = &item.change.user_id;
    // Behind a pending change the stored profile is about to change: judge what holds regardless.
    let checked = if pipeline.is_pending(user_id).await? {
        pipeline.check_queued(&item.change).await?
    } else {
        pipeline.check_upsert(&item.change).await?
    };
    let user_id = item.change.user_id;
    if checked.noop {
        info!(user_id = %user_id, "no change");
        let condition = checked.condition;
        return Ok(Judged::Done(Accepted::Noop { condition, user_id }));
    }
    Ok(Judged::Queue(ChangeEnvelope::upsert(
        new_sequence_number(),
        user_id.into_string(),
        checked.condition,
        client_id,
        item.document,
    )))
}

fn short_answer() -> StreamError {
    StreamError::Unavailable("the change stream returned fewer results than records".into())
}

fn accepted(
    sequence_number: String,
    condition: Condition,
    user_id: UserId,
    how: &'static str,
) -> Accepted {
    info!(user_id = %user_id, sequence_number = %sequence_number, condition = condition.as_str(), how, "change accepted");
    Accepted::Changed {
        sequence_number,
        condition,
        user_id,
    }
}

/// Runs `work` on every item, each in its own task (so that verification and signing use every core), at
/// most `concurrency` at a time; results in input order. A finished task's write stands even if the caller
/// went away.
async fn each<T, F, Fut>(
    items: Vec<Incoming>,
    concurrency: usize,
    work: F,
) -> Vec<Result<T, SinkError>>
where
    T: Send + 'static,
    F: Fn(Incoming) -> Fut,
    Fut: Future<Output = Result<T, SinkError>> + Send + 'static,
{
    if items.len() == 1 {
        // One item (POST /v2/user): no task to spawn.
        let mut items = items;
        return match items.pop() {
            Some(item) => vec![work(item).await],
            None => Vec::new(),
        };
    }
    futures::stream::iter(items)
        .map(|item| {
            let task = tokio::spawn(work(item));
            async move {
                task.await
                    .unwrap_or_else(|e| Err(SinkError::Internal(format!("batch item task: {e}"))))
            }
        })
        .buffered(concurrency)
        .collect()
        .await
}
