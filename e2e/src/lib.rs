//! # cis-e2e — harness for end-to-end tests
//!
//! Starts the real `cis` binary (`cis serve`) on free loopback ports in a temporary data directory and
//! talks to it over HTTP only, like a publisher and a relying party. Also kills it with SIGKILL, stops it
//! with SIGTERM and restarts it on the same data directory, for the crash and shutdown tests. Every process
//! it starts is stopped when its [`Service`] is dropped. It never prints a token or a key.
//!
//! | module | owns |
//! |---|---|
//! | this file | the `cis` binary (built once), ports, configuration files |
//! | [`service`] | the `cis serve` process: start, readiness, kill, restart, the data directory's files |
//! | [`api`] | HTTP calls to the Change API, the Person API and the dev authorizer, status polling |
//! | [`profiles`] | profiles as publishers send them: new staff users with known displays, updates, signing |
//! | [`lambda`] | the Lambda Runtime API emulator, the function binaries under it, API Gateway and stream events |
//!
//! The harness is test code: a failed expectation panics with the server's log, which is the test's
//! failure message. Hence `expect` is allowed here, as in any test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod api;
pub mod lambda;
pub mod profiles;
pub mod scim;
pub mod service;

pub use api::{Api, Reply};
pub use service::Service;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// How long anything the suite waits for may take (start-up, processing, shutdown).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The `cis` binary: `$CIS_BIN`, else `target/debug/cis` of this workspace (built once if missing).
pub fn cis_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("CIS_BIN") {
            return PathBuf::from(bin);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let target =
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "cis-cli", "--bin", "cis"])
            .current_dir(&root)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "building the cis binary failed"
        );
        target.join("debug").join("cis")
    })
    .clone()
}

/// The binary of a Lambda function of `functions/`: in `$CIS_FUNCTION_DIR` when set (e.g. the release
/// builds, to measure cold starts), else the debug build (built once, with the others).
pub fn function_bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        if let Some(dir) = std::env::var_os("CIS_FUNCTION_DIR") {
            return PathBuf::from(dir);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let target =
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let mut command = Command::new(env!("CARGO"));
        command.args(["build", "--quiet"]);
        for function in [
            "change-api",
            "person-api",
            "stream-processor",
            "vault-curator",
            "webhook-notifier",
            "scim-sync",
        ] {
            command.args(["-p", function]);
        }
        let status = command.current_dir(&root).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "building the function binaries failed"
        );
        target.join("debug")
    });
    dir.join(name)
}

/// A `cis` command (e.g. `cis(["profile", "fake"])`), its output captured.
pub fn cis<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(cis_bin())
        .args(args)
        .output()
        .expect("run cis")
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// Writes an INI configuration file (docs/configuration.md) and returns its path.
pub fn write_config(dir: &Path, ini: &str) -> PathBuf {
    let path = dir.join("cis-e2e.ini");
    std::fs::write(&path, ini).expect("write config file");
    path
}
