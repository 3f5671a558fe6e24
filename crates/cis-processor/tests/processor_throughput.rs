//! Why the processor works on several users at once: with a vault that answers in 20 ms (a DynamoDB
//! transaction's order of magnitude), a batch of users' changes waits mostly on I/O, and overlapping users
//! must be clearly faster than one record at a time. Prints both timings. (In a debug build the `cis`
//! signatures cost ~4 ms each, which narrows the gap; release builds widen it.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_change::{ChangeEnvelope, StreamRecord};
use cis_identity_vault::Condition;
use cis_processor::{Processor, RecordOutcome};
use common::*;

use std::time::{Duration, Instant};

const USERS: usize = 40;

fn batch(prefix: &str) -> Vec<StreamRecord> {
    (0..USERS)
        .map(|i| {
            let user_id = format!("github|{prefix}{i}");
            let profile = new_user(&user_id).to_value();
            let env = ChangeEnvelope::upsert(
                format!("{prefix}{i}"),
                user_id,
                Condition::Create,
                None,
                profile,
            );
            StreamRecord {
                id: i.to_string(),
                data: env.to_bytes(),
            }
        })
        .collect()
}

async fn timed(concurrency: usize, prefix: &str) -> Duration {
    let (_, vault) = faulty();
    vault.set_latency(Duration::from_millis(20));
    let processor = Processor::new(pipeline_on(vault.clone())).with_concurrency(concurrency);
    let records = batch(prefix);
    let started = Instant::now();
    let outcome = processor.process_batch(records).await;
    let elapsed = started.elapsed();
    assert_eq!(
        outcome.count(|o| *o == RecordOutcome::Processed(Condition::Create)),
        USERS
    );
    elapsed
}

#[tokio::test]
async fn working_on_several_users_at_once_beats_one_record_at_a_time() {
    let sequential = timed(1, "s").await;
    let concurrent = timed(8, "c").await;
    eprintln!(
        "{USERS} creates, 20 ms vault latency: concurrency 1 = {sequential:?}, concurrency 8 = {concurrent:?}"
    );
    assert!(
        concurrent * 3 / 2 < sequential,
        "{concurrent:?} vs {sequential:?}"
    );
}
