//! Schemathesis (PyPI) against a running `cis serve`, on both APIs, from the documents they serve at
//! `GET /v2/openapi.json` (docs/change-api.md, "OpenAPI"): the Change API with a `write read:changes` token, the Person
//! API with a full-profile token and with a public-only one; first, openapi-spec-validator (PyPI) checks
//! both served documents. Every check is on; each operation gets a
//! bounded number of examples. The vault is seeded first and the seeded identifiers are handed to
//! Schemathesis as dictionaries, so lookups reach stored users and `nextPage` carries tokens the server
//! issues, instead of every request ending in a 404 or a refused token.
//!
//! One allowance, per operation, in the generated configuration: `positive_data_acceptance` also
//! expects 400 where a request the document calls valid can still be refused for a reason no OpenAPI
//! schema can state — the profile bodies of the write routes (each attribute must carry its publisher's
//! signature over its value) and the attribute search (exactly one search parameter per request). Every
//! other check (no server error, documented status codes, content types, response schemas, refusal of
//! invalid data, authentication) applies to them unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_e2e::profiles::{ldap_user_id, new_staff_user, signed_by, update};
use cis_e2e::{Service, write_config};
use cis_profile::Publisher;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Examples per operation and phase: enough to cover every parameter and status, small enough for a
/// run of well under a minute per API on 2 cores.
const EXAMPLES: u32 = 40;
const SEEDED: u64 = 6;

#[tokio::test]
#[ignore = "needs schemathesis (PyPI; ci/test.sh installs it)"]
async fn both_apis_pass_every_schemathesis_check_against_their_served_documents() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[person_api]\nadvanced_search = true\n");
    let service = Service::start(
        &dir.path().join("data"),
        &["--config", config.to_str().unwrap()],
    );
    for (name, base) in [
        ("change-api", &service.change_url),
        ("person-api", &service.person_url),
    ] {
        validate(dir.path(), name, base).await;
    }
    let seeded = seed(&service).await;

    let writer = service.token_as("ldap-publisher", "write read:changes");
    let change = run(
        dir.path(),
        "change-api",
        &service.change_url,
        &writer,
        &change_config(&seeded),
    );
    let full = service.token("read:fullprofile display:all search:all");
    let public = service.token("classification:public display:public search:all");
    let person_full = run(
        dir.path(),
        "person-api-full",
        &service.person_url,
        &full,
        &person_config(&seeded),
    );
    let person_public = run(
        dir.path(),
        "person-api-public",
        &service.person_url,
        &public,
        &person_config(&seeded),
    );
    let log = service.log();
    assert!(!log.contains("panicked"), "cis serve panicked:\n{log}");
    for (name, (ok, output)) in [
        ("Change API", change),
        ("Person API, full profile", person_full),
        ("Person API, public only", person_public),
    ] {
        assert!(ok, "schemathesis found failures on the {name}:\n{output}");
    }
}

/// `GET /v2/openapi.json` without a token, checked by openapi-spec-validator (PyPI).
async fn validate(dir: &Path, name: &str, base: &str) {
    let reply = reqwest::get(format!("{base}/v2/openapi.json"))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, reply.bytes().await.unwrap()).unwrap();
    let output = Command::new("openapi-spec-validator")
        .arg(&path)
        .output()
        .expect("openapi-spec-validator is not installed: pip install openapi-spec-validator (ci/test.sh does)");
    assert!(
        output.status.success(),
        "the served {name} document is not valid OpenAPI: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What the seeded vault holds, for the dictionaries.
struct Seeded {
    user_ids: Vec<String>,
    uuids: Vec<String>,
    emails: Vec<String>,
    usernames: Vec<String>,
    groups: Vec<String>,
    sequence_numbers: Vec<String>,
    changes_page: String,
}

/// Six LDAP users, one of them then updated by HRIS (two changes: a history with a second page).
async fn seed(service: &Service) -> Seeded {
    let api = service.api();
    let ldap_token = service.token_as("ldap-publisher", "write");
    let hris_token = service.token_as("hris-publisher", "write");
    let ldap = service.publisher_key(Publisher::Ldap);
    let hris = service.publisher_key(Publisher::Hris);
    let mut sequence_numbers = Vec::new();
    let mut first = None;
    for n in 0..SEEDED {
        let user_id = ldap_user_id("fuzz", n as usize);
        let profile = signed_by(
            new_staff_user(&user_id, 80 + n),
            Publisher::Ldap,
            &ldap,
            None,
        );
        let seq = api
            .publish_processed(&ldap_token, &profile.to_value(), "create")
            .await;
        sequence_numbers.push(seq);
        first.get_or_insert(profile);
    }
    let first = first.unwrap();
    let title = update(
        &first,
        Publisher::Hris,
        &hris,
        &[("staff_information.title", json!("Fuzzer"))],
    );
    let seq = api
        .publish_processed(&hris_token, &title.to_value(), "update")
        .await;
    sequence_numbers.push(seq);

    let http = reqwest::Client::new();
    let get = |url: String, token: String| {
        let http = http.clone();
        async move {
            let reply = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(reply.status(), 200);
            reply.json::<Value>().await.unwrap()
        }
    };
    let full = service.token("read:fullprofile display:all");
    let page = get(format!("{}/v2/users", service.person_url), full).await;
    let items = page["Items"].as_array().unwrap();
    assert_eq!(items.len() as u64, SEEDED, "{page}");
    let value = |p: &Value, key: &str| p[key]["value"].as_str().unwrap().to_string();
    let mut groups: Vec<String> = items
        .iter()
        .flat_map(|p| {
            p["access_information"]["ldap"]["values"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys().cloned())
        })
        .collect();
    groups.sort();
    groups.dedup();
    let first_id = first.user_id().unwrap().to_string();
    let history = get(
        format!(
            "{}/v2/changes?userId={}&pageSize=1",
            service.change_url,
            cis_e2e::api::encode(&first_id)
        ),
        service.token("read:changes"),
    )
    .await;
    let changes_page = history["nextPage"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a second page of {first_id}'s history: {history}"))
        .to_string();
    Seeded {
        user_ids: items.iter().map(|p| value(p, "user_id")).collect(),
        uuids: items.iter().map(|p| value(p, "uuid")).collect(),
        emails: items.iter().map(|p| value(p, "primary_email")).collect(),
        usernames: items.iter().map(|p| value(p, "primary_username")).collect(),
        groups,
        sequence_numbers,
        changes_page,
    }
}

/// A TOML array of strings (JSON string literals are TOML basic strings).
fn list(values: &[String]) -> String {
    let items: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).unwrap())
        .collect();
    format!("[{}]", items.join(", "))
}

/// An `[[operations]]` table binding parameters to dictionaries (`probability` of drawing from it).
fn bind(path: &str, bindings: &[(&str, &str, f64)]) -> String {
    let params: Vec<String> = bindings
        .iter()
        .map(|(param, dictionary, p)| {
            format!("{param:?} = {{ dictionary = {dictionary:?}, probability = {p} }}")
        })
        .collect();
    format!(
        "\n[[operations]]\ninclude-path = {path:?}\nparameters = {{ {} }}\n",
        params.join(", ")
    )
}

/// Also expect 400 from positive examples of these operations (see the module documentation).
fn semantic_400(path_regex: &str, method_regex: &str) -> String {
    format!(
        "\n[[operations]]\ninclude-path-regex = {path_regex:?}\ninclude-method-regex = {method_regex:?}\n\
         checks.positive_data_acceptance.expected-statuses = [200, 400, 401, 403, 404, 409, 429]\n"
    )
}

fn common(dictionaries: &[(&str, &[String])]) -> String {
    let mut toml = format!("[generation]\nmax-examples = {EXAMPLES}\n\n[dictionaries]\n");
    for (name, values) in dictionaries {
        writeln!(toml, "{name} = {{ values = {} }}", list(values)).unwrap();
    }
    toml
}

fn change_config(s: &Seeded) -> String {
    let mut toml = common(&[
        ("sequence_numbers", &s.sequence_numbers),
        ("user_ids", &s.user_ids),
        ("changes_pages", std::slice::from_ref(&s.changes_page)),
    ]);
    toml += &bind(
        "/v2/status",
        &[("query.sequenceNumber", "sequence_numbers", 0.7)],
    );
    toml += &bind(
        "/v2/changes",
        &[
            ("query.userId", "user_ids", 0.7),
            ("query.nextPage", "changes_pages", 1.0),
        ],
    );
    toml += &semantic_400("^/v2/users?$", "^(POST|PUT|DELETE)$");
    toml
}

fn person_config(s: &Seeded) -> String {
    // The original's own `nextPage` values stay accepted: `{"id": <user_id>}` on /v2/users, a plain
    // user_id on the other routes, each meaning "continue after this user".
    let users_pages: Vec<String> = s
        .user_ids
        .iter()
        .map(|id| json!({ "id": id }).to_string())
        .collect();
    let mut toml = common(&[
        ("user_ids", &s.user_ids),
        ("uuids", &s.uuids),
        ("emails", &s.emails),
        ("usernames", &s.usernames),
        ("groups", &s.groups),
        ("users_pages", &users_pages),
    ]);
    for (path, dictionary) in [
        ("/v2/user/user_id/{id}", "user_ids"),
        ("/v2/user/uuid/{id}", "uuids"),
        ("/v2/user/primary_email/{id}", "emails"),
        ("/v2/user/primary_username/{id}", "usernames"),
    ] {
        toml += &bind(path, &[("path.id", dictionary, 0.7)]);
    }
    toml += &bind(
        "/v2/user/metadata/{email}",
        &[("path.email", "emails", 0.7)],
    );
    toml += &bind("/v2/users", &[("query.nextPage", "users_pages", 1.0)]);
    toml += &bind("/v2/users/id/all", &[("query.nextPage", "user_ids", 1.0)]);
    toml += &bind(
        "/v2/users/id/all/by_attribute_contains",
        &[
            ("query.nextPage", "user_ids", 1.0),
            ("query.access_information.ldap", "groups", 0.8),
        ],
    );
    toml += &semantic_400("^/v2/users/id/all/by_attribute_contains$", "^GET$");
    toml
}

/// Runs schemathesis on `base`'s served document; (passed, its output). The token goes in a header and
/// Schemathesis masks it in what it prints.
fn run(dir: &Path, name: &str, base: &str, token: &str, config: &str) -> (bool, String) {
    let work = dir.join(name);
    std::fs::create_dir_all(&work).unwrap();
    let config_path = work.join("schemathesis.toml");
    std::fs::write(&config_path, config).unwrap();
    let output = Command::new("schemathesis")
        .current_dir(&work)
        .arg("--config-file")
        .arg(&config_path)
        .arg("run")
        .arg(format!("{base}/v2/openapi.json"))
        .args(["--checks", "all", "--seed", "1", "--workers", "1"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .env("NO_COLOR", "1")
        .output()
        .expect("schemathesis is not installed: pip install schemathesis (ci/test.sh does)");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!text.contains(token), "schemathesis printed the token");
    println!("== {name}\n{text}");
    (output.status.success(), text)
}
