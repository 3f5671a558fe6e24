//! # cis-processor — the change pipeline and the stream processor
//!
//! | module | owns |
//! |---|---|
//! | [`envelope`] | the change envelope on the stream, its decoding (also the historic form), partition keys, sequence numbers |
//! | [`stream`] | the [`ChangeStream`] port, [`StreamRecord`], the in-memory adapter |
//! | [`outbox`] | the local change stream of `cis serve`: [`OutboxChangeStream`] and the [`LocalDrainer`] task |
//! | [`pipeline`] | the core shared by the Change API (direct mode) and the processor: verify, merge, rules, CIS attributes, conditional writes |
//! | [`processor`] | [`Processor`]: a batch of records → per-record outcomes and the first batch item failure |
//! | [`lambda`] | Kinesis events in, `batchItemFailures` out |
//! | [`startup`] | cold-start helpers: publisher rules, the `cis` key from files, the processor's switches |
//!
//! Contract: `spec/change-api.md` §4, §7, §8, §10 and `spec/processor-and-vault.md` §1–§3, §5.3, §6. No HTTP
//! framework and no AWS SDK types here: the Kinesis adapter lives in `cis-aws`, routers in their crates.

pub mod envelope;
pub mod lambda;
pub mod outbox;
pub mod pipeline;
pub mod processor;
pub mod startup;
pub mod stream;

pub use envelope::{ChangeEnvelope, DecodeError, Decoded, Op, new_sequence_number, partition_key};
pub use lambda::records_from_event;
pub use outbox::{DrainReport, LocalDrainer, OutboxChangeStream};
pub use pipeline::{
    KeyProvider, KeysUnavailable, Outcome, Pipeline, PipelineDeps, PipelineError, Prepared,
    StaticKeys, Switches,
};
pub use processor::{BatchOutcome, Processor, RecordOutcome};
pub use stream::{ChangeStream, MemoryChangeStream, StreamError, StreamRecord};
