//! The Change API Lambda: API Gateway events through `lambda_http` into the Change API router. The
//! configuration, the AWS clients and every backend are built once per cold start by `cis-runtime`; any
//! problem stops the start.

/// mimalloc, as in the `cis` binary: profiles are trees of many small allocations (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cis_runtime::aws::Aws;
use cis_runtime::backends::Role;
use cis_runtime::tokens::{Api, validator};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = cis_runtime::load_config()?;
    let backends = Aws::connect(&config)
        .await
        .backends(&config, Role::ChangeApi)
        .await?;
    let tokens = validator(Api::Change, &config, None)?;
    let state = backends.change_service(&config, tokens);
    cis_runtime::ready("change-api");
    lambda_http::run(cis_change_service::router(state)).await
}
