//! The stream processor Lambda: Kinesis batches of change envelopes through the processor into the vault,
//! answering `batchItemFailures` (`cis_runtime::lambda::kinesis`). Backends built once per cold start.

/// mimalloc, as in the `cis` binary: profiles are trees of many small allocations (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use aws_lambda_events::kinesis::KinesisEvent;
use cis_runtime::aws::Aws;
use cis_runtime::backends::Role;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = cis_runtime::load_config()?;
    let backends = Aws::connect(&config)
        .await
        .backends(&config, Role::Processor)
        .await?;
    let processor = &backends.processor(&config);
    cis_runtime::ready("stream-processor");
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<KinesisEvent>| async move {
            Ok::<_, Error>(cis_runtime::lambda::kinesis(processor, event.payload).await)
        },
    ))
    .await
}
