//! The Person API Lambda: API Gateway events through `lambda_http` into `cis_person_api::router`.
//! Configuration, the AWS clients, the vault tables and the token validator are set up once per cold
//! start; any problem stops the start (STYLE.md rules 5–6). The state is wired by the library
//! (`PersonApiState::from_config`), as under `cis serve`.

use std::sync::Arc;

use anyhow::Context;
use cis_aws::{AwsSettings, TableSettings};
use cis_common::Config;
use cis_identity_vault::dynamodb::DynamoVault;
use cis_person_api::{PersonApiState, router};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::load().context("configuration")?;
    cis_logging::init(&config.cis.log_level, config.cis.log_format);
    for warning in &config.warnings {
        tracing::warn!(warning = %warning, "configuration");
    }
    let cis = &config.cis;
    let settings = AwsSettings {
        region: Some(cis.region_name.clone()),
        endpoint_url: cis.aws_endpoint_url.clone(),
    };
    let aws = cis_aws::load_sdk_config(&settings).await;
    let dynamodb = cis_aws::dynamodb_client(&aws);
    let tables = TableSettings {
        environment: cis.environment.to_string(),
        dynamodb_arn: cis.dynamodb_arn.clone(),
        status_table_name: Some(cis.status_table_name().to_string()),
    };
    let tables = cis_aws::resolve_table_names(&dynamodb, &tables)
        .await
        .context("vault tables")?;
    let tokens = PersonApiState::tokens_from_config(&config).context("token validator")?;
    tracing::info!(
        table = %tables.vault,
        advanced_search = config.person_api.advanced_search,
        "Person API starting"
    );
    let vault = Arc::new(DynamoVault::new(dynamodb, tables));
    let state = PersonApiState::from_config(&config, Arc::new(tokens), vault);
    lambda_http::run(router(state)).await
}
