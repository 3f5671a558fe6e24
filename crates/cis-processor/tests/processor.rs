//! The stream processor on in-memory adapters: poison records, redelivery, rejections, transient failures
//! stopping the batch, per-user order, the historic form, and the Kinesis event edge.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use cis_change::{ChangeEnvelope, StreamRecord, new_sequence_number};
use cis_identity_vault::{ChangeSource, ChangeState, Condition, StatusStore};
use cis_processor::{Processor, RecordOutcome, records_from_event};
use cis_profile::{AttrPath, Profile, Publisher};
use common::*;
use serde_json::json;

fn record(id: &str, envelope: &ChangeEnvelope) -> StreamRecord {
    StreamRecord {
        id: id.to_string(),
        data: envelope.to_bytes(),
    }
}

fn upsert(seq: &str, user_id: &str, profile: &Profile) -> ChangeEnvelope {
    ChangeEnvelope::upsert(
        seq.into(),
        user_id.into(),
        Condition::Update,
        None,
        profile.to_value(),
    )
}

fn create_record(id: &str, user_id: &str) -> StreamRecord {
    record(
        id,
        &upsert(&format!("seq-{id}"), user_id, &new_user(user_id)),
    )
}

fn rename_record(id: &str, user_id: &str, name: &str) -> StreamRecord {
    let profile = change(user_id, "first_name", Publisher::Mozilliansorg, json!(name));
    record(id, &upsert(&format!("seq-{id}"), user_id, &profile))
}

#[tokio::test]
async fn a_poison_record_is_recorded_and_acknowledged() {
    let (vault, pipeline) = memory_pipeline();
    let processor = Processor::new(pipeline);
    let poison = StreamRecord {
        id: "100".into(),
        data: b"not json".to_vec(),
    };
    let outcome = processor
        .process_batch(vec![poison, create_record("101", "github|1")])
        .await;
    assert_eq!(outcome.records[0].1, RecordOutcome::Poison);
    assert_eq!(
        outcome.records[1].1,
        RecordOutcome::Processed(Condition::Create)
    );
    assert_eq!(outcome.first_failure(), None);
    let status = vault.get_status("100").await.unwrap().unwrap();
    assert_eq!(status.state, ChangeState::Failed);
    assert_eq!(status.error.unwrap().code, "undecodable_record");
    // Delivered again, the poison record is still acknowledged.
    let again = processor
        .process_batch(vec![StreamRecord {
            id: "100".into(),
            data: b"x".to_vec(),
        }])
        .await;
    assert_eq!(again.first_failure(), None);
}

#[tokio::test]
async fn a_redelivered_record_is_skipped() {
    let (vault, pipeline) = memory_pipeline();
    let processor = Processor::new(pipeline);
    let batch = vec![
        create_record("1", "github|1"),
        rename_record("2", "github|1", "Ann"),
    ];
    processor.process_batch(batch.clone()).await;
    let again = processor.process_batch(batch).await;
    assert_eq!(again.count(|o| *o == RecordOutcome::Skipped), 2);
    assert_eq!(vault.item("github|1").unwrap().stored.version, Some(2));
}

#[tokio::test]
async fn a_rejected_change_is_recorded_as_failed_and_not_retried() {
    let (vault, pipeline) = memory_pipeline();
    let processor = Processor::new(pipeline);
    let forbidden = change("github|1", "first_name", Publisher::Ldap, json!("Eve"));
    let batch = vec![
        create_record("1", "github|1"),
        record("2", &upsert("seq-2", "github|1", &forbidden)),
    ];
    let outcome = processor.process_batch(batch).await;
    assert_eq!(
        outcome.records[1].1,
        RecordOutcome::Failed("invalid_publisher".into())
    );
    assert_eq!(outcome.first_failure(), None);
    let status = vault.get_status("seq-2").await.unwrap().unwrap();
    assert_eq!(
        (status.state, status.source),
        (ChangeState::Failed, ChangeSource::Stream)
    );
    let error = status.error.unwrap();
    assert_eq!(
        error.description,
        "[update] ldap is NOT allowed to publish field first_name"
    );
}

#[tokio::test]
async fn an_invalid_profile_in_an_envelope_fails_with_invalid_profile() {
    let (vault, pipeline) = memory_pipeline();
    let mut value = new_user("github|1").to_value();
    value["first_name"]["metadata"]["display"] = json!("everyone");
    let env = ChangeEnvelope::upsert(
        "s1".into(),
        "github|1".into(),
        Condition::Create,
        None,
        value,
    );
    let outcome = Processor::new(pipeline)
        .process_batch(vec![record("1", &env)])
        .await;
    assert_eq!(
        outcome.records[0].1,
        RecordOutcome::Failed("invalid_profile".into())
    );
    let error = vault
        .get_status("s1")
        .await
        .unwrap()
        .unwrap()
        .error
        .unwrap();
    assert!(
        error
            .description
            .starts_with("/first_name/metadata/display"),
        "{}",
        error.description
    );
}

#[tokio::test]
async fn a_transient_failure_stops_the_batch_at_that_record() {
    let (memory, vault) = faulty();
    let processor = Processor::new(pipeline_on(vault.clone())).with_concurrency(1);
    let batch = vec![
        create_record("1", "github|a"),
        create_record("2", "github|b"),
        create_record("3", "github|c"),
        rename_record("4", "github|b", "Bea"),
    ];
    vault.fail_reads_of(Some("github|b"));
    let outcome = processor.process_batch(batch.clone()).await;
    assert_eq!(outcome.first_failure(), Some("2"));
    assert_eq!(outcome.completed_prefix(), 1);
    assert_eq!(outcome.records[1].1, RecordOutcome::Transient);
    assert_eq!(
        outcome.records[2].1,
        RecordOutcome::NotAttempted,
        "nothing after the failure starts"
    );
    assert_eq!(outcome.records[3].1, RecordOutcome::NotAttempted);
    assert_eq!(memory.get_status("seq-3").await.unwrap(), None);

    // Lambda redelivers from the failed record on.
    vault.fail_reads_of(None);
    let retry = processor.process_batch(batch[1..].to_vec()).await;
    assert_eq!(retry.first_failure(), None);
    assert_eq!(
        memory
            .item("github|b")
            .unwrap()
            .stored
            .profile
            .value_str(AttrPath::FIRST_NAME),
        Some("Bea")
    );
}

#[tokio::test]
async fn a_failed_user_never_has_a_later_change_applied_even_concurrently() {
    let (_, vault) = faulty();
    let processor = Processor::new(pipeline_on(vault.clone())).with_concurrency(8);
    vault.fail_reads_of(Some("github|b"));
    let batch = vec![
        create_record("1", "github|a"),
        create_record("2", "github|b"),
        create_record("3", "github|c"),
        rename_record("4", "github|b", "Bea"),
    ];
    let outcome = processor.process_batch(batch).await;
    assert_eq!(outcome.first_failure(), Some("2"));
    assert_eq!(
        outcome.records[0].1,
        RecordOutcome::Processed(Condition::Create)
    );
    assert_eq!(outcome.records[3].1, RecordOutcome::NotAttempted);
}

#[tokio::test]
async fn each_users_changes_are_applied_in_order() {
    let (vault, pipeline) = memory_pipeline();
    let processor = Processor::new(pipeline).with_concurrency(8);
    let batch = vec![
        create_record("1", "github|a"),
        create_record("2", "github|b"),
        rename_record("3", "github|a", "A1"),
        create_record("4", "github|c"),
        rename_record("5", "github|a", "A2"),
        rename_record("6", "github|b", "B1"),
        rename_record("7", "github|a", "A3"),
    ];
    let outcome = processor.process_batch(batch).await;
    assert_eq!(outcome.first_failure(), None);
    let a = vault.item("github|a").unwrap();
    assert_eq!(
        (
            a.stored.version,
            a.stored.profile.value_str(AttrPath::FIRST_NAME)
        ),
        (Some(4), Some("A3"))
    );
    assert_eq!(a.stored.sequence_number.as_deref(), Some("seq-7"));
    assert_eq!(
        vault
            .item("github|b")
            .unwrap()
            .stored
            .profile
            .value_str(AttrPath::FIRST_NAME),
        Some("B1")
    );
}

#[tokio::test]
async fn a_delete_of_a_user_already_gone_is_a_noop() {
    let (vault, pipeline) = memory_pipeline();
    let body = change("github|1", "active", Publisher::Ldap, json!(false));
    let env = ChangeEnvelope::delete("d1".into(), "github|1".into(), None, body.to_value());
    let outcome = Processor::new(pipeline)
        .process_batch(vec![record("1", &env)])
        .await;
    assert_eq!(outcome.records[0].1, RecordOutcome::Noop);
    let status = vault.get_status("d1").await.unwrap().unwrap();
    assert_eq!(
        (status.state, status.condition),
        (ChangeState::Noop, Condition::Delete)
    );
}

#[tokio::test]
async fn a_change_with_nothing_new_is_recorded_as_noop() {
    let (vault, pipeline) = memory_pipeline();
    let outcome = Processor::new(pipeline)
        .process_batch(vec![
            create_record("1", "github|1"),
            record("2", &upsert("again", "github|1", &new_user("github|1"))),
        ])
        .await;
    assert_eq!(outcome.records[1].1, RecordOutcome::Noop);
    assert_eq!(
        vault.get_status("again").await.unwrap().unwrap().state,
        ChangeState::Noop
    );
}

#[tokio::test]
async fn a_historic_bare_profile_is_applied_under_its_kinesis_number() {
    let (vault, pipeline) = memory_pipeline();
    let data = new_user("github|9").to_json().into_bytes();
    let outcome = Processor::new(pipeline)
        .process_batch(vec![StreamRecord {
            id: "4959".into(),
            data,
        }])
        .await;
    assert_eq!(
        outcome.records[0].1,
        RecordOutcome::Processed(Condition::Create)
    );
    let status = vault.get_status("4959").await.unwrap().unwrap();
    assert_eq!(
        (status.source, status.user_id.as_str()),
        (ChangeSource::Historic, "github|9")
    );
}

#[tokio::test]
async fn a_kinesis_event_is_processed_into_a_batch_response() {
    let (vault, pipeline) = memory_pipeline();
    let seq = new_sequence_number();
    let env = upsert(&seq, "github|1", &new_user("github|1"));
    let b64 = base64::engine::general_purpose::STANDARD.encode(env.to_bytes());
    let event = serde_json::from_value(json!({"Records": [{"kinesis": {
        "approximateArrivalTimestamp": 1.7e9, "data": b64, "partitionKey": env.partition_key(), "sequenceNumber": "49590"
    }}]}))
    .unwrap();
    let outcome = Processor::new(pipeline)
        .process_batch(records_from_event(event))
        .await;
    let response = aws_lambda_events::streams::KinesisEventResponse::from(outcome);
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(
        vault.get_status(&seq).await.unwrap().unwrap().state,
        ChangeState::Processed
    );
}
