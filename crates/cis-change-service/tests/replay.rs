//! Signatures replayed onto another person, by a client holding `write` but no publisher's key
//! (docs/security.md). Attribute signatures cover the attribute, not the person: every copy below verifies.
//! What refuses them is the binding of clients to publishers, and that no client changes a `cis`-signed
//! attribute — in stream mode and in direct mode, one by one and in batches. A publisher echoing the
//! stored `cis`-signed attributes back with its own change is still accepted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cis_profile::{AttrPath, Profile, Publisher};
use common::*;
use http::Method;
use serde_json::{Value, json};

/// DinoPark publishes as mozilliansorg, the HR feed as hris, the directory as ldap; `intruder` holds
/// `write` and is bound to no publisher.
const BINDING: &str =
    r#"{"dinopark": ["mozilliansorg"], "hr": ["hris"], "directory": ["ldap"], "intruder": []}"#;
const ROSE: &str = "ad|Mozilla-LDAP|rose";
const VICTOR: &str = "ad|Mozilla-LDAP|victor";
const IVY: &str = "ad|Mozilla-LDAP|ivy";

fn app(direct: bool) -> TestApp {
    spawn_app_with(Options {
        direct: true,
        allow_delete: true,
        binding: Some(BINDING),
        ..Options::default()
    })
    .with_mode(direct)
}

trait Mode {
    fn with_mode(self, direct: bool) -> TestApp;
}

impl Mode for TestApp {
    /// The users are stored through a direct-mode app; a stream-mode app over the same vault then judges
    /// the replays (its checks are the same; only the hand-off differs).
    fn with_mode(self, direct: bool) -> TestApp {
        if direct {
            return self;
        }
        let options = Options {
            allow_delete: true,
            binding: Some(BINDING),
            ..Options::default()
        };
        let state = state_for(
            &options,
            self.vault.clone(),
            self.stream.clone(),
            &self.issuer,
        );
        TestApp {
            router: cis_change_service::router(state),
            ..self
        }
    }
}

async fn send(app: &TestApp, method: Method, uri: &str, client: &str, body: &Value) -> Answer {
    let auth = app.writer_as(client);
    let body = serde_json::to_vec(body).unwrap();
    app.send(
        method,
        uri,
        Some(&auth),
        Some(body),
        Some("application/json"),
    )
    .await
}

/// Rose (first_name by mozilliansorg), Victor (active) and Ivy (deactivated by hris) are stored.
async fn people(direct: bool) -> TestApp {
    let store = spawn_app_with(Options {
        direct: true,
        binding: Some(BINDING),
        ..Options::default()
    });
    for user in [ROSE, VICTOR, IVY] {
        let answer = send(
            &store,
            Method::POST,
            "/v2/user",
            "directory",
            &new_user(user).to_value(),
        )
        .await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    }
    let rename = change(
        ROSE,
        "first_name",
        Publisher::Mozilliansorg,
        json!("Rosalind"),
    );
    let answer = send(
        &store,
        Method::POST,
        "/v2/user",
        "dinopark",
        &rename.to_value(),
    )
    .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    let off = change(IVY, "active", Publisher::Hris, json!(false));
    let answer = send(&store, Method::POST, "/v2/user", "hr", &off.to_value()).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    let vault = store.vault.clone();
    let app = app(direct);
    for user in [ROSE, VICTOR, IVY] {
        let item = vault.item(user).unwrap().stored;
        app.vault
            .insert_unversioned(item.profile, item.sequence_number)
            .unwrap();
    }
    app
}

fn stored(app: &TestApp, user: &str) -> Profile {
    app.vault.item(user).unwrap().stored.profile
}

/// Victor's user_id (his own, signed by ldap) with `attrs` copied in from elsewhere.
fn victor_with(app: &TestApp, attrs: &[(AttrPath, &Profile, AttrPath)]) -> Value {
    let mut body = Profile::null();
    body.set_attr(
        AttrPath::USER_ID,
        stored(app, VICTOR).attr_or_null(AttrPath::USER_ID),
    );
    for (to, from, at) in attrs {
        body.set_attr(*to, from.attr_or_null(*at));
    }
    body.into_value()
}

fn assert_refused(answer: &Answer, what: &str) {
    let description = answer.assert_error(403, "invalid_publisher");
    assert!(description.contains(what), "{description}");
}

#[tokio::test]
async fn a_copied_signed_attribute_is_refused_for_a_client_not_bound_to_its_publisher() {
    for direct in [false, true] {
        let app = people(direct).await;
        let rose = stored(&app, ROSE);
        // Rose's mozilliansorg-signed first_name, posted for Victor.
        let body = victor_with(&app, &[(AttrPath::FIRST_NAME, &rose, AttrPath::FIRST_NAME)]);
        let answer = send(&app, Method::POST, "/v2/user", "intruder", &body).await;
        assert_refused(&answer, "first_name: signed by mozilliansorg");
        // ... and as his last_name.
        let body = victor_with(&app, &[(AttrPath::LAST_NAME, &rose, AttrPath::FIRST_NAME)]);
        let answer = send(&app, Method::POST, "/v2/user", "intruder", &body).await;
        assert_refused(&answer, "last_name: signed by mozilliansorg");
        // The directory's client is bound to ldap only.
        let answer = send(&app, Method::POST, "/v2/user", "directory", &body).await;
        assert_refused(&answer, "client directory");
        assert_eq!(stored(&app, VICTOR).value_str(AttrPath::LAST_NAME), None);
        assert!(app.stream.is_empty(), "nothing queued");
    }
}

#[tokio::test]
async fn a_copied_cis_signed_active_neither_deactivates_nor_reactivates_anyone() {
    for direct in [false, true] {
        let app = people(direct).await;
        let (ivy, victor) = (stored(&app, IVY), stored(&app, VICTOR));
        assert_eq!(
            ivy.attr(AttrPath::ACTIVE).unwrap().publisher(),
            Some(Publisher::Cis)
        );
        // Ivy's cis-signed `active: false`, posted for Victor — by any client, bound or not.
        for client in ["intruder", "hr", "directory"] {
            let body = victor_with(&app, &[(AttrPath::ACTIVE, &ivy, AttrPath::ACTIVE)]);
            let answer = send(&app, Method::POST, "/v2/user", client, &body).await;
            assert_refused(&answer, "active: a change signed by cis");
        }
        // Victor's cis-signed `active: true`, posted for Ivy.
        let mut body = Profile::null();
        body.set_attr(AttrPath::USER_ID, ivy.attr_or_null(AttrPath::USER_ID));
        body.set_attr(AttrPath::ACTIVE, victor.attr_or_null(AttrPath::ACTIVE));
        let answer = send(&app, Method::POST, "/v2/user", "hr", &body.into_value()).await;
        assert_refused(&answer, "active: a change signed by cis");
        assert_eq!(stored(&app, VICTOR).active(), Some(true));
        assert_eq!(stored(&app, IVY).active(), Some(false));
    }
}

#[tokio::test]
async fn a_delete_with_a_copied_cis_signed_active_is_refused() {
    for direct in [false, true] {
        let app = people(direct).await;
        // Everything a relying party can read of Victor: his stored profile, cis-signed active included.
        let body = stored(&app, VICTOR).into_value();
        for client in ["intruder", "hr", "directory"] {
            let answer = send(&app, Method::DELETE, "/v2/user", client, &body).await;
            assert_refused(
                &answer,
                "[delete] cis is NOT allowed to publish field active",
            );
        }
        // A directory publisher's own `active` claim, from a client bound to another publisher.
        let claim = change(VICTOR, "active", Publisher::Ldap, json!(false)).into_value();
        let answer = send(&app, Method::DELETE, "/v2/user", "hr", &claim).await;
        assert_refused(
            &answer,
            "[delete] ldap is NOT allowed to publish field active",
        );
        assert!(app.vault.item(VICTOR).is_some());
        // The same claim from the directory's own client deletes.
        let answer = send(&app, Method::DELETE, "/v2/user", "directory", &claim).await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
    }
}

#[tokio::test]
async fn replays_in_a_batch_are_refused_item_by_item_and_the_batch_answers_403() {
    for direct in [false, true] {
        let app = people(direct).await;
        let (rose, ivy) = (stored(&app, ROSE), stored(&app, IVY));
        // Rose's stored profile echoed back (nothing changes: a no-op), then the replay onto Victor.
        let batch = json!([
            rose.to_value(),
            victor_with(&app, &[(AttrPath::LAST_NAME, &rose, AttrPath::FIRST_NAME)]),
        ]);
        let answer = send(&app, Method::POST, "/v2/users", "intruder", &batch).await;
        assert_eq!(answer.status.as_u16(), 403, "{}", answer.text());
        let items = answer.json();
        assert_eq!(items[0]["status_code"], 202);
        assert_eq!(items[1]["code"], "invalid_publisher");
        let mut ivy_active = Profile::null();
        ivy_active.set_attr(
            AttrPath::USER_ID,
            stored(&app, VICTOR).attr_or_null(AttrPath::USER_ID),
        );
        ivy_active.set_attr(AttrPath::ACTIVE, ivy.attr_or_null(AttrPath::ACTIVE));
        let answer = send(
            &app,
            Method::POST,
            "/v2/users",
            "hr",
            &json!([ivy_active.into_value()]),
        )
        .await;
        assert_eq!(answer.status.as_u16(), 403, "{}", answer.text());
        assert_eq!(stored(&app, VICTOR).active(), Some(true));
    }
}

#[tokio::test]
async fn a_publisher_echoing_the_stored_cis_signed_attributes_with_its_own_change_is_accepted() {
    for direct in [false, true] {
        let app = people(direct).await;
        // DinoPark reads Rose's whole profile, changes her fun_title and sends everything back: uuid,
        // primary_username, active, last_modified and created as CIS signed them.
        let mut body = stored(&app, ROSE);
        set_signed(
            &mut body,
            AttrPath::parse("fun_title").unwrap(),
            json!("Gardener"),
            Publisher::Mozilliansorg,
            &publisher_key(),
        );
        let answer = send(
            &app,
            Method::POST,
            "/v2/user",
            "dinopark",
            &body.into_value(),
        )
        .await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
        assert_eq!(answer.json()["condition"], "update");
    }
}
