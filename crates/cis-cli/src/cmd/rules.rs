//! `cis rules`: check a publisher's profile against the publisher rules, as the Change API would.
//!
//! Owns argument parsing and the report; every decision is cis-profile's (merge, publisher rules). It does not
//! verify signatures (`cis crypto` does) and writes nothing.

use anyhow::{Context, bail};
use cis_profile::merge::merge;
use cis_profile::rules::PublisherRules;
use cis_profile::{Profile, ProfileError, Publisher};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Merge a publisher's profile into the stored one and check the publisher rules.
    #[command(long_about = CHECK_ABOUT)]
    Check(CheckArgs),
}

const CHECK_ABOUT: &str = "\
Merge a publisher's profile into the stored one and check the publisher rules, as the Change API does \
before it accepts a change.

FILE (or standard input) is the profile the publisher sends: null attributes mean \"no change\". It is \
merged into --previous (the stored profile; the null profile for a new user). Every changed attribute must \
claim --publisher in signature.publisher.name, and the rules must allow each change (create when the stored \
value is null, update otherwise). Signatures are not checked here.

Exit status: 0 allowed (the changed attributes are listed), 1 rejected (reasons on stderr, one per line), \
2 usage error (unreadable file, bad rules document).

Example: cis rules check --publisher ldap --previous stored.json change.json";

#[derive(clap::Args)]
struct CheckArgs {
    /// The publisher sending the change: ldap, mozilliansorg, hris, cis or access_provider.
    #[arg(long, value_name = "NAME")]
    publisher: Publisher,
    /// The stored profile the change applies to [default: the null profile, i.e. a new user].
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// A publisher rules document to use instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// The publisher's profile; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let is_stdin = |p: Option<&Path>| p.is_none_or(|p| p == Path::new("-"));
    if args.previous.is_some()
        && is_stdin(args.previous.as_deref())
        && is_stdin(args.file.as_deref())
    {
        bail!("--previous and FILE cannot both be standard input");
    }
    let custom;
    let rules = match &args.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            custom = PublisherRules::from_json(&text)
                .with_context(|| format!("invalid publisher rules {}", path.display()))?;
            &custom
        }
        None => PublisherRules::embedded(),
    };
    let incoming_bytes = crate::io::read_input(args.file.as_deref())?;
    let incoming = match Profile::parse(&incoming_bytes) {
        Ok(p) => p,
        Err(e) => return Ok(rejected(&invalid("profile", &e))),
    };
    let previous = match &args.previous {
        None => Profile::null(),
        Some(path) => {
            let bytes = crate::io::read_input(Some(path))?;
            match stored_profile(&bytes) {
                Ok(p) => p,
                Err(e) => return Ok(rejected(&invalid("previous profile", &e))),
            }
        }
    };

    let merged = merge(&previous, &incoming);
    let publisher = args.publisher.as_str();
    let mut reasons: Vec<String> = merged
        .changed
        .iter()
        .filter_map(|path| {
            let claimed = merged
                .profile
                .attr(*path)
                .and_then(|a| a.publisher_name())
                .unwrap_or("");
            (claimed != publisher).then(|| {
                format!(
                    "{path} claims publisher `{claimed}`, but the change comes from `{publisher}`"
                )
            })
        })
        .collect();
    if let Err(e) = rules.check_profile(&previous, &merged.profile) {
        reasons.push(e.to_string());
    }
    if !reasons.is_empty() {
        return Ok(rejected(&reasons));
    }
    println!("allowed");
    if merged.changed.is_empty() {
        println!("changed: none (nothing to store)");
    } else {
        let names: Vec<&str> = merged.changed.iter().map(|p| p.dotted()).collect();
        println!("changed: {}", names.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// A stored profile: strict JSON, structure only (legacy labels and timestamps are kept).
fn stored_profile(bytes: &[u8]) -> Result<Profile, ProfileError> {
    Profile::from_stored(cis_profile::json::parse_strict(bytes)?)
}

fn invalid(what: &str, e: &ProfileError) -> Vec<String> {
    match e {
        ProfileError::Json(e) => vec![format!("invalid {what}: not JSON: {e}")],
        ProfileError::Invalid(violations) if violations.is_empty() => {
            vec![format!("invalid {what}")]
        }
        ProfileError::Invalid(violations) => violations
            .iter()
            .map(|v| format!("invalid {what}: {v}"))
            .collect(),
    }
}

fn rejected(reasons: &[String]) -> ExitCode {
    for reason in reasons {
        eprintln!("{reason}");
    }
    ExitCode::from(1)
}
