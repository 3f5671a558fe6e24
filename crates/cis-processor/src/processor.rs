//! The stream processor (docs/contract/processor-and-vault.md §3): a batch of change records in, per-record outcomes and
//! the first batch item failure out.
//!
//! Per record, in its own tracing span (`record_id`, `sequence_number`, `user_id`): decode (poison → a
//! `failed` status keyed by the stream's record id, code `undecodable_record`), skip when a status record
//! exists, apply with the [`Pipeline`], record `noop`/`failed`, and on a transient failure stop. Records of
//! different users run concurrently (bounded); each user's records run in order, and no record after the
//! earliest transient failure is started, so redelivery from that record is always correct. This file owns
//! the batch loop and its outcome; `processor/record.rs` one record; `lambda.rs` the Lambda event types.
//! Profile contents are never logged.

mod record;

use cis_change::{ChangeEnvelope, DecodeError, Decoded, Pipeline, StreamRecord};
use cis_identity_vault::Condition;
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tracing::{Instrument, Span, field, info_span};

/// How many users a batch works on at the same time by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Written (created, updated or deleted) with its `processed` status record.
    Processed(Condition),
    /// Nothing to change; `noop` status recorded.
    Noop,
    /// Rejected; `failed` status recorded with this code. Not retried.
    Failed(String),
    /// Undecodable; `failed` status recorded under the record id. Not retried.
    Poison,
    /// Its status record existed: a redelivered record.
    Skipped,
    /// A transient failure: the batch stops here and the record is redelivered.
    Transient,
    /// Not started because an earlier record failed transiently or a stop was requested.
    NotAttempted,
}

impl RecordOutcome {
    /// True when the record must come again (it is at or after the resume point).
    pub fn needs_redelivery(&self) -> bool {
        matches!(self, RecordOutcome::Transient | RecordOutcome::NotAttempted)
    }
}

/// The outcome of a batch: one entry per record, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub records: Vec<(String, RecordOutcome)>,
}

impl BatchOutcome {
    /// The id of the first record that must be redelivered (the batch item failure), if any.
    pub fn first_failure(&self) -> Option<&str> {
        self.records
            .iter()
            .find(|(_, o)| o.needs_redelivery())
            .map(|(id, _)| id.as_str())
    }

    /// How many records from the start of the batch are done for good (safe to acknowledge).
    pub fn completed_prefix(&self) -> usize {
        self.records
            .iter()
            .position(|(_, o)| o.needs_redelivery())
            .unwrap_or(self.records.len())
    }

    /// How many records ended with an outcome matching `f`.
    pub fn count(&self, f: impl Fn(&RecordOutcome) -> bool) -> usize {
        self.records.iter().filter(|(_, o)| f(o)).count()
    }
}

/// Applies change records to the vault through the pipeline.
#[derive(Debug, Clone)]
pub struct Processor {
    pipeline: Arc<Pipeline>,
    concurrency: usize,
}

/// A record with its span and decoding result, ready to run.
struct Item {
    index: usize,
    id: String,
    span: Span,
    decoded: Result<Decoded, DecodeError>,
}

impl Item {
    fn new(index: usize, record: StreamRecord) -> Item {
        let span = info_span!("record", record_id = %record.id, sequence_number = field::Empty, user_id = field::Empty);
        let decoded = ChangeEnvelope::decode(&record.data, &record.id);
        match &decoded {
            Ok(d) => {
                span.record("sequence_number", d.envelope.sequence_number.as_str());
                span.record("user_id", d.envelope.user_id.as_str());
            }
            Err(_) => {
                span.record("sequence_number", record.id.as_str());
            }
        }
        Item {
            index,
            id: record.id,
            span,
            decoded,
        }
    }

    /// Records of one user share a key; a poison record is alone.
    fn group_key(&self) -> String {
        match &self.decoded {
            Ok(d) => format!("u:{}", d.envelope.user_id),
            Err(_) => format!("p:{}", self.index),
        }
    }
}

impl Processor {
    pub fn new(pipeline: Arc<Pipeline>) -> Processor {
        Processor {
            pipeline,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// How many users run at once (1 = strictly sequential).
    pub fn with_concurrency(mut self, concurrency: usize) -> Processor {
        self.concurrency = concurrency.max(1);
        self
    }

    pub fn pipeline(&self) -> &Arc<Pipeline> {
        &self.pipeline
    }

    /// Processes a batch (docs/contract/processor-and-vault.md §3).
    pub async fn process_batch(&self, records: Vec<StreamRecord>) -> BatchOutcome {
        self.process_batch_until(records, &AtomicBool::new(false))
            .await
    }

    /// [`Processor::process_batch`], starting no further record once `stop` is set (records already started
    /// finish); the ones not started are reported [`RecordOutcome::NotAttempted`].
    pub async fn process_batch_until(
        &self,
        records: Vec<StreamRecord>,
        stop: &AtomicBool,
    ) -> BatchOutcome {
        let total = records.len();
        let mut groups: Vec<Vec<Item>> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for (index, record) in records.into_iter().enumerate() {
            let item = Item::new(index, record);
            let slot = *by_key.entry(item.group_key()).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[slot].push(item);
        }
        let stop_at = AtomicUsize::new(usize::MAX);
        let results: Vec<Vec<(usize, String, RecordOutcome)>> = futures::stream::iter(groups)
            .map(|group| self.run_group(group, &stop_at, stop))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut slots: Vec<Option<(String, RecordOutcome)>> = vec![None; total];
        for (index, id, outcome) in results.into_iter().flatten() {
            slots[index] = Some((id, outcome));
        }
        BatchOutcome {
            records: slots.into_iter().flatten().collect(),
        }
    }

    /// One user's records, in order; stops at the user's first transient failure.
    async fn run_group(
        &self,
        group: Vec<Item>,
        stop_at: &AtomicUsize,
        stop: &AtomicBool,
    ) -> Vec<(usize, String, RecordOutcome)> {
        let mut out = Vec::with_capacity(group.len());
        let mut stopped = false;
        for item in group {
            if stopped || item.index > stop_at.load(Ordering::SeqCst) || stop.load(Ordering::SeqCst)
            {
                out.push((item.index, item.id, RecordOutcome::NotAttempted));
                continue;
            }
            let span = item.span.clone();
            let outcome = self.process_one(&item).instrument(span).await;
            if outcome == RecordOutcome::Transient {
                stop_at.fetch_min(item.index, Ordering::SeqCst);
                stopped = true;
            }
            out.push((item.index, item.id, outcome));
        }
        out
    }
}
