//! Change API benchmark, in process: the real router with real token validation (RS256 against a JWKS)
//! and real signature verification of every changed attribute, over a SQLite vault in a temporary
//! directory, in stream mode (in-memory change stream) and in direct mode (the API writes SQLite).
//!
//! "Before" runs the stream mode as it was before the check/apply split, in the same process: the same
//! check, then CIS's own attributes signed as `cis` (uuid, primary_username, last_modified, active) and
//! thrown away, then the append ([`SignAndDiscardSink`]). "Now" is the stream sink the service runs.
//!
//! Profiles (`fake_profile(seed)`, each attribute signed by the publisher it claims) and request bodies are
//! made before timing starts. Run: `cargo bench -p cis-change-service --bench change_api`.
//! The original CIS, for comparison: POST /v2/user 1.6 req/s, p50 612 ms; a batch of 100 in 39.6 s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use cis_change::{
    Accepted, Caller, ChangeEnvelope, ChangeSink, ChangeStream, DirectSink, Incoming,
    MemoryChangeStream, Pipeline, PipelineDeps, SinkError, StaticKeys, StreamSink,
    new_sequence_number,
};
use cis_change_service::{ChangeServiceState, Limits, router};
use cis_common::auth::DevIssuer;
use cis_crypto::{KeySet, SigningKey, sign_attribute};
use cis_identity_vault::{SqliteVault, Vault};
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use futures::StreamExt;
use http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

const SINGLE_REQUESTS: u64 = 400;
const BATCHES: u64 = 5;
const BATCH_SIZE: u64 = 100;
const CONCURRENT_IN_FLIGHT: usize = 16;

fn fixture(path: &str) -> Result<String> {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).with_context(|| full)
}

struct Keys {
    cis: Arc<SigningKey>,
    trusted: KeySet,
}

fn keys() -> Result<Keys> {
    Ok(Keys {
        cis: Arc::new(SigningKey::from_pem(&fixture(
            "keys/fake-publisher-key_1.priv.pem",
        )?)?),
        trusted: KeySet::from_well_known(&serde_json::from_str(&fixture(
            "vectors/well-known-test.json",
        )?)?)?,
    })
}

/// A new user's profile as its publishers send it, serialised: every attribute signed by its claimant.
fn signed_body(seed: u64) -> Result<serde_json::Value> {
    let mut profile = cis_profile::fake::fake_profile(seed);
    // Fake user ids repeat across seeds (they come from names): make each one unique.
    let user_id = format!("{}-{seed}", profile.user_id().unwrap_or("bench"));
    let mut attr = profile.attr_or_null(AttrPath::USER_ID);
    cis_profile::attr::set_payload(
        &mut attr,
        AttrPath::USER_ID.kind(),
        serde_json::Value::from(user_id),
    );
    profile.set_attr(AttrPath::USER_ID, attr);
    profile.set_attr(
        AttrPath::LAST_MODIFIED,
        Profile::null().attr_or_null(AttrPath::LAST_MODIFIED),
    );
    cis_testkit::profiles::sign_claimed(&mut profile);
    Ok(profile.into_value())
}

fn pipeline(vault: Arc<SqliteVault>, keys: &Keys) -> Arc<Pipeline> {
    let trusted = Arc::new(StaticKeys::new(keys.trusted.clone()));
    let rules = Arc::new(PublisherRules::embedded().clone());
    let deps = PipelineDeps::new(vault, trusted, keys.cis.clone(), rules).with_salt("bench-salt");
    Arc::new(Pipeline::new(deps))
}

/// Which sink the app under test runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Stream,
    StreamBefore,
    Direct,
}

fn app(vault: Arc<SqliteVault>, mode: Mode, keys: &Keys, issuer: &DevIssuer) -> Router {
    let pipeline = pipeline(vault.clone(), keys);
    let stream: Arc<dyn ChangeStream> = Arc::new(MemoryChangeStream::new());
    let concurrency = Limits::default().write_concurrency;
    let sink: Arc<dyn ChangeSink> = match mode {
        Mode::Stream => Arc::new(StreamSink::new(pipeline.clone(), stream, concurrency)),
        Mode::StreamBefore => Arc::new(SignAndDiscardSink {
            pipeline: pipeline.clone(),
            stream,
            cis: keys.cis.clone(),
        }),
        Mode::Direct => Arc::new(DirectSink::new(pipeline.clone(), concurrency)),
    };
    let tokens = Arc::new(issuer.validator());
    router(ChangeServiceState::new(
        tokens,
        pipeline,
        sink,
        vault as Arc<dyn Vault>,
    ))
}

/// The stream mode before the check/apply split: the check, then the CIS attributes signed and thrown away.
struct SignAndDiscardSink {
    pipeline: Arc<Pipeline>,
    stream: Arc<dyn ChangeStream>,
    cis: Arc<SigningKey>,
}

#[async_trait]
impl ChangeSink for SignAndDiscardSink {
    async fn upserts(
        &self,
        items: Vec<Incoming>,
        client_id: Option<String>,
    ) -> Vec<Result<Accepted, SinkError>> {
        let mut out = Vec::new();
        for item in items {
            let checked = match self.pipeline.check_upsert(&item.change).await {
                Ok(c) => c,
                Err(e) => {
                    out.push(Err(e.into()));
                    continue;
                }
            };
            let mut wasted = checked.merged.clone();
            let mut paths = vec![AttrPath::LAST_MODIFIED, AttrPath::ACTIVE];
            if checked.condition == cis_identity_vault::Condition::Create {
                paths.extend([AttrPath::UUID, AttrPath::PRIMARY_USERNAME]);
            }
            for path in paths {
                let mut attr = wasted.attr_or_null(path);
                cis_profile::attr::set_payload(&mut attr, path.kind(), serde_json::json!("x"));
                let _ = sign_attribute(&mut attr, Publisher::Cis, &self.cis);
                wasted.set_attr(path, attr);
            }
            let user = item.change.user_id;
            let envelope = ChangeEnvelope::upsert(
                new_sequence_number(),
                user.as_str().to_string(),
                checked.condition,
                client_id.clone(),
                item.document,
            );
            let appended = self.stream.append(std::slice::from_ref(&envelope)).await;
            out.push(match appended.into_iter().next() {
                Some(Ok(())) => Ok(Accepted::Changed {
                    sequence_number: envelope.sequence_number,
                    condition: checked.condition,
                    user_id: user,
                }),
                Some(Err(e)) => Err(e.into()),
                None => Err(SinkError::Internal("no result".into())),
            });
        }
        out
    }

    async fn delete(&self, _: Incoming, _: Option<String>) -> Result<Accepted, SinkError> {
        Err(SinkError::Internal("not benchmarked".into()))
    }

    fn mode(&self) -> &'static str {
        "stream (before)"
    }
}

/// Sends one request and checks it was accepted; returns its latency.
async fn post(router: &Router, path: &str, auth: &str, body: Vec<u8>) -> Result<Duration> {
    let request = Request::post(path)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Body::from(body))?;
    let start = Instant::now();
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = response.into_body().collect().await?.to_bytes();
    let elapsed = start.elapsed();
    if status != 200 || bytes.windows(14).any(|w| w == b"\"status_code\":4") {
        bail!(
            "{path} answered {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        );
    }
    Ok(elapsed)
}

/// The pipeline's share of a request in stream mode: schema validation plus `check_upsert` (read, merge,
/// verify the changed attributes, rules, size), without HTTP, token or stream.
async fn pipeline_only(
    vault: &Arc<SqliteVault>,
    keys: &Keys,
    values: &[serde_json::Value],
) -> Result<()> {
    let pipeline = pipeline(vault.clone(), keys);
    let mut times = Vec::with_capacity(values.len());
    for value in values {
        let start = Instant::now();
        let change = pipeline.parse_change(value.clone(), None, Caller::Unchecked)?;
        pipeline.check_upsert(&change).await?;
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{:<44} {:>4} profiles      p50 {:>7.2} ms  p99 {:>7.2} ms",
        "pipeline alone (schema + check_upsert)",
        values.len(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn singles(
    label: &str,
    router: &Router,
    auth: &str,
    bodies: Vec<Vec<u8>>,
    in_flight: usize,
) -> Result<()> {
    let count = bodies.len();
    let start = Instant::now();
    // Each request on its own task, as a server would run them, so that they can use every core.
    let mut latencies: Vec<Duration> = futures::stream::iter(bodies)
        .map(|body| {
            let (router, auth) = (router.clone(), auth.to_string());
            async move {
                tokio::spawn(async move { post(&router, "/v2/user", &auth, body).await }).await?
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    let total = start.elapsed();
    latencies.sort();
    println!(
        "{label:<44} {count:>4} req  {:>8.1} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        count as f64 / total.as_secs_f64(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
    );
    Ok(())
}

async fn batches(label: &str, router: &Router, auth: &str, bodies: Vec<Vec<u8>>) -> Result<()> {
    let count = bodies.len();
    let mut times = Vec::with_capacity(count);
    for body in bodies {
        times.push(post(router, "/v2/users", auth, body).await?);
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / count as u32;
    println!(
        "{label:<44} {count:>4} x {BATCH_SIZE}  mean {:>8.1} ms/batch  min {:>8.1} ms  max {:>8.1} ms  ({:.0} profiles/s)",
        ms(mean),
        ms(times[0]),
        ms(times[count - 1]),
        BATCH_SIZE as f64 / mean.as_secs_f64(),
    );
    Ok(())
}

/// Bodies for `count` single requests and `batches` batches, from consecutive seeds starting at `seed`.
fn bodies(seed: u64, count: u64) -> Result<Vec<serde_json::Value>> {
    (seed..seed + count).map(signed_body).collect()
}

fn to_bytes(values: &[serde_json::Value]) -> Result<Vec<Vec<u8>>> {
    values.iter().map(|v| Ok(serde_json::to_vec(v)?)).collect()
}

fn batch_bytes(values: &[serde_json::Value]) -> Result<Vec<Vec<u8>>> {
    values
        .chunks(BATCH_SIZE as usize)
        .map(|c| Ok(serde_json::to_vec(c)?))
        .collect()
}

async fn run() -> Result<()> {
    let keys = keys()?;
    let issuer_key = SigningKey::from_pem(&fixture("keys/fake-publisher-key_1.priv.pem")?)?;
    let issuer = DevIssuer::new(
        issuer_key,
        "bench-kid",
        "https://auth.bench.example/",
        "https://change.bench.example",
    );
    let auth = issuer.bearer(&["write"]);
    let dir = tempfile::tempdir()?;

    println!("preparing signed profiles ...");
    let batch_count = BATCHES * BATCH_SIZE;
    let sets: Vec<Vec<serde_json::Value>> = [
        (1_000_000, SINGLE_REQUESTS),
        (2_000_000, SINGLE_REQUESTS),
        (3_000_000, batch_count),
        (4_000_000, SINGLE_REQUESTS),
        (5_000_000, SINGLE_REQUESTS),
        (6_000_000, batch_count),
        (7_000_000, SINGLE_REQUESTS),
        (8_000_000, SINGLE_REQUESTS),
    ]
    .into_iter()
    .map(|(seed, n)| bodies(seed, n))
    .collect::<Result<_>>()?;
    println!("original CIS: POST /v2/user 1.6 req/s, p50 612 ms; batch of 100 in 39.6 s\n");

    let stream_vault = Arc::new(SqliteVault::open(&dir.path().join("stream"))?);
    pipeline_only(&stream_vault, &keys, &sets[0][..100]).await?;
    // Before and now, alternated on the same kind of vault, so that machine load hits both alike.
    let before_vault = Arc::new(SqliteVault::open(&dir.path().join("before"))?);
    let before_app = app(before_vault, Mode::StreamBefore, &keys, &issuer);
    let stream_app = app(stream_vault, Mode::Stream, &keys, &issuer);
    let half = sets[0].len() / 2;
    for (round, range) in [(1, 0..half), (2, half..sets[0].len())] {
        singles(
            &format!("before: stream mode, POST /v2/user, sequential (round {round})"),
            &before_app,
            &auth,
            to_bytes(&sets[6][range.clone()])?,
            1,
        )
        .await?;
        singles(
            &format!("now: stream mode, POST /v2/user, sequential (round {round})"),
            &stream_app,
            &auth,
            to_bytes(&sets[0][range])?,
            1,
        )
        .await?;
    }
    let label = format!("before: stream mode, POST /v2/user, {CONCURRENT_IN_FLIGHT} in flight");
    singles(
        &label,
        &before_app,
        &auth,
        to_bytes(&sets[7])?,
        CONCURRENT_IN_FLIGHT,
    )
    .await?;
    let label = format!("now: stream mode, POST /v2/user, {CONCURRENT_IN_FLIGHT} in flight");
    singles(
        &label,
        &stream_app,
        &auth,
        to_bytes(&sets[1])?,
        CONCURRENT_IN_FLIGHT,
    )
    .await?;
    batches(
        "stream mode, POST /v2/users",
        &stream_app,
        &auth,
        batch_bytes(&sets[2])?,
    )
    .await?;

    let direct_vault = Arc::new(SqliteVault::open(&dir.path().join("direct"))?);
    let direct_app = app(direct_vault, Mode::Direct, &keys, &issuer);
    singles(
        "direct mode (SQLite), POST /v2/user, sequential",
        &direct_app,
        &auth,
        to_bytes(&sets[3])?,
        1,
    )
    .await?;
    let label = format!("direct mode (SQLite), POST /v2/user, {CONCURRENT_IN_FLIGHT} in flight");
    singles(
        &label,
        &direct_app,
        &auth,
        to_bytes(&sets[4])?,
        CONCURRENT_IN_FLIGHT,
    )
    .await?;
    batches(
        "direct mode (SQLite), POST /v2/users",
        &direct_app,
        &auth,
        batch_bytes(&sets[5])?,
    )
    .await?;
    Ok(())
}

fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes other flags: run only when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "change_api benchmark: run with `cargo bench -p cis-change-service --bench change_api`"
        );
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}
