//! The SCIM sync Lambda (docs/scim.md §3): on each EventBridge schedule event it reconciles every SCIM
//! target of the deployment with the vault (`cis_runtime::scim::ScheduledSync`), logs one JSON report
//! line per target, and fails the invocation when a target could not be synced or an action failed.
//! Targets, tokens and the DynamoDB client are read once per cold start.

/// mimalloc, as in the `cis` binary: profiles are trees of many small allocations (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use cis_runtime::aws::Aws;
use cis_runtime::scim::ScheduledSync;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = cis_runtime::load_config()?;
    let sync = &ScheduledSync::new(&Aws::connect(&config).await, &config).await?;
    cis_runtime::ready("scim-sync");
    lambda_runtime::run(service_fn(move |_: LambdaEvent<EventBridgeEvent>| {
        sync.run()
    }))
    .await
}
