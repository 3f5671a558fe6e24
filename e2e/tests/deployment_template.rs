//! The CloudFormation template `osls package` makes of serverless.yml, read back and checked for the wiring
//! docs/deploy.md promises: each function's runtime, artifact and own role; the Kinesis event-source mapping
//! and its flags; the schedule; every route of both APIs; IAM statements that name their actions and exact
//! resources; retained data resources; and tables defined as the vault curator expects them.
//!
//! Needs the packaged template: `ci/test.sh` packages it and names it in `CIS_TEST_CFN_TEMPLATE`, so the
//! test is ignored by a plain `cargo test` (and fails at once when run without it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_identity_vault::dynamodb::{Index, TableNames};
use serde_json::Value;
use std::collections::BTreeSet;

const STAGE: &str = "development";
const IGNORED: &str = "needs the template osls packages (ci/test.sh)";

fn template() -> Value {
    let path = std::env::var("CIS_TEST_CFN_TEMPLATE")
        .unwrap_or_else(|_| panic!("CIS_TEST_CFN_TEMPLATE is not set: {IGNORED}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn resources(t: &Value) -> &serde_json::Map<String, Value> {
    t["Resources"].as_object().unwrap()
}

fn of_type<'a>(t: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    resources(t)
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

/// The logical id of the Lambda function serverless makes of `name` (`change-api` → `ChangeDashapi...`).
fn function<'a>(t: &'a Value, name: &str) -> &'a Value {
    let logical = format!("{}LambdaFunction", name.replace('-', "Dash"));
    let logical = logical[..1].to_uppercase() + &logical[1..];
    resources(t)
        .get(&logical)
        .unwrap_or_else(|| panic!("no {logical}"))
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn every_function_runs_its_own_artifact_on_provided_al2023_with_its_own_role() {
    let t = template();
    let mut roles = BTreeSet::new();
    for name in [
        "change-api",
        "person-api",
        "stream-processor",
        "vault-curator",
        "webhook-notifier",
        "scim-sync",
    ] {
        let f = &function(&t, name)["Properties"];
        assert_eq!(f["Runtime"], "provided.al2023", "{name}");
        assert_eq!(f["Handler"], "bootstrap", "{name}");
        assert_eq!(f["FunctionName"], format!("cis-{STAGE}-{name}"));
        let key = f["Code"]["S3Key"].as_str().unwrap();
        assert!(
            key.ends_with(&format!("{name}/bootstrap.zip")) || key.ends_with("bootstrap.zip"),
            "{key}"
        );
        let role = f["Role"]["Fn::GetAtt"][0].as_str().unwrap().to_string();
        assert!(roles.insert(role.clone()), "{name} shares role {role}");
        assert_eq!(resources(&t)[&role]["Type"], "AWS::IAM::Role");
    }
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn the_stream_processor_reads_the_change_stream_with_partial_failures_bisection_bounded_retries_and_a_dead_letter_queue()
 {
    let t = template();
    let m = mapping(&t, "StreamDashprocessorLambdaFunction", "ChangeStream");
    assert_stream_flags(m, "StreamProcessorFailures");
}

/// The event source mapping of `function` on `source`.
fn mapping<'a>(t: &'a Value, function: &str, source: &str) -> &'a Value {
    let found: Vec<&Value> = of_type(t, "AWS::Lambda::EventSourceMapping")
        .into_iter()
        .map(|(_, m)| &m["Properties"])
        .filter(|m| {
            m["FunctionName"]["Fn::GetAtt"][0] == function
                && m["EventSourceArn"]["Fn::GetAtt"][0] == source
        })
        .collect();
    assert_eq!(found.len(), 1, "one mapping of {function} on {source}");
    found[0]
}

/// Partial batch responses, bisection, bounded retries, from the start, failures to `destination`.
fn assert_stream_flags(m: &Value, destination: &str) {
    assert_eq!(
        m["FunctionResponseTypes"],
        serde_json::json!(["ReportBatchItemFailures"])
    );
    assert_eq!(m["BisectBatchOnFunctionError"], true);
    let retries = m["MaximumRetryAttempts"].as_u64().unwrap();
    assert!((1..=10).contains(&retries), "{retries}");
    assert_eq!(m["StartingPosition"], "TRIM_HORIZON");
    assert_eq!(
        m["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0],
        destination
    );
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn the_webhook_notifier_reads_the_vault_stream_and_its_retry_queue_with_partial_failures() {
    let t = template();
    let stream = mapping(&t, "WebhookDashnotifierLambdaFunction", "VaultTable");
    assert_eq!(stream["EventSourceArn"]["Fn::GetAtt"][1], "StreamArn");
    assert_stream_flags(stream, "WebhookStreamFailures");
    let retries = mapping(&t, "WebhookDashnotifierLambdaFunction", "WebhookRetryQueue");
    assert_eq!(
        retries["FunctionResponseTypes"],
        serde_json::json!(["ReportBatchItemFailures"])
    );
    let queue = &resources(&t)["WebhookRetryQueue"]["Properties"];
    assert_eq!(
        queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0],
        "WebhookDeadLetterQueue"
    );
    let env = &function(&t, "webhook-notifier")["Properties"]["Environment"]["Variables"];
    assert_eq!(
        env["CIS_WEBHOOK_RETRY_QUEUE_URL"]["Ref"],
        "WebhookRetryQueue"
    );
    assert_eq!(
        env["CIS_WEBHOOK_DEAD_LETTER_QUEUE_URL"]["Ref"],
        "WebhookDeadLetterQueue"
    );
    let stream_view =
        &resources(&t)["VaultTable"]["Properties"]["StreamSpecification"]["StreamViewType"];
    assert_eq!(stream_view, "NEW_AND_OLD_IMAGES");
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn the_curator_runs_every_six_hours_and_the_scim_sync_every_hour() {
    let t = template();
    let rules = of_type(&t, "AWS::Events::Rule");
    assert_eq!(rules.len(), 2);
    let schedule = |function: &str| {
        let rule = rules
            .iter()
            .find(|r| r.1["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0] == function)
            .unwrap_or_else(|| panic!("no schedule for {function}"));
        assert_eq!(rule.1["Properties"]["State"], "ENABLED");
        rule.1["Properties"]["ScheduleExpression"].clone()
    };
    assert_eq!(schedule("VaultDashcuratorLambdaFunction"), "rate(6 hours)");
    assert_eq!(schedule("ScimDashsyncLambdaFunction"), "rate(1 hour)");
    let env = &function(&t, "scim-sync")["Properties"]["Environment"]["Variables"];
    assert_eq!(
        env["CIS_SCIM_TARGETS_SSM_PARAMETER"],
        format!("/iam/cis/{STAGE}/scim/targets")
    );
}

/// Route keys of the HTTP API whose integration targets `function`.
fn routes(t: &Value, api: &str) -> BTreeSet<String> {
    of_type(t, "AWS::ApiGatewayV2::Route")
        .into_iter()
        .filter(|(_, r)| r["Properties"]["ApiId"]["Ref"] == api)
        .map(|(_, r)| r["Properties"]["RouteKey"].as_str().unwrap().to_string())
        .collect()
}

/// `METHOD /path` of every operation in docs/openapi/`file`, and `$default`.
fn documented_routes(file: &str) -> BTreeSet<String> {
    let path = format!("{}/../docs/openapi/{file}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut routes = BTreeSet::from(["$default".to_string()]);
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn both_apis_route_every_path_of_their_contract_to_their_function() {
    let t = template();
    // Every operation of each API's OpenAPI document has its route, plus the catch-all that lets the
    // router answer 404 and 405 as JSON.
    assert_eq!(
        routes(&t, "ChangeHttpApi"),
        documented_routes("change-api.json")
    );
    assert_eq!(routes(&t, "HttpApi"), documented_routes("person-api.json"));
    let integration = &resources(&t)["ChangeHttpApiIntegration"]["Properties"];
    assert_eq!(
        integration["IntegrationUri"]["Fn::GetAtt"][0],
        "ChangeDashapiLambdaFunction"
    );
    assert_eq!(integration["PayloadFormatVersion"], "2.0");
}

/// Every statement of every role and bucket policy, with where it comes from.
fn statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (id, role) in of_type(t, "AWS::IAM::Role") {
        for policy in role["Properties"]["Policies"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for s in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                out.push((id.clone(), s.clone()));
            }
        }
    }
    out
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn every_iam_statement_names_its_actions_and_exact_resources() {
    let t = template();
    let all = statements(&t);
    assert!(all.len() >= 12, "{} statements", all.len());
    for (role, s) in all {
        assert_eq!(s["Effect"], "Allow", "{role}");
        let actions = as_list(&s["Action"]);
        for action in &actions {
            let a = action.as_str().unwrap();
            assert!(a.contains(':') && !a.contains('*'), "{role}: action {a}");
        }
        for resource in as_list(&s["Resource"]) {
            let text = resource.to_string();
            if resource == "*" {
                // Only services with no narrower resource: X-Ray.
                assert!(
                    actions
                        .iter()
                        .all(|a| a.as_str().unwrap().starts_with("xray:")),
                    "{role}: * for {actions:?}"
                );
            } else if text.contains('*') {
                // Two patterns only: a log group's streams (`...:log-group:/aws/lambda/cis-<stage>-<fn>:*`),
                // and the SCIM targets' tokens, whose names each target chooses under
                // `/iam/cis/<stage>/scim/tokens/` (docs/scim.md §3).
                let log_streams =
                    text.contains(":log-group:/aws/lambda/cis-") && text.ends_with(":*\"}");
                let scim_tokens = text
                    .ends_with(&format!("parameter/iam/cis/{STAGE}/scim/tokens/*\"}}"))
                    && actions
                        .iter()
                        .all(|a| a.as_str().unwrap().starts_with("ssm:Get"));
                assert!(log_streams || scim_tokens, "{role}: {text}");
            }
        }
    }
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn data_resources_are_retained_and_backed_up() {
    let t = template();
    for id in [
        "VaultTable",
        "StatusTable",
        "ChangeStream",
        "StreamProcessorFailures",
        "WebhookRetryQueue",
        "WebhookDeadLetterQueue",
        "WebhookStreamFailures",
        "WellKnownBucket",
    ] {
        let r = &resources(&t)[id];
        assert_eq!(r["DeletionPolicy"], "Retain", "{id}");
        assert_eq!(r["UpdateReplacePolicy"], "Retain", "{id}");
    }
    for id in ["VaultTable", "StatusTable"] {
        let p = &resources(&t)[id]["Properties"];
        assert_eq!(
            p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true,
            "{id}"
        );
    }
    let status = &resources(&t)["StatusTable"]["Properties"];
    assert_eq!(
        status["TimeToLiveSpecification"]["AttributeName"],
        "expires_at"
    );
}

#[test]
#[ignore = "needs the template osls packages (ci/test.sh)"]
fn the_tables_are_defined_as_the_vault_curator_expects_them() {
    let t = template();
    let vault = &resources(&t)["VaultTable"]["Properties"];
    let names = TableNames::for_environment(STAGE);
    assert_eq!(vault["TableName"], names.vault);
    assert_eq!(
        vault["StreamSpecification"]["StreamViewType"],
        "NEW_AND_OLD_IMAGES"
    );
    assert_eq!(vault["KeySchema"][0]["AttributeName"], "id");
    let indexes = vault["GlobalSecondaryIndexes"].as_array().unwrap();
    assert_eq!(indexes.len(), Index::ALL.len());
    for index in Index::ALL {
        let name = names.index(index);
        let defined = indexes
            .iter()
            .find(|i| i["IndexName"] == name.as_str())
            .unwrap_or_else(|| panic!("no index {name}"));
        let keys: Vec<(&str, &str)> = defined["KeySchema"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    k["AttributeName"].as_str().unwrap(),
                    k["KeyType"].as_str().unwrap(),
                )
            })
            .collect();
        let mut expected = vec![(index.hash_key(), "HASH")];
        expected.extend(index.range_key().map(|r| (r, "RANGE")));
        assert_eq!(keys, expected, "{name}");
        let projection = defined["Projection"]["ProjectionType"].as_str().unwrap();
        let wanted = if index == Index::Connection {
            "INCLUDE"
        } else {
            "ALL"
        };
        assert_eq!(projection, wanted, "{name}");
    }
    // The status table's history index, as the curator creates it.
    let status = &resources(&t)["StatusTable"]["Properties"];
    let history = &status["GlobalSecondaryIndexes"][0];
    assert_eq!(history["IndexName"], names.status_user_index());
    assert_eq!(
        history["KeySchema"],
        serde_json::json!([
            {"AttributeName": "user_id", "KeyType": "HASH"},
            {"AttributeName": "processed_at", "KeyType": "RANGE"}
        ])
    );
    assert_eq!(history["Projection"]["ProjectionType"], "ALL");
    let tags = |id: &str| -> BTreeSet<(String, String)> {
        resources(&t)[id]["Properties"]["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["Key"].as_str().unwrap().into(),
                    t["Value"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert!(tags("VaultTable").contains(&("application".into(), "identity-vault".into())));
    assert!(tags("StatusTable").contains(&("cis_environment".into(), STAGE.into())));
    assert_eq!(
        resources(&t)["StatusTable"]["Properties"]["TableName"],
        names.status
    );
}
