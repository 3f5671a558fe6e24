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
//! 5. person-api answers it to an HTTP API event, filtered by the token's scopes;
//! 6. the vault table's stream, read from moto, goes to webhook-notifier as a DynamoDB stream event: a
//!    relying party gets the create, signed; one that is down gets a retry through the SQS queue, and after
//!    its last attempt (the retry delivered as an SQS event) a dead letter.
//!
//! Each function's cold start (process start to its first invocation answered) is printed.
//! Needs moto_server and `cargo lambda` (ci/test.sh provides both), so a plain `cargo test` ignores it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cis_aws::kinesis::KinesisPoller;
use cis_e2e::lambda::{Emulator, dynamodb_stream_records, http_event, proxy_body};
use cis_identity_vault::dynamodb::{DynamoVault, TableNames};
use cis_identity_vault::{ChangeState, Lookup, ProfileReader, StatusStore};
use cis_notifications::WebhookSecret;
use cis_testkit::{fixture_json, fixture_path, moto, profiles, tokens};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const USER: &str = "ad|Mozilla-LDAP|lambda";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A relying party on loopback that answers 200 and keeps what it got.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
        let kept = Arc::clone(&got);
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| async move {
                kept.lock().unwrap().push((headers, body));
                "ok"
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got }
    }
}

/// The one message of an SQS queue (waiting up to 10 s for it).
async fn receive_one(sqs: &aws_sdk_sqs::Client, url: &str) -> aws_sdk_sqs::types::Message {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let got = sqs.receive_message().queue_url(url).send().await.unwrap();
        if let Some(message) = got.messages.unwrap_or_default().into_iter().next() {
            return message;
        }
        assert!(std::time::Instant::now() < deadline, "no message on {url}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
const AUDIENCE: &str = "api.lambda.example";

#[tokio::test]
#[ignore = "needs moto_server and cargo lambda (ci/test.sh runs it)"]
async fn a_change_goes_from_the_change_api_through_kinesis_and_the_processor_to_the_person_api_and_the_webhooks()
 {
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
    // Relying parties: one answering, one whose port has nothing listening; the notifier's queues.
    let receiver = Receiver::start().await;
    let gone = format!("http://127.0.0.1:{}/hook", cis_e2e::free_port());
    // A SCIM application, provisioned by the scheduled scim-sync and, per change, by the notifier.
    let scim = cis_e2e::scim::ScimServer::start(None);
    let scim_targets = format!("/iam/cis/{environment}/scim/targets");
    ssm.put_parameter()
        .name(&scim_targets)
        .value(json!({"targets": [{"name": "app", "url": scim.url}]}).to_string())
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let subscriptions = json!([
        {"name": "rp", "url": receiver.url, "signing_secret": SECRET},
        {"name": "gone", "url": gone, "max_attempts": 2},
        {"name": "scim-app", "url": "scim:app"}
    ])
    .to_string();
    let sqs = moto::sqs();
    let mut queues = Vec::new();
    for name in ["retry", "dead"] {
        let created = sqs
            .create_queue()
            .queue_name(format!("{environment}-webhook-{name}"))
            .send()
            .await
            .unwrap();
        queues.push(created.queue_url().unwrap().to_string());
    }
    // The subscriptions live in SSM, as deployed.
    let subscriptions_parameter = format!("/iam/cis/{environment}/webhook_notifier/subscriptions");
    ssm.put_parameter()
        .name(&subscriptions_parameter)
        .value(&subscriptions)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let env: Vec<(String, String)> = [
        (
            "CIS_WEBHOOK_SUBSCRIPTIONS_SSM_PARAMETER",
            subscriptions_parameter.as_str(),
        ),
        ("CIS_WEBHOOK_RETRY_QUEUE_URL", queues[0].as_str()),
        ("CIS_WEBHOOK_DEAD_LETTER_QUEUE_URL", queues[1].as_str()),
        ("CIS_WEBHOOK_RETRY_FIRST_SECONDS", "1"),
        ("CIS_SCIM_TARGETS_SSM_PARAMETER", scim_targets.as_str()),
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
    let (mut answer, cold) = emulator.start_and_invoke("stream-processor", &event).await;
    cold_starts.push(("stream-processor", cold));
    // Lambda's event-source mapping redelivers a batch from the record the function reports (a transient
    // failure, e.g. moto_server slow under a loaded CI machine); so does this test, twice at most, and
    // says why on stderr.
    for _ in 0..2 {
        let Some(failed) = answer["batchItemFailures"][0]["itemIdentifier"].as_str() else {
            break;
        };
        eprintln!(
            "stream-processor asks for a redelivery from {failed}: {:?}",
            emulator.log("stream-processor", &[])
        );
        let records = event["Records"].as_array().unwrap();
        let from = records
            .iter()
            .position(|r| r["kinesis"]["sequenceNumber"] == failed)
            .unwrap();
        let redelivered = json!({ "Records": records[from..] });
        tokio::time::sleep(Duration::from_secs(1)).await;
        answer = emulator.invoke("stream-processor", &redelivered).await;
    }
    assert_eq!(
        answer["batchItemFailures"],
        json!([]),
        "{answer}: {:?}",
        emulator.log("stream-processor", &[])
    );

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

    // The same function serves SCIM: the user found by externalId through the vault's index.
    let filter = format!(
        "filter={}",
        cis_testkit::http::encode(&format!("externalId eq \"{USER}\""))
    );
    let answer = emulator
        .invoke(
            "person-api",
            &http_event("GET", "/scim/v2/Users", &filter, &full, None),
        )
        .await;
    assert_eq!(
        answer["headers"]["content-type"], "application/scim+json",
        "{answer}"
    );
    let scim_list = proxy_body(&answer, 200);
    assert_eq!(scim_list["totalResults"], 1, "{scim_list}");
    assert_eq!(scim_list["Resources"][0]["externalId"], USER);

    // 5b. The scheduled SCIM sync provisions the user in the SCIM application.
    let (report, cold) = emulator.start_and_invoke("scim-sync", &schedule).await;
    cold_starts.push(("scim-sync", cold));
    assert_eq!(report[0]["counts"]["create"], 1, "{report}");
    let held = scim.all("Users").await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["externalId"], USER);
    assert_eq!(held[0]["name"]["givenName"], "Jane");

    // 6. The vault's stream reaches webhook-notifier: the answering relying party gets the create, signed;
    //    the one that is down gets a retry through SQS, and after its last attempt a dead letter.
    let described = moto::dynamodb()
        .describe_table()
        .table_name(format!("{environment}-identity-vault"))
        .send()
        .await
        .unwrap();
    let stream_arn = described
        .table()
        .unwrap()
        .latest_stream_arn()
        .unwrap()
        .to_string();
    let records = dynamodb_stream_records(&moto::url(), &stream_arn).await;
    assert!(
        !records.is_empty(),
        "the processor's write is on the vault's stream"
    );
    let (answer, cold) = emulator
        .start_and_invoke("webhook-notifier", &json!({"Records": records}))
        .await;
    cold_starts.push(("webhook-notifier", cold));
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    let synced = emulator
        .log("webhook-notifier", &[])
        .into_iter()
        .any(|l| l["message"] == "per-user SCIM sync" && l["user_id"] == USER);
    assert!(
        synced,
        "the scim:app subscription's delivery is a per-user sync"
    );
    assert_eq!(
        scim.all("Users").await,
        held,
        "already in sync: nothing written"
    );
    let (headers, body) = receiver.got.lock().unwrap()[0].clone();
    let notification: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            notification["operation"].as_str(),
            notification["id"].as_str()
        ),
        (Some("create"), Some(USER))
    );
    let header = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
    let expected =
        WebhookSecret::parse(SECRET)
            .unwrap()
            .sign(&header("webhook-id"), timestamp, &body);
    assert_eq!(header("webhook-signature"), expected);

    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let retry = receive_one(&sqs, &queues[0]).await;
    let retried: Value = serde_json::from_str(retry.body().unwrap()).unwrap();
    assert_eq!(
        (
            retried["subscription"].as_str(),
            retried["attempts"].as_u64()
        ),
        (Some("gone"), Some(1))
    );
    let event = json!({"Records": [{"messageId": retry.message_id().unwrap(), "body": retry.body().unwrap(), "eventSource": "aws:sqs"}]});
    let answer = emulator.invoke("webhook-notifier", &event).await;
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    let dead = receive_one(&sqs, &queues[1]).await;
    let dead: Value = serde_json::from_str(dead.body().unwrap()).unwrap();
    assert_eq!(
        (dead["state"].as_str(), dead["attempts"].as_u64()),
        (Some("dead"), Some(2))
    );
    assert!(
        dead["last_error"]
            .as_str()
            .unwrap()
            .starts_with("connection failed"),
        "{dead}"
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
