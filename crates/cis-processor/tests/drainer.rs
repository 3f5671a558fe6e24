//! The local change stream: envelopes appended to the outbox, drained through the processor, acked once
//! done, stalled on a transient failure, and a drain task that stops on shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::{ChangeEnvelope, ChangeStream, OutboxChangeStream, StreamError};
use cis_identity_vault::{ChangeState, Condition, MemoryVault, Outbox, StatusStore};
use cis_processor::{LocalDrainer, Processor};
use common::*;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn create(seq: &str, user_id: &str) -> ChangeEnvelope {
    ChangeEnvelope::upsert(
        seq.into(),
        user_id.into(),
        Condition::Create,
        None,
        new_user(user_id).to_value(),
    )
}

#[tokio::test]
async fn appended_changes_are_drained_processed_and_acked() {
    let (vault, pipeline) = memory_pipeline();
    let stream = OutboxChangeStream::new(vault.clone());
    let results = stream
        .append(&[create("s1", "github|1"), create("s2", "github|2")])
        .await;
    assert!(results.iter().all(Result::is_ok));
    let drainer = LocalDrainer::new(vault.clone(), Processor::new(pipeline));
    let report = drainer.drain_once(&AtomicBool::new(false)).await.unwrap();
    assert_eq!((report.peeked, report.acked, report.stalled), (2, 2, false));
    assert!(vault.outbox_peek(10).await.unwrap().is_empty());
    assert_eq!(
        vault.get_status("s2").await.unwrap().unwrap().state,
        ChangeState::Processed
    );
}

#[tokio::test]
async fn a_sequence_number_queued_twice_is_refused() {
    let vault = Arc::new(MemoryVault::new());
    let stream = OutboxChangeStream::new(vault.clone());
    let results = stream
        .append(&[create("s1", "github|1"), create("s1", "github|2")])
        .await;
    assert!(results[0].is_ok());
    assert!(matches!(results[1], Err(StreamError::Refused(_))));
}

#[tokio::test]
async fn a_transient_failure_keeps_the_rest_of_the_outbox_for_the_next_pass() {
    let (memory, vault) = faulty();
    let outbox = memory.clone();
    let stream = OutboxChangeStream::new(outbox.clone());
    stream
        .append(&[
            create("s1", "github|1"),
            create("s2", "github|2"),
            create("s3", "github|3"),
        ])
        .await;
    let drainer = LocalDrainer::new(
        outbox.clone(),
        Processor::new(pipeline_on(vault.clone())).with_concurrency(1),
    );
    vault.fail_reads_of(Some("github|2"));
    let report = drainer.drain_once(&AtomicBool::new(false)).await.unwrap();
    assert_eq!((report.peeked, report.acked, report.stalled), (3, 1, true));
    assert_eq!(outbox.outbox_peek(10).await.unwrap().len(), 2);
    vault.fail_reads_of(None);
    let report = drainer.drain_once(&AtomicBool::new(false)).await.unwrap();
    assert_eq!((report.acked, report.stalled), (2, false));
    assert_eq!(
        outbox.get_status("s3").await.unwrap().unwrap().state,
        ChangeState::Processed
    );
}

#[tokio::test]
async fn a_requested_stop_starts_no_further_record() {
    let (vault, pipeline) = memory_pipeline();
    OutboxChangeStream::new(vault.clone())
        .append(&[create("s1", "github|1")])
        .await;
    let drainer = LocalDrainer::new(vault.clone(), Processor::new(pipeline));
    let report = drainer.drain_once(&AtomicBool::new(true)).await.unwrap();
    assert_eq!((report.acked, report.stalled), (0, true));
    assert_eq!(vault.get_status("s1").await.unwrap(), None);
}

#[tokio::test]
async fn the_drain_task_processes_new_changes_and_stops_on_shutdown() {
    let (vault, pipeline) = memory_pipeline();
    let drainer = LocalDrainer::new(vault.clone(), Processor::new(pipeline))
        .with_idle(Duration::from_millis(10));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(drainer.run(async move {
        let _ = rx.await;
    }));
    OutboxChangeStream::new(vault.clone())
        .append(&[create("s1", "github|1")])
        .await;
    let mut processed = false;
    for _ in 0..200 {
        if vault.get_status("s1").await.unwrap().is_some() {
            processed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(processed, "the drainer picked up the change");
    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    assert!(vault.outbox_peek(10).await.unwrap().is_empty());
}
