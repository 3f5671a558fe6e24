//! The webhook notifier Lambda: the vault table's DynamoDB stream and the SQS retry queue in, POSTs to the
//! subscribed relying parties out, partial batch responses back (docs/webhooks.md §6). Subscriptions, the
//! OAuth client, the HTTP client and the queues are set up once per cold start by `cis-runtime`.

/// mimalloc, as in the `cis` binary: profiles are trees of many small allocations (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cis_runtime::aws::Aws;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = cis_runtime::load_config()?;
    let notifier = &cis_runtime::webhooks::deployed(&Aws::connect(&config).await, &config).await?;
    cis_runtime::ready("webhook-notifier");
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(cis_runtime::webhooks::lambda::handle(notifier, event.payload).await)
    }))
    .await
}
