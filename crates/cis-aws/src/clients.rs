//! Client constructors (DynamoDB, Kinesis, SQS, SSM) from one [`SdkConfig`] (built once in `main`; clients are cheap handles to clone).

use aws_config::{Region, SdkConfig};

pub fn dynamodb_client(config: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

pub fn kinesis_client(config: &SdkConfig) -> aws_sdk_kinesis::Client {
    aws_sdk_kinesis::Client::new(config)
}

pub fn sqs_client(config: &SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

/// An SSM client, in `region` when given (`secret_manager_ssm_region`), else the configuration's region.
pub fn ssm_client(config: &SdkConfig, region: Option<&str>) -> aws_sdk_ssm::Client {
    let mut builder = aws_sdk_ssm::config::Builder::from(config);
    if let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) {
        builder = builder.region(Region::new(region.to_string()));
    }
    aws_sdk_ssm::Client::from_conf(builder.build())
}
