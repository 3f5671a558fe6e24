//! The two sinks the Change API chooses between at wiring time: the stream sink checks and queues (and
//! signs nothing — counted through the `CisSigner` port), the direct sink applies; both answer the same
//! verdicts for the same changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::{
    Accepted, ChangeEnvelope, ChangeSink, CisSigner, DirectSink, Incoming, MemoryChangeStream,
    Pipeline, PipelineError, Rejection, SinkError, StreamSink,
};
use cis_crypto::SignError;
use cis_identity_vault::{Condition, MemoryVault};
use cis_profile::Publisher;
use common::*;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const JDOE: &str = "ad|Mozilla-LDAP|jdoe";

/// The fixture `cis` key, counting what it signs.
#[derive(Default)]
struct CountingSigner(AtomicUsize);

impl CisSigner for CountingSigner {
    fn sign_as_cis(&self, attr: &mut Map<String, Value>) -> Result<(), SignError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        cis_key().sign_as_cis(attr)
    }
}

struct Subject {
    vault: Arc<MemoryVault>,
    signer: Arc<CountingSigner>,
    stream: Arc<MemoryChangeStream>,
    pipeline: Arc<Pipeline>,
}

fn subject() -> Subject {
    let vault = Arc::new(MemoryVault::new());
    let signer = Arc::new(CountingSigner::default());
    let mut d = deps(vault.clone(), trusted_keys());
    d.cis_signer = signer.clone();
    Subject {
        vault,
        signer,
        stream: Arc::new(MemoryChangeStream::new()),
        pipeline: Arc::new(Pipeline::new(d)),
    }
}

fn incoming(profile: &cis_profile::Profile) -> Incoming {
    Incoming {
        change: ch(profile, JDOE),
        document: profile.to_value(),
    }
}

#[tokio::test]
async fn a_create_in_stream_mode_is_checked_and_queued_without_a_single_signature() {
    let s = subject();
    let sink = StreamSink::new(s.pipeline.clone(), s.stream.clone(), 4);
    let verdicts = sink
        .upserts(vec![incoming(&new_user(JDOE))], Some("ldap-client".into()))
        .await;
    let Ok(Accepted::Changed { condition, .. }) = &verdicts[0] else {
        panic!("{verdicts:?}");
    };
    assert_eq!(*condition, Condition::Create);
    assert_eq!(s.signer.0.load(Ordering::SeqCst), 0, "the check signed");
    assert!(s.vault.is_empty(), "the check wrote");
    let records = s.stream.records();
    let envelope = ChangeEnvelope::decode(&records[0].data, &records[0].id)
        .unwrap()
        .envelope;
    assert_eq!(envelope.user_id, JDOE);
    assert_eq!(envelope.client_id.as_deref(), Some("ldap-client"));
    assert_eq!(envelope.profile, new_user(JDOE).to_value());
}

#[tokio::test]
async fn a_create_in_direct_mode_signs_the_four_cis_attributes_once_each() {
    let s = subject();
    let sink = DirectSink::new(s.pipeline.clone(), 4);
    let verdicts = sink.upserts(vec![incoming(&new_user(JDOE))], None).await;
    assert!(matches!(verdicts[0], Ok(Accepted::Changed { .. })));
    // uuid, primary_username, last_modified, active
    assert_eq!(s.signer.0.load(Ordering::SeqCst), 4);
    assert!(s.vault.item(JDOE).is_some());
    assert!(s.stream.is_empty());
}

#[tokio::test]
async fn both_sinks_give_the_same_verdicts_to_a_batch() {
    let stored = subject();
    DirectSink::new(stored.pipeline.clone(), 1)
        .upserts(vec![incoming(&new_user(JDOE))], None)
        .await;
    let items = || {
        vec![
            // the stored user again: nothing to change
            incoming(&new_user(JDOE)),
            // a change by a publisher the rules refuse
            incoming(&change(JDOE, "first_name", Publisher::Ldap, json!("Janet"))),
        ]
    };
    let mut results = Vec::new();
    for direct in [false, true] {
        let sink: Box<dyn ChangeSink> = if direct {
            Box::new(DirectSink::new(stored.pipeline.clone(), 2))
        } else {
            Box::new(StreamSink::new(
                stored.pipeline.clone(),
                stored.stream.clone(),
                2,
            ))
        };
        results.push(sink.upserts(items(), None).await);
    }
    for verdicts in &results {
        assert!(
            matches!(verdicts[0], Ok(Accepted::Noop { .. })),
            "{verdicts:?}"
        );
        assert!(matches!(
            &verdicts[1],
            Err(SinkError::Pipeline(PipelineError::Rejected(
                Rejection::InvalidPublisher(_)
            )))
        ));
    }
    assert!(stored.stream.is_empty(), "nothing was queued");
}

#[tokio::test]
async fn a_stream_that_does_not_take_a_change_fails_only_that_change() {
    let s = subject();
    s.stream.fail_next(1);
    let sink = StreamSink::new(s.pipeline.clone(), s.stream.clone(), 2);
    let other = new_user("github|42");
    let items = vec![
        incoming(&new_user(JDOE)),
        Incoming {
            change: ch(&other, "github|42"),
            document: other.to_value(),
        },
    ];
    let verdicts = sink.upserts(items, None).await;
    assert!(matches!(verdicts[0], Err(SinkError::Stream(_))));
    assert!(matches!(verdicts[1], Ok(Accepted::Changed { .. })));
    assert_eq!(s.stream.len(), 1);
}
