//! The development authorizer of `cis serve`: the OAuth client-credentials flow with the clients of
//! `DIR/clients.json`, its refusals, and the well-known documents — whose publisher keys must be the ones in
//! `DIR/keys/` (a relying party verifies profiles with them).

use cis_crypto::{KeySet, sign_attribute, verify_attribute};
use cis_e2e::Service;
use cis_e2e::profiles::{ldap_user_id, new_staff_user, payload, signed_by};
use cis_profile::{AttrPath, Publisher};
use serde_json::Value;

/// The secret of the development client `client_id`.
fn secret(service: &Service, client_id: &str) -> String {
    let clients = service.clients();
    let client = clients
        .as_array()
        .and_then(|list| list.iter().find(|c| c["client_id"] == client_id))
        .unwrap_or_else(|| panic!("no client {client_id} in clients.json"));
    client["client_secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{client_id} has no secret"))
        .to_string()
}

#[tokio::test]
async fn the_publisher_client_gets_a_token_the_change_api_accepts_and_bad_requests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let session = service.session();
    let change_audience = session["change_audience"].as_str().unwrap();
    let person_audience = session["person_audience"].as_str().unwrap();
    let publisher_secret = secret(&service, "publisher");

    let granted = api
        .oauth_token("publisher", &publisher_secret, change_audience, "write")
        .await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    assert!(
        granted.str("token_type").eq_ignore_ascii_case("bearer"),
        "{}",
        granted.body
    );
    assert_eq!(granted.str("scope"), "write");
    assert!(
        granted.body["expires_in"].as_u64().is_some_and(|s| s > 0),
        "{}",
        granted.body
    );
    let token = granted.str("access_token").to_string();

    let user_id = ldap_user_id("oauth", 1);
    let key = service.publisher_key(Publisher::Ldap);
    let profile = signed_by(new_staff_user(&user_id, 31), Publisher::Ldap, &key, None).to_value();
    api.publish_processed(&token, &profile, "create").await;

    // A relying party reads through the Person API with its own client's token.
    let rp_secret = secret(&service, "relying-party");
    let rp = api
        .oauth_token(
            "relying-party",
            &rp_secret,
            person_audience,
            "classification:public display:public",
        )
        .await;
    assert_eq!(rp.status, 200, "{}", rp.body);
    let seen = api.read_user(rp.str("access_token"), &user_id).await;
    assert!(payload(&seen, "first_name").is_some(), "{seen}");
    assert!(
        payload(&seen, "staff_information.cost_center").is_none(),
        "{seen}"
    );

    let wrong_secret = api
        .oauth_token("publisher", "not-the-secret", change_audience, "write")
        .await;
    assert_eq!(wrong_secret.status, 401, "{}", wrong_secret.body);
    let unknown_client = api
        .oauth_token("nobody", &publisher_secret, change_audience, "write")
        .await;
    assert_eq!(unknown_client.status, 401, "{}", unknown_client.body);
    let scope_not_allowed = api
        .oauth_token(
            "publisher",
            &publisher_secret,
            change_audience,
            "read:fullprofile",
        )
        .await;
    assert_eq!(scope_not_allowed.status, 403, "{}", scope_not_allowed.body);
    let wrong_audience = api
        .oauth_token(
            "publisher",
            &publisher_secret,
            "https://api.example.net",
            "write",
        )
        .await;
    assert_eq!(wrong_audience.status, 403, "{}", wrong_audience.body);
    for refused in [
        &wrong_secret,
        &unknown_client,
        &scope_not_allowed,
        &wrong_audience,
    ] {
        assert!(
            refused.body.get("access_token").is_none(),
            "{}",
            refused.body
        );
    }
}

#[tokio::test]
async fn the_well_known_documents_describe_this_service_and_its_keys_verify_the_data_directorys_signatures()
 {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let session = service.session();
    let well_known = service.well_known();
    assert_eq!(
        well_known["api"]["endpoints"]["change"], session["change_url"],
        "{well_known}"
    );
    assert_eq!(
        well_known["api"]["endpoints"]["person"], session["person_url"],
        "{well_known}"
    );
    assert_eq!(
        well_known["api"]["audience"], session["change_audience"],
        "{well_known}"
    );
    assert_eq!(session["change_url"], service.change_url.as_str());

    let keys = KeySet::from_well_known(&well_known).expect("api.publishers_jwks");
    for publisher in Publisher::ALL {
        assert!(
            !keys.keys_for(publisher.as_str()).is_empty(),
            "no key for {}",
            publisher.as_str()
        );
    }
    // An attribute signed with DIR/keys/ldap.priv.pem verifies against the published ldap keys ...
    let profile = new_staff_user(&ldap_user_id("well-known", 1), 32);
    let mut attr = profile.attr_map(AttrPath::FIRST_NAME).unwrap().clone();
    sign_attribute(
        &mut attr,
        Publisher::Ldap,
        &service.publisher_key(Publisher::Ldap),
    )
    .unwrap();
    assert!(
        verify_attribute(&attr, &keys).is_ok(),
        "{:?}",
        verify_attribute(&attr, &keys)
    );
    // ... and the keys are per publisher: the ldap key does not sign for hris.
    sign_attribute(
        &mut attr,
        Publisher::Hris,
        &service.publisher_key(Publisher::Ldap),
    )
    .unwrap();
    assert!(verify_attribute(&attr, &keys).is_err());

    let jwks = api.auth_get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status, 200);
    assert!(
        jwks.body["keys"].as_array().is_some_and(|k| !k.is_empty()),
        "{}",
        jwks.body
    );
    let openid = api.auth_get("/.well-known/openid-configuration").await;
    assert_eq!(openid.status, 200);
    assert_eq!(openid.body["issuer"], session["issuer"]);
    assert!(
        openid.str("token_endpoint").ends_with("/oauth/token"),
        "{}",
        openid.body
    );
    let rules = api
        .auth_get("/.well-known/mozilla-iam-publisher-rules")
        .await;
    assert_eq!(rules.status, 200);
    assert!(
        rules.body["create"].is_object() && rules.body["update"].is_object(),
        "{}",
        rules.body
    );
    let rules_first_name: &Value = &rules.body["update"]["first_name"];
    assert_eq!(rules_first_name, "mozilliansorg");
}
