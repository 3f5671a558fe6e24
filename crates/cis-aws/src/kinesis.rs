//! The Kinesis change stream (docs/contract/change-api.md §8, docs/contract/processor-and-vault.md §1–§2): [`KinesisChangeStream`]
//! appends envelopes with `PutRecords`, and [`KinesisPoller`] reads a stream's shards back as
//! [`StreamRecord`]s for tests and local tooling (moto_server runs no event-source mappings).
//!
//! Owns the Kinesis request shapes: partition keys (from the envelope), request limits, per-record result
//! checking, retries of failed records with backoff, and shard iterators. It never decodes envelopes and no
//! Kinesis type leaves this module.

mod poller;

pub use poller::{FeedReport, KinesisPoller, ShardBatch};

use async_trait::async_trait;
use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::error::DisplayErrorContext;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use cis_change::backoff::backoff;
use cis_change::{ChangeEnvelope, ChangeStream, StreamError};
use tracing::warn;

/// Retries of records that Kinesis did not take (throttling, internal failures), after the first attempt.
pub const PUT_RETRIES: u32 = 3;
/// Kinesis limits: records and bytes per `PutRecords`, bytes per record (data plus partition key).
const MAX_RECORDS_PER_CALL: usize = 500;
const MAX_BYTES_PER_CALL: usize = 5 * 1024 * 1024;
const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// A stream named by name or by ARN (`arn:aws:kinesis:...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StreamRef {
    Name(String),
    Arn(String),
}

impl StreamRef {
    pub(crate) fn parse(stream: impl Into<String>) -> StreamRef {
        let stream = stream.into();
        if stream.starts_with("arn:") {
            StreamRef::Arn(stream)
        } else {
            StreamRef::Name(stream)
        }
    }
}

/// The change stream on a Kinesis data stream.
#[derive(Debug, Clone)]
pub struct KinesisChangeStream {
    client: Client,
    stream: StreamRef,
}

/// One record on its way: its index in the caller's batch, data and partition key.
struct Entry {
    index: usize,
    data: Vec<u8>,
    key: String,
}

impl Entry {
    fn size(&self) -> usize {
        self.data.len() + self.key.len()
    }
}

impl KinesisChangeStream {
    /// `stream` is the stream's name (`cis-input-<environment>`) or its ARN (`kinesis_arn`).
    pub fn new(client: Client, stream: impl Into<String>) -> KinesisChangeStream {
        KinesisChangeStream {
            client,
            stream: StreamRef::parse(stream),
        }
    }

    /// Sends one request's worth of entries, retrying the ones Kinesis did not take; records every result.
    async fn put_all(&self, entries: Vec<Entry>, results: &mut [Result<(), StreamError>]) {
        let mut pending = entries;
        let mut last_error = String::from("not sent");
        for attempt in 0..=PUT_RETRIES {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt + 1)).await;
            }
            let request = pending.iter().map(|e| {
                PutRecordsRequestEntry::builder()
                    .data(Blob::new(e.data.clone()))
                    .partition_key(&e.key)
                    .build()
            });
            let request = match request.collect::<Result<Vec<_>, _>>() {
                Ok(request) => request,
                Err(e) => {
                    last_error = e.to_string();
                    break;
                }
            };
            let call = match &self.stream {
                StreamRef::Name(name) => self.client.put_records().stream_name(name),
                StreamRef::Arn(arn) => self.client.put_records().stream_arn(arn),
            };
            let call = call.set_records(Some(request));
            match call.send().await {
                Ok(output) => {
                    let mut failed = Vec::new();
                    for (entry, result) in pending.into_iter().zip(output.records()) {
                        match result.error_code() {
                            None => results[entry.index] = Ok(()),
                            Some(code) => {
                                last_error =
                                    format!("{code}: {}", result.error_message().unwrap_or(""));
                                failed.push(entry);
                            }
                        }
                    }
                    pending = failed;
                }
                Err(e) => last_error = DisplayErrorContext(&e).to_string(),
            }
            if pending.is_empty() {
                return;
            }
            warn!(attempt, failed = pending.len(), error = %last_error, "PutRecords left records behind");
        }
        for entry in pending {
            results[entry.index] = Err(StreamError::Unavailable(last_error.clone()));
        }
    }
}

#[async_trait]
impl ChangeStream for KinesisChangeStream {
    async fn append(&self, batch: &[ChangeEnvelope]) -> Vec<Result<(), StreamError>> {
        let mut results: Vec<Result<(), StreamError>> =
            vec![Err(StreamError::Unavailable("not sent".into())); batch.len()];
        let mut chunk: Vec<Entry> = Vec::new();
        let mut chunk_bytes = 0;
        for (index, envelope) in batch.iter().enumerate() {
            let entry = Entry {
                index,
                data: envelope.to_bytes(),
                key: envelope.partition_key(),
            };
            if entry.size() > MAX_RECORD_BYTES {
                let text = format!(
                    "record of {} bytes exceeds the 1 MiB Kinesis limit",
                    entry.size()
                );
                results[index] = Err(StreamError::Refused(text));
                continue;
            }
            if chunk.len() == MAX_RECORDS_PER_CALL
                || chunk_bytes + entry.size() > MAX_BYTES_PER_CALL
            {
                self.put_all(std::mem::take(&mut chunk), &mut results).await;
                chunk_bytes = 0;
            }
            chunk_bytes += entry.size();
            chunk.push(entry);
        }
        if !chunk.is_empty() {
            self.put_all(chunk, &mut results).await;
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_named_by_name_or_by_arn() {
        assert_eq!(
            StreamRef::parse("cis-input-testing"),
            StreamRef::Name("cis-input-testing".into())
        );
        let arn = "arn:aws:kinesis:us-west-2:123456789012:stream/cis-input-production";
        assert_eq!(StreamRef::parse(arn), StreamRef::Arn(arn.into()));
    }
}
