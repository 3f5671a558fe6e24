//! # cis-processor — the stream processor
//!
//! | module | owns |
//! |---|---|
//! | [`processor`] | [`Processor`]: a batch of change records → per-record outcomes and the first batch item failure |
//! | [`drainer`] | [`LocalDrainer`]: the task of `cis serve` that feeds the durable outbox to the processor |
//! | [`lambda`] | Kinesis events in, `batchItemFailures` out |
//!
//! Contract: docs/contract/processor-and-vault.md §3. The checks and the write are the shared pipeline's
//! (`cis-change`); this crate owns the batch: decoding, per-user order, concurrency, stopping at the first
//! transient failure, recording `noop`/`failed`/poison outcomes. No HTTP, no AWS SDK types.

pub mod drainer;
pub mod lambda;
pub mod processor;

pub use drainer::{DrainReport, LocalDrainer};
pub use lambda::records_from_event;
pub use processor::{BatchOutcome, Processor, RecordOutcome};
