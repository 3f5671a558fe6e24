//! The pipeline at the Lambda level: the real function binaries run under a Lambda Runtime API emulator
//! (`cargo lambda watch --only-lambda-apis`) against moto_server, and the test plays API Gateway, the
//! event-source mapping and EventBridge — moto runs none of them:
//!
//! 1. the curator, on a schedule event, creates the vault tables;
//! 2. change-api takes an HTTP API event with a real token and a signed profile, and appends it to Kinesis;
//! 3. the records are read back from moto's Kinesis and delivered to stream-processor as a Kinesis event,
//!    with a record that is not a change beside them: the change lands, the bad record is recorded and
//!    blocks nothing;
//! 4. the vault in moto's DynamoDB holds the profile, its status is `processed`;
//! 5. person-api answers it to an HTTP API event, filtered by the token's scopes.
//!
//! Each function's cold start (process start to its first invocation answered) is printed.
//! Needs moto_server and `cargo lambda` (ci/test.sh provides both), so a plain `cargo test` ignores it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cis_aws::kinesis::KinesisPoller;
use cis_e2e::{free_port, function_bin};
use cis_identity_vault::dynamodb::{DynamoVault, TableNames};
use cis_identity_vault::{ChangeState, Lookup, ProfileReader, StatusStore};
use cis_testkit::{fixture_json, fixture_path, moto, profiles, tokens};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USER: &str = "ad|Mozilla-LDAP|lambda";
const AUDIENCE: &str = "api.lambda.example";

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The emulator's runtime API, and the functions started against it.
struct Emulator {
    port: u16,
    logs: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// Stopped before the emulator (fields drop in order), so none of them sees its connection reset.
    functions: Vec<Running>,
    _emulator: Running,
    http: reqwest::Client,
}

impl Emulator {
    async fn start(env: Vec<(String, String)>) -> Emulator {
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
    async fn start_and_invoke(&mut self, name: &str, event: &Value) -> (Value, Duration) {
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
    fn log(&self, name: &str, tokens: &[&str]) -> Vec<Value> {
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
    fn init_ms(&self, name: &str, tokens: &[&str]) -> f64 {
        let lines = self.log(name, tokens);
        let ready = lines
            .iter()
            .find(|l| l["message"] == "ready for invocations")
            .unwrap_or_else(|| panic!("{name} never logged that it was ready: {lines:?}"));
        ready["init_ms"].as_str().unwrap().parse().unwrap()
    }

    async fn invoke(&self, name: &str, event: &Value) -> Value {
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
fn http_event(method: &str, path: &str, query: &str, token: &str, body: Option<String>) -> Value {
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
fn proxy_body(answer: &Value, status: u16) -> Value {
    assert_eq!(answer["statusCode"], status, "{answer}");
    let body = answer["body"].as_str().unwrap();
    let text = if answer["isBase64Encoded"] == true {
        String::from_utf8(STANDARD.decode(body).unwrap()).unwrap()
    } else {
        body.to_string()
    };
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
#[ignore = "needs moto_server and cargo lambda (ci/test.sh runs it)"]
async fn a_change_goes_from_the_change_api_through_kinesis_and_the_processor_to_the_person_api() {
    let environment = moto::unique_name("lambda");
    let dir = tempfile::tempdir().unwrap();
    // What a deployment keeps in SSM: the cis key and the uuid salt; what its well-known endpoint and
    // issuer publish: the publishers' keys (the fixture document) and the issuer's JWKS.
    let ssm = moto::ssm();
    for (name, value) in [
        (
            "keys/cis",
            cis_testkit::fixture("keys/fake-publisher-key_1.priv.pem"),
        ),
        ("uuid_salt", "lambda-salt".to_string()),
    ] {
        ssm.put_parameter()
            .name(format!("/iam/cis/{environment}/{name}"))
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send()
            .await
            .unwrap();
    }
    let stream = format!("cis-input-{environment}");
    let kinesis = moto::kinesis();
    kinesis
        .create_stream()
        .stream_name(&stream)
        .shard_count(1)
        .send()
        .await
        .unwrap();
    let issuer = tokens::issuer(AUDIENCE);
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, issuer.jwks().to_string()).unwrap();
    let jwks_url = format!("file://{}", jwks.display());
    let well_known = format!(
        "file://{}",
        fixture_path("vectors/well-known-test.json").display()
    );
    let env: Vec<(String, String)> = [
        ("CIS_ENVIRONMENT", environment.as_str()),
        ("CIS_REGION_NAME", moto::REGION),
        ("CIS_AWS_ENDPOINT_URL", &moto::url()),
        ("AWS_ACCESS_KEY_ID", moto::ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", moto::SECRET_ACCESS_KEY),
        ("CIS_SECRET_MANAGER", "aws-ssm"),
        (
            "CIS_SECRET_MANAGER_SSM_PATH",
            &format!("/iam/cis/{environment}/keys"),
        ),
        (
            "CIS_SECRET_MANAGER_SSM_UUID_SALT",
            &format!("/iam/cis/{environment}/uuid_salt"),
        ),
        ("CIS_WELL_KNOWN_MODE", "https"),
        ("CIS_DISCOVERY_URL", &well_known),
        (
            "CIS_CLIENT_PUBLISHERS",
            r#"{"lambda-publisher": ["ldap", "hris"]}"#,
        ),
        ("CHANGE_SERVICE_AUTH0_DOMAIN", "auth.test.example"),
        ("CHANGE_SERVICE_API_IDENTIFIER", AUDIENCE),
        ("CHANGE_SERVICE_JWKS_URL", &jwks_url),
        ("PERSON_API_AUTH0_DOMAIN", "auth.test.example"),
        ("PERSON_API_API_IDENTIFIER", AUDIENCE),
        ("PERSON_API_JWKS_URL", &jwks_url),
        ("CIS_LOG_LEVEL", "info"),
        ("CIS_LOG_FORMAT", "json"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut emulator = Emulator::start(env).await;
    let mut cold_starts = Vec::new();

    // 1. The curator on its schedule creates the tables.
    let schedule = fixture_json("events/eventbridge-schedule.json");
    let (report, cold) = emulator.start_and_invoke("vault-curator", &schedule).await;
    cold_starts.push(("vault-curator", cold));
    assert_eq!(
        report["vault_table"],
        format!("{environment}-identity-vault"),
        "{report}"
    );

    // 2. A publisher's client posts a signed create through API Gateway.
    let writer = issuer.issue(
        "lambda-publisher@clients",
        &["write"],
        Duration::from_secs(600),
    );
    let body = profiles::new_user(USER).to_json();
    let event = http_event("POST", "/v2/user", "", &writer, Some(body));
    let (answer, cold) = emulator.start_and_invoke("change-api", &event).await;
    cold_starts.push(("change-api", cold));
    let accepted = proxy_body(&answer, 200);
    assert_eq!(accepted["condition"], "create", "{accepted}");
    let sequence_number = accepted["sequence_number"].as_str().unwrap().to_string();

    // 3. The event-source mapping's part: read the shard, deliver the batch (and a bad record).
    let mut poller = KinesisPoller::new(kinesis.clone(), &stream, 100);
    let mut records = Vec::new();
    for _ in 0..20 {
        records.extend(
            poller
                .poll()
                .await
                .unwrap()
                .into_iter()
                .flat_map(|b| b.records),
        );
        if !records.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(records.len(), 1, "one change appended");
    let mut event = fixture_json("events/kinesis.json");
    event["Records"][0]["kinesis"]["data"] = json!(STANDARD.encode(&records[0].data));
    event["Records"][0]["kinesis"]["sequenceNumber"] = json!(records[0].id);
    let poison_id = event["Records"][1]["kinesis"]["sequenceNumber"].clone();
    let (answer, cold) = emulator.start_and_invoke("stream-processor", &event).await;
    cold_starts.push(("stream-processor", cold));
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");

    // 4. The vault in moto's DynamoDB.
    let vault = DynamoVault::new(moto::dynamodb(), TableNames::for_environment(&environment));
    let stored = vault
        .get(&Lookup::UserId(USER.into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, Some(1));
    assert!(stored.profile.uuid().is_some());
    let status = vault.get_status(&sequence_number).await.unwrap().unwrap();
    assert_eq!(status.state, ChangeState::Processed);
    let poison = vault
        .get_status(poison_id.as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        poison.state,
        ChangeState::Failed,
        "the bad record is recorded, not retried"
    );

    // 5. A relying party reads it back, filtered by its token's scopes.
    let path = format!("/v2/user/user_id/{}", cis_testkit::http::encode(USER));
    let full = issuer.issue(
        "rp@clients",
        &["read:fullprofile", "display:all"],
        Duration::from_secs(600),
    );
    let event = http_event("GET", &path, "", &full, None);
    let (answer, cold) = emulator.start_and_invoke("person-api", &event).await;
    cold_starts.push(("person-api", cold));
    let profile = proxy_body(&answer, 200);
    assert_eq!(profile["first_name"]["value"], "Jane");
    let public = issuer.issue(
        "rp@clients",
        &["classification:public", "display:public"],
        Duration::from_secs(600),
    );
    let answer = emulator
        .invoke("person-api", &http_event("GET", &path, "", &public, None))
        .await;
    let profile = proxy_body(&answer, 200);
    assert!(
        profile["first_name"]["value"].is_null(),
        "{}",
        profile["first_name"]
    );

    let tokens = [writer.as_str(), full.as_str(), public.as_str()];
    for (name, cold) in cold_starts {
        let init = emulator.init_ms(name, &tokens);
        println!(
            "{name}: init {init:.1} ms (main to ready), cold start {} ms (process start to first invocation answered)",
            cold.as_millis()
        );
    }
    let poison_logged = emulator
        .log("stream-processor", &tokens)
        .into_iter()
        .any(|l| {
            l["message"] == "undecodable record recorded and acknowledged" && l["level"] == "WARN"
        });
    assert!(poison_logged, "the poison record is logged at WARN");
}
