//! [`KinesisPoller`]: reads every shard of a stream from its start and hands the records to a batch handler
//! (the stream processor, or a Lambda function under an emulator) one shard batch at a time, the way a Lambda
//! event-source mapping does (moto_server runs none). For tests and local tooling only: positions live in
//! memory and are never checkpointed.

use super::StreamRef;
use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::error::DisplayErrorContext;
use aws_sdk_kinesis::types::ShardIteratorType;
use cis_change::{StreamError, StreamRecord};
use std::collections::BTreeMap;
use std::future::Future;

/// Where the next read of a shard starts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    TrimHorizon,
    At(String),
    After(String),
}

/// Empty `GetRecords` answers to follow before giving up on a shard for this poll (real Kinesis may answer
/// empty pages before the data).
const EMPTY_HOPS: usize = 5;

/// The records one poll read from one shard, in order. Record ids are unique within a shard only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardBatch {
    pub shard_id: String,
    pub records: Vec<StreamRecord>,
}

/// What [`KinesisPoller::feed`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedReport {
    /// Records read.
    pub read: usize,
    /// Shard batches that reported a batch item failure (their shard is read again from that record).
    pub failed_batches: usize,
}

/// Reads a stream shard by shard, remembering how far it got.
#[derive(Debug)]
pub struct KinesisPoller {
    client: Client,
    stream_name: String,
    limit: i32,
    positions: BTreeMap<String, Position>,
}

fn unavailable(e: impl std::error::Error) -> StreamError {
    StreamError::Unavailable(DisplayErrorContext(&e).to_string())
}

impl KinesisPoller {
    /// Starts at the oldest record of every shard (`TRIM_HORIZON`), at most `limit` records per shard per
    /// poll (the mapping's batch size). `stream` is a name or an ARN (read as the name it ends with).
    pub fn new(client: Client, stream: impl Into<String>, limit: i32) -> KinesisPoller {
        let stream_name = match StreamRef::parse(stream) {
            StreamRef::Name(name) => name,
            StreamRef::Arn(arn) => arn
                .rsplit_once("stream/")
                .map_or(arn.clone(), |(_, name)| name.to_string()),
        };
        KinesisPoller {
            client,
            stream_name,
            limit: limit.max(1),
            positions: BTreeMap::new(),
        }
    }

    /// The next records of every shard that has some, advancing past them.
    pub async fn poll(&mut self) -> Result<Vec<ShardBatch>, StreamError> {
        for shard in self.shard_ids().await? {
            self.positions.entry(shard).or_insert(Position::TrimHorizon);
        }
        let mut out = Vec::new();
        let shards: Vec<(String, Position)> = self
            .positions
            .iter()
            .map(|(s, p)| (s.clone(), p.clone()))
            .collect();
        for (shard_id, position) in shards {
            let records = self.read_shard(&shard_id, &position).await?;
            if let Some(last) = records.last() {
                self.positions
                    .insert(shard_id.clone(), Position::After(last.id.clone()));
                out.push(ShardBatch { shard_id, records });
            }
        }
        Ok(out)
    }

    /// Makes the next poll read `shard_id` again from `record_id` on (what Lambda does with a batch item
    /// failure).
    pub fn redeliver_from(&mut self, shard_id: &str, record_id: &str) {
        self.positions
            .insert(shard_id.to_string(), Position::At(record_id.to_string()));
    }

    /// One poll handled like an event-source mapping would: each shard batch through `handle`, which
    /// answers the id of the first record to redeliver (its batch item failure), if any; that shard then
    /// comes again from that record on the next call.
    pub async fn feed<F, Fut>(&mut self, mut handle: F) -> Result<FeedReport, StreamError>
    where
        F: FnMut(Vec<StreamRecord>) -> Fut,
        Fut: Future<Output = Option<String>>,
    {
        let mut report = FeedReport::default();
        for batch in self.poll().await? {
            report.read += batch.records.len();
            if let Some(failed) = handle(batch.records).await {
                report.failed_batches += 1;
                self.redeliver_from(&batch.shard_id, &failed);
            }
        }
        Ok(report)
    }

    async fn shard_ids(&self) -> Result<Vec<String>, StreamError> {
        let mut ids = Vec::new();
        let mut next: Option<String> = None;
        loop {
            // ListShards takes either the stream or a continuation token, never both.
            let request = match &next {
                Some(token) => self.client.list_shards().next_token(token),
                None => self.client.list_shards().stream_name(&self.stream_name),
            };
            let page = request.send().await.map_err(unavailable)?;
            ids.extend(page.shards().iter().map(|s| s.shard_id().to_string()));
            match page.next_token() {
                Some(token) => next = Some(token.to_string()),
                None => return Ok(ids),
            }
        }
    }

    async fn read_shard(
        &self,
        shard: &str,
        position: &Position,
    ) -> Result<Vec<StreamRecord>, StreamError> {
        let request = self
            .client
            .get_shard_iterator()
            .stream_name(&self.stream_name)
            .shard_id(shard);
        let request = match position {
            Position::TrimHorizon => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
            Position::At(seq) => request
                .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
                .starting_sequence_number(seq),
            Position::After(seq) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .starting_sequence_number(seq),
        };
        let mut iterator = request
            .send()
            .await
            .map_err(unavailable)?
            .shard_iterator()
            .map(str::to_string);
        for _ in 0..EMPTY_HOPS {
            let Some(current) = iterator.take() else {
                break;
            };
            let page = self
                .client
                .get_records()
                .shard_iterator(current)
                .limit(self.limit)
                .send()
                .await;
            let page = page.map_err(unavailable)?;
            if !page.records().is_empty() {
                let records = page.records().iter().map(|r| StreamRecord {
                    id: r.sequence_number().to_string(),
                    data: r.data().as_ref().to_vec(),
                });
                return Ok(records.collect());
            }
            if page.millis_behind_latest().unwrap_or(0) == 0 {
                break;
            }
            iterator = page.next_shard_iterator().map(str::to_string);
        }
        Ok(Vec::new())
    }
}
