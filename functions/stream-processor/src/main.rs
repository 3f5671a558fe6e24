//! The stream processor Lambda: Kinesis batches of change envelopes through `cis_processor::Processor` into
//! the DynamoDB vault, answering `batchItemFailures` (processor-and-vault.md §3). Configuration, clients, the
//! `cis` key, the salt and the verification keys are loaded once per cold start; any problem stops the start.

use anyhow::Context;
use aws_lambda_events::kinesis::KinesisEvent;
use aws_lambda_events::streams::KinesisEventResponse;
use cis_aws::{AwsSettings, SsmParameters, SsmSigningKeys, TableSettings};
use cis_common::config::SecretManager;
use cis_common::{Config, VerificationKeys};
use cis_crypto::SigningKeySource;
use cis_identity_vault::dynamodb::DynamoVault;
use cis_processor::{Pipeline, PipelineDeps, Processor, records_from_event, startup};
use cis_profile::Publisher;
use lambda_runtime::{LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::load().context("configuration")?;
    cis_logging::init(&config.cis.log_level, config.cis.log_format);
    config
        .warnings
        .iter()
        .for_each(|w| tracing::warn!(warning = %w, "configuration"));
    let cis = &config.cis;
    let settings = AwsSettings {
        region: Some(cis.region_name.clone()),
        endpoint_url: cis.aws_endpoint_url.clone(),
    };
    let aws = cis_aws::load_sdk_config(&settings).await;
    let ssm = SsmParameters::new(cis_aws::ssm_client(
        &aws,
        Some(&cis.secret_manager_ssm_region),
    ));
    let dynamodb = cis_aws::dynamodb_client(&aws);
    let tables = TableSettings {
        environment: cis.environment.to_string(),
        dynamodb_arn: cis.dynamodb_arn.clone(),
        status_table_name: Some(cis.status_table_name().to_string()),
    };
    let tables = cis_aws::resolve_table_names(&dynamodb, &tables)
        .await
        .context("vault tables")?;
    let cis_signer = match cis.secret_manager {
        SecretManager::File => startup::cis_signer_from_files(&config)?,
        SecretManager::AwsSsm => {
            SsmSigningKeys::load(&ssm, &cis.secret_manager_ssm_path, &[Publisher::Cis])
                .await
                .context("cis signing key")?
                .signing_key(Publisher::Cis)?
        }
    };
    let uuid_salt = match (&cis.uuid_salt, &cis.secret_manager_ssm_uuid_salt) {
        (Some(salt), _) => Some(salt.clone()),
        (None, Some(name)) => Some(ssm.load_uuid_salt(name).await.context("uuid salt")?),
        (None, None) => None,
    };
    let keys = VerificationKeys::from_config(&config).context("verification keys")?;
    tracing::info!(source = %keys.location(), "stream processor starting");
    let pipeline = Pipeline::new(PipelineDeps {
        vault: Arc::new(DynamoVault::new(dynamodb, tables)),
        keys: Arc::new(keys),
        cis_signer,
        rules: startup::publisher_rules(&config)?,
        uuid_salt,
        switches: startup::processor_switches(&config),
        write_retries: cis.vault_write_retries,
        status_retention_days: u32::try_from(cis.status_retention_days).unwrap_or(u32::MAX),
    });
    let processor = &Processor::new(Arc::new(pipeline));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<KinesisEvent>| async move {
            let outcome = processor
                .process_batch(records_from_event(event.payload))
                .await;
            Ok::<_, lambda_runtime::Error>(KinesisEventResponse::from(outcome))
        },
    ))
    .await
}
