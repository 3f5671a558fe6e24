//! `DELETE /v2/user`: refused unless the configuration file allows deletes; when allowed, the user is gone
//! from the Person API once the processor handled the delete.

use cis_e2e::api::is_sequence_number;
use cis_e2e::profiles::{ldap_user_id, new_staff_user, signed_by};
use cis_e2e::{Service, write_config};
use cis_profile::Publisher;

const FULL: &str = "read:fullprofile display:all";

#[tokio::test]
async fn a_user_is_deleted_when_the_configuration_file_allows_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[cis]\nallow_delete = true\n");
    let service = Service::start(dir.path(), &["--config", config.to_str().unwrap()]);
    let api = service.api();
    let write = service.token("write");
    let user_id = ldap_user_id("delete", 1);
    let key = service.publisher_key(Publisher::Ldap);
    let profile = signed_by(new_staff_user(&user_id, 21), Publisher::Ldap, &key, None).to_value();
    api.publish_processed(&write, &profile, "create").await;
    let reader = service.token(FULL);
    api.read_user(&reader, &user_id).await;

    let reply = api.delete_user(Some(&write), &profile).await;
    assert_eq!(reply.status, 200, "{}\n{}", reply.body, api.log_tail());
    assert_eq!(reply.body["status"], 200);
    assert_eq!(reply.str("condition"), "delete");
    assert_eq!(
        reply.str("message"),
        format!("user profile deleted for user: {user_id}")
    );
    let number = reply.str("sequence_number").to_string();
    assert!(is_sequence_number(&number), "{}", reply.body);
    api.wait_processed(&write, &number).await;

    let gone = api.user(Some(&reader), &user_id).await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    assert!(gone.body.is_object(), "a JSON error: {}", gone.body);

    // Deleting again: nothing stored any more.
    let again = api.delete_user(Some(&write), &profile).await;
    assert_eq!(again.status, 404, "{}", again.body);
    assert_eq!(again.str("code"), "user_not_found");
}

#[tokio::test]
async fn a_delete_is_refused_with_the_default_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[]);
    let api = service.api();
    let write = service.token("write");
    let user_id = ldap_user_id("keep", 1);
    let key = service.publisher_key(Publisher::Ldap);
    let profile = signed_by(new_staff_user(&user_id, 22), Publisher::Ldap, &key, None).to_value();
    api.publish_processed(&write, &profile, "create").await;

    let reply = api.delete_user(Some(&write), &profile).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.str("code"), "delete_disabled");
    assert_eq!(
        reply.str("description"),
        "Deleting profiles is disabled in this environment"
    );
    api.read_user(&service.token(FULL), &user_id).await;
}
