//! The SCIM endpoint through the router (docs/scim.md): lists and reads mapped from what the token may
//! read, filters that cannot find a user by a hidden attribute, ETags and 304, `eq` filters served from
//! the vault's indexes (a walk would fail here), groups, and SCIM errors for tokens, filters, writes and
//! methods.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_identity_vault::{MemoryVault, Vault, VaultError};
use cis_testkit::{FaultyVault, Op};
use common::*;
use http::Method;
use serde_json::Value;
use std::sync::Arc;

const SCIM: &str = "application/scim+json";

async fn populated(n: u64) -> (TestApp, Vec<Person>) {
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::new());
    let people = population(n);
    store_all(vault.as_ref(), &people).await;
    (app(vault), people)
}

fn scim_body(answer: &Answer, status: u16) -> Value {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some(SCIM));
    answer.json()
}

fn uuid_of(person: &Person) -> String {
    person.profile.to_value()["uuid"]["value"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn users_list_and_read_with_etags() {
    let (app, people) = populated(6).await;
    let list = scim_body(&app.get_as("/scim/v2/Users", FULL).await, 200);
    assert_eq!(list["totalResults"], 6, "inactive users are listed too");
    assert_eq!(list["schemas"][0], cis_scim::LIST_SCHEMA);
    let id = uuid_of(&people[0]);
    let one = app.get_as(&format!("/scim/v2/Users/{id}"), FULL).await;
    let user = scim_body(&one, 200);
    assert_eq!(user["externalId"], people[0].user_id.as_str());
    assert_eq!(one.header("etag"), Some("W/\"1\""));
    let request = http::Request::get(format!("/scim/v2/Users/{id}"))
        .header("authorization", app.bearer(FULL))
        .header("if-none-match", "W/\"1\"")
        .body(axum::body::Body::empty())
        .unwrap();
    let again = cis_testkit::http::read(
        tower::ServiceExt::oneshot(app.router.clone(), request)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again.status.as_u16(), 304);
    let page = scim_body(
        &app.get_as("/scim/v2/Users?startIndex=2&count=2", FULL)
            .await,
        200,
    );
    assert_eq!(page["itemsPerPage"], 2);
    assert_eq!(page["Resources"][0]["id"], list["Resources"][1]["id"]);
    let missing = app.get_as("/scim/v2/Users/no-such-uuid", FULL).await;
    assert_eq!(scim_body(&missing, 404)["status"], "404");
}

#[tokio::test]
async fn a_public_caller_sees_and_finds_only_public_attributes() {
    let (app, people) = populated(3).await;
    let public = ["classification:public", "display:public"];
    // Each User is exactly the mapping of what the Person API shows the same token.
    for person in &people {
        let id = uuid_of(person);
        for scopes in [&public[..], FULL] {
            let shown = app
                .get_as(
                    &format!("/v2/user/user_id/{}?active=any", encode(&person.user_id)),
                    scopes,
                )
                .await
                .json();
            let context = cis_scim::user::UserContext {
                base: "http://localhost/scim/v2",
                version: Some(1),
            };
            let expected = cis_scim::user::to_user(&shown, context).unwrap();
            let scim = scim_body(
                &app.get_as(&format!("/scim/v2/Users/{id}"), scopes).await,
                200,
            );
            assert_eq!(scim, expected);
        }
    }
    let email = people[0].profile.primary_email().unwrap().to_string();
    let by_email = format!(
        "/scim/v2/Users?filter={}",
        encode(&format!("userName eq \"{email}\""))
    );
    assert_eq!(
        scim_body(&app.get_as(&by_email, FULL).await, 200)["totalResults"],
        1
    );
    assert_eq!(
        scim_body(&app.get_as(&by_email, &public).await, 200)["totalResults"],
        0,
        "a hidden attribute finds nobody"
    );
}

#[tokio::test]
async fn equality_filters_on_identifiers_read_indexes_not_the_whole_vault() {
    let inner: Arc<dyn Vault> = Arc::new(MemoryVault::new());
    let people = population(4);
    store_all(inner.as_ref(), &people).await;
    let faulty = Arc::new(FaultyVault::new(inner));
    faulty.fail(Op::ListProfiles, VaultError::unavailable("walks are off"));
    let app = app(faulty.clone());
    let person = &people[1];
    for filter in [
        format!("externalId eq \"{}\"", person.user_id),
        format!("id eq \"{}\"", uuid_of(person)),
        format!(
            "userName eq \"{}\" and active eq {}",
            person.profile.primary_email().unwrap(),
            person.active
        ),
    ] {
        let uri = format!("/scim/v2/Users?filter={}", encode(&filter));
        let body = scim_body(&app.get_as(&uri, FULL).await, 200);
        assert_eq!(body["totalResults"], 1, "{filter}");
    }
    assert_eq!(faulty.calls(Op::ListProfiles), 0);
    let walk = app.get_as("/scim/v2/Users?filter=title%20pr", FULL).await;
    assert_eq!(scim_body(&walk, 503)["status"], "503");
}

#[tokio::test]
async fn groups_list_their_visible_members() {
    let (app, people) = populated(9).await;
    let moco = people.iter().filter(|p| p.moco).count();
    let group = scim_body(
        &app.get_as("/scim/v2/Groups/ldap:team_moco", FULL).await,
        200,
    );
    assert_eq!(group["displayName"], "team_moco");
    assert_eq!(group["members"].as_array().unwrap().len(), moco);
    let list = scim_body(
        &app.get_as(
            "/scim/v2/Groups?filter=displayName%20eq%20%22team_moco%22",
            FULL,
        )
        .await,
        200,
    );
    assert_eq!(list["totalResults"], 1);
    assert_eq!(list["Resources"][0]["members"], group["members"]);
    let unknown = app.get_as("/scim/v2/Groups/ldap:no_such_group", FULL).await;
    scim_body(&unknown, 404);
    scim_body(&app.get_as("/scim/v2/Groups/hris:x", FULL).await, 404);
}

#[tokio::test]
async fn refusals_are_scim_errors() {
    let (app, _) = populated(1).await;
    let anonymous = app.get("/scim/v2/Users", None).await;
    let body = scim_body(&anonymous, 401);
    assert_eq!(body["schemas"][0], cis_scim::ERROR_SCHEMA);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    let bad = app
        .get_as("/scim/v2/Users?filter=userName%20xx%20%22a%22", FULL)
        .await;
    assert_eq!(scim_body(&bad, 400)["scimType"], "invalidFilter");
    let both = app
        .get_as(
            "/scim/v2/Users?attributes=userName&excludedAttributes=name",
            FULL,
        )
        .await;
    assert_eq!(scim_body(&both, 400)["scimType"], "invalidValue");
    let auth = app.bearer(FULL);
    for (method, uri) in [
        (Method::POST, "/scim/v2/Users"),
        (Method::PUT, "/scim/v2/Users/x"),
        (Method::PATCH, "/scim/v2/Users/x"),
        (Method::DELETE, "/scim/v2/Users/x"),
        (Method::POST, "/scim/v2/Groups"),
        (Method::POST, "/scim/v2/Bulk"),
    ] {
        let answer = app.send(method.clone(), uri, Some(&auth)).await;
        assert!(
            scim_body(&answer, 403)["detail"]
                .as_str()
                .unwrap()
                .contains("read-only"),
            "{method} {uri}"
        );
    }
    let schemas = app
        .send(Method::POST, "/scim/v2/Schemas", Some(&auth))
        .await;
    scim_body(&schemas, 405);
    assert_eq!(schemas.header("allow"), Some("GET"));
    scim_body(&app.get_as("/scim/v2/Nothing", FULL).await, 404);
    // Discovery needs no token.
    let config = scim_body(&app.get("/scim/v2/ServiceProviderConfig", None).await, 200);
    assert_eq!(config["etag"]["supported"], true);
    let types = scim_body(&app.get("/scim/v2/ResourceTypes/User", None).await, 200);
    assert_eq!(types["endpoint"], "/Users");
}
