//! Errors of this crate's adapters. They carry AWS's error code and message, never a parameter's value.

/// Why an AWS adapter call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// The SSM parameter does not exist.
    #[error("SSM parameter {name} not found")]
    ParameterNotFound { name: String },
    /// SSM failed; `retryable` when it was throttling, a server error or no answer (after the retries).
    #[error("SSM parameter {name}: {message}")]
    Ssm {
        name: String,
        message: String,
        retryable: bool,
    },
    /// A DynamoDB call made while resolving the tables failed.
    #[error("DynamoDB {operation}: {message}")]
    DynamoDb { operation: String, message: String },
    /// `dynamodb_arn` is not a table ARN.
    #[error(
        "dynamodb_arn {0:?} is not a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)"
    )]
    InvalidTableArn(String),
    /// Tag discovery found more than one vault table for the environment.
    #[error(
        "several tables are tagged cis_environment={environment}, application=identity-vault: {tables}"
    )]
    AmbiguousTables { environment: String, tables: String },
    /// An S3 upload failed (after the SDK's retries).
    #[error("S3 s3://{bucket}/{key}: {message}")]
    S3 {
        bucket: String,
        key: String,
        message: String,
    },
    /// A signing key stored in SSM is not a key.
    #[error("signing key of publisher {publisher} in SSM parameter {name}: {message}")]
    InvalidSigningKey {
        publisher: String,
        name: String,
        message: String,
    },
}
