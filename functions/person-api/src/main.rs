//! The Person API Lambda: API Gateway events through `lambda_http` into the Person API router. It needs only
//! the vault and the token validator, both built once per cold start by `cis-runtime`.

/// mimalloc, as in the `cis` binary: profiles are trees of many small allocations (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cis_runtime::aws::Aws;
use cis_runtime::backends::person_api;
use cis_runtime::tokens::{Api, validator};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = cis_runtime::load_config()?;
    let vault = Aws::connect(&config).await.vault(&config).await?;
    let state = person_api(&config, vault, validator(Api::Person, &config, None)?);
    cis_runtime::ready("person-api");
    lambda_http::run(cis_person_api::router(state)).await
}
