//! `cis publish`: what a publisher does, from the command line — keep what the publisher may publish, sign
//! it, post the profiles singly or in batches to the Change API, optionally wait for the processor, and
//! print one result line per profile. Exit 0 when every profile was accepted (or needed no change), 1
//! otherwise.

use crate::local::datadir::DataDir;
use crate::local::devauth::TOKEN_TTL;
use crate::local::session::{ServeSession, dev_issuer};
use anyhow::{Context, bail};
use cis_profile::rules::PublisherRules;
use cis_profile::{Profile, Publisher};
use cis_publisher::{
    ChangeClient, Outcome, ProfileReport, PublishOptions, TokenSource, prepare_for_publisher,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Sign and publish profiles to the Change API.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  cis profile fake --seed 1 > jane.json\n  cis publish --publisher ldap --wait jane.json\n  cis profile fake --count 100 > users.jsonl\n  cis publish --publisher hris --batch-size 100 users.jsonl"
)]
pub struct Args {
    /// Publisher to publish as: ldap, mozilliansorg, hris, access_provider (cis is reserved to CIS).
    #[arg(long)]
    publisher: Publisher,
    /// A profile (.json, or a JSON array of profiles) or JSON lines (.jsonl); `-` for stdin.
    file: PathBuf,
    /// The publisher's private key (PEM or JWK). Default: the data directory's development key.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Change API base URL. Default: the running `cis serve`'s, else http://127.0.0.1:8000.
    #[arg(long, env = "CIS_CHANGE_URL")]
    change_url: Option<String>,
    /// Bearer token. Default: a development token from the data directory's issuer.
    #[arg(long, env = "CIS_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// OAuth token endpoint for the client-credentials flow (with --client-id, --client-secret, --audience).
    #[arg(long, requires_all = ["client_id", "client_secret", "audience"])]
    token_url: Option<String>,
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long, env = "CIS_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[arg(long)]
    audience: Option<String>,
    /// Profiles per `POST /v2/users` request; 1 posts each profile on its own.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=500))]
    batch_size: u16,
    /// Treat every profile as an update of a stored user (keep only what the publisher may update).
    #[arg(long)]
    update: bool,
    /// Wait for each accepted change to be processed, and report processed/failed instead of accepted.
    #[arg(long)]
    wait: bool,
    /// With --wait: give up waiting for one change after this many seconds (it is then reported pending).
    #[arg(long, default_value_t = 30)]
    wait_seconds: u64,
    /// Data directory of the local `cis serve` (keys, dev tokens).
    #[arg(long, env = "CIS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Sign only: write the signed profiles to stdout as JSON lines instead of posting them (to post
    /// later, or to feed a load generator). Profiles that cannot be signed are reported on stderr.
    #[arg(long, conflicts_with_all = ["wait", "token", "token_url"])]
    sign_only: bool,
    /// Ask the Change API what each profile would do (`?dryRun=true`): every check runs, nothing is written.
    /// Prints, per profile, the verdict and each attribute it would create or update (or sends unchanged).
    #[arg(long, conflicts_with_all = ["wait", "sign_only"])]
    dry_run: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.publisher == Publisher::Cis {
        bail!("`cis` is CIS itself; publishers never sign as cis");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(publish(args))
}

async fn publish(args: Args) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(args.data_dir.as_deref());
    let session = ServeSession::read(dir.root()).ok();
    let key = match &args.key {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            cis_crypto::SigningKey::parse(&text)
                .with_context(|| format!("{} is not a private key", path.display()))?
        }
        None => dir
            .publisher_key(args.publisher)
            .context("no --key given and no development key")?,
    };
    let input = crate::io::read_input(Some(&args.file))?;
    let documents = split_documents(&input)?;
    let rules = PublisherRules::embedded();
    let mut reports = Vec::new();
    let mut ready = Vec::new();
    for (index, doc) in documents.into_iter().enumerate() {
        let prepared = Profile::parse(&doc)
            .map_err(|e| e.to_string())
            .and_then(|mut profile| {
                // With --update every attribute counts as already set: only update rights apply.
                let stored = args.update.then(|| profile.clone());
                prepare_for_publisher(&mut profile, args.publisher, &key, rules, stored.as_ref())
                    .map(|_| profile)
                    .map_err(|e| e.to_string())
            });
        match prepared {
            Ok(profile) => ready.push((index, profile)),
            Err(reason) => reports.push(ProfileReport {
                index,
                user_id: None,
                outcome: Outcome::Rejected {
                    status: 0,
                    code: "not_sent".into(),
                    description: reason,
                },
            }),
        }
    }
    if args.sign_only {
        return Ok(write_signed(&ready, &reports));
    }
    let change_url = args
        .change_url
        .clone()
        .or_else(|| session.as_ref().map(|s| s.change_url.clone()))
        .unwrap_or_else(|| "http://127.0.0.1:8000".to_string());
    let token = token_source(&args, &dir, session.as_ref())?;
    let client = ChangeClient::new(&change_url, token)?;
    if args.dry_run {
        return dry_run(&client, &ready, &reports).await;
    }
    let bar = ProgressBar::new(ready.len() as u64);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} profiles {elapsed}",
    )?);
    let options = PublishOptions {
        batch_size: usize::from(args.batch_size),
        concurrency: 8,
        wait: args.wait.then(|| Duration::from_secs(args.wait_seconds)),
    };
    let summary =
        cis_publisher::publish(&client, ready, &options, &|n| bar.set_position(n as u64)).await;
    bar.finish_and_clear();
    reports.extend(summary.reports);
    reports.sort_by_key(|r| r.index);
    print_reports(&reports);
    let ok = reports.iter().all(|r| r.outcome.is_success());
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--dry-run`: one verdict per profile, then its attributes; exit 1 when any would be refused.
async fn dry_run(
    client: &ChangeClient,
    ready: &[(usize, Profile)],
    refused: &[ProfileReport],
) -> anyhow::Result<ExitCode> {
    let mut ok = refused.is_empty();
    for r in refused {
        if let Outcome::Rejected { description, .. } = &r.outcome {
            println!("{}	not sent	{description}", r.index + 1);
        }
    }
    for (index, profile) in ready {
        let answer = client.dry_run(profile).await?;
        let result = &answer.result;
        let user = result.user_id.as_deref().unwrap_or("-");
        match (&result.condition, &result.code) {
            (Some(condition), None) => {
                println!(
                    "{}	{user}	would {condition} (dry run, nothing written)",
                    index + 1
                );
                for a in answer.attributes.iter().filter(|a| a.change != "unchanged") {
                    let publisher = a.publisher.as_deref().unwrap_or("-");
                    println!("	{:<9} {} (signed by {publisher})", a.change, a.path);
                }
                let unchanged = answer
                    .attributes
                    .iter()
                    .filter(|a| a.change == "unchanged")
                    .count();
                if unchanged > 0 {
                    println!("	{unchanged} attribute(s) sent unchanged");
                }
            }
            _ => {
                ok = false;
                let code = result.code.as_deref().unwrap_or("-");
                let description = result.description.as_deref().unwrap_or("");
                println!(
                    "{}	{user}	would be refused: HTTP {} {code}: {description}",
                    index + 1,
                    result.status_code
                );
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--sign-only`: one signed profile per line on stdout, what could not be signed on stderr.
fn write_signed(ready: &[(usize, Profile)], refused: &[ProfileReport]) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for (_, profile) in ready {
        if writeln!(out, "{}", profile.to_json()).is_err() {
            return ExitCode::from(1);
        }
    }
    for r in refused {
        if let Outcome::Rejected { description, .. } = &r.outcome {
            eprintln!("{}\tnot signed\t{description}", r.index + 1);
        }
    }
    if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn token_source(
    args: &Args,
    dir: &DataDir,
    session: Option<&ServeSession>,
) -> anyhow::Result<TokenSource> {
    if let Some(token) = &args.token {
        return Ok(TokenSource::Fixed(token.clone()));
    }
    if let (Some(url), Some(id), Some(secret), Some(audience)) = (
        &args.token_url,
        &args.client_id,
        &args.client_secret,
        &args.audience,
    ) {
        return Ok(TokenSource::client_credentials(
            url,
            id,
            secret,
            audience,
            Some("write".into()),
        ));
    }
    let session = session
        .context("no --token and no running `cis serve` in the data directory to mint one")?;
    let material = dir.load()?;
    let issuer = dev_issuer(
        material.issuer_key,
        &session.issuer,
        &session.change_audience,
    );
    // The publisher's own client (bound to it alone) when the data directory has one, else `publisher`.
    let own = format!("{}-publisher", args.publisher.as_str().replace('_', "-"));
    let client = if material.clients.iter().any(|c| c.client_id == own) {
        own
    } else {
        "publisher".to_string()
    };
    let token = issuer.try_issue(&format!("{client}@clients"), &["write"], TOKEN_TTL)?;
    Ok(TokenSource::Fixed(token))
}

/// One profile, a JSON array of profiles, or JSON lines.
fn split_documents(input: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    let text = std::str::from_utf8(input).context("input is not UTF-8")?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(trimmed).context("input is not a JSON array")?;
        return items
            .iter()
            .map(|v| serde_json::to_vec(v).context("re-encoding"))
            .collect();
    }
    if serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok() {
        return Ok(vec![trimmed.as_bytes().to_vec()]);
    }
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.as_bytes().to_vec())
        .collect())
}

fn print_reports(reports: &[ProfileReport]) {
    for r in reports {
        let user = r.user_id.as_deref().unwrap_or("-");
        let detail = match &r.outcome {
            Outcome::Accepted {
                sequence_number,
                condition,
            }
            | Outcome::Processed {
                sequence_number,
                condition,
            } => {
                format!("{condition} sequence_number={sequence_number}")
            }
            Outcome::Pending { sequence_number } => format!("sequence_number={sequence_number}"),
            Outcome::Noop => "nothing to change".to_string(),
            Outcome::Rejected {
                status,
                code,
                description,
            } => format!("{status} {code}: {description}"),
            Outcome::Failed {
                code, description, ..
            } => format!("{code}: {description}"),
            Outcome::Error(e) => e.clone(),
        };
        println!(
            "{}\t{}\t{}\t{}",
            r.index + 1,
            r.outcome.label(),
            user,
            detail
        );
    }
    let count = |l: &str| reports.iter().filter(|r| r.outcome.label() == l).count();
    eprintln!(
        "{} profiles: {} processed, {} accepted, {} pending, {} noop, {} rejected, {} failed, {} errors",
        reports.len(),
        count("processed"),
        count("accepted"),
        count("pending"),
        count("noop"),
        count("rejected"),
        count("failed"),
        count("error")
    );
}
