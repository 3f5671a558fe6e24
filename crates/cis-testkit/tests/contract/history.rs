//! Contract behaviour of the change history (`StatusStore::changes_of`): one user's records only, newest
//! first by `processed_at` then sequence number, paged with an opaque cursor, the origin read back whole,
//! and limits and cursors checked.

use super::{Subject, status};
use cis_identity_vault::{ChangeOrigin, ChangeState, Condition, HistoryQuery, VaultError};

pub async fn a_users_change_history_is_newest_first_paged_and_carries_its_origin(s: Subject) {
    let v = &*s.vault;
    let user = "ad|Mozilla-LDAP|history";
    let times = [
        (
            "100",
            "2026-01-15T10:00:00.100Z",
            ChangeState::Processed,
            "ldap",
        ),
        (
            "300",
            "2026-01-15T10:00:00.300Z",
            ChangeState::Failed,
            "hris",
        ),
        (
            "200",
            "2026-01-15T10:00:00.200Z",
            ChangeState::Noop,
            "mozilliansorg",
        ),
        (
            "201",
            "2026-01-15T10:00:00.200Z",
            ChangeState::Processed,
            "hris",
        ),
    ];
    for (seq, at, state, publisher) in times {
        let mut record = status(seq, user, Condition::Update);
        record.processed_at = at.into();
        record.state = state;
        record.origin = ChangeOrigin {
            client_id: Some(format!("{publisher}-publisher")),
            publishers: vec![publisher.to_string()],
            changed: vec!["first_name".into(), "staff_information.title".into()],
        };
        v.put_status(record).await.unwrap();
    }
    v.put_status(status("999", "github|other", Condition::Create))
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut query = HistoryQuery {
        cursor: None,
        limit: 3,
    };
    let first = v.changes_of(user, &query).await.unwrap();
    assert_eq!(first.items.len(), 3);
    assert!(first.next.is_some());
    seen.extend(first.items.iter().map(|r| r.sequence_number.clone()));
    let top = &first.items[0];
    assert_eq!(top.origin.client_id.as_deref(), Some("hris-publisher"));
    assert_eq!(top.origin.publishers, ["hris"]);
    assert_eq!(
        top.origin.changed,
        ["first_name", "staff_information.title"]
    );
    query.cursor = first.next;
    let second = v.changes_of(user, &query).await.unwrap();
    seen.extend(second.items.iter().map(|r| r.sequence_number.clone()));
    assert!(second.next.is_none(), "{:?}", second.next);
    assert_eq!(seen, ["300", "201", "200", "100"]);

    let nobody = v
        .changes_of(
            "github|nobody",
            &HistoryQuery {
                cursor: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(nobody.items.is_empty() && nobody.next.is_none());
    let zero = v
        .changes_of(
            user,
            &HistoryQuery {
                cursor: None,
                limit: 0,
            },
        )
        .await;
    assert!(
        matches!(zero, Err(VaultError::InvalidRequest(_))),
        "{zero:?}"
    );
    let bad = HistoryQuery {
        cursor: Some(cis_identity_vault::Cursor("%%%".into())),
        limit: 2,
    };
    assert_eq!(
        v.changes_of(user, &bad).await,
        Err(VaultError::InvalidCursor)
    );
}

/// A poison record names no user: its status record is stored and read back (DynamoDB refuses an empty
/// string as the history index's key, so the adapter must leave the attribute out), and no user's history
/// shows it.
pub async fn a_status_record_without_a_user_is_stored_and_in_no_history(s: Subject) {
    let v = &*s.vault;
    let mut record = status("555", "", Condition::Create);
    record.state = ChangeState::Failed;
    v.put_status(record.clone()).await.unwrap();
    assert_eq!(v.get_status("555").await.unwrap(), Some(record));
    let query = HistoryQuery {
        cursor: None,
        limit: 10,
    };
    let none = v.changes_of("", &query).await;
    assert!(
        matches!(none, Err(VaultError::InvalidRequest(_))),
        "{none:?}"
    );
}
