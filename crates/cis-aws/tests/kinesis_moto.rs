//! The Kinesis change stream end to end on moto_server: envelopes appended with `KinesisChangeStream`, read
//! back with `KinesisPoller`, processed into a `DynamoVault`, status records checked; redelivery is harmless.
//!
//! Needs `CIS_TEST_MOTO_URL` (skipped without it unless `CIS_REQUIRE_MOTO=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../cis-identity-vault/tests/support/mod.rs"]
mod support;

use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kinesis::types::StreamStatus;
use cis_aws::kinesis::{KinesisChangeStream, KinesisPoller, ShardBatch};
use cis_crypto::{KeySet, SigningKey, sign_attribute};
use cis_identity_vault::dynamodb::DynamoVault;
use cis_identity_vault::{ChangeState, Condition, Lookup, ProfileReader, StatusStore};
use cis_processor::{
    ChangeEnvelope, ChangeStream, Pipeline, PipelineDeps, Processor, RecordOutcome, StaticKeys,
    Switches, new_sequence_number,
};
use cis_profile::attr::set_payload;
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{dynamodb, moto};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn kinesis_client(url: &str) -> aws_sdk_kinesis::Client {
    let config = aws_sdk_kinesis::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(moto::REGION))
        .credentials_provider(Credentials::new(
            moto::ACCESS_KEY_ID,
            moto::SECRET_ACCESS_KEY,
            None,
            None,
            "moto",
        ))
        .endpoint_url(url)
        .build();
    aws_sdk_kinesis::Client::from_conf(config)
}

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

/// What LDAP sends to create a user, signed with the publisher test key.
fn new_user(user_id: &str, key: &SigningKey) -> Profile {
    let mut profile = Profile::null();
    let values = [
        ("user_id", Value::from(user_id)),
        ("active", Value::Bool(true)),
        ("first_name", Value::from("Jane")),
    ];
    for (dotted, value) in values {
        let path = AttrPath::parse(dotted).unwrap();
        let mut attr = profile.attr_or_null(path);
        set_payload(&mut attr, path.kind(), value);
        sign_attribute(&mut attr, Publisher::Ldap, key).unwrap();
        profile.set_attr(path, attr);
    }
    profile
}

fn pipeline(vault: Arc<DynamoVault>) -> Arc<Pipeline> {
    let doc: Value = serde_json::from_str(&fixture("vectors/well-known-test.json")).unwrap();
    Arc::new(Pipeline::new(PipelineDeps {
        vault,
        keys: Arc::new(StaticKeys::new(KeySet::from_well_known(&doc).unwrap())),
        cis_signer: Arc::new(
            SigningKey::from_pem(&fixture("keys/fake-publisher-key_1.priv.pem")).unwrap(),
        ),
        rules: Arc::new(PublisherRules::embedded().clone()),
        uuid_salt: Some("12345".into()),
        switches: Switches::default(),
        write_retries: 5,
        status_retention_days: 90,
    }))
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

/// 100 creates of `github|<prefix>-<i>`, signed by LDAP.
fn creates(prefix: &str, key: &SigningKey) -> Vec<ChangeEnvelope> {
    (0..100)
        .map(|i| {
            let user_id = format!("github|{prefix}-{i}");
            let profile = new_user(&user_id, key).to_value();
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
    key: SigningKey,
}

async fn setup(url: &str) -> Setup {
    let kinesis = kinesis_client(url);
    let stream_name = fresh_stream(&kinesis).await;
    let ddb = dynamodb::client(url);
    let vault = Arc::new(DynamoVault::new(
        ddb.clone(),
        dynamodb::ensured_tables(&ddb).await,
    ));
    let key = SigningKey::from_pem(&fixture("keys/fake-publisher-key_0.priv.pem")).unwrap();
    Setup {
        kinesis,
        stream_name,
        vault,
        key,
    }
}

#[tokio::test]
async fn a_hundred_changes_go_through_kinesis_into_the_vault() {
    let Some(url) = moto::url("a_hundred_changes_go_through_kinesis_into_the_vault") else {
        return;
    };
    let Setup {
        kinesis,
        stream_name,
        vault,
        key,
    } = setup(&url).await;
    // moto_server is not safe under concurrent TransactWriteItems (it answers 500), so one user at a time.
    let processor = Processor::new(pipeline(vault.clone())).with_concurrency(1);

    // GIVEN 100 accepted changes appended to the stream
    let envelopes = creates("a", &key);
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
async fn feeding_like_an_event_source_mapping_lands_every_change_despite_transient_failures() {
    let Some(url) = moto::url("feeding_like_an_event_source_mapping_lands_every_change") else {
        return;
    };
    let Setup {
        kinesis,
        stream_name,
        vault,
        key,
    } = setup(&url).await;
    // Concurrent users make moto answer some transactions with 500: transient failures that the
    // redelivery from the failed record must absorb.
    let processor = Processor::new(pipeline(vault.clone())).with_concurrency(4);
    let envelopes = creates("b", &key);
    KinesisChangeStream::new(kinesis.clone(), stream_name.clone())
        .append(&envelopes)
        .await;
    let mut poller = KinesisPoller::new(kinesis, stream_name, 100);
    let mut quiet_rounds = 0;
    for _ in 0..100 {
        let report = poller.feed(&processor).await.unwrap();
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
async fn a_stream_named_by_arn_takes_records_of_long_user_ids() {
    let Some(url) = moto::url("a_stream_named_by_arn_takes_records_of_long_user_ids") else {
        return;
    };
    let kinesis = kinesis_client(&url);
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
