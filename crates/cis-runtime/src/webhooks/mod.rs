//! The webhook notifier's start-up, shared by `cis serve` and the deployed function: the subscriptions
//! (a file, the `[cis] webhook_subscriptions` value — inline JSON or a path —, an SSM parameter, or the
//! original's `rp_urls`), their defaults and the retry policy from the configuration, and the [`Notifier`]
//! with its HTTP sender and token source, built once (docs/webhooks.md, docs/configuration.md §5).
//!
//! | module | owns |
//! |---|---|
//! | this file | subscriptions, policy, token source, the notifier; [`deployed`]: the function's start-up |
//! | [`stream`] | DynamoDB stream records → events |
//! | [`sqs`] | [`sqs::SqsQueue`]: retries and dead letters on SQS; SQS events → deliveries |
//! | [`lambda`] | the function's handler for both triggers |
//! | [`scim`] | `scim:<target>` subscriptions: per-user SCIM syncs as deliveries (docs/scim.md §3) |

pub mod lambda;
pub mod scim;
pub mod sqs;
pub mod stream;

use crate::aws::Aws;
use crate::start::StartupError;
use cis_aws::SsmParameters;
use cis_common::Config;
use cis_notifications::queued::QueuedNotifier;
use cis_notifications::subscription::{SubscriptionDefaults, from_rp_urls, parse_subscriptions};
use cis_notifications::{
    ClientCredentials, HttpSender, Notifier, RetryPolicy, Subscription, TokenSource, WebhookSender,
};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The defaults a subscription takes from the configuration.
pub fn defaults(config: &Config) -> SubscriptionDefaults {
    let w = &config.webhooks;
    SubscriptionDefaults {
        audience: w.audience.clone(),
        timeout: Duration::from_millis(w.timeout_ms.clamp(100, 60_000)),
        max_attempts: w.max_attempts.clamp(1, 50),
    }
}

/// The retry schedule of the configuration.
pub fn retry_policy(config: &Config) -> RetryPolicy {
    RetryPolicy {
        first: Duration::from_secs(config.webhooks.retry_first_seconds.max(1)),
        ..RetryPolicy::default()
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> StartupError {
    StartupError::Webhooks(format!("{what}: {e}"))
}

/// Parses a JSON list of subscriptions, or reads and parses the file `text` names.
pub fn parse_text(text: &str, config: &Config) -> Result<Vec<Subscription>, StartupError> {
    if text.trim_start().starts_with('[') {
        return parse_subscriptions(text, &defaults(config))
            .map_err(|e| invalid("webhook_subscriptions", e));
    }
    parse_file(Path::new(text.trim()), config)
}

/// Reads and parses a subscriptions file.
pub fn parse_file(path: &Path, config: &Config) -> Result<Vec<Subscription>, StartupError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| invalid(&path.display().to_string(), e))?;
    parse_subscriptions(&text, &defaults(config))
        .map_err(|e| invalid(&path.display().to_string(), e))
}

/// The subscriptions of a local process: `file`, else `[cis] webhook_subscriptions`, else `[cis] rp_urls`
/// (none at all is an empty list: nobody to notify).
pub fn local_subscriptions(
    config: &Config,
    file: Option<&Path>,
) -> Result<Vec<Subscription>, StartupError> {
    if let Some(path) = file {
        return parse_file(path, config);
    }
    if let Some(text) = &config.webhooks.subscriptions {
        return parse_text(text, config);
    }
    from_rp_urls(&config.cis.rp_urls, &defaults(config)).map_err(|e| invalid("rp_urls", e))
}

/// Whether any subscription authenticates with OAuth (and so needs a token source).
pub fn needs_tokens(subscriptions: &[Subscription]) -> bool {
    subscriptions
        .iter()
        .any(|s| matches!(s.auth, cis_notifications::Auth::OAuth { .. }))
}

/// The client-credentials token source for `token_url`, `client_id` and `client_secret`.
pub fn client_credentials(
    token_url: &str,
    client_id: &str,
    client_secret: &str,
) -> Result<Arc<dyn TokenSource>, StartupError> {
    let tokens = ClientCredentials::new(token_url, client_id, client_secret)
        .map_err(|e| invalid("webhook token source", e))?;
    Ok(Arc::new(tokens))
}

/// The HTTP sender of the notifiers.
pub fn http_sender() -> Result<Arc<dyn WebhookSender>, StartupError> {
    Ok(Arc::new(
        HttpSender::new().map_err(|e| invalid("webhook HTTP client", e))?,
    ))
}

/// The notifier: subscriptions, the sender (`http_sender`, or a [`scim::ScimSender`] around it), the
/// token source, the configured policy and concurrency.
pub fn notifier(
    config: &Config,
    subscriptions: Vec<Subscription>,
    sender: Arc<dyn WebhookSender>,
    tokens: Option<Arc<dyn TokenSource>>,
) -> Result<Notifier, StartupError> {
    Ok(Notifier::new(subscriptions, sender, tokens)
        .with_policy(retry_policy(config))
        .with_concurrency(config.webhooks.concurrency.max(1)))
}

/// The deployed notifier: subscriptions (`webhook_subscriptions_ssm_parameter`, else the local sources),
/// the OAuth client (secret from `webhook_client_secret_ssm_parameter` or the configuration), and the SQS
/// retry and dead-letter queues. Read once per cold start.
pub async fn deployed(aws: &Aws, config: &Config) -> Result<QueuedNotifier, StartupError> {
    let w = &config.webhooks;
    let ssm = SsmParameters::new(cis_aws::ssm_client(
        aws.sdk(),
        Some(&config.cis.secret_manager_ssm_region),
    ));
    let subscriptions = match &w.subscriptions_ssm_parameter {
        Some(name) => {
            let text = ssm
                .get_secure(name)
                .await
                .map_err(|e| invalid("webhook subscriptions", e))?;
            parse_subscriptions(&text, &defaults(config)).map_err(|e| invalid(name, e))?
        }
        None => local_subscriptions(config, None)?,
    };
    let tokens = if needs_tokens(&subscriptions) {
        let token_url = w.token_url.as_deref().ok_or_else(|| {
            invalid(
                "webhook_token_url",
                "required by subscriptions with auth = oauth (or set authzero_tenant)",
            )
        })?;
        let client_id = w.client_id.as_deref().ok_or_else(|| {
            invalid(
                "webhook_client_id",
                "required by subscriptions with auth = oauth",
            )
        })?;
        let secret = match (&w.client_secret, &w.client_secret_ssm_parameter) {
            (Some(secret), _) => secret.clone(),
            (None, Some(name)) => ssm
                .get_secure(name)
                .await
                .map_err(|e| invalid("webhook client secret", e))?,
            (None, None) => {
                return Err(invalid(
                    "webhook_client_secret_ssm_parameter",
                    "required by subscriptions with auth = oauth",
                ));
            }
        };
        Some(client_credentials(token_url, client_id, &secret)?)
    } else {
        None
    };
    let retry_url = w.retry_queue_url.as_deref().ok_or_else(|| {
        invalid(
            "webhook_retry_queue_url",
            "required by the deployed notifier",
        )
    })?;
    let dead_url = w.dead_letter_queue_url.as_deref().ok_or_else(|| {
        invalid(
            "webhook_dead_letter_queue_url",
            "required by the deployed notifier",
        )
    })?;
    tracing::info!(subscriptions = subscriptions.len(), "webhook subscriptions");
    let queue = sqs::SqsQueue::new(cis_aws::sqs_client(aws.sdk()), retry_url, dead_url);
    let mut sender = http_sender()?;
    if subscriptions.iter().any(|s| {
        s.url
            .starts_with(cis_notifications::subscription::SCIM_SCHEME)
    }) {
        // Two independent round trips of the cold start, made at once.
        let (targets, vault) = tokio::try_join!(
            crate::scim::deployed_targets(&ssm, config),
            aws.vault(config)
        )?;
        let targets =
            targets.ok_or_else(|| invalid("scim: subscriptions", "no SCIM targets configured"))?;
        let vault: Arc<dyn cis_identity_vault::ProfileReader> = vault;
        let scim = scim::ScimSender::new(sender, vault, &targets, Some(&ssm))
            .await
            .map_err(|e| invalid("SCIM targets", e))?;
        sender = Arc::new(scim);
    }
    let notifier = notifier(config, subscriptions, sender, tokens)?;
    Ok(QueuedNotifier::new(Arc::new(notifier), Arc::new(queue)))
}
