//! Under `cis serve`, each API follows its own local-only `jwt_validation` switch (`[cis] jwt_validation`
//! for the Change API, `[person_api] jwt_validation` for the Person API), as the Lambda functions do: the
//! same start-up code decides for both (docs/architecture.md, "where each decision is made").

use cis_e2e::{Service, write_config};
use serde_json::json;

#[tokio::test]
async fn each_api_follows_its_own_jwt_validation_switch() {
    for (change_on, person_on) in [(true, false), (false, true), (false, false)] {
        let dir = tempfile::tempdir().unwrap();
        let ini = format!(
            "[cis]\nenvironment = local\njwt_validation = {change_on}\n\n[person_api]\njwt_validation = {person_on}\n"
        );
        let config = write_config(dir.path(), &ini);
        let config = config.to_str().unwrap();
        let service = Service::start(dir.path(), &["--config", config]);
        let api = service.api();
        // No token at all: refused (401) where validation is on, judged on its merits where it is off.
        let change = api.post_user(None, &json!({"not": "a profile"})).await;
        let expected = if change_on { 401 } else { 400 };
        assert_eq!(
            change.status, expected,
            "change_on={change_on}: {}",
            change.body
        );
        let person = api.user(None, "ad|Mozilla-LDAP|nobody").await;
        let expected = if person_on { 401 } else { 404 };
        assert_eq!(
            person.status, expected,
            "person_on={person_on}: {}",
            person.body
        );
    }
}
