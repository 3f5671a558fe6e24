//! `cis webhooks`: operating the webhook notifier of a local `cis serve` (docs/webhooks.md §5) — delivery
//! counts and what needs attention, replaying dead deliveries or past events to one subscription, and a
//! signed test event. Reads the data directory's vault file and the subscriptions `cis serve` keeps there;
//! a running `cis serve` delivers what a replay queues. Prints no token and no secret.

use crate::local::datadir::DataDir;
use crate::local::session::ServeSession;
use crate::local::webhooks::{subscriptions_file, token_source};
use anyhow::{Context, bail};
use cis_identity_vault::SqliteVault;
use cis_notifications::store::{DeliveryState, NewDelivery};
use cis_notifications::{Auth, DeliveryStore, SqliteDeliveryStore, Subscription, payload};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Deliveries per subscription and state, and the latest ones not delivered with their last error.
    Status(StatusArgs),
    /// Queue again the dead and failed deliveries of a subscription, or (--since) every event since a time.
    Replay(ReplayArgs),
    /// Send a signed test event to a subscription now and print the receiver's answer.
    Test(TestArgs),
}

#[derive(clap::Args)]
struct Common {
    /// Data directory of `cis serve`.
    #[arg(long, env = "CIS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Subscriptions file (default: the one `cis serve` keeps in the data directory).
    #[arg(long)]
    subscriptions: Option<PathBuf>,
}

#[derive(clap::Args)]
struct StatusArgs {
    #[command(flatten)]
    common: Common,
    /// Only this subscription.
    #[arg(long)]
    subscription: Option<String>,
    /// JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ReplayArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long)]
    subscription: String,
    /// Re-send every event since this time (RFC 3339, or epoch seconds), delivered or not.
    #[arg(long)]
    since: Option<String>,
    /// Only this user's deliveries or events.
    #[arg(long)]
    user: Option<String>,
}

#[derive(clap::Args)]
struct TestArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long)]
    subscription: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match args.command {
            Command::Status(a) => status(a).await,
            Command::Replay(a) => replay(a).await,
            Command::Test(a) => test(a).await,
        }
    })
}

fn store(dir: &DataDir) -> anyhow::Result<SqliteDeliveryStore> {
    let vault = SqliteVault::open(dir.root()).context("opening the vault")?;
    Ok(SqliteDeliveryStore::open(vault.path())?)
}

fn subscription(common: &Common, dir: &DataDir, name: &str) -> anyhow::Result<Subscription> {
    let config = cis_runtime::start::load_local_config(None).context("invalid configuration")?;
    let path = common
        .subscriptions
        .clone()
        .unwrap_or_else(|| subscriptions_file(dir));
    if !path.exists() {
        bail!(
            "{} not found: start `cis serve --subscriptions FILE` first, or pass --subscriptions",
            path.display()
        );
    }
    let all = cis_runtime::webhooks::parse_file(&path, &config)?;
    let names: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
    all.into_iter()
        .find(|s| s.name == name)
        .with_context(|| format!("no subscription {name:?} (known: {})", names.join(", ")))
}

async fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(args.common.data_dir.as_deref());
    let store = store(&dir)?;
    let wanted = |s: &str| args.subscription.as_deref().is_none_or(|w| w == s);
    let counts: Vec<_> = store
        .counts()
        .await?
        .into_iter()
        .filter(|c| wanted(&c.subscription))
        .collect();
    let mut attention = Vec::new();
    for state in [
        DeliveryState::Dead,
        DeliveryState::Failed,
        DeliveryState::Pending,
    ] {
        attention.extend(
            store
                .list(args.subscription.as_deref(), Some(state), 10)
                .await?,
        );
    }
    if args.json {
        println!("{}", json!({"counts": counts, "attention": attention}));
        return Ok(ExitCode::SUCCESS);
    }
    if counts.is_empty() {
        println!("no deliveries yet");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>9}",
        "subscription", "pending", "delivered", "failed", "dead"
    );
    let mut names: Vec<&str> = counts.iter().map(|c| c.subscription.as_str()).collect();
    names.dedup();
    for name in names {
        let n = |state| {
            counts
                .iter()
                .find(|c| c.subscription == name && c.state == state)
                .map_or(0, |c| c.count)
        };
        println!(
            "{name:<24} {:>9} {:>9} {:>9} {:>9}",
            n(DeliveryState::Pending),
            n(DeliveryState::Delivered),
            n(DeliveryState::Failed),
            n(DeliveryState::Dead)
        );
    }
    if !attention.is_empty() {
        println!("\nnot delivered (latest first):");
        for d in &attention {
            println!(
                "  {} {} {} {} attempts={} last={}",
                d.subscription,
                d.state.as_str(),
                d.operation,
                d.user_id,
                d.attempts,
                d.last_error.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// RFC 3339 or epoch seconds.
fn parse_since(text: &str) -> anyhow::Result<i64> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    let when = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .with_context(|| {
            format!("--since {text:?}: expected RFC 3339 (2026-12-04T10:00:00Z) or epoch seconds")
        })?;
    Ok(when.unix_timestamp())
}

async fn replay(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(args.common.data_dir.as_deref());
    let subscription = subscription(&args.common, &dir, &args.subscription)?;
    let store = store(&dir)?;
    let now = cis_notifications::now_ms();
    let Some(since) = args.since.as_deref().map(parse_since).transpose()? else {
        let n = store
            .requeue(&subscription.name, args.user.as_deref(), now)
            .await?;
        println!(
            "requeued {n} dead or failed deliveries of {}",
            subscription.name
        );
        return Ok(ExitCode::SUCCESS);
    };
    let events = store.events_since(since, args.user.as_deref()).await?;
    let deliveries: Vec<NewDelivery> = events
        .iter()
        .filter_map(|event| {
            subscription.wants(event).map(|changed| NewDelivery {
                subscription: subscription.name.clone(),
                event: event.clone(),
                changed,
            })
        })
        .collect();
    let queued = deliveries.len();
    let report = store.route(0, deliveries, now).await?;
    println!(
        "queued {queued} of {} events since {since} for {} ({} coalesced into waiting deliveries); a running cis serve delivers them",
        events.len(),
        subscription.name,
        report.coalesced
    );
    Ok(ExitCode::SUCCESS)
}

async fn test(args: TestArgs) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(args.common.data_dir.as_deref());
    let config = cis_runtime::start::load_local_config(None).context("invalid configuration")?;
    let subscription = subscription(&args.common, &dir, &args.subscription)?;
    let tokens = match &subscription.auth {
        Auth::None => None,
        Auth::OAuth { .. } => {
            let session = ServeSession::read(dir.root())?;
            let material = dir.load()?;
            Some(token_source(&config, &session.auth_url, &material.clients)?)
        }
    };
    let name = subscription.name.clone();
    let notifier = cis_runtime::webhooks::notifier(
        &config,
        vec![subscription.clone()],
        cis_runtime::webhooks::http_sender()?,
        tokens,
    )?;
    let now = cis_notifications::now_ms();
    let event_id = format!("test-{now}");
    let body = payload::test_body(&event_id, now / 1000);
    let result = notifier.attempt(&subscription, &event_id, &body).await;
    let delivered = matches!(result.status(), Some(code) if (200..300).contains(&code));
    println!("test event {event_id} to {name}: {}", result.describe());
    Ok(if delivered {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
