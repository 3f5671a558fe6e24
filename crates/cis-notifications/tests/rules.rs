//! The pure rules: subscriptions and their filters, payloads, Standard Webhooks signatures, retry verdicts,
//! coalescing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_notifications::retry::{AttemptResult, RetryPolicy, Verdict};
use cis_notifications::store::{Delivery, DeliveryState, NewDelivery, coalesce};
use cis_notifications::subscription::{
    Auth, SubscriptionDefaults, SubscriptionError, from_rp_urls, parse_subscriptions,
};
use cis_notifications::{Event, Operation, WebhookSecret, payload};
use serde_json::{Value, json};
use std::time::Duration;

fn event(operation: Operation, user: &str, changed: &[&str], publishers: &[&str]) -> Event {
    Event {
        event_id: "seq-1".into(),
        operation,
        user_id: user.into(),
        time: 1_551_963_674,
        changed: changed.iter().map(|s| s.to_string()).collect(),
        publishers: publishers.iter().map(|s| s.to_string()).collect(),
    }
}

fn subscription(json: Value) -> cis_notifications::Subscription {
    parse_subscriptions(&json!([json]).to_string(), &SubscriptionDefaults::default())
        .unwrap()
        .remove(0)
}

#[test]
fn subscriptions_take_defaults_and_every_field_is_checked() {
    let s = subscription(
        json!({"name": "dinopark", "url": "https://people.example/events/update", "auth": "oauth"}),
    );
    assert_eq!(
        s.auth,
        Auth::OAuth {
            audience: "hook.dev.sso.allizom.org".into()
        }
    );
    assert_eq!((s.timeout, s.max_attempts), (Duration::from_secs(5), 8));
    assert!(s.operations.is_empty() && s.attributes.is_empty() && !s.legacy_payload);

    let defaults = SubscriptionDefaults::default();
    let scim = parse_subscriptions(
        &json!([{"name": "chat", "url": "scim:chat"}]).to_string(),
        &defaults,
    )
    .unwrap();
    assert_eq!(scim[0].url, "scim:chat", "a SCIM target's per-user sync");
    for (entry, expected) in [
        (json!({"name": "a", "url": "http://rp.example/hook"}), "url"),
        (json!({"name": "a", "url": "ftp://rp.example"}), "url"),
        (json!({"name": "a", "url": "scim:"}), "url"),
        (json!({"name": "a", "url": "scim:a/b"}), "url"),
        (json!({"name": "a b", "url": "https://rp.example"}), "name"),
        (
            json!({"name": "a", "url": "https://rp.example", "auth": "basic"}),
            "auth",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "audience": "x"}),
            "audience",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "signing_secret": "not-whsec"}),
            "signing_secret",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "signing_secret": "whsec_c2hvcnQ="}),
            "signing_secret",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "operations": ["upsert"]}),
            "operations",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "connection_methods": ["ad|x"]}),
            "connection_methods",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "attributes": ["shoe_size"]}),
            "attributes",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "suppress_echo": "dinopark"}),
            "suppress_echo",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "timeout_ms": 10}),
            "timeout_ms",
        ),
        (
            json!({"name": "a", "url": "https://rp.example", "max_attempts": 0}),
            "max_attempts",
        ),
    ] {
        let error = parse_subscriptions(&json!([entry]).to_string(), &defaults).unwrap_err();
        assert!(
            matches!(&error, SubscriptionError::Field { field, .. } if *field == expected),
            "{entry}: {error}"
        );
    }
    let unknown = parse_subscriptions(
        r#"[{"name": "a", "url": "https://rp.example", "urls": []}]"#,
        &defaults,
    );
    assert!(
        unknown
            .unwrap_err()
            .to_string()
            .contains("unknown field `urls`")
    );
    let twice = json!([{"name": "a", "url": "https://a.example"}, {"name": "a", "url": "https://b.example"}]);
    assert_eq!(
        parse_subscriptions(&twice.to_string(), &defaults).unwrap_err(),
        SubscriptionError::DuplicateName("a".into())
    );
    let local = subscription(json!({"name": "local", "url": "http://127.0.0.1:9/hook"}));
    assert_eq!(local.url, "http://127.0.0.1:9/hook");
}

#[test]
fn rp_urls_mean_every_event_oauth_and_the_legacy_payload() {
    let urls = vec![
        "https://people.mozilla.org/events/update".to_string(),
        " https://people.mozilla.org/other ".to_string(),
        String::new(),
    ];
    let subs = from_rp_urls(&urls, &SubscriptionDefaults::default()).unwrap();
    let names: Vec<&str> = subs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["people.mozilla.org", "people.mozilla.org-2"]);
    assert!(
        subs.iter()
            .all(|s| s.legacy_payload && matches!(s.auth, Auth::OAuth { .. }))
    );
}

#[test]
fn filters_choose_operations_connections_attributes_and_suppress_echoes() {
    let all = subscription(json!({"name": "all", "url": "https://rp.example"}));
    let update = event(
        Operation::Update,
        "ad|Mozilla-LDAP|jdoe",
        &["first_name"],
        &["ldap"],
    );
    assert_eq!(all.wants(&update), Some(vec![]));
    let only_last_modified = event(
        Operation::Update,
        "ad|Mozilla-LDAP|jdoe",
        &["last_modified"],
        &["cis"],
    );
    assert_eq!(
        all.wants(&only_last_modified),
        None,
        "a write that changed nothing notifies nobody"
    );

    let deletes =
        subscription(json!({"name": "d", "url": "https://rp.example", "operations": ["delete"]}));
    assert_eq!(deletes.wants(&update), None);
    assert_eq!(
        deletes.wants(&event(Operation::Delete, "ad|x|y", &[], &[])),
        Some(vec![])
    );

    let github = subscription(
        json!({"name": "g", "url": "https://rp.example", "connection_methods": ["github"]}),
    );
    assert_eq!(github.wants(&update), None);
    assert!(
        github
            .wants(&event(
                Operation::Create,
                "github|123",
                &["first_name"],
                &["ldap"]
            ))
            .is_some()
    );

    let access = subscription(json!({"name": "a", "url": "https://rp.example",
        "attributes": ["access_information", "staff_information.title"]}));
    assert_eq!(access.wants(&update), None);
    let changed = event(
        Operation::Update,
        "ad|x|y",
        &[
            "access_information.ldap",
            "first_name",
            "staff_information.title",
            "staff_information.team",
        ],
        &["ldap"],
    );
    assert_eq!(
        access.wants(&changed),
        Some(vec![
            "access_information.ldap".into(),
            "staff_information.title".into()
        ])
    );
    assert_eq!(
        access.wants(&event(Operation::Delete, "ad|x|y", &[], &[])),
        Some(vec![])
    );

    let echo = subscription(
        json!({"name": "e", "url": "https://rp.example", "suppress_echo": "mozilliansorg"}),
    );
    assert_eq!(
        echo.wants(&event(
            Operation::Update,
            "ad|x|y",
            &["usernames"],
            &["mozilliansorg"]
        )),
        None
    );
    assert!(
        echo.wants(&event(
            Operation::Update,
            "ad|x|y",
            &["usernames", "first_name"],
            &["mozilliansorg", "ldap"]
        ))
        .is_some()
    );
    assert!(
        echo.wants(&event(Operation::Delete, "ad|x|y", &[], &[]))
            .is_some()
    );
}

fn delivery(operation: Operation, changed: &[&str]) -> Delivery {
    Delivery {
        id: 7,
        subscription: "s".into(),
        event_id: "seq-1".into(),
        user_id: "ad|Mozilla-LDAP|jdoe".into(),
        operation,
        changed: changed.iter().map(|s| s.to_string()).collect(),
        event_time: 1_551_963_674,
        state: DeliveryState::Pending,
        attempts: 2,
        next_attempt_at: 0,
        last_status: Some(503),
        last_error: None,
        coalesced: 0,
        created_at: 0,
        updated_at: 0,
    }
}

#[test]
fn payloads_are_the_originals_three_members_plus_event_id_and_changed() {
    let d = delivery(Operation::Update, &["staff_information.title"]);
    let legacy =
        subscription(json!({"name": "l", "url": "https://rp.example", "legacy_payload": true}));
    assert_eq!(
        payload::body(&legacy, &d),
        r#"{"operation":"update","id":"ad|Mozilla-LDAP|jdoe","time":1551963674}"#
    );
    let plain = subscription(json!({"name": "p", "url": "https://rp.example"}));
    let body: Value = serde_json::from_str(&payload::body(&plain, &d)).unwrap();
    assert_eq!(
        body,
        json!({"operation": "update", "id": "ad|Mozilla-LDAP|jdoe", "time": 1551963674, "event_id": "seq-1"})
    );
    let filtered = subscription(
        json!({"name": "f", "url": "https://rp.example", "attributes": ["staff_information"]}),
    );
    let body: Value = serde_json::from_str(&payload::body(&filtered, &d)).unwrap();
    assert_eq!(body["changed"], json!(["staff_information.title"]));
}

#[test]
fn signatures_match_the_standard_webhooks_example() {
    // The example of the Standard Webhooks specification and its libraries' tests.
    let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert_eq!(
        secret.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#
        ),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
}

#[test]
fn verdicts_retry_what_a_retry_can_fix_and_nothing_else() {
    let policy = RetryPolicy::default();
    let status = |code| AttemptResult::Status {
        code,
        retry_after: None,
    };
    assert_eq!(policy.verdict(&status(204), 1, 8), Verdict::Delivered);
    for failed in [400, 401, 403, 404, 410, 422] {
        assert_eq!(
            policy.verdict(&status(failed), 1, 8),
            Verdict::Failed,
            "{failed}"
        );
    }
    for retried in [
        status(408),
        status(500),
        status(502),
        status(503),
        AttemptResult::Timeout,
        AttemptResult::Connect("refused".into()),
        AttemptResult::Token("down".into()),
    ] {
        let Verdict::Retry(after) = policy.verdict(&retried, 1, 8) else {
            panic!("{retried:?}")
        };
        assert!(
            (72..=108).contains(&after.as_secs()),
            "{retried:?}: {after:?}"
        );
        assert_eq!(policy.verdict(&retried, 8, 8), Verdict::Dead, "{retried:?}");
    }
    let limited = AttemptResult::Status {
        code: 429,
        retry_after: Some(Duration::from_secs(7)),
    };
    assert_eq!(
        policy.verdict(&limited, 3, 8),
        Verdict::Retry(Duration::from_secs(7))
    );
    let delays: Vec<u64> = (1..8).map(|n| policy.base_delay(n).as_secs()).collect();
    assert_eq!(delays, [90, 270, 810, 2430, 7290, 21870, 43200]);
    let total: u64 = delays.iter().sum();
    assert!(
        (20 * 3600..24 * 3600).contains(&total),
        "{total} s over 8 attempts"
    );
}

fn new(operation: Operation, changed: &[&str]) -> NewDelivery {
    NewDelivery {
        subscription: "s".into(),
        event: Event {
            event_id: "seq-2".into(),
            ..event(operation, "ad|Mozilla-LDAP|jdoe", changed, &["ldap"])
        },
        changed: changed.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn coalescing_keeps_the_latest_operation_and_never_drops_a_delete() {
    let merged = coalesce(
        &delivery(Operation::Create, &["first_name"]),
        &new(Operation::Update, &["last_name", "first_name"]),
    )
    .unwrap();
    assert_eq!(
        (merged.operation, merged.event_id.as_str(), merged.coalesced),
        (Operation::Update, "seq-2", 1)
    );
    assert_eq!(merged.changed, ["first_name", "last_name"]);
    assert_eq!(
        (merged.attempts, merged.last_status),
        (2, Some(503)),
        "the delivery keeps its history"
    );
    let deleted = coalesce(
        &delivery(Operation::Update, &["first_name"]),
        &new(Operation::Delete, &[]),
    )
    .unwrap();
    assert_eq!(
        (deleted.operation, deleted.changed.len()),
        (Operation::Delete, 0)
    );
    assert_eq!(
        coalesce(
            &delivery(Operation::Delete, &[]),
            &new(Operation::Create, &["first_name"])
        ),
        None
    );
    assert!(
        coalesce(
            &delivery(Operation::Delete, &[]),
            &new(Operation::Delete, &[])
        )
        .is_some()
    );
}
