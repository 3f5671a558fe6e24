//! Mapping of AWS SDK failures onto [`VaultError`]. Throttling, server errors and transport failures are
//! `Unavailable { retryable: true }` (the SDK has already retried them with backoff by then); requests
//! DynamoDB rejects as invalid are `InvalidRequest`. No SDK type leaves this crate.

use crate::error::VaultError;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::error::Error;

/// Error codes that mean "try again later".
const TRANSIENT_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "TransactionConflictException",
    "LimitExceededException",
];

/// Cancellation reason codes of a transaction that mean "try again later".
pub(crate) const TRANSIENT_REASONS: &[&str] = &[
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "InternalServerError",
];

/// The vault error for a failed DynamoDB call.
pub(crate) fn vault_error<E, R>(operation: &str, err: &SdkError<E, R>) -> VaultError
where
    E: ProvideErrorMetadata + Error + 'static,
    R: std::fmt::Debug,
{
    let message = format!("DynamoDB {operation}: {}", describe(err));
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            VaultError::Unavailable {
                message,
                retryable: true,
            }
        }
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) if TRANSIENT_CODES.contains(&code) => VaultError::Unavailable {
                message,
                retryable: true,
            },
            Some("ValidationException") => VaultError::InvalidRequest(message),
            _ => VaultError::Unavailable {
                message,
                retryable: false,
            },
        },
        _ => VaultError::Unavailable {
            message,
            retryable: false,
        },
    }
}

/// A failure in AWS's own terms: `<code>: <message>` for a service error (without the raw response),
/// the whole error chain otherwise.
pub(crate) fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            format!(
                "{}: {}",
                e.code().unwrap_or("UnknownError"),
                e.message().unwrap_or("no message")
            )
        }
        other => DisplayErrorContext(other).to_string(),
    }
}

/// Whether the request may have been applied although no answer came back (a timeout or a lost
/// connection after sending): the caller must re-read before it reports anything.
pub(crate) fn outcome_unknown<E, R>(err: &SdkError<E, R>) -> bool {
    matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    )
}

/// The error code of a service error (`ConditionalCheckFailedException` ...).
pub(crate) fn service_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::error::ErrorMetadata;
    use aws_sdk_dynamodb::operation::get_item::GetItemError;
    use aws_sdk_dynamodb::types::error::{
        ProvisionedThroughputExceededException, ResourceNotFoundException,
    };

    fn with_code(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message("from the service")
            .build()
    }

    #[test]
    fn throttling_after_the_sdk_retries_is_retryable_unavailability() {
        let throttled = ProvisionedThroughputExceededException::builder()
            .message("from the service")
            .meta(with_code("ProvisionedThroughputExceededException"))
            .build();
        let err: SdkError<GetItemError, ()> = SdkError::service_error(
            GetItemError::ProvisionedThroughputExceededException(throttled),
            (),
        );
        let mapped = vault_error("GetItem", &err);
        assert!(mapped.is_retryable(), "{mapped:?}");
        assert_eq!(
            mapped.to_string(),
            "vault unavailable: DynamoDB GetItem: ProvisionedThroughputExceededException: from the service"
        );
        assert!(!outcome_unknown(&err));
    }

    #[test]
    fn a_missing_table_is_not_retryable_and_a_timeout_is_an_unknown_outcome() {
        let missing = ResourceNotFoundException::builder()
            .message("from the service")
            .meta(with_code("ResourceNotFoundException"))
            .build();
        let err: SdkError<GetItemError, ()> =
            SdkError::service_error(GetItemError::ResourceNotFoundException(missing), ());
        assert!(matches!(
            vault_error("GetItem", &err),
            VaultError::Unavailable {
                retryable: false,
                ..
            }
        ));
        let timeout: SdkError<GetItemError, ()> = SdkError::timeout_error("operation timed out");
        assert!(outcome_unknown(&timeout));
        assert!(vault_error("TransactWriteItems", &timeout).is_retryable());
    }
}
