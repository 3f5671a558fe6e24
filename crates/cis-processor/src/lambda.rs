//! The Lambda edge of the processor: Kinesis events in, `batchItemFailures` out
//! (docs/contract/processor-and-vault.md §3).
//!
//! Owns only the mapping between `aws_lambda_events` types and [`StreamRecord`] / [`BatchOutcome`]; no
//! processing happens here and no event type goes further in.

use crate::processor::BatchOutcome;
use aws_lambda_events::kinesis::{KinesisEvent, KinesisEventRecord};
use aws_lambda_events::streams::KinesisEventResponse;
use cis_change::StreamRecord;

/// One Kinesis record: its `sequenceNumber` is the record id; `data` arrives already base64-decoded.
fn stream_record(record: KinesisEventRecord) -> StreamRecord {
    StreamRecord {
        id: record.kinesis.sequence_number,
        data: record.kinesis.data.0,
    }
}

/// The records of a Kinesis event, in order.
pub fn records_from_event(event: KinesisEvent) -> Vec<StreamRecord> {
    event.records.into_iter().map(stream_record).collect()
}

impl From<BatchOutcome> for KinesisEventResponse {
    /// At most one failure: the first record to redeliver. Lambda retries from it; later records that were
    /// processed come again and are skipped by their status records.
    fn from(outcome: BatchOutcome) -> KinesisEventResponse {
        let mut response = KinesisEventResponse::default();
        if let Some(id) = outcome.first_failure() {
            response.add_failure(id);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::processor::RecordOutcome;
    use serde_json::json;

    #[test]
    fn a_kinesis_event_becomes_records_with_decoded_data_in_order() {
        let event: KinesisEvent = serde_json::from_value(json!({"Records": [
            {"kinesis": {"approximateArrivalTimestamp": 1.7e9, "data": "eyJhIjoxfQ==", "partitionKey": "u", "sequenceNumber": "495901"}, "eventSource": "aws:kinesis"},
            {"kinesis": {"approximateArrivalTimestamp": 1.7e9, "data": "", "partitionKey": "u", "sequenceNumber": "495902"}, "eventSource": "aws:kinesis"}
        ]}))
        .unwrap();
        let records = records_from_event(event);
        assert_eq!(
            records[0],
            StreamRecord {
                id: "495901".into(),
                data: br#"{"a":1}"#.to_vec()
            }
        );
        assert_eq!(records[1].id, "495902");
    }

    #[test]
    fn the_response_names_only_the_first_record_to_redeliver() {
        let outcome = BatchOutcome {
            records: vec![
                ("1".into(), RecordOutcome::Noop),
                ("2".into(), RecordOutcome::Transient),
                ("3".into(), RecordOutcome::NotAttempted),
            ],
        };
        let body = serde_json::to_value(KinesisEventResponse::from(outcome)).unwrap();
        assert_eq!(
            body,
            json!({"batchItemFailures": [{"itemIdentifier": "2"}]})
        );
        let clean = BatchOutcome {
            records: vec![("1".into(), RecordOutcome::Poison)],
        };
        let body = serde_json::to_value(KinesisEventResponse::from(clean)).unwrap();
        assert_eq!(body, json!({"batchItemFailures": []}));
    }
}
