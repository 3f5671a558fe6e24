//! # `cis` — the Change Integration Service command line
//!
//! One binary for operators and developers: profile tools, signing and verification, publisher rules,
//! the local vault, the all-in-one local service (`cis serve`), dev tokens and publishing.
//! Each command family lives in its own module under [`cmd`]; this file only parses and dispatches.
//!
//! Exit codes: 0 success, 1 input rejected (reasons on stderr, one per line), 2 usage error.

mod cmd;
mod io;
mod local;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc: profiles are trees of many small strings and maps, and the system allocator is most of the
/// cost of building and dropping them (docs/benchmarks.md, whole-process validation).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cis", version, about = "Mozilla IAM Change Integration Service", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate, generate and filter profile v2 documents.
    Profile(cmd::profile::Args),
    /// Generate keys, sign and verify profile attributes.
    Crypto(cmd::crypto::Args),
    /// Check a change against the publisher rules.
    Rules(cmd::rules::Args),
    /// Run CIS locally: Change API, Person API, processor and a dev authorizer on a SQLite vault.
    Serve(cmd::serve::Args),
    /// Print a development bearer token for `cis serve`.
    Token(cmd::token::Args),
    /// Sign profiles as a publisher and send them to the Change API.
    Publish(cmd::publish::Args),
    /// The local SQLite vault: init, import, export, get.
    Vault(cmd::vault::Args),
    /// A user's change history from the local vault (who changed what, and when).
    Changes(cmd::changes::Args),
    /// Provision SCIM applications from CIS: `cis sync scim --target NAME [--dry-run]`.
    Sync(cmd::sync::Args),
    /// The webhook notifier of a local `cis serve`: status, replay, a test event.
    Webhooks(cmd::webhooks::Args),
    /// Build, check and publish a stage's well-known documents (mozilla-iam, rules, schema).
    #[command(name = "well-known")]
    WellKnown(cmd::well_known::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Profile(args) => cmd::profile::run(args),
        Command::Crypto(args) => cmd::crypto::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Token(args) => cmd::token::run(args),
        Command::Publish(args) => cmd::publish::run(args),
        Command::Vault(args) => cmd::vault::run(args),
        Command::Changes(args) => cmd::changes::run(args),
        Command::WellKnown(args) => cmd::well_known::run(args),
        Command::Webhooks(args) => cmd::webhooks::run(args),
        Command::Sync(args) => cmd::sync::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
