//! scim2-server (PyPI), the independent SCIM application the sync tests provision: started on a free
//! loopback port, with a bearer token or accepting every request, stopped when dropped.

use crate::free_port;
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running scim2-server.
pub struct ScimServer {
    child: Child,
    pub url: String,
    token: Option<String>,
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ScimServer {
    /// Starts it and waits until it answers.
    pub fn start(token: Option<&str>) -> ScimServer {
        let port = free_port();
        let mut command = Command::new("scim2-server");
        command.args(["--port", &port.to_string()]);
        if let Some(token) = token {
            command.args(["--bearer-token", token]);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scim2-server is not installed: pip install scim2-server (ci/test.sh does)");
        let server = ScimServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
            token: token.map(str::to_string),
        };
        wait_up(&format!("{}/ServiceProviderConfig", server.url), token);
        server
    }

    /// Every resource of `endpoint` (`Users`, `Groups`).
    pub async fn all(&self, endpoint: &str) -> Vec<Value> {
        let mut request = reqwest::Client::new().get(format!("{}/{endpoint}?count=1000", self.url));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let page: Value = request.send().await.unwrap().json().await.unwrap();
        page["Resources"].as_array().cloned().unwrap_or_default()
    }
}

/// Waits (30 s at most) until `url` (`http://127.0.0.1:PORT/path`) answers 2xx: a plain HTTP/1.0 GET,
/// so that callers need no runtime.
pub fn wait_up(url: &str, token: Option<&str>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(host) {
            let auth = token
                .map(|t| format!("Authorization: Bearer {t}\r\n"))
                .unwrap_or_default();
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n{auth}\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 2") || answer.starts_with("HTTP/1.1 2") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{url} did not come up");
}
