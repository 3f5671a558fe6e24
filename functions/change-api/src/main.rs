//! The Change API Lambda: API Gateway events through `lambda_http` into `cis_change_service::router`.
//! Configuration, AWS clients, the `cis` key, the salt and the verification keys are loaded once per cold
//! start; any problem stops the start (STYLE.md rules 5–6). Wiring shared with `cis serve` lives in the
//! library (`ChangeServiceState::from_config`, `cis_change_service::wiring`).

use std::sync::Arc;

use anyhow::Context;
use cis_aws::kinesis::KinesisChangeStream;
use cis_aws::{AwsSettings, SsmParameters, SsmSigningKeys, TableSettings, load_sdk_config};
use cis_change_service::{Adapters, ChangeServiceState, router, wiring};
use cis_common::config::SecretManager;
use cis_common::{Config, TokenValidator, VerificationKeys};
use cis_crypto::SigningKeySource;
use cis_identity_vault::dynamodb::DynamoVault;
use cis_profile::Publisher::Cis;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::load().context("configuration")?;
    let cis = &config.cis;
    cis_logging::init(&cis.log_level, cis.log_format);
    config
        .warnings
        .iter()
        .for_each(|w| tracing::warn!(warning = %w, "configuration"));
    let region = Some(cis.region_name.clone());
    let aws = load_sdk_config(&AwsSettings {
        region,
        endpoint_url: cis.aws_endpoint_url.clone(),
    })
    .await;
    let ssm = SsmParameters::new(cis_aws::ssm_client(
        &aws,
        Some(&cis.secret_manager_ssm_region),
    ));
    let dynamodb = cis_aws::dynamodb_client(&aws);
    let status_table_name = Some(cis.status_table_name().to_string());
    let (environment, dynamodb_arn) = (cis.environment.to_string(), cis.dynamodb_arn.clone());
    let tables = TableSettings {
        environment,
        dynamodb_arn,
        status_table_name,
    };
    let tables = cis_aws::resolve_table_names(&dynamodb, &tables)
        .await
        .context("vault tables")?;
    let cis_signer = match cis.secret_manager {
        SecretManager::File => wiring::cis_signer_from_files(&config)?,
        SecretManager::AwsSsm => SsmSigningKeys::load(&ssm, &cis.secret_manager_ssm_path, &[Cis])
            .await
            .context("cis signing key")?
            .signing_key(Cis)?,
    };
    let uuid_salt = match (&cis.uuid_salt, &cis.secret_manager_ssm_uuid_salt) {
        (Some(salt), _) => Some(salt.clone()),
        (None, Some(name)) => Some(ssm.load_uuid_salt(name).await.context("uuid salt")?),
        (None, None) => None,
    };
    let stream = cis.kinesis_arn.clone().unwrap_or_else(|| cis.stream_name());
    let keys = VerificationKeys::from_config(&config).context("verification keys")?;
    let adapters = Adapters {
        tokens: Arc::new(TokenValidator::for_change_api(&config).context("token validator")?),
        vault: Arc::new(DynamoVault::new(dynamodb, tables)),
        stream: Arc::new(KinesisChangeStream::new(
            cis_aws::kinesis_client(&aws),
            stream,
        )),
        keys: Arc::new(keys),
        cis_signer,
        rules: wiring::publisher_rules(&config)?,
        uuid_salt,
    };
    tracing::info!(stream_bypass = cis.stream_bypass, "Change API started");
    lambda_http::run(router(ChangeServiceState::from_config(&config, adapters))).await
}
