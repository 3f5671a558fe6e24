//! moto_server for adapter tests (ARCHITECTURE.md: "Tests of AWS adapters"). The server is started by
//! `ci/test.sh` (or by hand: `python3 -m moto.server -H 127.0.0.1 -p PORT`) and named by
//! `CIS_TEST_MOTO_URL`. Without it a test prints why it is skipped and returns, unless `CIS_REQUIRE_MOTO=1`
//! (set by `ci/test.sh`), when it fails. Free of AWS SDK types so that any crate's tests can include it
//! with `#[path = ".../cis-identity-vault/tests/support/moto.rs"] mod moto;`.

// Each including test binary uses a part of it.
#![allow(dead_code)]

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The variable naming the running moto_server, e.g. `http://127.0.0.1:5000`.
pub const URL_VAR: &str = "CIS_TEST_MOTO_URL";
/// When `1`, a missing moto_server fails the test instead of skipping it.
pub const REQUIRE_VAR: &str = "CIS_REQUIRE_MOTO";
/// The region every test client uses.
pub const REGION: &str = "us-east-1";
/// Dummy credentials moto accepts (`AWS_ACCESS_KEY_ID=testing`, `AWS_SECRET_ACCESS_KEY=testing`).
pub const ACCESS_KEY_ID: &str = "testing";
pub const SECRET_ACCESS_KEY: &str = "testing";

/// The moto URL, or `None` after printing a skip message for `test`. Panics when moto is required.
pub fn url(test: &str) -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
        _ if std::env::var(REQUIRE_VAR).is_ok_and(|v| v.trim() == "1") => {
            panic!("{test}: {REQUIRE_VAR}=1 but {URL_VAR} is not set; start moto_server and set it")
        }
        _ => {
            // Straight to the process's stderr: the test harness's capture would swallow `eprintln!`.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: {URL_VAR} is not set (start `python3 -m moto.server -H 127.0.0.1 -p 5000` and set \
                 {URL_VAR}=http://127.0.0.1:5000 to run it)"
            );
            None
        }
    }
}

/// A name no other test (in this or a concurrent run against the same server) uses:
/// `<prefix>-<pid>-<millis>-<n>`, lower case.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() % 100_000_000)
        .unwrap_or(0);
    format!("{prefix}-{}-{millis}-{n}", std::process::id()).to_lowercase()
}
