//! [`Aws`]: the deployed backends of the Lambda functions — the AWS clients built once per cold start
//! (region and endpoint from `[cis]`), the vault tables (by ARN, name or tags), the `cis` key and the uuid
//! salt (SSM or files, by `secret_manager`), the Kinesis change stream, the well-known keys.
//!
//! Each function takes only what it needs: the Person API and the curator never load the signing key.

use crate::backends::{Backends, Role};
use crate::keys::{WellKnownKeys, cis_signer_from_files, publisher_rules};
use crate::start::StartupError;
use cis_aws::kinesis::KinesisChangeStream;
use cis_aws::{AwsSettings, SdkConfig, SsmParameters, SsmSigningKeys, TableNames, TableSettings};
use cis_change::CisSigner;
use cis_common::Config;
use cis_common::config::SecretManager;
use cis_crypto::{SigningKey, SigningKeySource};
use cis_identity_vault::dynamodb::DynamoVault;
use cis_profile::Publisher;
use std::sync::Arc;

/// The AWS clients of one process.
#[derive(Debug, Clone)]
pub struct Aws {
    sdk: SdkConfig,
    pub dynamodb: aws_sdk_dynamodb::Client,
}

impl Aws {
    /// Loads the SDK configuration (region, endpoint override, retries) once.
    pub async fn connect(config: &Config) -> Aws {
        let cis = &config.cis;
        let sdk = cis_aws::load_sdk_config(&AwsSettings {
            region: Some(cis.region_name.clone()),
            endpoint_url: cis.aws_endpoint_url.clone(),
        })
        .await;
        let dynamodb = cis_aws::dynamodb_client(&sdk);
        Aws { sdk, dynamodb }
    }

    /// The SDK configuration every client of this process is built from.
    pub fn sdk(&self) -> &SdkConfig {
        &self.sdk
    }

    /// The vault's tables: `dynamodb_arn`, else `<environment>-identity-vault` or the table tagged for the
    /// environment; the status table by name.
    pub async fn tables(&self, config: &Config) -> Result<TableNames, StartupError> {
        let cis = &config.cis;
        let settings = TableSettings {
            environment: cis.environment.to_string(),
            dynamodb_arn: cis.dynamodb_arn.clone(),
            status_table_name: Some(cis.status_table_name().to_string()),
        };
        cis_aws::resolve_table_names(&self.dynamodb, &settings)
            .await
            .map_err(|e| StartupError::Tables(e.to_string()))
    }

    /// The DynamoDB vault.
    pub async fn vault(&self, config: &Config) -> Result<Arc<DynamoVault>, StartupError> {
        let tables = self.tables(config).await?;
        tracing::info!(table = %tables.vault, status = %tables.status, "vault tables");
        Ok(Arc::new(DynamoVault::new(self.dynamodb.clone(), tables)))
    }

    /// Everything `role` needs. Only applying a change signs as `cis`: the Change API in stream mode checks
    /// and appends (the processor applies), so its cold start does not read the `cis` key. It still reads the
    /// salt, whose absence makes it refuse creates up front rather than queue changes nobody can apply.
    pub async fn backends(&self, config: &Config, role: Role) -> Result<Backends, StartupError> {
        let cis = &config.cis;
        let applies = role == Role::Processor || cis.stream_bypass;
        let ssm = SsmParameters::new(cis_aws::ssm_client(
            &self.sdk,
            Some(&cis.secret_manager_ssm_region),
        ));
        let uuid_salt = async {
            match (&cis.uuid_salt, &cis.secret_manager_ssm_uuid_salt) {
                (Some(salt), _) => Ok(Some(salt.clone())),
                (None, Some(name)) => ssm
                    .load_uuid_salt(name)
                    .await
                    .map(Some)
                    .map_err(|e| StartupError::Salt(e.to_string())),
                (None, None) => Ok(None),
            }
        };
        // Three independent round trips of the cold start (the key, the salt, the tables), made at once.
        let (cis_signer, uuid_salt, vault) = if applies {
            let (key, salt, vault) =
                tokio::try_join!(self.cis_signer(config, &ssm), uuid_salt, self.vault(config))?;
            (key as Arc<dyn CisSigner>, salt, vault)
        } else {
            let (salt, vault) = tokio::try_join!(uuid_salt, self.vault(config))?;
            (Arc::new(NoCisKey) as Arc<dyn CisSigner>, salt, vault)
        };
        let stream_name = cis.kinesis_arn.clone().unwrap_or_else(|| cis.stream_name());
        let keys = WellKnownKeys::from_config(config)?;
        tracing::info!(source = %keys.0.location(), stream_bypass = cis.stream_bypass, "publisher keys and mode");
        Ok(Backends {
            vault,
            stream: Arc::new(KinesisChangeStream::new(
                cis_aws::kinesis_client(&self.sdk),
                stream_name,
            )),
            keys: Arc::new(keys),
            cis_signer,
            rules: publisher_rules(config)?,
            uuid_salt,
            client_publishers: crate::backends::client_publishers(config)?,
        })
    }

    async fn cis_signer(
        &self,
        config: &Config,
        ssm: &SsmParameters,
    ) -> Result<Arc<SigningKey>, StartupError> {
        let cis = &config.cis;
        match cis.secret_manager {
            SecretManager::File => cis_signer_from_files(config),
            SecretManager::AwsSsm => {
                let path = &cis.secret_manager_ssm_path;
                SsmSigningKeys::load(ssm, path, &[Publisher::Cis])
                    .await
                    .map_err(|e| StartupError::SigningKey(e.to_string()))?
                    .signing_key(Publisher::Cis)
                    .map_err(|e| StartupError::SigningKey(e.to_string()))
            }
        }
    }
}

/// The `cis` signer of a process that never applies a change: any use is an error, never a signature.
struct NoCisKey;

impl CisSigner for NoCisKey {
    fn sign_as_cis(
        &self,
        _attr: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), cis_crypto::SignError> {
        Err(cis_crypto::SignError::NoKey)
    }
}
