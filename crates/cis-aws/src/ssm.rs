//! SSM Parameter Store reads (docs/contract/signatures.md §7, docs/contract/profile.md §5.2): SecureString parameters read with
//! decryption, retried with backoff on throttling, server errors and lost answers, all within a budget
//! (default [`DEFAULT_BUDGET`], the cold-start allowance), then an error. A missing parameter fails at once.
//! Parameter values are secrets: they are never logged and never part of an error.

use crate::error::AwsError;
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ssm::operation::get_parameter::GetParameterError;
use std::time::Duration;
use tokio::time::Instant;
use tracing::warn;

/// How long one read may take, retries included.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Error codes worth another attempt.
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Reads parameters from SSM.
#[derive(Debug, Clone)]
pub struct SsmParameters {
    client: aws_sdk_ssm::Client,
    budget: Duration,
}

impl SsmParameters {
    pub fn new(client: aws_sdk_ssm::Client) -> SsmParameters {
        SsmParameters {
            client,
            budget: DEFAULT_BUDGET,
        }
    }

    /// The same reader with another total time per read.
    pub fn with_budget(mut self, budget: Duration) -> SsmParameters {
        self.budget = budget;
        self
    }

    /// The decrypted value of a (SecureString) parameter.
    pub async fn get_secure(&self, name: &str) -> Result<String, AwsError> {
        let deadline = Instant::now() + self.budget;
        let mut backoff = FIRST_BACKOFF;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let request = self
                .client
                .get_parameter()
                .name(name)
                .with_decryption(true)
                .send();
            let error = match tokio::time::timeout(remaining, request).await {
                Ok(Ok(out)) => {
                    return out
                        .parameter
                        .and_then(|p| p.value)
                        .ok_or_else(|| AwsError::Ssm {
                            name: name.to_string(),
                            message: "GetParameter returned no value".into(),
                            retryable: false,
                        });
                }
                Ok(Err(e)) => classify(name, &e),
                Err(_) => AwsError::Ssm {
                    name: name.to_string(),
                    message: format!("no answer within {} ms", self.budget.as_millis()),
                    retryable: true,
                },
            };
            let retryable = matches!(
                error,
                AwsError::Ssm {
                    retryable: true,
                    ..
                }
            );
            let remaining = deadline.saturating_duration_since(Instant::now());
            if !retryable || remaining.is_zero() {
                return Err(error);
            }
            warn!(parameter = %name, error = %error, "SSM read failed; retrying");
            tokio::time::sleep(backoff.min(remaining)).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// The uuid salt (docs/configuration.md `secret_manager_ssm_uuid_salt`). An empty value is an error: a
    /// salt-less uuid would be guessable.
    pub async fn load_uuid_salt(&self, name: &str) -> Result<String, AwsError> {
        let salt = self.get_secure(name).await?;
        if salt.is_empty() {
            return Err(AwsError::Ssm {
                name: name.to_string(),
                message: "the salt is empty".into(),
                retryable: false,
            });
        }
        Ok(salt)
    }
}

fn classify<R: std::fmt::Debug>(name: &str, err: &SdkError<GetParameterError, R>) -> AwsError {
    if let Some(GetParameterError::ParameterNotFound(_)) = err.as_service_error() {
        return AwsError::ParameterNotFound {
            name: name.to_string(),
        };
    }
    let (message, retryable) = match err {
        SdkError::ServiceError(s) => {
            let code = s.err().code().unwrap_or("UnknownError");
            (
                format!("{code}: {}", s.err().message().unwrap_or("no message")),
                TRANSIENT_CODES.contains(&code),
            )
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => (
            aws_sdk_ssm::error::DisplayErrorContext(err).to_string(),
            true,
        ),
        other => (
            aws_sdk_ssm::error::DisplayErrorContext(other).to_string(),
            false,
        ),
    };
    AwsError::Ssm {
        name: name.to_string(),
        message,
        retryable,
    }
}
