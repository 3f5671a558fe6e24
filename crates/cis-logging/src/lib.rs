//! # cis-logging — tracing set-up for every CIS binary
//!
//! Owns the one global `tracing` subscriber: JSON lines (one object per line, for CloudWatch) inside AWS
//! Lambda or when asked, human-readable lines elsewhere; the level comes from configuration
//! (`[cis] log_level`) unless `RUST_LOG` is set, which wins.
//!
//! It must not decide *what* is logged: callers never log a token, a key or a whole profile (docs/architecture.md,
//! conventions). It reads no configuration file itself; `cis-common` parses `log_level`/`log_format` and passes
//! them to [`init`].

use std::fmt;
use std::str::FromStr;

use tracing_subscriber::EnvFilter;

/// How log lines are written (`[cis] log_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable lines.
    Pretty,
    /// JSON inside AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), pretty elsewhere.
    #[default]
    Auto,
}

impl LogFormat {
    /// The configuration spelling: `json`, `pretty` or `auto`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Json => "json",
            LogFormat::Pretty => "pretty",
            LogFormat::Auto => "auto",
        }
    }

    /// Whether lines are JSON, given whether the process runs inside Lambda.
    pub fn is_json(self, in_lambda: bool) -> bool {
        match self {
            LogFormat::Json => true,
            LogFormat::Pretty => false,
            LogFormat::Auto => in_lambda,
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `log_format` value that is none of `json`, `pretty`, `auto`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected json, pretty or auto")]
pub struct UnknownLogFormat;

impl FromStr for LogFormat {
    type Err = UnknownLogFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(LogFormat::Json),
            "pretty" => Ok(LogFormat::Pretty),
            "auto" => Ok(LogFormat::Auto),
            _ => Err(UnknownLogFormat),
        }
    }
}

/// The filter directives in force: `RUST_LOG` when set and non-empty, else the configured level.
pub fn filter_directives(level: &str, rust_log: Option<&str>) -> String {
    match rust_log.map(str::trim) {
        Some(directives) if !directives.is_empty() => directives.to_owned(),
        _ => level.trim().to_ascii_lowercase(),
    }
}

/// Installs the global subscriber. Safe to call more than once: every call after the first is a no-op
/// (tests and binaries that share helpers may both call it).
pub fn init(level: &str, format: LogFormat) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let directives = filter_directives(level, rust_log.as_deref());
    // An unparsable RUST_LOG or level must not stop a service from starting: fall back to `info`.
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();

    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `try_init` fails only when a global subscriber already exists, which is the documented no-op.
    let _already_installed = if format.is_json(in_lambda) {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_ansi(false)
            .try_init()
    } else {
        builder.with_target(true).try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_in_any_case() {
        assert_eq!("JSON".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!(" pretty ".parse::<LogFormat>(), Ok(LogFormat::Pretty));
        assert_eq!("Auto".parse::<LogFormat>(), Ok(LogFormat::Auto));
        assert_eq!("yaml".parse::<LogFormat>(), Err(UnknownLogFormat));
    }

    #[test]
    fn auto_is_json_only_inside_lambda() {
        assert!(LogFormat::Auto.is_json(true));
        assert!(!LogFormat::Auto.is_json(false));
        assert!(LogFormat::Json.is_json(false));
        assert!(!LogFormat::Pretty.is_json(true));
    }

    #[test]
    fn rust_log_wins_over_the_configured_level() {
        assert_eq!(filter_directives("info", Some("cis=trace")), "cis=trace");
        assert_eq!(filter_directives("DEBUG", None), "debug");
        assert_eq!(filter_directives("warn", Some("  ")), "warn");
    }

    #[test]
    fn a_second_init_is_a_no_op() {
        init("debug", LogFormat::Json);
        init("info", LogFormat::Pretty);
        assert!(tracing::dispatcher::has_been_set());
        tracing::info!("still logging after two inits");
    }
}
