//! `cis changes --user ID`: a user's change history from the local vault of a data directory (what
//! `GET /v2/changes` answers): newest first, each change's time, state, condition, client, publishers and
//! changed attribute paths. Reads the SQLite file; never a profile value.

use anyhow::Context;
use cis_identity_vault::{HistoryQuery, SqliteVault, StatusStore};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::local::datadir::DataDir;

#[derive(clap::Args)]
pub struct Args {
    /// The user_id.
    #[arg(long)]
    user: String,
    /// Data directory of `cis serve`.
    #[arg(long, env = "CIS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// At most this many changes (newest first).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    limit: u64,
    /// JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(changes(args))
}

async fn changes(args: Args) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(args.data_dir.as_deref());
    let vault = SqliteVault::open(dir.root()).context("opening the vault")?;
    let mut wanted = usize::try_from(args.limit).unwrap_or(usize::MAX);
    let mut query = HistoryQuery {
        cursor: None,
        limit: wanted.min(1000),
    };
    let mut printed = 0;
    loop {
        let page = vault.changes_of(&args.user, &query).await?;
        for r in &page.items {
            if args.json {
                let line = serde_json::json!({
                    "sequence_number": r.sequence_number,
                    "processed_at": r.processed_at,
                    "state": r.state.as_str(),
                    "condition": r.condition.as_str(),
                    "client_id": r.origin.client_id,
                    "publishers": r.origin.publishers,
                    "changed": r.origin.changed,
                    "error": r.error.as_ref().map(|e| &e.code),
                });
                println!("{line}");
            } else {
                let error = r
                    .error
                    .as_ref()
                    .map(|e| format!(" ({})", e.code))
                    .unwrap_or_default();
                println!(
                    "{}  {:<9} {:<6} client={} publishers={} changed={}{error}",
                    r.processed_at,
                    r.state.as_str(),
                    r.condition.as_str(),
                    r.origin.client_id.as_deref().unwrap_or("-"),
                    r.origin.publishers.join(","),
                    r.origin.changed.join(","),
                );
            }
        }
        printed += page.items.len();
        wanted = wanted.saturating_sub(page.items.len());
        match page.next {
            Some(next) if wanted > 0 => {
                query = HistoryQuery {
                    cursor: Some(next),
                    limit: wanted.min(1000),
                };
            }
            _ => break,
        }
    }
    if printed == 0 && !args.json {
        eprintln!(
            "no changes recorded for {} (within the status retention)",
            args.user
        );
    }
    Ok(ExitCode::SUCCESS)
}
