//! `cis vault`: the local SQLite vault of a data directory — create it, bulk-import and export JSON lines,
//! look one user up.
//!
//! Owns argument parsing, progress and reports; storage is cis-identity-vault's `SqliteVault` and profile
//! validation is cis-profile's `Profile::parse`. Imports never replace a stored profile (a change goes
//! through the Change API), and nothing here talks to DynamoDB.

use anyhow::Context;
use cis_identity_vault::search::ItemFields;
use cis_identity_vault::sqlite::{ImportItem, ImportOutcome};
use cis_identity_vault::{ListQuery, Lookup, ProfileLister, ProfileReader, SqliteVault};
use cis_profile::Profile;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio::task::JoinHandle;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create the data directory and its vault file (vault.sqlite3); harmless when they exist.
    Init(DirArg),
    /// Import profiles from a JSON-lines file, one profile per line.
    #[command(long_about = IMPORT_ABOUT)]
    Import(ImportArgs),
    /// Print every stored profile as JSON lines, in user_id order.
    Export(DirArg),
    /// Print the profile of one user (exit status 1 when there is none).
    Get(GetArgs),
    /// Create or repair the DynamoDB vault tables (the vault curator) and print its report as JSON.
    Ensure(super::vault_ensure::Args),
}

const IMPORT_ABOUT: &str = "\
Import profiles from a JSON-lines file, one profile per line (blank lines are skipped).

Every line is validated as the Change API validates input (JSON, schema, stricter rules). Valid profiles \
of users the vault does not have are created (version 1), a few hundred per transaction. Users already \
in the vault are left alone, so an interrupted import can simply be run again: what was committed is \
skipped, the rest is imported. A line whose user is stored with a different profile is not imported.

Rejected lines are reported on stderr as `line N: reason`; the exit status is then 1.

Example: cis vault import --data-dir ./data profiles.jsonl";

#[derive(clap::Args)]
struct DirArg {
    /// The data directory holding vault.sqlite3.
    #[arg(long, value_name = "DIR", env = "CIS_DATA_DIR")]
    data_dir: PathBuf,
}

#[derive(clap::Args)]
struct ImportArgs {
    #[command(flatten)]
    dir: DirArg,
    /// Profiles per transaction.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch: u32,
    /// The JSON-lines file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(clap::Args)]
struct GetArgs {
    #[command(flatten)]
    dir: DirArg,
    #[command(flatten)]
    lookup: LookupArg,
}

/// Exactly one of the four ways to find a user.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct LookupArg {
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,
    #[arg(long, value_name = "UUID")]
    uuid: Option<String>,
    #[arg(long, value_name = "EMAIL")]
    primary_email: Option<String>,
    #[arg(long, value_name = "USERNAME")]
    primary_username: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match args.command {
            Command::Init(dir) => init(&dir.data_dir),
            Command::Import(args) => import(args).await,
            Command::Export(dir) => export(&dir.data_dir).await,
            Command::Get(args) => get(args).await,
            Command::Ensure(args) => super::vault_ensure::report(&args).await,
        }
    })
}

fn open(data_dir: &Path) -> anyhow::Result<SqliteVault> {
    SqliteVault::open(data_dir)
        .with_context(|| format!("cannot open the vault in {}", data_dir.display()))
}

fn init(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let vault = open(data_dir)?;
    println!("{}", vault.path().display());
    Ok(ExitCode::SUCCESS)
}

async fn get(args: GetArgs) -> anyhow::Result<ExitCode> {
    let l = args.lookup;
    let (lookup, what) = match (l.user_id, l.uuid, l.primary_email, l.primary_username) {
        (Some(v), ..) => (Lookup::UserId(v), "user_id"),
        (_, Some(v), ..) => (Lookup::Uuid(v), "uuid"),
        (_, _, Some(v), _) => (Lookup::PrimaryEmail(v), "primary_email"),
        (_, _, _, Some(v)) => (Lookup::PrimaryUsername(v), "primary_username"),
        _ => anyhow::bail!("give one of --user-id, --uuid, --primary-email, --primary-username"),
    };
    let vault = open(&args.dir.data_dir)?;
    match vault.get(&lookup).await? {
        Some(stored) => {
            println!("{}", stored.profile.to_json_pretty());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("no user with this {what}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn export(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let vault = open(data_dir)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut query = ListQuery {
        limit: 500,
        ..ListQuery::default()
    };
    loop {
        let page = vault.list_profiles(&query).await?;
        for stored in &page.items {
            let written = writeln!(out, "{}", stored.profile.to_json());
            // A reader that stops early (`| head`) ends the export, it does not fail it.
            if matches!(&written, Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe) {
                return Ok(ExitCode::SUCCESS);
            }
            written.context("cannot write to standard output")?;
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// What an import did so far.
#[derive(Default)]
struct Tally {
    created: u64,
    present: u64,
    rejected: u64,
}

/// A batch being written: its line numbers and user_ids, in order, and the write.
type Pending = (
    Vec<(u64, String)>,
    JoinHandle<cis_identity_vault::VaultResult<Vec<ImportOutcome>>>,
);

async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let vault = open(&args.dir.data_dir)?;
    let file =
        File::open(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = progress_bar(size);
    let mut reader = BufReader::new(file);
    let mut tally = Tally::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut batch: Vec<(u64, String, ImportItem)> = Vec::new();
    let mut pending: Option<Pending> = None;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {}", args.file.display()))?;
        if read == 0 {
            break;
        }
        number += 1;
        progress.inc(read as u64);
        match parse_line(&line) {
            Ok(None) => {}
            Ok(Some((user_id, profile))) => {
                let sequence_number = rand::random::<u128>().max(1).to_string();
                batch.push((
                    number,
                    user_id,
                    ImportItem {
                        profile,
                        sequence_number,
                    },
                ));
            }
            Err(reason) => reject(&progress, &mut tally, number, &reason),
        }
        if batch.len() >= args.batch as usize {
            // Parse the next batch while this one is written.
            finish(pending.take(), &progress, &mut tally).await?;
            pending = Some(submit(&vault, std::mem::take(&mut batch)));
        }
        progress.set_message(format!(
            "{} new, {} present, {} rejected",
            tally.created, tally.present, tally.rejected
        ));
    }
    finish(pending.take(), &progress, &mut tally).await?;
    finish(Some(submit(&vault, batch)), &progress, &mut tally).await?;
    progress.finish_and_clear();
    eprintln!(
        "imported {} new users; {} already in the vault; {} lines rejected",
        tally.created, tally.present, tally.rejected
    );
    Ok(if tally.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A profile and its user_id, `None` for a blank line, or why the line is rejected.
fn parse_line(line: &[u8]) -> Result<Option<(String, Profile)>, String> {
    let text = line.trim_ascii();
    if text.is_empty() {
        return Ok(None);
    }
    let profile = Profile::parse(text).map_err(|e| {
        let more = e.violations().len().saturating_sub(1);
        if more > 0 {
            format!("{e} (and {more} more)")
        } else {
            e.to_string()
        }
    })?;
    let fields = ItemFields::of(&profile).map_err(|_| "the profile has no user_id".to_string())?;
    Ok(Some((fields.user_id, profile)))
}

fn submit(vault: &SqliteVault, batch: Vec<(u64, String, ImportItem)>) -> Pending {
    let mut lines = Vec::with_capacity(batch.len());
    let mut items = Vec::with_capacity(batch.len());
    for (number, user_id, item) in batch {
        lines.push((number, user_id));
        items.push(item);
    }
    let vault = vault.clone();
    (
        lines,
        tokio::spawn(async move { vault.import_batch(items).await }),
    )
}

async fn finish(
    pending: Option<Pending>,
    progress: &ProgressBar,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let Some((lines, write)) = pending else {
        return Ok(());
    };
    let outcomes = write
        .await
        .context("the import task failed")?
        .context("cannot write to the vault")?;
    for ((number, user_id), outcome) in lines.into_iter().zip(outcomes) {
        match outcome {
            ImportOutcome::Created => tally.created += 1,
            ImportOutcome::Present { identical: true } => tally.present += 1,
            ImportOutcome::Present { identical: false } => {
                let reason =
                    format!("user {user_id} is already in the vault with another profile (kept)");
                reject(progress, tally, number, &reason);
            }
        }
    }
    Ok(())
}

fn reject(progress: &ProgressBar, tally: &mut Tally, number: u64, reason: &str) {
    tally.rejected += 1;
    progress.suspend(|| eprintln!("line {number}: {reason}"));
}

fn progress_bar(size: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {elapsed_precise} (eta {eta}) {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}
