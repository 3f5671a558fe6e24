//! The AWS SDK configuration every client is built from (docs/configuration.md §2: `region_name`,
//! `aws_endpoint_url`). Load it **once per process**, in `main`, and build every client from it.
//! It reads no CIS configuration itself: callers pass [`AwsSettings`].

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// The region when neither the settings nor the environment (`AWS_REGION`) name one.
pub const DEFAULT_REGION: &str = "us-west-2";

/// Attempts per request (the first one included) for throttling and transient errors; the SDK's standard
/// retry mode waits with exponential backoff and full jitter between them.
pub const MAX_ATTEMPTS: u32 = 5;

/// What the AWS clients need from CIS configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// `region_name`; `None` = `$AWS_REGION` (the SDK's provider chain), else [`DEFAULT_REGION`].
    pub region: Option<String>,
    /// `aws_endpoint_url`: one endpoint for every service (moto_server in tests). The SDK's own
    /// `AWS_ENDPOINT_URL` also works when this is `None`.
    pub endpoint_url: Option<String>,
}

/// Loads the SDK configuration: region, endpoint override, credentials from the default chain (environment,
/// web identity, container or instance role), standard retries with backoff ([`MAX_ATTEMPTS`]).
pub async fn load_sdk_config(settings: &AwsSettings) -> SdkConfig {
    let region = match settings
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(region) => RegionProviderChain::first_try(Region::new(region.to_string())),
        None => {
            RegionProviderChain::default_provider().or_else(Region::from_static(DEFAULT_REGION))
        }
    };
    let retry = RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(50))
        .with_max_backoff(Duration::from_secs(2));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .retry_config(retry);
    if let Some(url) = settings
        .endpoint_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        loader = loader.endpoint_url(url.trim());
    }
    loader.load().await
}
