//! The webhook notifier's keys (docs/configuration.md §5), read from the `[cis]` section as `webhook_*`
//! (environment `CIS_WEBHOOK_*`) beside the original's `rp_urls`, `api_identifier` and `authzero_tenant`,
//! and the SCIM targets that `scim:<target>` subscriptions and the scheduled sync use (`scim_targets*`).

use super::cis::CisConfig;
use super::reader::SectionReader;

/// Where subscriptions come from and how deliveries are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// A JSON list of subscriptions, or the path of a file holding one (docs/webhooks.md §3).
    pub subscriptions: Option<String>,
    /// An SSM parameter holding the JSON list (deployed notifier).
    pub subscriptions_ssm_parameter: Option<String>,
    /// The OAuth audience of receivers unless a subscription names its own: `api_identifier` when set,
    /// else `hook.sso.mozilla.com` in production, `hook.test.sso.allizom.org` in testing,
    /// `hook.dev.sso.allizom.org` elsewhere.
    pub audience: String,
    /// The client-credentials token endpoint: `https://<authzero_tenant>/oauth/token` when the tenant is set.
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    /// Secret: never logged.
    pub client_secret: Option<String>,
    /// An SSM parameter holding the client secret (deployed notifier).
    pub client_secret_ssm_parameter: Option<String>,
    pub timeout_ms: u64,
    pub max_attempts: u32,
    /// The first retry delay; each next one is three times longer, at most 12 hours.
    pub retry_first_seconds: u64,
    pub concurrency: usize,
    /// SQS queue of retries (deployed notifier).
    pub retry_queue_url: Option<String>,
    /// SQS queue of dead and failed deliveries (deployed notifier).
    pub dead_letter_queue_url: Option<String>,
    /// SCIM targets (docs/scim.md §3): a JSON document `{"targets": [...]}`, or the path of a file
    /// holding one — for `scim:<target>` subscriptions and the scheduled sync.
    pub scim_targets: Option<String>,
    /// An SSM parameter holding that document (deployed functions).
    pub scim_targets_ssm_parameter: Option<String>,
}

impl WebhookConfig {
    pub(crate) fn read(r: &mut SectionReader<'_>, cis: &CisConfig) -> WebhookConfig {
        let audience_default = cis.api_identifier.clone().unwrap_or_else(|| {
            match cis.environment.as_str() {
                "production" => "hook.sso.mozilla.com",
                "testing" => "hook.test.sso.allizom.org",
                _ => "hook.dev.sso.allizom.org",
            }
            .to_string()
        });
        let token_url = r.opt_string("webhook_token_url").or_else(|| {
            cis.authzero_tenant
                .as_deref()
                .map(|tenant| format!("https://{}/oauth/token", tenant.trim_end_matches('/')))
        });
        WebhookConfig {
            subscriptions: r.opt_string("webhook_subscriptions"),
            subscriptions_ssm_parameter: r.opt_string("webhook_subscriptions_ssm_parameter"),
            audience: r.string("webhook_audience", &audience_default),
            token_url,
            client_id: r.opt_string("webhook_client_id"),
            client_secret: r.opt_string("webhook_client_secret"),
            client_secret_ssm_parameter: r.opt_string("webhook_client_secret_ssm_parameter"),
            timeout_ms: r.integer("webhook_timeout_ms", 5_000),
            max_attempts: r.integer("webhook_max_attempts", 8),
            retry_first_seconds: r.integer("webhook_retry_first_seconds", 90),
            concurrency: r.integer("webhook_concurrency", 16),
            retry_queue_url: r.opt_string("webhook_retry_queue_url"),
            dead_letter_queue_url: r.opt_string("webhook_dead_letter_queue_url"),
            scim_targets: r.opt_string("scim_targets"),
            scim_targets_ssm_parameter: r.opt_string("scim_targets_ssm_parameter"),
        }
    }
}
