//! Rules that involve more than one key: the local-only switches of docs/configuration.md §1.1 and the schemes
//! `discovery_url` and `jwks_url` may use. Each problem names the key and its value.
//!
//! Per-key typing is `reader.rs`'s job; this module only looks at already typed values.

use super::Config;
use super::kinds::WellKnownMode;

pub(crate) fn problems(config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    let cis = &config.cis;
    let env = &cis.environment;
    if !env.is_local() {
        let switches = cis
            .local_only_switches()
            .into_iter()
            .map(|(key, value)| ("cis", key, value))
            .chain([(
                "person_api",
                "jwt_validation",
                config.person_api.jwt_validation,
            )]);
        for (section, key, value) in switches {
            // Every local-only switch defaults to `true`.
            if !value {
                problems.push(format!(
                    "[{section}] {key} = false is allowed only with environment = local \
                     (environment is {env})"
                ));
            }
        }
    }
    if cis.well_known_mode == WellKnownMode::Https
        && let Some(problem) =
            url_problem("cis", "discovery_url", &cis.discovery_url, env.is_local())
    {
        problems.push(problem);
    }
    for (section, url) in [
        ("change_service", &config.change_service.jwks_url),
        ("person_api", &config.person_api.jwks_url),
    ] {
        if let Some(problem) = url_problem(section, "jwks_url", url, env.is_local()) {
            problems.push(problem);
        }
    }
    problems
}

/// `https://` and `file://` anywhere; `http://` only in `local`.
fn url_problem(section: &str, key: &str, url: &str, local: bool) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let has_rest = |scheme: &str| lower.len() > scheme.len();
    if (lower.starts_with("https://") && has_rest("https://"))
        || (lower.starts_with("file://") && has_rest("file://"))
    {
        return None;
    }
    if lower.starts_with("http://") && has_rest("http://") {
        return (!local).then(|| {
            format!("[{section}] {key} = {url:?}: http:// is allowed only with environment = local")
        });
    }
    Some(format!(
        "[{section}] {key} = {url:?}: expected an https:// or file:// URL"
    ))
}
