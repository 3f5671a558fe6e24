//! The Lambda handlers called as functions with the event JSON AWS delivers (`fixtures/events/`), on the
//! backends `cis-runtime` wires for every deployment (here with in-memory adapters): an HTTP API request
//! into the Change API, the change it queued delivered as a Kinesis batch to the processor (with a poison
//! record beside it), a REST API request into the Person API, a transient failure reported as the batch
//! item failure, and the curator on a schedule event (against moto_server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::kinesis::KinesisEvent;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cis_change::{MemoryChangeStream, StaticKeys};
use cis_common::Config;
use cis_identity_vault::{ChangeState, MemoryVault, StatusStore, Vault};
use cis_profile::rules::PublisherRules;
use cis_runtime::Backends;
use cis_runtime::tokens::{Api, LocalIssuer, validator};
use cis_testkit::http::{Answer, read};
use cis_testkit::{FaultyVault, fixture_json, profiles, tokens};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

const JDOE: &str = "ad|Mozilla-LDAP|jdoe";

use cis_testkit::config;

struct Deployment {
    config: Config,
    backends: Backends,
    memory: Arc<MemoryVault>,
    faulty: Arc<FaultyVault>,
    stream: Arc<MemoryChangeStream>,
    issuer: cis_common::auth::DevIssuer,
}

/// The in-memory backends, wired by `cis-runtime` as on AWS (stream mode), tokens from the test issuer.
fn deployment() -> Deployment {
    let config = config(&[]);
    let memory = Arc::new(MemoryVault::new());
    let faulty = Arc::new(FaultyVault::new(memory.clone()));
    let stream = Arc::new(MemoryChangeStream::new());
    let backends = Backends {
        vault: faulty.clone() as Arc<dyn Vault>,
        stream: stream.clone(),
        keys: Arc::new(StaticKeys::new(cis_testkit::trusted_keys())),
        cis_signer: cis_testkit::cis_key(),
        rules: Arc::new(PublisherRules::embedded().clone()),
        uuid_salt: Some(cis_testkit::SALT.into()),
        client_publishers: cis_change::ClientPublishers::Unrestricted,
    };
    // One audience for both APIs: the Change API's default.
    let issuer = tokens::issuer(&config.change_service.api_identifier);
    Deployment {
        config,
        backends,
        memory,
        faulty,
        stream,
        issuer,
    }
}

impl Deployment {
    fn local_issuer(&self) -> LocalIssuer {
        LocalIssuer {
            issuer: tokens::ISSUER.into(),
            jwks: self.issuer.jwks(),
        }
    }

    fn change_api(&self) -> axum::Router {
        let tokens = validator(Api::Change, &self.config, Some(&self.local_issuer())).unwrap();
        cis_change_service::router(self.backends.change_service(&self.config, tokens))
    }

    fn person_api(&self, audience_of_change_api: bool) -> axum::Router {
        let mut config = self.config.clone();
        if audience_of_change_api {
            config.person_api.api_identifier = config.change_service.api_identifier.clone();
        }
        let tokens = validator(Api::Person, &config, Some(&self.local_issuer())).unwrap();
        let vault = self.backends.vault.clone();
        cis_person_api::router(cis_runtime::backends::person_api(&config, vault, tokens))
    }
}

/// An API Gateway event through `lambda_http`'s conversion into `router`, as the Lambda runtime does.
async fn invoke(router: &axum::Router, event: &Value) -> Answer {
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, axum::body::Body::from(body.to_vec()));
    read(router.clone().oneshot(request).await.unwrap()).await
}

/// `fixtures/events/kinesis.json` with the first record's data replaced by `data`.
fn kinesis_event(data: &[u8]) -> KinesisEvent {
    let mut event = fixture_json("events/kinesis.json");
    event["Records"][0]["kinesis"]["data"] = json!(STANDARD.encode(data));
    serde_json::from_value(event).unwrap()
}

#[tokio::test]
async fn an_http_api_post_is_queued_and_its_kinesis_record_processed_beside_a_poison_record() {
    let d = deployment();
    let mut event = fixture_json("events/apigw-http-v2.json");
    event["headers"]["authorization"] = json!(d.issuer.bearer(&["write"]));
    event["body"] = json!(profiles::new_user(JDOE).to_json());
    let answer = invoke(&d.change_api(), &event).await;
    let body = answer.ok();
    assert_eq!(
        (body["condition"].as_str(), body["user_id"].as_str()),
        (Some("create"), Some(JDOE))
    );
    assert!(
        d.memory.is_empty(),
        "stream mode: nothing written before the processor runs"
    );

    let records = d.stream.drain();
    assert_eq!(records.len(), 1);
    let processor = d.backends.processor(&d.config);
    let event = kinesis_event(&records[0].data);
    let response = cis_runtime::lambda::kinesis(&processor, event).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response.batch_item_failures
    );

    let sequence_number = body["sequence_number"].as_str().unwrap();
    let status = d.memory.get_status(sequence_number).await.unwrap().unwrap();
    assert_eq!(status.state, ChangeState::Processed);
    assert!(d.memory.item(JDOE).is_some());
    // The record that is not JSON is recorded under its Kinesis number and acknowledged.
    let poison_id = "49590338271490256608559692540925702759324208523137515618";
    let poison = d.memory.get_status(poison_id).await.unwrap().unwrap();
    assert_eq!(poison.state, ChangeState::Failed);
    assert_eq!(poison.error.unwrap().code, "undecodable_record");
}

#[tokio::test]
async fn a_rest_api_get_reads_the_profile_filtered_by_the_tokens_scopes() {
    let d = deployment();
    let processor = d.backends.processor(&d.config);
    let envelope = cis_change::ChangeEnvelope::upsert(
        "1".into(),
        JDOE.into(),
        cis_identity_vault::Condition::Create,
        None,
        profiles::new_user(JDOE).to_value(),
    );
    let response =
        cis_runtime::lambda::kinesis(&processor, kinesis_event(&envelope.to_bytes())).await;
    assert!(response.batch_item_failures.is_empty());

    let person = d.person_api(true);
    let mut event = fixture_json("events/apigw-rest-v1.json");
    event["headers"]["Authorization"] = json!(
        d.issuer
            .bearer(&["classification:public", "display:public"])
    );
    let public = invoke(&person, &event).await.ok();
    assert!(public["schema"].is_string());
    assert!(
        public["first_name"]["value"].is_null(),
        "first_name is not public: {}",
        public["first_name"]
    );

    event["headers"]["Authorization"] =
        json!(d.issuer.bearer(&["read:fullprofile", "display:all"]));
    let full = invoke(&person, &event).await.ok();
    assert_eq!(full["user_id"]["value"], JDOE);
    assert_eq!(full["first_name"]["value"], "Jane");

    // A token for the Change API's audience is refused where the Person API keeps its own audience.
    let answer = invoke(&d.person_api(false), &event).await;
    answer.assert_error(401, "invalid_claims");
}

#[tokio::test]
async fn a_transient_failure_names_its_record_as_the_batch_item_failure() {
    let d = deployment();
    let processor = d.backends.processor(&d.config);
    d.faulty.fail_reads_of(Some(JDOE));
    let envelope = cis_change::ChangeEnvelope::upsert(
        "7".into(),
        JDOE.into(),
        cis_identity_vault::Condition::Create,
        None,
        profiles::new_user(JDOE).to_value(),
    );
    let response =
        cis_runtime::lambda::kinesis(&processor, kinesis_event(&envelope.to_bytes())).await;
    let failures: Vec<_> = response
        .batch_item_failures
        .iter()
        .filter_map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(
        failures,
        ["49590338271490256608559692538361571095921575989136588898"]
    );
    assert!(d.memory.is_empty());
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn the_curator_ensures_the_tables_on_each_schedule_event_and_changes_nothing_the_second_time()
{
    let event: EventBridgeEvent =
        serde_json::from_value(fixture_json("events/eventbridge-schedule.json")).unwrap();
    assert_eq!(event.detail_type, "Scheduled Event");
    let environment = cis_testkit::moto::unique_name("curated");
    let config = config(&[
        ("CIS_ENVIRONMENT", &environment),
        ("CIS_REGION_NAME", cis_testkit::moto::REGION),
        ("CIS_AWS_ENDPOINT_URL", &cis_testkit::moto::url()),
    ]);
    let aws = cis_runtime::aws::Aws::connect(&config).await;
    let curator = cis_runtime::lambda::Curator::new(&aws, &config).with_timings(
        std::time::Duration::from_millis(50),
        std::time::Duration::from_secs(20),
    );
    let first = curator.run().await.unwrap();
    assert_eq!(
        first["vault_table"],
        format!("{environment}-identity-vault"),
        "{first}"
    );
    let second = curator.run().await.unwrap();
    assert!(!second.to_string().contains("\"created\""), "{second}");
}
