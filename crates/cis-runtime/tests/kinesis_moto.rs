//! The Kinesis change stream end to end on moto_server, the way the deployed pieces meet: envelopes
//! appended with `cis_aws::kinesis::KinesisChangeStream` (what the Change API does in stream mode), read
//! back with `KinesisPoller` (standing in for the Lambda event-source mapping that moto does not run),
//! processed by `cis_processor::Processor` through the `cis_change` pipeline into a `DynamoVault`, status
//! records checked; a redelivery is harmless (docs/contract/processor-and-vault.md §1–§3, §6). Here and
//! not in cis-aws because the processor and the pipeline sit above the AWS adapters.
//!
//! Every test here needs moto_server and is `#[ignore]`d, so a plain `cargo test` lists them as ignored;
//! `ci/test.sh` starts moto, sets `CIS_TEST_MOTO_URL` and runs them with the ignored tests included. Run
//! without the variable, a test fails at once and says why (`cis_testkit::moto::url`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_kinesis::types::StreamStatus;
use cis_aws::kinesis::{KinesisChangeStream, KinesisPoller, ShardBatch};
use cis_change::{
    ChangeEnvelope, ChangeStream, Pipeline, PipelineDeps, StaticKeys, new_sequence_number,
};
use cis_identity_vault::dynamodb::DynamoVault;
use cis_identity_vault::{ChangeState, Condition, Lookup, ProfileReader, StatusStore};
use cis_processor::{Processor, RecordOutcome};
use cis_profile::rules::PublisherRules;
use cis_testkit::moto;
use cis_testkit::profiles::new_user;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A fresh two-shard stream, once it is ACTIVE.
async fn fresh_stream(client: &aws_sdk_kinesis::Client) -> String {
    let name = moto::unique_name("cis-input");
    client
        .create_stream()
        .stream_name(&name)
        .shard_count(2)
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        let summary = client
            .describe_stream_summary()
            .stream_name(&name)
            .send()
            .await
            .unwrap();
        if summary
            .stream_description_summary()
            .map(|s| s.stream_status())
            == Some(&StreamStatus::Active)
        {
            return name;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("stream {name} never became ACTIVE");
}

/// The pipeline with the fixture keys, the embedded publisher rules and the test salt.
fn pipeline(vault: Arc<DynamoVault>) -> Arc<Pipeline> {
    let deps = PipelineDeps::new(
        vault,
        Arc::new(StaticKeys::new(cis_testkit::trusted_keys())),
        cis_testkit::cis_key(),
        Arc::new(PublisherRules::embedded().clone()),
    )
    .with_salt(cis_testkit::SALT);
    Arc::new(Pipeline::new(deps))
}

/// Polls until `expected` records came back (moto answers at once; a few rounds cover every shard).
async fn poll_all(poller: &mut KinesisPoller, expected: usize) -> Vec<ShardBatch> {
    let mut batches = Vec::new();
    let mut read = 0;
    for _ in 0..50 {
        let polled = poller.poll().await.unwrap();
        read += polled.iter().map(|b| b.records.len()).sum::<usize>();
        batches.extend(polled);
        if read >= expected {
            break;
        }
    }
    batches
}

/// 100 creates of `github|<prefix>-<i>`, as LDAP sends them.
fn creates(prefix: &str) -> Vec<ChangeEnvelope> {
    (0..100)
        .map(|i| {
            let user_id = format!("github|{prefix}-{i}");
            let profile = new_user(&user_id).into_value();
            ChangeEnvelope::upsert(
                new_sequence_number(),
                user_id,
                Condition::Create,
                None,
                profile,
            )
        })
        .collect()
}

async fn assert_all_processed(vault: &DynamoVault, envelopes: &[ChangeEnvelope]) {
    for envelope in envelopes {
        let status = vault
            .get_status(&envelope.sequence_number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (status.state, status.user_id.as_str()),
            (ChangeState::Processed, envelope.user_id.as_str())
        );
        let stored = vault
            .get(&Lookup::UserId(envelope.user_id.clone()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.sequence_number.as_deref(),
            Some(envelope.sequence_number.as_str())
        );
    }
}

struct Setup {
    kinesis: aws_sdk_kinesis::Client,
    stream_name: String,
    vault: Arc<DynamoVault>,
}

/// A fresh stream and a vault on fresh tables, on moto.
async fn setup() -> Setup {
    let kinesis = moto::kinesis();
    let stream_name = fresh_stream(&kinesis).await;
    let dynamodb = moto::dynamodb();
    let tables = moto::fresh_tables(&dynamodb).await;
    Setup {
        kinesis,
        stream_name,
        vault: Arc::new(DynamoVault::new(dynamodb, tables)),
    }
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_hundred_changes_go_through_kinesis_into_the_vault() {
    let Setup {
        kinesis,
        stream_name,
        vault,
    } = setup().await;
    // moto_server is not safe under concurrent TransactWriteItems (it answers 500), so one user at a time.
    let processor = Processor::new(pipeline(vault.clone())).with_concurrency(1);

    // GIVEN 100 accepted changes appended to the stream
    let envelopes = creates("a");
    let appended = KinesisChangeStream::new(kinesis.clone(), stream_name.clone())
        .append(&envelopes)
        .await;
    assert!(appended.iter().all(Result::is_ok), "{appended:?}");

    // WHEN the poller feeds them to the processor, one shard batch at a time
    let mut poller = KinesisPoller::new(kinesis.clone(), stream_name, 100);
    let batches = poll_all(&mut poller, 100).await;
    assert!(batches.len() >= 2, "the records spread over both shards");
    let started = Instant::now();
    for batch in &batches {
        let outcome = processor.process_batch(batch.records.clone()).await;
        assert_eq!(outcome.first_failure(), None, "{outcome:?}");
    }
    eprintln!(
        "processed 100 records into DynamoDB (moto) in {:?}",
        started.elapsed()
    );

    // THEN every change is stored and its status record says processed
    assert_all_processed(&vault, &envelopes).await;

    // AND a redelivery of a shard changes nothing
    let first = &batches[0];
    poller.redeliver_from(&first.shard_id, &first.records[0].id);
    let again = poller.poll().await.unwrap();
    assert_eq!(again.len(), 1);
    let outcome = processor.process_batch(again[0].records.clone()).await;
    assert!(
        outcome
            .records
            .iter()
            .all(|(_, o)| *o == RecordOutcome::Skipped),
        "{outcome:?}"
    );
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn feeding_like_an_event_source_mapping_lands_every_change_despite_transient_failures() {
    let Setup {
        kinesis,
        stream_name,
        vault,
    } = setup().await;
    // Concurrent users make moto answer some transactions with 500: transient failures that the
    // redelivery from the failed record must absorb.
    let processor = Processor::new(pipeline(vault.clone())).with_concurrency(4);
    let envelopes = creates("b");
    let appended = KinesisChangeStream::new(kinesis.clone(), stream_name.clone())
        .append(&envelopes)
        .await;
    assert!(appended.iter().all(Result::is_ok), "{appended:?}");
    let mut poller = KinesisPoller::new(kinesis, stream_name, 100);
    let processor = &processor;
    let mut quiet_rounds = 0;
    for _ in 0..100 {
        let report = poller
            .feed(|records| async move {
                let outcome = processor.process_batch(records).await;
                outcome.first_failure().map(str::to_string)
            })
            .await
            .unwrap();
        quiet_rounds = if report.read == 0 {
            quiet_rounds + 1
        } else {
            0
        };
        if quiet_rounds == 2 {
            break;
        }
    }
    assert_eq!(quiet_rounds, 2, "the stream was drained");
    assert_all_processed(&vault, &envelopes).await;
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn a_stream_named_by_arn_takes_records_of_long_user_ids() {
    let kinesis = moto::kinesis();
    let name = fresh_stream(&kinesis).await;
    let summary = kinesis
        .describe_stream_summary()
        .stream_name(&name)
        .send()
        .await
        .unwrap();
    let arn = summary
        .stream_description_summary()
        .unwrap()
        .stream_arn()
        .to_string();
    let envelope = ChangeEnvelope::upsert(
        "1".into(),
        "u".repeat(300),
        Condition::Create,
        None,
        Value::Null,
    );
    let results = KinesisChangeStream::new(kinesis.clone(), arn.clone())
        .append(std::slice::from_ref(&envelope))
        .await;
    assert!(results[0].is_ok(), "{results:?}");
    let batches = poll_all(&mut KinesisPoller::new(kinesis, arn, 10), 1).await;
    assert_eq!(batches[0].records[0].data, envelope.to_bytes());
}
