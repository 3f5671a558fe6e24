//! Person API benchmark on the SQLite vault, in process: the router called with `oneshot` and a real RS256
//! token (signature, claims and scopes checked on every request), 10,000 and 100,000 realistic fake
//! profiles. Measures single-user GET latency (p50/p99) and throughput, the time to page through every user
//! with `/v2/users`, and the time to list every id with `/v2/users/id/all` (one walk per connection
//! method). `cargo bench -p cis-person-api --bench person_api [-- 10000]`.
//!
//! The vaults are generated once into `target/person-api-bench/<n>/` (bulk import, not timed) and reused.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use axum::Router;
use axum::body::Body;
use cis_common::DevIssuer;
use cis_identity_vault::sqlite::ImportItem;
use cis_identity_vault::{ListQuery, ProfileLister, SqliteVault};
use cis_person_api::{PersonApiState, router};
use cis_profile::attr::set_payload;
use cis_profile::fake::fake_profile;
use cis_profile::identifiers::derive_identifiers;
use cis_profile::{AttrPath, Profile};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use tower::ServiceExt;

const FULL: &[&str] = &["read:fullprofile", "display:all"];
/// A caller whose answers must be filtered (no pass-through).
const STAFF: &[&str] = &[
    "classification:mozilla_confidential",
    "display:staff",
    "display:ndaed",
    "display:vouched",
    "display:authenticated",
];
const METHODS: [&str; 5] = ["ad", "email", "github", "google-oauth2", "oauth2"];

fn set(profile: &mut Profile, path: AttrPath, payload: Value) {
    if let Some(attr) = profile.attr_mut(path) {
        set_payload(attr, path.kind(), payload);
    }
}

/// Fake user `seed` with a unique user_id and email and derived identifiers.
fn user(seed: u64) -> Profile {
    let mut profile = fake_profile(seed);
    let user_id = format!("{}-{seed}", profile.user_id().unwrap_or("email|x"));
    let email =
        profile
            .primary_email()
            .unwrap_or("x@example.com")
            .replacen('@', &format!("+{seed}@"), 1);
    let (uuid, username) = derive_identifiers("bench-salt", &user_id);
    set(&mut profile, AttrPath::USER_ID, json!(user_id));
    set(&mut profile, AttrPath::PRIMARY_EMAIL, json!(email));
    set(&mut profile, AttrPath::UUID, json!(uuid));
    set(&mut profile, AttrPath::PRIMARY_USERNAME, json!(username));
    profile
}

/// The vault of `n` users, generated on first use.
async fn vault(n: u64) -> Result<SqliteVault> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../target/person-api-bench/{n}"));
    let marker = dir.join("complete-v1");
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let vault = SqliteVault::open(&dir)?;
        let started = Instant::now();
        for chunk in (1..=n).collect::<Vec<_>>().chunks(5_000) {
            let items = chunk
                .iter()
                .map(|&seed| ImportItem {
                    profile: user(seed),
                    sequence_number: seed.to_string(),
                })
                .collect();
            vault.import_batch(items).await?;
        }
        std::fs::write(&marker, b"")?;
        println!(
            "  generated {n} profiles in {:.1} s (not timed)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(SqliteVault::open(&dir)?)
}

/// Every user_id, from the index.
async fn all_ids(vault: &SqliteVault) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let query = ListQuery {
            limit: 5_000,
            cursor,
            ..ListQuery::default()
        };
        let page = vault.list_ids(&query).await?;
        ids.extend(page.items.into_iter().map(|e| e.user_id));
        cursor = page.next;
        if cursor.is_none() {
            return Ok(ids);
        }
    }
}

async fn get(app: &Router, uri: &str, auth: &str) -> Result<Vec<u8>> {
    let request = Request::get(uri)
        .header("authorization", auth)
        .body(Body::empty())?;
    let response = app.clone().oneshot(request).await?;
    if response.status() != StatusCode::OK {
        bail!("{uri}: {}", response.status());
    }
    Ok(response.into_body().collect().await?.to_bytes().to_vec())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a client needs of a page: how many items, and the next token (items are skipped, not built, so
/// that the client's own parsing does not count as server time).
#[derive(Deserialize)]
struct PageSummary {
    #[serde(alias = "Items", alias = "users")]
    items: Vec<IgnoredAny>,
    #[serde(rename = "nextPage")]
    next_page: Option<String>,
}

/// Follows `nextPage` to the end: (items, pages, elapsed).
async fn walk(app: &Router, first: &str, auth: &str) -> Result<(usize, usize, Duration)> {
    let started = Instant::now();
    let (mut items, mut pages, mut uri) = (0, 0, first.to_owned());
    loop {
        let page: PageSummary = serde_json::from_slice(&get(app, &uri, auth).await?)?;
        items += page.items.len();
        pages += 1;
        match page.next_page.as_deref() {
            Some(token) => uri = format!("{first}&nextPage={token}"),
            None => return Ok((items, pages, started.elapsed())),
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1_000.0
}

/// The vault's own walk over every profile, 500 a page: stored texts, or parsed profiles.
async fn vault_walk(vault: &SqliteVault, text: bool) -> Result<Duration> {
    let started = Instant::now();
    let mut cursor = None;
    loop {
        let query = ListQuery {
            limit: 500,
            cursor,
            ..ListQuery::default()
        };
        cursor = if text {
            vault.list_profiles_json(&query).await?.next
        } else {
            vault.list_profiles(&query).await?.next
        };
        if cursor.is_none() {
            return Ok(started.elapsed());
        }
    }
}

async fn run(n: u64) -> Result<()> {
    println!("\n## {n} users (SQLite)");
    let vault = vault(n).await?;
    let ids = all_ids(&vault).await?;
    let vault_text = vault_walk(&vault, true).await?;
    let vault_parsed = vault_walk(&vault, false).await?;
    let issuer = DevIssuer::generate("https://bench.example/", "api.bench.example")?;
    let auth = issuer.bearer(FULL);
    let staff = issuer.bearer(STAFF);
    let state = PersonApiState::new(Arc::new(issuer.validator()), Arc::new(vault));
    let app = router(state);
    let uris: Vec<String> = ids
        .iter()
        .step_by(7)
        .take(500)
        .map(|id| format!("/v2/user/user_id/{}", encode(id)))
        .collect();

    for uri in uris.iter().take(50) {
        get(&app, uri, &auth).await?; // warm-up: JWKS cache, statement cache, page cache
    }
    let mut latencies = Vec::new();
    let started = Instant::now();
    for _ in 0..4 {
        for uri in &uris {
            let t = Instant::now();
            get(&app, uri, &auth).await?;
            latencies.push(t.elapsed());
        }
    }
    let sequential = latencies.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    let (tasks, per_task) = (8usize, 500usize);
    let started = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let (app, auth, uris) = (app.clone(), auth.clone(), uris.clone());
        handles.push(tokio::spawn(async move {
            for i in 0..per_task {
                get(&app, &uris[(i * 13 + t * 31) % uris.len()], &auth).await?;
            }
            anyhow::Ok(())
        }));
    }
    for handle in handles {
        handle.await??;
    }
    let concurrent = (tasks * per_task) as f64 / started.elapsed().as_secs_f64();
    println!(
        "GET /v2/user/user_id/{{id}}: p50 {:.3} ms, p99 {:.3} ms, {sequential:.0} req/s sequential, {concurrent:.0} req/s with {tasks} concurrent clients",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );

    let (users, pages, elapsed) = walk(&app, "/v2/users?active=any", &auth).await?;
    println!(
        "GET /v2/users, all pages: {users} users in {pages} pages, {:.2} s \
         (the vault's own text walk, list_profiles_json, takes {:.2} s of it; \
         the parsed walk, list_profiles, would take {:.2} s)",
        elapsed.as_secs_f64(),
        vault_text.as_secs_f64(),
        vault_parsed.as_secs_f64()
    );
    if users as u64 != n {
        bail!("paging saw {users} users, expected {n}");
    }
    let (users, pages, elapsed) = walk(&app, "/v2/users?active=any", &staff).await?;
    println!(
        "GET /v2/users, all pages, filtered for a staff caller: {users} users in {pages} pages, {:.2} s",
        elapsed.as_secs_f64()
    );
    let mut listed = 0;
    let mut total = Duration::ZERO;
    for method in METHODS {
        let uri = format!("/v2/users/id/all?connectionMethod={method}&active=any");
        let (count, _, elapsed) = walk(&app, &uri, &auth).await?;
        listed += count;
        total += elapsed;
    }
    println!(
        "GET /v2/users/id/all, every connection method: {listed} ids in {:.3} s",
        total.as_secs_f64()
    );
    if listed as u64 != n {
        bail!("id listing saw {listed} users, expected {n}");
    }
    Ok(())
}

fn main() -> Result<()> {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    for n in sizes {
        runtime.block_on(run(n))?;
    }
    Ok(())
}
