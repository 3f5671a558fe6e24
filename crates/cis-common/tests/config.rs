//! Configuration loading: defaults, precedence, file syntax and discovery, derived values (docs/configuration.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;

use cis_common::config::{
    Config, ConfigError, Defaults, LogFormat, SecretManager, VaultBackend, WellKnownMode,
};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn defaults_follow_the_tables() {
    let config = Config::from_sources(None, &env(&[("HOME", "/home/ci")])).unwrap();
    let cis = &config.cis;
    assert_eq!(cis.environment.as_str(), "local");
    assert_eq!(cis.region_name, "us-west-2");
    assert_eq!(cis.status_table_name(), "local-identity-vault-status");
    assert_eq!(cis.vault_table_name(), "local-identity-vault");
    assert_eq!(cis.stream_name(), "cis-input-local");
    assert_eq!(cis.vault_backend, VaultBackend::DynamoDb);
    assert_eq!(cis.data_dir, PathBuf::from("/home/ci/.local/share/cis"));
    assert_eq!(cis.secret_manager, SecretManager::File);
    assert_eq!(
        cis.secret_manager_file_path,
        PathBuf::from("/home/ci/.mozilla-iam/keys/")
    );
    assert_eq!(
        cis.public_key_path(),
        PathBuf::from("/home/ci/.mozilla-iam/keys/access-file-key")
    );
    assert_eq!(cis.secret_manager_ssm_path, "/iam");
    assert_eq!(cis.secret_manager_ssm_region, "us-west-2");
    assert_eq!(cis.well_known_mode, WellKnownMode::File);
    assert_eq!(
        cis.discovery_url,
        "https://auth.mozilla.com/.well-known/mozilla-iam"
    );
    assert_eq!(
        (cis.well_known_cache_seconds, cis.well_known_timeout_seconds),
        (900, 5)
    );
    assert!(cis.jwt_validation && cis.verify_signatures && cis.verify_publishers);
    assert!(
        cis.validate_schema && cis.processor_verify_signatures && cis.processor_verify_publishers
    );
    assert!(!cis.allow_delete && !cis.stream_bypass);
    assert_eq!(
        (cis.vault_write_retries, cis.status_retention_days),
        (5, 90)
    );
    assert_eq!(cis.log_level, "info");
    assert_eq!(cis.log_format, LogFormat::Auto);
    let curator = &config.curator;
    assert!(curator.create_tables && !curator.fix_stream_view && curator.backfill);
    assert!(curator.point_in_time_recovery && !curator.deletion_protection);
    assert!(cis.uuid_salt.is_none() && cis.assume_role_arn.is_none());

    let change = &config.change_service;
    assert_eq!(change.issuer(), "https://auth-dev.mozilla.auth0.com/");
    assert_eq!(
        change.jwks_url(),
        "https://auth-dev.mozilla.auth0.com/.well-known/jwks.json"
    );
    assert_eq!(change.api_identifier, "https://change.sso.allizom.org");
    assert_eq!(change.algorithms, vec!["RS256"]);
    assert_eq!(
        (change.jwks_cache_seconds, change.token_leeway_seconds),
        (3600, 0)
    );
    assert_eq!(
        (
            change.max_batch_size,
            change.max_body_bytes,
            change.write_concurrency
        ),
        (500, 6_291_456, 16)
    );

    let person = &config.person_api;
    assert_eq!(person.api_identifier, "api.dev.sso.allizom.org");
    assert!(person.jwt_validation && !person.advanced_search);
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
}

#[test]
fn the_environment_beats_the_file_as_in_the_spec_example() {
    let file = "[cis]\nverify_publishers = false\n";
    let config =
        Config::from_sources(Some(file), &env(&[("CIS_VERIFY_PUBLISHERS", "true")])).unwrap();
    assert!(config.cis.verify_publishers);
}

#[test]
fn an_empty_environment_variable_counts_as_unset() {
    let file = "[change_service]\napi_identifier = api.sso.mozilla.com\n";
    let config =
        Config::from_sources(Some(file), &env(&[("CHANGE_SERVICE_API_IDENTIFIER", "")])).unwrap();
    assert_eq!(config.change_service.api_identifier, "api.sso.mozilla.com");
}

#[test]
fn each_section_reads_its_own_environment_prefix() {
    let vars = env(&[
        ("PERSON_API_ADVANCED_SEARCH", "TRUE"),
        ("CHANGE_SERVICE_AUTH0_DOMAIN", "auth.mozilla.auth0.com"),
        ("CIS_ENVIRONMENT", "Production"),
        ("AWS_REGION", "eu-west-1"),
    ]);
    let config = Config::from_sources(None, &vars).unwrap();
    assert!(config.person_api.advanced_search);
    assert_eq!(
        config.change_service.issuer(),
        "https://auth.mozilla.auth0.com/"
    );
    assert_eq!(
        config.change_service.jwks_url(),
        "https://auth.mozilla.auth0.com/.well-known/jwks.json"
    );
    assert_eq!(config.cis.environment.as_str(), "production");
    assert_eq!(config.cis.region_name, "eu-west-1");
    assert_eq!(config.cis.secret_manager_ssm_region, "eu-west-1");
    assert_eq!(config.cis.vault_table_name(), "production-identity-vault");
    assert!(config.curator.deletion_protection);
}

#[test]
fn the_curator_reads_its_own_section_and_refuses_the_old_names() {
    let file = "[curator]\nbackfill = false\n";
    let vars = env(&[("CURATOR_FIX_STREAM_VIEW", "true")]);
    let config = Config::from_sources(Some(file), &vars).unwrap();
    assert!(!config.curator.backfill && config.curator.fix_stream_view);
    let old = Config::from_sources(Some("[cis]\ncurator_backfill = false\n"), &HashMap::new());
    let Err(ConfigError::Invalid { problems }) = old else {
        panic!("an old curator key was accepted");
    };
    assert!(problems[0].contains("[curator] backfill"), "{problems:?}");
    let old = Config::from_sources(None, &env(&[("CIS_CURATOR_BACKFILL", "false")]));
    assert!(old.is_err(), "an old curator variable was accepted");
}

#[test]
fn surrounding_quotes_are_stripped() {
    let file = "[cis]\nwell_known_mode = 'https'\nsecret_manager = \"aws-ssm\"\n";
    let config = Config::from_sources(Some(file), &HashMap::new()).unwrap();
    assert_eq!(config.cis.well_known_mode, WellKnownMode::Https);
    assert_eq!(config.cis.secret_manager, SecretManager::AwsSsm);
}

#[test]
fn inline_comments_are_removed() {
    let file = "[cis]\n# whole line\n; also whole line\nenvironment = purple # the test stage\nrp_urls = https://a/x, https://b/y  # receivers\n";
    let config = Config::from_sources(Some(file), &HashMap::new()).unwrap();
    assert_eq!(config.cis.environment.as_str(), "purple");
    assert_eq!(config.cis.rp_urls, vec!["https://a/x", "https://b/y"]);
}

#[test]
fn the_assume_role_value_none_means_no_role() {
    for value in ["None", "none"] {
        let config = Config::from_sources(None, &env(&[("CIS_ASSUME_ROLE_ARN", value)])).unwrap();
        assert_eq!(config.cis.assume_role_arn, None);
    }
    let arn = "arn:aws:iam::123:role/CIS";
    let config = Config::from_sources(None, &env(&[("CIS_ASSUME_ROLE_ARN", arn)])).unwrap();
    assert_eq!(config.cis.assume_role_arn.as_deref(), Some(arn));
}

#[test]
fn table_and_stream_names_come_from_their_arns() {
    let vars = env(&[
        (
            "CIS_DYNAMODB_ARN",
            "arn:aws:dynamodb:us-west-2:123:table/testing-identity-vault",
        ),
        (
            "CIS_KINESIS_ARN",
            "arn:aws:kinesis:us-west-2:123:stream/cis-input-x",
        ),
        ("CIS_STATUS_TABLE_NAME", "status-x"),
    ]);
    let config = Config::from_sources(None, &vars).unwrap();
    assert_eq!(config.cis.vault_table_name(), "testing-identity-vault");
    assert_eq!(config.cis.stream_name(), "cis-input-x");
    assert_eq!(config.cis.status_table_name(), "status-x");
}

#[test]
fn cis_serve_defaults_to_the_sqlite_vault() {
    let config = Config::from_sources_with(None, &HashMap::new(), Defaults::LocalServe).unwrap();
    assert_eq!(config.cis.vault_backend, VaultBackend::Sqlite);
    let vars = env(&[("CIS_VAULT_BACKEND", "dynamodb")]);
    let config = Config::from_sources_with(None, &vars, Defaults::LocalServe).unwrap();
    assert_eq!(config.cis.vault_backend, VaultBackend::DynamoDb);
}

#[test]
fn the_summary_redacts_the_salt() {
    let config = Config::from_sources(None, &env(&[("CIS_UUID_SALT", "s3cr3t-salt")])).unwrap();
    let summary = config.redacted_summary();
    assert!(!summary.contains("s3cr3t-salt"), "{summary}");
    assert!(
        summary.contains("[cis] uuid_salt = <redacted>"),
        "{summary}"
    );
    assert!(
        summary.contains("[change_service] max_batch_size = 500"),
        "{summary}"
    );
    assert!(
        summary.contains("[person_api] advanced_search = false"),
        "{summary}"
    );
}

#[test]
fn a_missing_file_named_by_cis_config_ini_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.ini");
    let vars = env(&[
        ("CIS_CONFIG_INI", missing.to_str().unwrap()),
        ("HOME", "/nonexistent"),
    ]);
    match Config::load_from_env(&vars, Defaults::Deployed) {
        Err(ConfigError::MissingFile { path }) => assert_eq!(path, missing),
        other => panic!("expected MissingFile, got {other:?}"),
    }
}

#[test]
fn cis_config_ini_wins_over_the_home_file() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".mozilla-cis.ini"),
        "[cis]\nenvironment = from-home\n",
    )
    .unwrap();
    let named = home.path().join("named.ini");
    std::fs::write(&named, "[cis]\nenvironment = from-named\n").unwrap();
    let home_str = home.path().to_str().unwrap();

    let vars = env(&[("HOME", home_str)]);
    let config = Config::load_from_env(&vars, Defaults::Deployed).unwrap();
    assert_eq!(config.cis.environment.as_str(), "from-home");
    assert_eq!(
        config.source_file,
        Some(home.path().join(".mozilla-cis.ini"))
    );

    let vars = env(&[
        ("HOME", home_str),
        ("CIS_CONFIG_INI", named.to_str().unwrap()),
    ]);
    let config = Config::load_from_env(&vars, Defaults::Deployed).unwrap();
    assert_eq!(config.cis.environment.as_str(), "from-named");
}

#[test]
fn a_syntax_error_names_the_line() {
    match Config::from_sources(Some("[cis]\n\nnot a pair\n"), &HashMap::new()) {
        Err(ConfigError::Syntax(err)) => assert_eq!(err.line, 3),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}
