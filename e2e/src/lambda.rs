//! The Lambda harness of the function-level tests: [`Emulator`] runs cargo-lambda's Runtime API emulator
//! (`cargo lambda watch --only-lambda-apis`) and the real function binaries against it, invokes them with
//! events, and reads their logs; [`http_event`] and [`proxy_body`] speak API Gateway's HTTP API payload;
//! [`dynamodb_stream_records`] reads a table's stream from moto_server the way Lambda's event-source
//! mapping would (the DynamoDB Streams JSON protocol), since moto runs no mapping.

use crate::{free_port, function_bin};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cis_testkit::fixture_json;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The emulator's runtime API, and the functions started against it.
pub struct Emulator {
    port: u16,
    logs: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// Stopped before the emulator (fields drop in order), so none of them sees its connection reset.
    functions: Vec<Running>,
    _emulator: Running,
    http: reqwest::Client,
}

impl Emulator {
    pub async fn start(env: Vec<(String, String)>) -> Emulator {
        let port = free_port();
        let child = Command::new("cargo")
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "-A",
                "127.0.0.1",
                "-P",
            ])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cargo lambda (pip install cargo-lambda)");
        let emulator = Running(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the runtime emulator did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Emulator {
            port,
            logs: tempfile::tempdir().unwrap(),
            env,
            _emulator: emulator,
            functions: Vec::new(),
            http: reqwest::Client::new(),
        }
    }

    /// Starts `name`'s binary against the emulator and invokes it once with `event`; the answer and the
    /// cold start (process start to the first invocation answered).
    pub async fn start_and_invoke(&mut self, name: &str, event: &Value) -> (Value, Duration) {
        let log = std::fs::File::create(self.log_path(name)).unwrap();
        let started = Instant::now();
        let child = Command::new(function_bin(name))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{}/.rt/{name}", self.port),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the function");
        self.functions.push(Running(child));
        let answer = self.invoke(name, event).await;
        (answer, started.elapsed())
    }

    fn log_path(&self, name: &str) -> std::path::PathBuf {
        self.logs.path().join(format!("{name}.log"))
    }

    /// What `name` logged (JSON lines), checked for secrets: no bearer token, no private key.
    pub fn log(&self, name: &str, tokens: &[&str]) -> Vec<Value> {
        let text = std::fs::read_to_string(self.log_path(name)).unwrap();
        assert!(!text.contains("PRIVATE KEY"), "{name} logged a key");
        for token in tokens {
            assert!(!text.contains(token), "{name} logged a token");
        }
        text.lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: {e}: {line}"))
            })
            .collect()
    }

    /// `init_ms` of the function's "ready for invocations" line: main to asking for the first event.
    pub fn init_ms(&self, name: &str, tokens: &[&str]) -> f64 {
        let lines = self.log(name, tokens);
        let ready = lines
            .iter()
            .find(|l| l["message"] == "ready for invocations")
            .unwrap_or_else(|| panic!("{name} never logged that it was ready: {lines:?}"));
        ready["init_ms"].as_str().unwrap().parse().unwrap()
    }

    pub async fn invoke(&self, name: &str, event: &Value) -> Value {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{name}/invocations",
            self.port
        );
        let reply = self
            .http
            .post(url)
            .json(event)
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .unwrap_or_else(|e| panic!("invoking {name}: {e}"));
        let status = reply.status();
        let body = reply.text().await.unwrap();
        assert!(status.is_success(), "{name} answered {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{name}: {e}: {body}"))
    }
}

/// An HTTP API (payload 2.0) event of the fixture, for `method path?query` with `token`.
pub fn http_event(
    method: &str,
    path: &str,
    query: &str,
    token: &str,
    body: Option<String>,
) -> Value {
    let mut event = fixture_json("events/apigw-http-v2.json");
    event["rawPath"] = json!(path);
    event["rawQueryString"] = json!(query);
    event["requestContext"]["http"]["method"] = json!(method);
    event["requestContext"]["http"]["path"] = json!(path);
    event["headers"]["authorization"] = json!(format!("Bearer {token}"));
    event["body"] = json!(body.unwrap_or_default());
    event
}

/// The JSON body of an API Gateway proxy answer, after checking its status.
pub fn proxy_body(answer: &Value, status: u16) -> Value {
    assert_eq!(answer["statusCode"], status, "{answer}");
    let body = answer["body"].as_str().unwrap();
    let text = if answer["isBase64Encoded"] == true {
        String::from_utf8(STANDARD.decode(body).unwrap()).unwrap()
    } else {
        body.to_string()
    };
    serde_json::from_str(&text).unwrap()
}

/// Every record of the DynamoDB stream `stream_arn` on moto_server so far, as a Lambda event's `Records`
/// (the Streams API answers records in the event's own shape).
pub async fn dynamodb_stream_records(moto_url: &str, stream_arn: &str) -> Vec<Value> {
    let http = reqwest::Client::new();
    let call = |target: &'static str, body: Value| {
        let http = http.clone();
        async move {
            http.post(format!("{moto_url}/"))
                .header("x-amz-target", format!("DynamoDBStreams_20120810.{target}"))
                .header("content-type", "application/x-amz-json-1.0")
                .header(
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
                )
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("DynamoDB Streams {target}: {e}"))
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let described = call("DescribeStream", json!({"StreamArn": stream_arn})).await;
    let mut records = Vec::new();
    for shard in described["StreamDescription"]["Shards"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let iterator = call(
            "GetShardIterator",
            json!({"StreamArn": stream_arn, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"}),
        )
        .await;
        let got = call(
            "GetRecords",
            json!({"ShardIterator": iterator["ShardIterator"]}),
        )
        .await;
        records.extend(got["Records"].as_array().cloned().unwrap_or_default());
    }
    records
}
