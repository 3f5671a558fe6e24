//! A user's change history (docs/change-api.md, "Change history"): two publishers' changes through a real
//! `cis serve`, listed by `GET /v2/changes` newest first with their clients, publishers and paths, paged;
//! the scope is required; `cis changes --user` shows the same.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_e2e::profiles::{ldap_user_id, new_staff_user, signed_by, update};
use cis_e2e::{Service, cis};
use cis_profile::Publisher;
use serde_json::{Value, json};

#[tokio::test]
async fn the_history_shows_two_publishers_changes_in_order_with_their_paths() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let ldap_token = service.token_as("ldap-publisher", "write");
    let hris_token = service.token_as("hris-publisher", "write");
    let ldap = service.publisher_key(Publisher::Ldap);
    let hris = service.publisher_key(Publisher::Hris);
    let user_id = ldap_user_id("history", 1);
    let created = signed_by(new_staff_user(&user_id, 61), Publisher::Ldap, &ldap, None);
    api.publish_processed(&ldap_token, &created.to_value(), "create")
        .await;
    let title = update(
        &created,
        Publisher::Hris,
        &hris,
        &[("staff_information.title", json!("Historian"))],
    );
    api.publish_processed(&hris_token, &title.to_value(), "update")
        .await;
    // A change the Change API refuses is answered at once and leaves no record.
    let mut forged = title.to_value();
    forged["staff_information"]["title"]["value"] = json!("Forger");
    let refused = api.post_user(Some(&hris_token), &forged).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    let http = reqwest::Client::new();
    let get = |token: String, query: String| {
        let (http, url) = (
            http.clone(),
            format!("{}/v2/changes?{query}", service.change_url),
        );
        async move {
            let reply = http.get(url).bearer_auth(token).send().await.unwrap();
            let status = reply.status().as_u16();
            (status, reply.json::<Value>().await.unwrap())
        }
    };
    let encoded = cis_e2e::api::encode(&user_id);
    let reader = service.token("read:changes");
    let (status, page) = get(reader.clone(), format!("userId={encoded}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["user_id"], user_id.as_str());
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(
        changes.len(),
        2,
        "the refused request wrote nothing: {page}"
    );
    let (newest, oldest) = (&changes[0], &changes[1]);
    assert_eq!(
        (newest["condition"].as_str(), newest["state"].as_str()),
        (Some("update"), Some("processed"))
    );
    assert_eq!(newest["client_id"], "hris-publisher");
    assert_eq!(newest["publishers"], json!(["hris"]));
    assert_eq!(newest["changed"], json!(["staff_information.title"]));
    assert_eq!(
        (oldest["condition"].as_str(), oldest["client_id"].as_str()),
        (Some("create"), Some("ldap-publisher"))
    );
    assert_eq!(oldest["publishers"], json!(["ldap"]));
    assert!(
        oldest["changed"]
            .as_array()
            .unwrap()
            .contains(&json!("first_name")),
        "{oldest}"
    );
    assert!(newest["processed_at"].as_str() > oldest["processed_at"].as_str());
    assert!(page["nextPage"].is_null());
    assert!(
        !page.to_string().contains("Historian"),
        "no attribute value in the history"
    );

    let (status, first) = get(reader.clone(), format!("userId={encoded}&pageSize=1")).await;
    assert_eq!(
        (status, first["changes"].as_array().unwrap().len()),
        (200, 1)
    );
    let token = first["nextPage"]["id"].as_str().unwrap().to_string();
    let (_, second) = get(
        reader.clone(),
        format!("userId={encoded}&pageSize=1&nextPage={token}"),
    )
    .await;
    assert_eq!(second["changes"][0]["condition"], "create");

    let (status, body) = get(service.token("write"), format!("userId={encoded}")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("scope_missing")),
        "{body}"
    );
    let (status, body) = get(reader.clone(), String::new()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );

    let out = cis([
        "changes".as_ref(),
        "--user".as_ref(),
        user_id.as_ref(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("client=hris-publisher publishers=hris changed=staff_information.title"),
        "{text}"
    );
    assert!(
        lines[1].contains("create") && lines[1].contains("client=ldap-publisher"),
        "{text}"
    );
}
