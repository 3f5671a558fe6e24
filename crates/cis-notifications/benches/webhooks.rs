//! Webhook notifications on the local path (`cargo bench -p cis-notifications --bench webhooks`):
//!
//! - **delivered/s**: a vault file holding N recorded events (one per created user), and the notifier
//!   (`LocalNotifier` over `SqliteDeliveryStore`, real HTTP with a Standard Webhooks signature) delivering
//!   them to a receiver on loopback, from the first pass until every delivery is recorded delivered; with
//!   1 and with 4 subscriptions. Median of 3 runs, each on a fresh vault.
//! - **write latency**: one profile update through `SqliteVault::put` (a ~45 KB signed profile, its status
//!   record, and — notifier on — its event, in the same transaction), in blocks alternating notifier on
//!   and off over the same users; the median per write of each, and their ratio.
//!
//! Settings: `CIS_BENCH_EVENTS` (default 2000), `CIS_BENCH_WRITES` (default 2000 per mode).

use anyhow::{Context, Result};
use axum::Router;
use axum::routing::post;
use cis_identity_vault::{
    ChangeSource, ChangeState, Condition, Expected, ProfileWrite, ProfileWriter, SqliteVault,
    StatusRecord,
};
use cis_notifications::store::DeliveryState;
use cis_notifications::subscription::{SubscriptionDefaults, parse_subscriptions};
use cis_notifications::{DeliveryStore, HttpSender, LocalNotifier, Notifier, SqliteDeliveryStore};
use cis_profile::attr::set_payload;
use cis_profile::{AttrPath, Profile};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let events = env_usize("CIS_BENCH_EVENTS", 2_000)?;
    let writes = env_usize("CIS_BENCH_WRITES", 2_000)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        delivered_per_second(events).await?;
        write_latency(writes).await
    })
}

fn env_usize(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(v) => v.parse().with_context(|| name.to_string()),
        Err(_) => Ok(default),
    }
}

fn base_profile() -> Result<Profile> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/vectors/signed-profile.json"
    );
    let bytes = std::fs::read(path).with_context(|| path.to_string())?;
    Profile::parse(&bytes).map_err(|e| anyhow::anyhow!("{path}: {e}"))
}

fn profile_of(base: &Profile, i: usize, title: &str) -> Profile {
    let mut p = base.clone();
    for (path, value) in [
        (
            Some(AttrPath::USER_ID),
            json!(format!("ad|Mozilla-LDAP|hook{i:07}")),
        ),
        (
            Some(AttrPath::PRIMARY_EMAIL),
            json!(format!("hook{i:07}@example.com")),
        ),
        (AttrPath::parse("staff_information.title"), json!(title)),
    ] {
        if let Some(path) = path
            && let Some(attr) = p.attr_mut(path)
        {
            set_payload(attr, path.kind(), value);
        }
    }
    p
}

fn write(profile: Profile, expected: Expected) -> (ProfileWrite, StatusRecord) {
    let sequence_number = rand::random::<u128>().max(1).to_string();
    let status = StatusRecord {
        sequence_number: sequence_number.clone(),
        user_id: profile.user_id().unwrap_or_default().to_string(),
        state: ChangeState::Processed,
        condition: if expected == Expected::Absent {
            Condition::Create
        } else {
            Condition::Update
        },
        processed_at: cis_profile::timestamp::now(),
        version: None,
        source: ChangeSource::Stream,
        error: None,
        expires_at: None,
        origin: Default::default(),
    };
    let write = ProfileWrite {
        profile,
        expected,
        sequence_number,
        changed_attributes: vec!["staff_information.title".into()],
        change_publishers: vec!["hris".into()],
    };
    (write, status)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// A receiver on loopback counting what it got.
async fn receiver() -> Result<(String, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    let app = Router::new().route(
        "/hook",
        post(move |_body: String| {
            let counted = Arc::clone(&counted);
            async move {
                counted.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, count))
}

async fn delivered_per_second(events: usize) -> Result<()> {
    let base = base_profile()?;
    let (url, received) = receiver().await?;
    for subscriptions in [1usize, 4] {
        let mut rates = Vec::new();
        for _ in 0..3 {
            let dir = tempfile::tempdir()?;
            let vault = SqliteVault::open(dir.path())?;
            vault.record_events(true);
            for i in 0..events {
                let (w, s) = write(profile_of(&base, i, "Tester"), Expected::Absent);
                vault.put(w, s).await?;
            }
            let subs: Vec<_> = (0..subscriptions)
                .map(|n| json!({"name": format!("rp{n}"), "url": url, "signing_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}))
                .collect();
            let subs =
                parse_subscriptions(&json!(subs).to_string(), &SubscriptionDefaults::default())?;
            let notifier = Notifier::new(
                subs,
                Arc::new(HttpSender::new().map_err(anyhow::Error::msg)?),
                None,
            );
            let store = Arc::new(SqliteDeliveryStore::open(vault.path())?);
            let local = LocalNotifier::new(Arc::new(notifier), store.clone());
            let before = received.load(Ordering::Relaxed);
            let started = Instant::now();
            let wanted = (events * subscriptions) as u64;
            loop {
                local.pass().await?;
                let delivered: u64 = store
                    .counts()
                    .await?
                    .iter()
                    .filter(|c| c.state == DeliveryState::Delivered)
                    .map(|c| c.count)
                    .sum();
                if delivered >= wanted {
                    break;
                }
                anyhow::ensure!(
                    started.elapsed() < Duration::from_secs(300),
                    "not all delivered"
                );
            }
            let elapsed = started.elapsed();
            anyhow::ensure!(
                received.load(Ordering::Relaxed) - before == events * subscriptions,
                "receiver count"
            );
            rates.push((events * subscriptions) as f64 / elapsed.as_secs_f64());
        }
        println!(
            "delivered/s, {events} events × {subscriptions} subscription(s), SQLite store, HTTP + signature: median {:.0} (runs: {})",
            median(rates.clone()),
            rates
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

async fn write_latency(writes: usize) -> Result<()> {
    let base = base_profile()?;
    let dir = tempfile::tempdir()?;
    let vault = SqliteVault::open(dir.path())?;
    let users = 500.min(writes);
    let mut versions = vec![1u64; users];
    for i in 0..users {
        let (w, s) = write(profile_of(&base, i, "Tester"), Expected::Absent);
        vault.put(w, s).await?;
    }
    let (mut on, mut off) = (Vec::new(), Vec::new());
    let block = 100;
    let mut n = 0;
    while on.len() < writes || off.len() < writes {
        let events = (n / block) % 2 == 0;
        vault.record_events(events);
        let i = n % users;
        let (w, s) = write(
            profile_of(&base, i, &format!("Tester {n}")),
            Expected::Version(versions[i]),
        );
        let started = Instant::now();
        versions[i] = vault.put(w, s).await?;
        let micros = started.elapsed().as_secs_f64() * 1e6;
        if events {
            on.push(micros)
        } else {
            off.push(micros)
        }
        n += 1;
    }
    let (on, off) = (median(on), median(off));
    println!(
        "vault write (update, ~{} KB profile), median over {writes} each: notifier off {off:.0} µs, on {on:.0} µs, ratio {:.3}",
        base.to_json().len() / 1024,
        on / off
    );
    Ok(())
}
