//! SQLite vault throughput with many realistic profiles (`cargo bench -p cis-identity-vault --bench vault`).
//!
//! Every user is fixtures/vectors/signed-profile.json (a fully signed profile, ~45 KB of JSON) with its
//! user_id, uuid, primary_username, primary_email, active and LDAP groups changed. Phases, in order, on one
//! fresh vault file:
//!
//! - `put (create)`: every user created through the port, one transaction (profile + status record) each;
//! - `put (update)`: updates of random users with the version read;
//! - `get by user_id`, `get by primary_email`: random lookups, one at a time, then from 4 tasks at once;
//! - `parse only`: `Profile::from_stored` of one stored text, the floor under every read;
//! - `list_profiles` / `list_ids`: a walk over every user, pages of 100 and of 1000;
//! - `search`: every page of an LDAP group held by 1 % of the users.
//!
//! Rates are medians over chunks of 1,000 operations. Settings: `CIS_BENCH_USERS` (default 100000),
//! `CIS_BENCH_DIR` (keep the vault there instead of a temporary directory).

use anyhow::{Context, Result};
use cis_identity_vault::{
    AttributeQuery, ChangeSource, ChangeState, Condition, Expected, ListQuery, Lookup,
    ProfileWrite, SearchValue, SqliteVault, StatusRecord, Vault,
};
use cis_profile::attr::set_payload;
use cis_profile::identifiers::derive_identifiers;
use cis_profile::{AttrPath, Profile};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHUNK: usize = 1_000;
const CONNECTIONS: [&str; 5] = [
    "ad|Mozilla-LDAP|",
    "github|",
    "google-oauth2|",
    "oauth2|firefoxaccounts|",
    "email|",
];

fn main() -> Result<()> {
    let users = match std::env::var("CIS_BENCH_USERS") {
        Ok(n) => n.parse().context("CIS_BENCH_USERS")?,
        Err(_) => 100_000,
    };
    let temp = tempfile::tempdir()?;
    let dir = match std::env::var_os("CIS_BENCH_DIR") {
        Some(d) => d.into(),
        None => temp.path().to_path_buf(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&dir, users))
}

fn base_profile() -> Result<Profile> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/vectors/signed-profile.json"
    );
    let bytes = std::fs::read(path).with_context(|| path.to_string())?;
    Profile::parse(&bytes).map_err(|e| anyhow::anyhow!("{path}: {e}"))
}

fn user_id(i: usize) -> String {
    format!("{}bench{i:07}", CONNECTIONS[i % CONNECTIONS.len()])
}

fn email(i: usize) -> String {
    format!("user{i:07}@example.com")
}

fn set(profile: &mut Profile, path: AttrPath, payload: Value) {
    if let Some(attr) = profile.attr_mut(path) {
        set_payload(attr, path.kind(), payload);
    }
}

fn profile_of(base: &Profile, i: usize) -> Profile {
    let mut p = base.clone();
    let id = user_id(i);
    let (uuid, username) = derive_identifiers("bench", &id);
    set(&mut p, AttrPath::USER_ID, json!(id));
    set(&mut p, AttrPath::UUID, json!(uuid));
    set(&mut p, AttrPath::PRIMARY_USERNAME, json!(username));
    set(&mut p, AttrPath::PRIMARY_EMAIL, json!(email(i)));
    set(&mut p, AttrPath::ACTIVE, json!(!i.is_multiple_of(10)));
    if let Some(ldap) = AttrPath::parse("access_information.ldap") {
        set(
            &mut p,
            ldap,
            json!({"team_moco": null, format!("bench_g{}", i % 100): null}),
        );
    }
    p
}

fn change(profile: Profile, expected: Expected) -> (ProfileWrite, StatusRecord) {
    let sequence_number = rand::random::<u128>().max(1).to_string();
    let user_id = profile.user_id().unwrap_or_default().to_string();
    let status = StatusRecord {
        sequence_number: sequence_number.clone(),
        user_id,
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
        changed_attributes: vec!["first_name".into()],
        change_publishers: vec!["hris".into()],
    };
    (write, status)
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}

fn rate(ops: usize, elapsed: Duration) -> f64 {
    ops as f64 / elapsed.as_secs_f64()
}

async fn run(dir: &Path, users: usize) -> Result<()> {
    let base = base_profile()?;
    println!(
        "vault bench: {users} users of {} bytes each, in {}",
        base.to_json().len(),
        dir.display()
    );
    let sqlite = SqliteVault::open(dir)?;
    let vault: Arc<dyn Vault> = Arc::new(sqlite.clone());

    let mut rates = Vec::new();
    let started = Instant::now();
    for start in (0..users).step_by(CHUNK) {
        let writes: Vec<_> = (start..users.min(start + CHUNK))
            .map(|i| change(profile_of(&base, i), Expected::Absent))
            .collect();
        let count = writes.len();
        let t = Instant::now();
        for (w, s) in writes {
            vault.put(w, s).await?;
        }
        rates.push(rate(count, t.elapsed()));
        if (start + CHUNK).is_multiple_of(10_000) {
            eprintln!("  created {} users", start + CHUNK);
        }
    }
    println!(
        "put (create):          median {:>9.0} ops/s  ({users} in {:.1?})",
        median(rates),
        started.elapsed()
    );

    let mut rates = Vec::new();
    for _ in 0..5 {
        let mut writes = Vec::new();
        for _ in 0..CHUNK {
            let id = user_id(rand::random_range(0..users));
            let stored = vault
                .get(&Lookup::UserId(id))
                .await?
                .context("user vanished")?;
            let mut p = stored.profile.clone();
            set(
                &mut p,
                AttrPath::FIRST_NAME,
                json!(format!("n{}", rand::random::<u32>())),
            );
            writes.push(change(p, stored.expected()));
        }
        let t = Instant::now();
        for (w, s) in writes {
            match vault.put(w, s).await {
                Ok(_) | Err(cis_identity_vault::VaultError::VersionConflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        rates.push(rate(CHUNK, t.elapsed()));
    }
    println!("put (update):          median {:>9.0} ops/s", median(rates));

    let by_id = |i: usize| Lookup::UserId(user_id(i));
    let by_email = |i: usize| Lookup::PrimaryEmail(email(i));
    for (name, lookup) in [
        ("user_id", &by_id as &dyn Fn(usize) -> Lookup),
        ("primary_email", &by_email),
    ] {
        let mut rates = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            for _ in 0..CHUNK {
                let found = vault.get(&lookup(rand::random_range(0..users))).await?;
                anyhow::ensure!(found.is_some(), "lookup by {name} found nothing");
            }
            rates.push(rate(CHUNK, t.elapsed()));
        }
        let sequential = median(rates);
        let concurrent = concurrent_gets(&vault, users, name == "user_id").await?;
        println!(
            "get by {name:<14} median {sequential:>9.0} ops/s  (4 tasks: {concurrent:.0} ops/s)"
        );
    }

    // The floor under a read: parsing one stored profile, without SQLite.
    let stored_text = profile_of(&base, 1).to_json();
    let mut rates = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        for _ in 0..CHUNK {
            let value: Value = serde_json::from_str(&stored_text)?;
            let parsed = Profile::from_stored(value).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::hint::black_box(parsed);
        }
        rates.push(rate(CHUNK, t.elapsed()));
    }
    println!(
        "(parse only, no SQLite) median {:>9.0} profiles/s",
        median(rates)
    );

    for limit in [100, 1000] {
        let t = Instant::now();
        let mut query = ListQuery {
            limit,
            ..ListQuery::default()
        };
        let mut seen = 0;
        loop {
            let page = vault.list_profiles(&query).await?;
            seen += page.items.len();
            match page.next {
                Some(next) => query.cursor = Some(next),
                None => break,
            }
        }
        anyhow::ensure!(seen == users, "list_profiles saw {seen} users");
        let e = t.elapsed();
        println!(
            "list_profiles, {limit:>4}/page: all {seen} in {e:>8.2?}  ({:.0} profiles/s)",
            rate(seen, e)
        );
    }
    for limit in [100, 1000] {
        let t = Instant::now();
        let mut query = ListQuery {
            limit,
            ..ListQuery::default()
        };
        let mut seen = 0;
        loop {
            let page = vault.list_ids(&query).await?;
            seen += page.items.len();
            match page.next {
                Some(next) => query.cursor = Some(next),
                None => break,
            }
        }
        anyhow::ensure!(seen == users, "list_ids saw {seen} users");
        let e = t.elapsed();
        println!(
            "list_ids,      {limit:>4}/page: all {seen} in {e:>8.2?}  ({:.0} entries/s)",
            rate(seen, e)
        );
    }

    let t = Instant::now();
    let attribute = AttrPath::parse("access_information.ldap").context("ldap path")?;
    let value = SearchValue::Text("bench_g7".into());
    let mut query = AttributeQuery {
        attribute,
        value,
        negate: false,
        active: None,
        cursor: None,
        limit: 100,
    };
    let mut found = 0;
    loop {
        let page = vault.search(&query).await?;
        found += page.items.len();
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    println!(
        "search (1 % match, 100/page): {found} users in {:.2?}",
        t.elapsed()
    );

    let size = |name: &str| {
        std::fs::metadata(dir.join(name))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    let mb = (size("vault.sqlite3") + size("vault.sqlite3-wal")) as f64 / 1e6;
    println!(
        "vault file: {mb:.0} MB ({:.1} KB per user)",
        mb * 1000.0 / users as f64
    );
    Ok(())
}

/// Gets from 4 tasks at once (each 2,500 lookups); the total rate.
async fn concurrent_gets(vault: &Arc<dyn Vault>, users: usize, by_id: bool) -> Result<f64> {
    let t = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let vault = Arc::clone(vault);
            tokio::spawn(async move {
                for _ in 0..2_500 {
                    let i = rand::random_range(0..users);
                    let lookup = if by_id {
                        Lookup::UserId(user_id(i))
                    } else {
                        Lookup::PrimaryEmail(email(i))
                    };
                    vault.get(&lookup).await?;
                }
                Ok::<_, cis_identity_vault::VaultError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(rate(10_000, t.elapsed()))
}
