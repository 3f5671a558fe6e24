//! The effective configuration as text for the one start-up log line, with every secret redacted
//! (docs/configuration.md §1). Secrets: `uuid_salt`, `webhook_client_secret`. Names of secrets (SSM parameter paths) are not secrets.

use std::fmt::Write as _;

use super::Config;

const REDACTED: &str = "<redacted>";
const UNSET: &str = "<unset>";

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| UNSET.to_owned())
}

impl Config {
    /// Every key and its effective value, one `[section] key = value` per line; secrets redacted.
    pub fn redacted_summary(&self) -> String {
        let c = &self.cis;
        let cis: Vec<(&str, String)> = vec![
            ("environment", c.environment.to_string()),
            ("region_name", c.region_name.clone()),
            ("aws_endpoint_url", opt(&c.aws_endpoint_url)),
            ("assume_role_arn", opt(&c.assume_role_arn)),
            ("dynamodb_arn", opt(&c.dynamodb_arn)),
            ("status_table_name", c.status_table_name.clone()),
            ("kinesis_arn", opt(&c.kinesis_arn)),
            ("stream_bypass", c.stream_bypass.to_string()),
            ("vault_backend", c.vault_backend.to_string()),
            ("data_dir", c.data_dir.display().to_string()),
            ("jwt_validation", c.jwt_validation.to_string()),
            ("verify_signatures", c.verify_signatures.to_string()),
            ("verify_publishers", c.verify_publishers.to_string()),
            ("validate_schema", c.validate_schema.to_string()),
            (
                "processor_verify_signatures",
                c.processor_verify_signatures.to_string(),
            ),
            (
                "processor_verify_publishers",
                c.processor_verify_publishers.to_string(),
            ),
            ("allow_delete", c.allow_delete.to_string()),
            ("client_publishers", opt(&c.client_publishers)),
            ("vault_write_retries", c.vault_write_retries.to_string()),
            ("status_retention_days", c.status_retention_days.to_string()),
            ("secret_manager", c.secret_manager.to_string()),
            (
                "secret_manager_file_path",
                c.secret_manager_file_path.display().to_string(),
            ),
            ("secret_manager_ssm_path", c.secret_manager_ssm_path.clone()),
            (
                "secret_manager_ssm_region",
                c.secret_manager_ssm_region.clone(),
            ),
            (
                "uuid_salt",
                c.uuid_salt.as_ref().map_or(UNSET, |_| REDACTED).to_owned(),
            ),
            (
                "secret_manager_ssm_uuid_salt",
                opt(&c.secret_manager_ssm_uuid_salt),
            ),
            ("well_known_mode", c.well_known_mode.to_string()),
            ("public_key_name", c.public_key_name.clone()),
            ("discovery_url", c.discovery_url.clone()),
            (
                "well_known_cache_seconds",
                c.well_known_cache_seconds.to_string(),
            ),
            (
                "well_known_timeout_seconds",
                c.well_known_timeout_seconds.to_string(),
            ),
            (
                "publisher_rules_file",
                c.publisher_rules_file
                    .as_ref()
                    .map_or_else(|| UNSET.to_owned(), |p| p.display().to_string()),
            ),
            ("log_level", c.log_level.clone()),
            ("log_format", c.log_format.to_string()),
            ("rp_urls", c.rp_urls.join(",")),
            ("api_identifier", opt(&c.api_identifier)),
            ("authzero_tenant", opt(&c.authzero_tenant)),
        ];
        let w = &self.webhooks;
        let cis: Vec<(&str, String)> = cis
            .into_iter()
            .chain([
                // Inline subscriptions may hold signing secrets; a file path is shown.
                (
                    "webhook_subscriptions",
                    match w.subscriptions.as_deref() {
                        Some(text) if text.trim_start().starts_with('[') => REDACTED.to_owned(),
                        other => opt(&other.map(str::to_owned)),
                    },
                ),
                (
                    "webhook_subscriptions_ssm_parameter",
                    opt(&w.subscriptions_ssm_parameter),
                ),
                ("webhook_audience", w.audience.clone()),
                ("webhook_token_url", opt(&w.token_url)),
                ("webhook_client_id", opt(&w.client_id)),
                (
                    "webhook_client_secret",
                    w.client_secret
                        .as_ref()
                        .map_or(UNSET, |_| REDACTED)
                        .to_owned(),
                ),
                (
                    "webhook_client_secret_ssm_parameter",
                    opt(&w.client_secret_ssm_parameter),
                ),
                ("webhook_timeout_ms", w.timeout_ms.to_string()),
                ("webhook_max_attempts", w.max_attempts.to_string()),
                (
                    "webhook_retry_first_seconds",
                    w.retry_first_seconds.to_string(),
                ),
                ("webhook_concurrency", w.concurrency.to_string()),
                ("webhook_retry_queue_url", opt(&w.retry_queue_url)),
                (
                    "webhook_dead_letter_queue_url",
                    opt(&w.dead_letter_queue_url),
                ),
                (
                    "scim_targets",
                    w.scim_targets
                        .as_ref()
                        .map_or("unset", |_| "(set)")
                        .to_string(),
                ),
                (
                    "scim_targets_ssm_parameter",
                    opt(&w.scim_targets_ssm_parameter),
                ),
            ])
            .collect();
        let s = &self.change_service;
        let change: Vec<(&str, String)> = vec![
            ("auth0_domain", s.auth0_domain.clone()),
            ("api_identifier", s.api_identifier.clone()),
            ("algorithms", s.algorithms.join(",")),
            ("jwks_url", s.jwks_url.clone()),
            ("jwks_cache_seconds", s.jwks_cache_seconds.to_string()),
            ("token_leeway_seconds", s.token_leeway_seconds.to_string()),
            ("max_batch_size", s.max_batch_size.to_string()),
            ("max_body_bytes", s.max_body_bytes.to_string()),
            ("write_concurrency", s.write_concurrency.to_string()),
            ("body_timeout_seconds", s.body_timeout_seconds.to_string()),
        ];
        let p = &self.person_api;
        let person: Vec<(&str, String)> = vec![
            ("auth0_domain", p.auth0_domain.clone()),
            ("api_identifier", p.api_identifier.clone()),
            ("jwks_url", p.jwks_url.clone()),
            ("jwks_cache_seconds", p.jwks_cache_seconds.to_string()),
            ("token_leeway_seconds", p.token_leeway_seconds.to_string()),
            ("jwt_validation", p.jwt_validation.to_string()),
            ("advanced_search", p.advanced_search.to_string()),
        ];
        let k = &self.curator;
        let curator: Vec<(&str, String)> = vec![
            ("create_tables", k.create_tables.to_string()),
            ("fix_stream_view", k.fix_stream_view.to_string()),
            (
                "point_in_time_recovery",
                k.point_in_time_recovery.to_string(),
            ),
            ("deletion_protection", k.deletion_protection.to_string()),
            ("backfill", k.backfill.to_string()),
        ];
        let mut out = String::new();
        if let Some(path) = &self.source_file {
            let _ = writeln!(out, "configuration file = {}", path.display());
        }
        for (section, entries) in [
            ("cis", cis),
            ("change_service", change),
            ("person_api", person),
            ("curator", curator),
        ] {
            for (key, value) in entries {
                let _ = writeln!(out, "[{section}] {key} = {value}");
            }
        }
        out
    }
}
