//! The `[cis]` section (docs/configuration.md §2 and the notifier keys of §5): its typed struct, how each key is
//! read with its default, and the values derived from it (table and stream names).
//!
//! Cross-key validation (the local-only switches, `discovery_url`'s scheme) lives in `validate.rs`.

use std::path::PathBuf;

use cis_logging::LogFormat;

use super::kinds::{Environment, SecretManager, VaultBackend, WellKnownMode, parse_log_level};
use super::reader::SectionReader;

/// `[cis]`: settings shared by every component.
#[derive(Debug, Clone, PartialEq)]
pub struct CisConfig {
    pub environment: Environment,
    pub region_name: String,
    pub aws_endpoint_url: Option<String>,
    /// `None` = do not assume a role (`None`, `none` or empty in the configuration).
    pub assume_role_arn: Option<String>,
    pub dynamodb_arn: Option<String>,
    /// Defaults to `<environment>-identity-vault-status`.
    pub status_table_name: String,
    pub kinesis_arn: Option<String>,
    pub stream_bypass: bool,
    pub vault_backend: VaultBackend,
    pub data_dir: PathBuf,
    pub jwt_validation: bool,
    pub verify_signatures: bool,
    pub verify_publishers: bool,
    pub validate_schema: bool,
    pub processor_verify_signatures: bool,
    pub processor_verify_publishers: bool,
    pub allow_delete: bool,
    /// Which OAuth client may publish as which publisher: a JSON object `{"<client id>": ["ldap", ...]}`
    /// (parsed at start-up by the services that judge changes). Required outside `local`.
    pub client_publishers: Option<String>,
    pub vault_write_retries: u32,
    /// `0` = keep status records forever.
    pub status_retention_days: u64,
    pub secret_manager: SecretManager,
    pub secret_manager_file_path: PathBuf,
    pub secret_manager_ssm_path: String,
    /// Defaults to `region_name`.
    pub secret_manager_ssm_region: String,
    /// Secret: never logged (see `Config::redacted_summary`).
    pub uuid_salt: Option<String>,
    pub secret_manager_ssm_uuid_salt: Option<String>,
    pub well_known_mode: WellKnownMode,
    pub public_key_name: String,
    pub discovery_url: String,
    pub well_known_cache_seconds: u64,
    pub well_known_timeout_seconds: u64,
    pub publisher_rules_file: Option<PathBuf>,
    pub log_level: String,
    pub log_format: LogFormat,
    /// Webhook receivers (notifier, §5).
    pub rp_urls: Vec<String>,
    /// Audience of the notifier's OAuth token (§5).
    pub api_identifier: Option<String>,
    /// Host of the notifier's token endpoint (§5).
    pub authzero_tenant: Option<String>,
}

/// Keys of old files that are accepted and ignored, each with the reason given in its warning.
const LEGACY_KEYS: &[(&str, &str)] = &[
    ("dynamodb_transactions", "every write is transactional now"),
    ("signing_key_name", "services always sign as cis"),
    ("dynalite_host", "use aws_endpoint_url"),
    ("dynalite_port", "use aws_endpoint_url"),
    ("kinesalite_host", "use aws_endpoint_url"),
    ("kinesalite_port", "use aws_endpoint_url"),
    ("publisher_id", "the stream's partition key is the user_id"),
    ("requests_cache_backend", "not used"),
    (
        "enforce_publisher_rules",
        "publisher rules are always enforced (see verify_publishers)",
    ),
    ("transactions", "every write is transactional now"),
];

pub(crate) const DEFAULT_DISCOVERY_URL: &str = "https://auth.mozilla.com/.well-known/mozilla-iam";

impl CisConfig {
    pub(crate) fn read(r: &mut SectionReader<'_>, default_backend: VaultBackend) -> CisConfig {
        let environment = r.parsed(
            "environment",
            Environment::local(),
            "expected a stage name of lower-case letters, digits and `-`",
        );
        let aws_region = r.env_value("AWS_REGION");
        let region_name = r.string("region_name", aws_region.as_deref().unwrap_or("us-west-2"));
        let status_default = format!("{environment}-identity-vault-status");
        let ssm_region_default = region_name.clone();
        let log_level = match r.raw("log_level") {
            None => "info".to_owned(),
            Some(raw) => parse_log_level(&raw.value).unwrap_or_else(|| {
                r.problem(
                    "log_level",
                    &raw,
                    "expected error, warn, info, debug, trace or off",
                );
                "info".to_owned()
            }),
        };
        let config = CisConfig {
            region_name,
            aws_endpoint_url: r.opt_string("aws_endpoint_url"),
            assume_role_arn: r
                .opt_string("assume_role_arn")
                .filter(|v| !v.eq_ignore_ascii_case("none")),
            dynamodb_arn: r.opt_string("dynamodb_arn"),
            status_table_name: r.string("status_table_name", &status_default),
            kinesis_arn: r.opt_string("kinesis_arn"),
            stream_bypass: r.bool("stream_bypass", false),
            vault_backend: r.parsed(
                "vault_backend",
                default_backend,
                "expected dynamodb or sqlite",
            ),
            data_dir: r.path("data_dir", "~/.local/share/cis"),
            jwt_validation: r.bool("jwt_validation", true),
            verify_signatures: r.bool("verify_signatures", true),
            verify_publishers: r.bool("verify_publishers", true),
            validate_schema: r.bool("validate_schema", true),
            processor_verify_signatures: r.bool("processor_verify_signatures", true),
            processor_verify_publishers: r.bool("processor_verify_publishers", true),
            allow_delete: r.bool("allow_delete", false),
            client_publishers: r.opt_string("client_publishers"),
            vault_write_retries: r.integer("vault_write_retries", 5),
            status_retention_days: r.integer("status_retention_days", 90),
            secret_manager: r.parsed(
                "secret_manager",
                SecretManager::File,
                "expected file or aws-ssm",
            ),
            secret_manager_file_path: r.path("secret_manager_file_path", "~/.mozilla-iam/keys/"),
            secret_manager_ssm_path: r.string("secret_manager_ssm_path", "/iam"),
            secret_manager_ssm_region: r.string("secret_manager_ssm_region", &ssm_region_default),
            uuid_salt: r.opt_string("uuid_salt"),
            secret_manager_ssm_uuid_salt: r.opt_string("secret_manager_ssm_uuid_salt"),
            well_known_mode: r.parsed(
                "well_known_mode",
                WellKnownMode::File,
                "expected file, https or http",
            ),
            public_key_name: r.string("public_key_name", "access-file-key"),
            discovery_url: r.string("discovery_url", DEFAULT_DISCOVERY_URL),
            well_known_cache_seconds: r.integer("well_known_cache_seconds", 900),
            well_known_timeout_seconds: r.integer("well_known_timeout_seconds", 5),
            publisher_rules_file: r.opt_path("publisher_rules_file"),
            log_level,
            log_format: r.parsed(
                "log_format",
                LogFormat::Auto,
                "expected json, pretty or auto",
            ),
            rp_urls: r.list("rp_urls", &[]),
            api_identifier: r.opt_string("api_identifier"),
            authzero_tenant: r.opt_string("authzero_tenant"),
            environment,
        };
        for (key, why) in LEGACY_KEYS {
            r.ignored(key, why);
        }
        super::curator::CuratorConfig::refuse_old_names(r);
        config
    }

    /// The vault table: the name in `dynamodb_arn` (after `table/`) when set, else
    /// `<environment>-identity-vault`.
    pub fn vault_table_name(&self) -> String {
        self.dynamodb_arn
            .as_deref()
            .and_then(|arn| arn.rsplit_once(":table/").map(|(_, name)| name))
            .and_then(|name| name.split('/').next())
            .filter(|name| !name.is_empty())
            .map_or_else(
                || format!("{}-identity-vault", self.environment),
                str::to_owned,
            )
    }

    /// The status records table.
    pub fn status_table_name(&self) -> &str {
        &self.status_table_name
    }

    /// The change stream: the name in `kinesis_arn` (after `stream/`) when set, else
    /// `cis-input-<environment>`.
    pub fn stream_name(&self) -> String {
        self.kinesis_arn
            .as_deref()
            .and_then(|arn| arn.rsplit_once(":stream/").map(|(_, name)| name))
            .filter(|name| !name.is_empty())
            .map_or_else(|| format!("cis-input-{}", self.environment), str::to_owned)
    }

    /// The file-mode public key: `<secret_manager_file_path>/<public_key_name>`.
    pub fn public_key_path(&self) -> PathBuf {
        self.secret_manager_file_path.join(&self.public_key_name)
    }

    /// The local-only switches of docs/configuration.md §1.1 in `[cis]`, with their values.
    pub(crate) fn local_only_switches(&self) -> [(&'static str, bool); 6] {
        [
            ("jwt_validation", self.jwt_validation),
            ("verify_signatures", self.verify_signatures),
            ("verify_publishers", self.verify_publishers),
            ("validate_schema", self.validate_schema),
            (
                "processor_verify_signatures",
                self.processor_verify_signatures,
            ),
            (
                "processor_verify_publishers",
                self.processor_verify_publishers,
            ),
        ]
    }
}
