//! The vault curator Lambda: on each EventBridge schedule event it ensures the vault tables, indexes,
//! stream, tags and backups (`cis_runtime::lambda::Curator`, the `[curator]` section of the configuration),
//! and fails the invocation when a step is in error. The DynamoDB client is built once per cold start.

/// mimalloc, as in the `cis` binary: profiles are trees of many small allocations (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use cis_runtime::aws::Aws;
use cis_runtime::lambda::Curator;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = cis_runtime::load_config()?;
    let curator = &Curator::new(&Aws::connect(&config).await, &config);
    cis_runtime::ready("vault-curator");
    lambda_runtime::run(service_fn(move |_: LambdaEvent<EventBridgeEvent>| {
        curator.run()
    }))
    .await
}
