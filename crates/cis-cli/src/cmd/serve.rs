//! `cis serve`: the whole CIS pipeline in one process on the embedded SQLite vault — the Change API, the
//! Person API, the processor draining the durable outbox, and a development authorizer — with the same
//! routers and pipeline the Lambda functions use, and the webhook notifier when there are subscriptions.
//! Stops gracefully on SIGINT/SIGTERM: in-flight requests finish, the processor stops after its current
//! record, the notifier after its current pass; anything accepted and not yet processed stays in the
//! outbox, any notification not yet delivered in the delivery store, for the next start.

use crate::local::datadir::DataDir;
use crate::local::server::{self, ConnectionLimits};
use crate::local::wiring::{self, Urls};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::info;

/// Run the Change API, the Person API, the processor and a development authorizer locally.
#[derive(clap::Args)]
#[command(
    after_help = "Then, in another shell:\n  cis profile fake --seed 1 > jane.json\n  cis publish --publisher ldap --wait jane.json\n  curl -H \"Authorization: Bearer $(cis token --scopes 'classification:public display:public')\" \\\n       http://127.0.0.1:8001/v2/users"
)]
pub struct Args {
    /// Data directory: SQLite vault, development keys, salt and clients (created on first run).
    #[arg(long, env = "CIS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (INI, docs/configuration.md); environment variables override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Listen address of the Change API.
    #[arg(long, default_value = "127.0.0.1:8000")]
    change_listen: SocketAddr,
    /// Listen address of the Person API.
    #[arg(long, default_value = "127.0.0.1:8001")]
    person_listen: SocketAddr,
    /// Listen address of the development authorizer (tokens, JWKS, well-known documents).
    #[arg(long, default_value = "127.0.0.1:8002")]
    auth_listen: SocketAddr,
    /// Trust the publisher keys of this well-known document (format of /.well-known/mozilla-iam) for the
    /// publishers it lists, instead of the development keys.
    #[arg(long)]
    well_known: Option<PathBuf>,
    /// Webhook subscriptions: a JSON list as in docs/webhooks.md §3 (overrides `[cis] webhook_subscriptions`
    /// and `rp_urls`). Every profile write then notifies the subscriptions that want it.
    #[arg(long)]
    subscriptions: Option<PathBuf>,
    /// SCIM targets (JSON, docs/scim.md §3) for subscriptions to `scim:<target>`: each change then syncs
    /// that user to the target within seconds. Default: `[cis] scim_targets`, else
    /// <data dir>/scim-targets.json when it exists.
    #[arg(long)]
    scim_targets: Option<PathBuf>,
    /// Accept changes but do not process them (they wait in the outbox until a start without this flag).
    #[arg(long)]
    hold_processing: bool,
    /// Seconds a client has to send a request's headers; also how long a keep-alive connection may stay
    /// idle. Slow or silent clients are disconnected after it.
    #[arg(long, env = "CIS_SERVE_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Connections each listener keeps open at the same time; more wait until one closes.
    #[arg(long, env = "CIS_SERVE_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<ExitCode> {
    let config = cis_runtime::start::load_local_config(args.config.as_deref())
        .context("invalid configuration")?;

    let dir = DataDir::resolve(args.data_dir.as_deref());
    let material = dir.ensure().context("preparing the data directory")?;
    let subscriptions = crate::local::webhooks::load(&config, &dir, args.subscriptions.as_deref())
        .context("webhook subscriptions")?;
    let scim_targets = crate::cmd::sync::load_targets(
        &dir,
        args.scim_targets.as_deref(),
        config.webhooks.scim_targets.as_deref(),
        false,
    )?;
    let bind = |addr: SocketAddr, what: &'static str| async move {
        TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} for the {what}"))
    };
    let change_listener = bind(args.change_listen, "Change API").await?;
    let person_listener = bind(args.person_listen, "Person API").await?;
    let auth_listener = bind(args.auth_listen, "development authorizer").await?;
    let url = |l: &TcpListener| l.local_addr().map(|a| format!("http://{a}"));
    let urls = Urls {
        change: url(&change_listener)?,
        person: url(&person_listener)?,
        auth: url(&auth_listener)?,
    };

    let services = wiring::build(
        &config,
        &dir,
        material,
        &urls,
        args.well_known.as_deref(),
        args.hold_processing,
        crate::local::webhooks::Notifications {
            subscriptions,
            scim_targets,
        },
    )
    .await?;
    services.session.write(dir.root())?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = move |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let limits = ConnectionLimits {
        header_read: Duration::from_secs(args.header_timeout),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
    };
    let change_router = cis_change_service::router(services.change);
    let change = server::serve(
        change_listener,
        change_router,
        limits,
        stopped(stop_rx.clone()),
    );
    let person_router = cis_person_api::router(services.person);
    let person = server::serve(
        person_listener,
        person_router,
        limits,
        stopped(stop_rx.clone()),
    );
    let auth_router = crate::local::devauth::router(services.auth);
    let auth = server::serve(auth_listener, auth_router, limits, stopped(stop_rx.clone()));
    let drainer = services
        .drainer
        .map(|d| tokio::spawn(d.run(stopped(stop_rx.clone()))));
    let webhook_names = services
        .webhooks
        .as_ref()
        .map(|w| w.names.clone())
        .unwrap_or_default();
    let notifier = services
        .webhooks
        .map(|w| tokio::spawn(w.notifier.run(stopped(stop_rx.clone()))));

    crate::local::banner::print(
        &urls,
        dir.root(),
        &services.trusted_from,
        drainer.is_some(),
        &webhook_names,
        &config,
    );
    let signals = tokio::spawn(async move {
        shutdown_signal().await;
        info!("shutting down: finishing in-flight requests and the current record");
        let _ = stop_tx.send(true);
    });
    tokio::join!(change, person, auth);
    if let Some(drainer) = drainer {
        drainer.await.context("processor task")?;
    }
    if let Some(notifier) = notifier {
        notifier.await.context("webhook notifier task")?;
    }
    signals.abort();
    info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
