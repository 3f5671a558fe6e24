//! The `cis serve` process of one test: start on free loopback ports with a fresh environment, readiness
//! of its three servers, SIGKILL, SIGTERM, restart on the same data directory, and the files of the data
//! directory (keys, salt, clients, serve.json). Stops the process when dropped. Never prints a token or
//! a key.

use crate::{Api, TIMEOUT, cis, cis_bin, free_port};
use cis_crypto::SigningKey;
use cis_profile::Publisher;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running `cis serve`.
pub struct Service {
    child: Option<Child>,
    data_dir: PathBuf,
    extra_args: Vec<String>,
    pub change_url: String,
    pub person_url: String,
    pub auth_url: String,
    ports: [u16; 3],
}

impl Service {
    /// Starts `cis serve` on `data_dir` (created if needed) and waits until its three servers answer.
    pub fn start(data_dir: &Path, extra_args: &[&str]) -> Service {
        let mut service = Service {
            child: None,
            data_dir: data_dir.to_path_buf(),
            extra_args: extra_args.iter().map(|s| s.to_string()).collect(),
            change_url: String::new(),
            person_url: String::new(),
            auth_url: String::new(),
            ports: [0; 3],
        };
        service.new_ports();
        service.spawn();
        service
    }

    fn new_ports(&mut self) {
        self.ports = [free_port(), free_port(), free_port()];
        self.change_url = format!("http://127.0.0.1:{}", self.ports[0]);
        self.person_url = format!("http://127.0.0.1:{}", self.ports[1]);
        self.auth_url = format!("http://127.0.0.1:{}", self.ports[2]);
    }

    /// Spawns and waits until ready; a port taken meanwhile by someone else means new ports and a retry.
    fn spawn(&mut self) {
        for _ in 0..3 {
            match self.try_spawn() {
                Ok(()) => return,
                Err(log) if log.contains("cannot listen") => self.new_ports(),
                Err(log) => panic!("cis serve exited early; log:\n{log}"),
            }
        }
        panic!("cis serve found no free ports; log:\n{}", self.log());
    }

    fn try_spawn(&mut self) -> Result<(), String> {
        std::fs::create_dir_all(&self.data_dir).expect("create the data directory");
        let log = std::fs::File::create(self.data_dir.join("serve.log")).expect("log file");
        let child = Command::new(cis_bin())
            .arg("serve")
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--change-listen")
            .arg(format!("127.0.0.1:{}", self.ports[0]))
            .arg("--person-listen")
            .arg(format!("127.0.0.1:{}", self.ports[1]))
            .arg("--auth-listen")
            .arg(format!("127.0.0.1:{}", self.ports[2]))
            .args(&self.extra_args)
            .env_clear()
            .envs(std::env::vars().filter(|(k, _)| !is_config_variable(k)))
            .env("HOME", &self.data_dir)
            .env("CIS_LOG_LEVEL", "info")
            .env("CIS_LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn cis serve");
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return Err(format!("(exit {status})\n{}", self.log()));
            }
            let change = is_up(&format!("{}/v2", self.change_url));
            let person = is_up(&format!("{}/v2", self.person_url));
            let auth = is_up(&format!("{}/.well-known/jwks.json", self.auth_url));
            if change && person && auth {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "cis serve did not become ready in 60 s; log:\n{}",
            self.log()
        );
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("serve.log")).unwrap_or_default()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// An HTTP client for this service's three servers (valid across a restart: same ports).
    pub fn api(&self) -> Api {
        Api::new(
            &self.change_url,
            &self.person_url,
            &self.auth_url,
            &self.data_dir.join("serve.log"),
        )
    }

    /// The process id of the running server.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no shutdown hook runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait (up to [`TIMEOUT`]) for the process to exit; its exit status, `None` when it had to
    /// be killed.
    pub fn terminate(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// Starts again on the same data directory and ports (the running process, if any, is killed first),
    /// with `extra_args` replaced.
    pub fn restart(&mut self, extra_args: &[&str]) {
        self.kill9();
        self.extra_args = extra_args.iter().map(|s| s.to_string()).collect();
        self.spawn();
    }

    /// A development token from `cis token`, valid for both APIs.
    pub fn token(&self, scopes: &str) -> String {
        self.token_as("publisher", scopes)
    }

    /// A development token of OAuth client `client` (its publishers are those of `clients.json`).
    pub fn token_as(&self, client: &str, scopes: &str) -> String {
        let out = cis([
            "token".as_ref(),
            "--scopes".as_ref(),
            scopes.as_ref(),
            "--client-id".as_ref(),
            client.as_ref(),
            "--data-dir".as_ref(),
            self.data_dir.as_os_str(),
        ]);
        assert!(
            out.status.success(),
            "cis token failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The development signing key of a publisher (what that publisher holds).
    pub fn publisher_key(&self, publisher: Publisher) -> SigningKey {
        let path = self
            .data_dir
            .join("keys")
            .join(format!("{}.priv.pem", publisher.as_str()));
        let text = std::fs::read_to_string(&path).expect("publisher key");
        SigningKey::parse(&text).expect("parse key")
    }

    /// `DIR/serve.json`: URLs, issuer and audiences the running service announced.
    pub fn session(&self) -> Value {
        self.read_json("serve.json")
    }

    /// `DIR/uuid_salt`: the development uuid salt.
    pub fn uuid_salt(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("uuid_salt"))
            .expect("uuid_salt")
            .trim()
            .to_string()
    }

    /// `DIR/clients.json`: the development OAuth clients.
    pub fn clients(&self) -> Value {
        self.read_json("clients.json")
    }

    fn read_json(&self, name: &str) -> Value {
        let text = std::fs::read_to_string(self.data_dir.join(name)).expect(name);
        serde_json::from_str(&text).expect(name)
    }

    /// The `/.well-known/mozilla-iam` document the service publishes.
    pub fn well_known(&self) -> Value {
        let body = raw_get(&format!("{}/.well-known/mozilla-iam", self.auth_url)).map(|(_, b)| b);
        serde_json::from_str(&body.unwrap_or_default()).expect("well-known JSON")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Configuration the developer's environment may hold (docs/configuration.md): kept away from the service
/// so that only the test decides its configuration (`HOME` is the data directory for the same reason:
/// no `~/.mozilla-cis.ini`).
fn is_config_variable(name: &str) -> bool {
    ["CIS_", "CHANGE_SERVICE_", "PERSON_API_"]
        .iter()
        .any(|p| name.starts_with(p))
        || name == "RUST_LOG"
}

/// A minimal blocking HTTP/1.0 GET over a raw socket (readiness needs no runtime; 1.0 means no chunked
/// body): status code and body.
fn raw_get(url: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

fn is_up(url: &str) -> bool {
    raw_get(url).is_some_and(|(status, _)| status == 200)
}
