//! Configuration typing and validation: strict values, local-only switches, unknown and legacy keys
//! (docs/configuration.md §1, §1.1, §2).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use cis_common::config::{Config, ConfigError};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn problems(result: Result<Config, ConfigError>) -> String {
    match result {
        Err(ConfigError::Invalid { problems }) => problems.join("\n"),
        other => panic!("expected an invalid configuration, got {other:?}"),
    }
}

#[test]
fn booleans_accept_any_case_of_true_and_false() {
    let file = "[cis]\nallow_delete = True\nstream_bypass = FALSE\n";
    let config = Config::from_sources(Some(file), &HashMap::new()).unwrap();
    assert!(config.cis.allow_delete);
    assert!(!config.cis.stream_bypass);
}

#[test]
fn a_boolean_that_is_not_true_or_false_is_an_error_naming_the_key_and_value() {
    let text = problems(Config::from_sources(
        None,
        &env(&[("CIS_ALLOW_DELETE", "yes")]),
    ));
    assert!(text.contains("allow_delete"), "{text}");
    assert!(text.contains("\"yes\""), "{text}");
    assert!(text.contains("CIS_ALLOW_DELETE"), "{text}");
}

#[test]
fn integers_must_be_decimal_digits() {
    let file = "[change_service]\nmax_batch_size = -1\njwks_cache_seconds = 1h\n";
    let text = problems(Config::from_sources(Some(file), &HashMap::new()));
    assert!(text.contains("max_batch_size = \"-1\""), "{text}");
    assert!(text.contains("jwks_cache_seconds = \"1h\""), "{text}");
    assert!(text.contains("line 2") && text.contains("line 3"), "{text}");
}

#[test]
fn an_invalid_environment_name_is_an_error() {
    let text = problems(Config::from_sources(
        None,
        &env(&[("CIS_ENVIRONMENT", "my stage")]),
    ));
    assert!(text.contains("[cis] environment = \"my stage\""), "{text}");
}

#[test]
fn local_only_switches_are_refused_outside_local() {
    let file = "[cis]\nenvironment = production\njwt_validation = false\n[person_api]\njwt_validation = false\n";
    let text = problems(Config::from_sources(Some(file), &HashMap::new()));
    assert!(text.contains("[cis] jwt_validation = false"), "{text}");
    assert!(
        text.contains("[person_api] jwt_validation = false"),
        "{text}"
    );
    assert!(text.contains("environment is production"), "{text}");

    let vars = env(&[
        ("CIS_ENVIRONMENT", "testing"),
        ("CIS_PROCESSOR_VERIFY_SIGNATURES", "false"),
    ]);
    let text = problems(Config::from_sources(None, &vars));
    assert!(text.contains("processor_verify_signatures"), "{text}");
}

#[test]
fn local_only_switches_may_be_turned_off_in_local() {
    let vars = env(&[
        ("CIS_JWT_VALIDATION", "false"),
        ("CIS_VERIFY_SIGNATURES", "false"),
        ("CIS_VALIDATE_SCHEMA", "false"),
        ("PERSON_API_JWT_VALIDATION", "false"),
    ]);
    let config = Config::from_sources(None, &vars).unwrap();
    assert!(!config.cis.jwt_validation && !config.cis.verify_signatures);
    assert!(!config.cis.validate_schema && !config.person_api.jwt_validation);
}

#[test]
fn algorithms_other_than_rs256_are_refused() {
    let text = problems(Config::from_sources(
        None,
        &env(&[("CHANGE_SERVICE_ALGORITHMS", "RS256,HS256")]),
    ));
    assert!(
        text.contains("[change_service] algorithms = \"RS256,HS256\""),
        "{text}"
    );
    let config = Config::from_sources(
        Some("[change_service]\nalgorithms = RS256\n"),
        &HashMap::new(),
    )
    .unwrap();
    assert_eq!(config.change_service.algorithms, vec!["RS256"]);
}

#[test]
fn plain_http_discovery_is_allowed_only_in_local() {
    let local = env(&[
        ("CIS_WELL_KNOWN_MODE", "http"),
        ("CIS_DISCOVERY_URL", "http://127.0.0.1:9/wk"),
    ]);
    assert!(Config::from_sources(None, &local).is_ok());
    let mut testing = local.clone();
    testing.insert("CIS_ENVIRONMENT".into(), "testing".into());
    let text = problems(Config::from_sources(None, &testing));
    assert!(
        text.contains("discovery_url = \"http://127.0.0.1:9/wk\""),
        "{text}"
    );
    testing.insert(
        "CIS_DISCOVERY_URL".into(),
        "file:///etc/cis/well-known.json".into(),
    );
    assert!(Config::from_sources(None, &testing).is_ok());
}

#[test]
fn every_problem_is_reported_at_once() {
    let vars = env(&[
        ("CIS_LOG_FORMAT", "xml"),
        ("CIS_VAULT_BACKEND", "postgres"),
        ("CIS_LOG_LEVEL", "loud"),
    ]);
    let text = problems(Config::from_sources(None, &vars));
    for key in ["log_format", "vault_backend", "log_level"] {
        assert!(text.contains(key), "{key} missing from {text}");
    }
}

#[test]
fn unknown_keys_give_one_warning_each() {
    let file = "[cis]\ncis_well_known_mode = file\npostgres_host = db\n[graph]\nx = 1\n[person_api]\nenvironment = local\n";
    let config = Config::from_sources(Some(file), &HashMap::new()).unwrap();
    let warnings = &config.warnings;
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("[cis] cis_well_known_mode"))
    );
    assert!(warnings.iter().any(|w| w.contains("[cis] postgres_host")));
    assert!(warnings.iter().any(|w| w.contains("[graph] x")));
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("[person_api] environment") && w.contains("ignored"))
    );
}

#[test]
fn legacy_keys_are_accepted_with_a_warning() {
    let file = "[cis]\ndynamodb_transactions = true\nkinesalite_port = 4567\n";
    let config = Config::from_sources(Some(file), &env(&[("CIS_PUBLISHER_ID", "x")])).unwrap();
    assert_eq!(config.warnings.len(), 3, "{:?}", config.warnings);
    assert!(config.warnings.iter().all(|w| w.contains("is ignored")));
}
