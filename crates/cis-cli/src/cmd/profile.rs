//! `cis profile`: validate, generate and filter profile v2 documents.
//!
//! Owns argument parsing and output formatting only; every verdict, fake profile and filter decision is
//! cis-profile's. It never prints a whole profile except the one it was asked to produce (fake, filter), and
//! never prints the input back in error messages (violations name a JSON pointer, not the value).

use crate::io::read_input;
use anyhow::Context;
use cis_profile::fake::{fake_profile, fake_profiles};
use cis_profile::filter::{ScopeSet, filter};
use cis_profile::json::parse_strict;
use cis_profile::{Display, Profile, ProfileError};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Validate profiles against the profile v2 schema and the project's stricter rules.
    #[command(long_about = VALIDATE_ABOUT)]
    Validate(ValidateArgs),
    /// Print deterministic, realistic fake profiles (what a publisher sends for a new user).
    #[command(long_about = FAKE_ABOUT)]
    Fake(FakeArgs),
    /// Filter a profile by scopes and display level, as the Person API does.
    #[command(long_about = FILTER_ABOUT)]
    Filter(FilterArgs),
}

const VALIDATE_ABOUT: &str = "\
Validate profiles against both validation layers: the original profile v2 JSON schema and the project's \
stricter rules (RFC 3339 timestamps with a zone, typed `values` maps, strict JSON: no duplicate members, \
no integer beyond 64 bits).

One profile: prints `valid` and exits 0, or prints every violation on stderr as `<JSON pointer>: <message>`, \
one per line, and exits 1. With --jsonl, each non-empty line is one profile and each gets one verdict line \
on stdout (`line 3: valid`, `line 4: invalid: /pronouns: required member missing`); exit 1 if any is \
invalid. Malformed JSON is invalid, reported with the parser's message and position.

Example: cis profile fake --count 100 | cis profile validate --jsonl";

const FAKE_ABOUT: &str = "\
Print fake profiles: realistic (names, e-mails, user_id shapes of every login method, identities, groups, \
staff information, keys), valid, unsigned (signature values \"\"), with uuid and primary_username null and \
every attribute claimed by the publisher the rules let create it. The same seed always gives the same \
profile; profile i of a batch uses seed + i.

Count 1 prints one indented profile; a larger count prints one compact profile per line (JSON lines).

Example: cis profile fake --seed 42 --count 3 > three.jsonl";

const FILTER_ABOUT: &str = "\
Filter a profile for a caller with the given scopes, and optionally a filterDisplay level, exactly as the \
Person API does: classification scopes, then display scopes, then the filterDisplay level. Removed \
attributes disappear, groups stay (possibly empty), so the output is not a valid profile.

The input is read as a stored profile (legacy classification labels are accepted and match no scope but \
read:fullprofile).

Example: cis profile filter --scopes \"classification:workgroup display:staff\" --filter-display ndaed p.json";

#[derive(clap::Args)]
struct ValidateArgs {
    /// Read one profile per line (JSON lines) and print one verdict per line.
    #[arg(long)]
    jsonl: bool,
    /// The profile file; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

#[derive(clap::Args)]
struct FakeArgs {
    /// Seed of the first profile; the same seed always gives the same profile.
    #[arg(long, default_value_t = 0, value_name = "N")]
    seed: u64,
    /// How many profiles to print (more than one: one per line).
    #[arg(long, default_value_t = 1, value_name = "N")]
    count: usize,
}

#[derive(clap::Args)]
struct FilterArgs {
    /// The caller's scopes, space-separated (e.g. "classification:public display:public"). PUBLIC and
    /// public are always granted.
    #[arg(long, default_value = "", value_name = "SCOPES")]
    scopes: String,
    /// Keep only attributes visible at this level or a more visible one: public, authenticated, vouched,
    /// ndaed, staff or private.
    #[arg(long, value_name = "LEVEL", value_parser = parse_display)]
    filter_display: Option<Display>,
    /// The profile file; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

fn parse_display(s: &str) -> Result<Display, String> {
    Display::parse(s).ok_or_else(|| {
        format!(
            "`{s}` is not a display level (public, authenticated, vouched, ndaed, staff, private)"
        )
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Validate(args) if args.jsonl => validate_lines(args),
        Command::Validate(args) => validate_one(args),
        Command::Fake(args) => fake(args),
        Command::Filter(args) => filter_one(args),
    }
}

fn validate_one(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(args.file.as_deref())?;
    match Profile::check(&input) {
        Ok(()) => {
            println!("valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => rejected(&e),
    }
}

/// Prints every violation (or the JSON error) on stderr, one per line; exit status 1.
fn rejected(e: &ProfileError) -> anyhow::Result<ExitCode> {
    let mut err = std::io::stderr().lock();
    match e {
        ProfileError::Invalid(violations) => {
            for v in violations {
                writeln!(err, "{v}")?;
            }
        }
        ProfileError::Json(_) => writeln!(err, "{e}")?,
    }
    Ok(ExitCode::from(1))
}

fn validate_lines(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(args.file.as_deref())?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut all_valid = true;
    for (n, line) in input.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match Profile::check(line) {
            Ok(()) => writeln!(out, "line {}: valid", n + 1)?,
            Err(e) => {
                all_valid = false;
                writeln!(out, "line {}: invalid: {}", n + 1, verdict(&e))?;
            }
        }
    }
    out.flush()?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Every violation on one line, `; `-separated, or the JSON error.
fn verdict(e: &ProfileError) -> String {
    match e {
        ProfileError::Invalid(violations) => violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        ProfileError::Json(_) => e.to_string(),
    }
}

fn fake(args: FakeArgs) -> anyhow::Result<ExitCode> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.count == 1 {
        writeln!(out, "{}", fake_profile(args.seed).to_json_pretty())?;
    } else {
        for profile in fake_profiles(args.seed, args.count) {
            writeln!(out, "{}", profile.to_json())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn filter_one(args: FilterArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(args.file.as_deref())?;
    let stored = match parse_strict(&input) {
        Ok(value) => Profile::from_stored(value),
        Err(e) => Err(ProfileError::Json(e)),
    };
    let profile = match stored {
        Ok(p) => p,
        Err(e) => return rejected(&e),
    };
    let scopes = ScopeSet::parse(&args.scopes);
    let filtered = filter(&profile, &scopes, args.filter_display);
    let text =
        serde_json::to_string_pretty(&filtered).context("cannot print the filtered profile")?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
