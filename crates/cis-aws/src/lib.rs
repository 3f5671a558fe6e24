//! # cis-aws — AWS adapters and clients
//!
//! Everything that talks to AWS APIs other than the vault's DynamoDB adapter (which lives in
//! `cis-identity-vault`). No AWS type crosses into the services: they see the ports.
//!
//! | module | owns |
//! |---|---|
//! | [`config`] | [`AwsSettings`] and the one [`load_sdk_config`] per process (region, endpoint override, retries) |
//! | [`clients`] | DynamoDB, Kinesis, SQS and SSM clients from an `SdkConfig` |
//! | [`tables`] | the vault's table names: ARN, `<environment>-identity-vault`, discovery by tags |
//! | [`ssm`] | [`SsmParameters`]: SecureString reads with retries inside a budget, the uuid salt |
//! | [`signing_keys`] | [`SsmSigningKeys`], the SSM adapter of `cis_crypto::SigningKeySource` |
//! | [`kinesis`] | the Kinesis change stream adapter and its poller |
//! | [`s3`] | [`s3::WellKnownBucket`]: uploading the well-known documents |
//! | [`error`] | [`AwsError`] |

pub mod clients;
pub mod config;
pub mod error;
pub mod kinesis;
pub mod s3;
pub mod signing_keys;
pub mod ssm;
pub mod tables;

pub use aws_config::SdkConfig;
pub use cis_identity_vault::dynamodb::{TableNames, table_name_from_arn};
pub use clients::{dynamodb_client, kinesis_client, sqs_client, ssm_client};
pub use config::{AwsSettings, load_sdk_config};
pub use error::AwsError;
pub use signing_keys::{SsmSigningKeys, key_parameter};
pub use ssm::SsmParameters;
pub use tables::{TableSettings, resolve_table_names};
