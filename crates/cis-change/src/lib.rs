//! # cis-change — the change-stream contract and the check/apply pipeline
//!
//! What both sides of the change stream share, below the Change API, the stream processor and the Kinesis
//! adapter (docs/architecture.md):
//!
//! | module | owns |
//! |---|---|
//! | [`envelope`] | the change envelope on the stream, its decoding (also the historic form), partition keys, sequence numbers |
//! | [`stream`] | the [`ChangeStream`] port, [`StreamRecord`], [`StreamError`], the in-memory adapter |
//! | [`outbox`] | [`OutboxChangeStream`]: the change stream of `cis serve` on the vault's durable outbox |
//! | [`backoff`] | full-jitter exponential backoff, for conflicting writes and stream retries |
//! | [`rejection`] | [`Rejection`]: the one catalogue of reasons a change is refused, with its codes |
//! | [`pipeline`] | [`Pipeline`]: parse a change, check it (signatures, stored profile, merge, rules, size), apply it |
//! | [`sink`] | [`ChangeSink`]: what the Change API does with a checked change, chosen once at wiring time |
//!
//! Contract: docs/contract/change-api.md §4–§10 and docs/contract/processor-and-vault.md §1–§3, §5.3, §6. No
//! HTTP framework, no HTTP client and no AWS SDK types here; nothing here logs a profile or a key.

pub mod backoff;
pub mod envelope;
pub mod outbox;
pub mod pipeline;
pub mod rejection;
pub mod sink;
pub mod stream;

pub use envelope::{ChangeEnvelope, DecodeError, Decoded, Op, new_sequence_number, partition_key};
pub use outbox::OutboxChangeStream;
pub use pipeline::{
    Caller, Change, Checked, CisSigner, ClientPublishers, KeyProvider, KeysUnavailable, Outcome,
    Pipeline, PipelineDeps, PipelineError, StaticKeys, Switches, claimed_publishers,
};
pub use rejection::Rejection;
pub use sink::{Accepted, ChangeSink, DirectSink, Incoming, SinkError, StreamSink};
pub use stream::{ChangeStream, MemoryChangeStream, StreamError, StreamRecord};
