//! Changes sent back to back in stream mode: a user's next change arrives before the processor applied the
//! previous one. The Change API's stream sink judges it without the stored profile (which is about to
//! change), queues it, and the processor applies every change in order with every check — none is refused
//! for being early, none is lost as a no-op, and a change the rules refuse is recorded `failed`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::{
    Accepted, Caller, ChangeSink, Incoming, MemoryChangeStream, Pipeline, SinkError, StreamSink,
};
use cis_identity_vault::{ChangeState, Condition, Lookup, MemoryVault, ProfileReader, StatusStore};
use cis_processor::{Processor, RecordOutcome};
use cis_profile::{AttrPath, Profile, Publisher, UserId};
use common::*;
use serde_json::json;
use std::sync::Arc;

const JDOE: &str = "ad|Mozilla-LDAP|jdoe";

struct Subject {
    vault: Arc<MemoryVault>,
    pipeline: Arc<Pipeline>,
    stream: Arc<MemoryChangeStream>,
    sink: StreamSink,
}

fn subject() -> Subject {
    let (vault, pipeline) = memory_pipeline();
    let stream = Arc::new(MemoryChangeStream::new());
    let sink = StreamSink::new(pipeline.clone(), stream.clone(), 4);
    Subject {
        vault,
        pipeline,
        stream,
        sink,
    }
}

impl Subject {
    async fn send(&self, profile: &Profile) -> Result<Accepted, SinkError> {
        let item = Incoming {
            change: self
                .pipeline
                .parse_change(profile.to_value(), Some(JDOE), Caller::Unchecked)
                .unwrap(),
            document: profile.to_value(),
        };
        self.sink.upserts(vec![item], None).await.pop().unwrap()
    }

    async fn process(&self) -> Vec<RecordOutcome> {
        let processor = Processor::new(self.pipeline.clone());
        let batch = processor.process_batch(self.stream.drain()).await;
        batch.records.into_iter().map(|(_, o)| o).collect()
    }

    async fn pending(&self) -> bool {
        self.pipeline
            .is_pending(&UserId::parse(JDOE).unwrap())
            .await
            .unwrap()
    }
}

fn sequence_number(accepted: &Accepted) -> String {
    match accepted {
        Accepted::Changed {
            sequence_number, ..
        } => sequence_number.clone(),
        other => panic!("not queued: {other:?}"),
    }
}

#[tokio::test]
async fn create_then_two_updates_back_to_back_are_all_accepted_and_all_processed() {
    let s = subject();
    let create = s.send(&new_user(JDOE)).await.unwrap();
    // Before the processor ran: without the pending rule these two would be judged as creates of a new
    // user (400 active_missing, user_id_missing).
    let rename = s
        .send(&change(
            JDOE,
            "first_name",
            Publisher::Mozilliansorg,
            json!("Janet"),
        ))
        .await
        .unwrap();
    let title = s
        .send(&change(
            JDOE,
            "staff_information.title",
            Publisher::Hris,
            json!("Engineer"),
        ))
        .await
        .unwrap();
    assert!(matches!(
        rename,
        Accepted::Changed {
            condition: Condition::Update,
            ..
        }
    ));
    assert!(s.pending().await);

    let outcomes = s.process().await;
    assert_eq!(
        outcomes,
        [
            RecordOutcome::Processed(Condition::Create),
            RecordOutcome::Processed(Condition::Update),
            RecordOutcome::Processed(Condition::Update),
        ]
    );
    let stored = s
        .vault
        .get(&Lookup::UserId(JDOE.into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, Some(3));
    assert_eq!(
        stored.profile.value_str(AttrPath::FIRST_NAME),
        Some("Janet")
    );
    let title_path = AttrPath::parse("staff_information.title").unwrap();
    assert_eq!(stored.profile.value_str(title_path), Some("Engineer"));
    for accepted in [&create, &rename, &title] {
        let status = s
            .vault
            .get_status(&sequence_number(accepted))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(status.state, ChangeState::Processed);
    }
    assert!(!s.pending().await, "the last change cleared the mark");
}

#[tokio::test]
async fn a_change_back_to_the_stored_value_behind_a_pending_one_is_queued_not_lost_as_a_no_op() {
    let s = subject();
    s.send(&new_user(JDOE)).await.unwrap();
    s.process().await;
    assert!(!s.pending().await);
    s.send(&change(
        JDOE,
        "first_name",
        Publisher::Mozilliansorg,
        json!("Janet"),
    ))
    .await
    .unwrap();
    // "Jane" is what is stored: judged against the stored profile this would be a no-op and be dropped,
    // leaving "Janet" once the first change is applied.
    let back = s
        .send(&change(
            JDOE,
            "first_name",
            Publisher::Mozilliansorg,
            json!("Jane"),
        ))
        .await
        .unwrap();
    assert!(matches!(back, Accepted::Changed { .. }), "{back:?}");
    s.process().await;
    let stored = s
        .vault
        .get(&Lookup::UserId(JDOE.into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.profile.value_str(AttrPath::FIRST_NAME), Some("Jane"));
}

#[tokio::test]
async fn a_queued_change_the_rules_refuse_is_recorded_failed_by_the_processor() {
    let s = subject();
    s.send(&new_user(JDOE)).await.unwrap();
    // LDAP created first_name; only mozilliansorg may change it: a rule that needs the stored profile.
    let refused = s
        .send(&change(JDOE, "first_name", Publisher::Ldap, json!("Janet")))
        .await
        .unwrap();
    let outcomes = s.process().await;
    assert_eq!(
        outcomes[1],
        RecordOutcome::Failed("invalid_publisher".into())
    );
    let status = s
        .vault
        .get_status(&sequence_number(&refused))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.state, ChangeState::Failed);
    assert_eq!(status.error.unwrap().code, "invalid_publisher");
    assert!(!s.pending().await);
}

#[tokio::test]
async fn a_bad_signature_behind_a_pending_change_is_still_refused_at_once() {
    let s = subject();
    s.send(&new_user(JDOE)).await.unwrap();
    let forged = with_signed(
        &change(JDOE, "first_name", Publisher::Mozilliansorg, json!("x")),
        "last_name",
        Publisher::Mozilliansorg,
        json!("Mallory"),
        &evil_key(),
    );
    let err = s.send(&forged).await.unwrap_err();
    assert!(err.to_string().contains("last_name"), "{err}");
    assert_eq!(s.stream.len(), 1, "only the create was queued");
}
