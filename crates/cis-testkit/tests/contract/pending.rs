//! Contract behaviours of the pending-change marks (`PendingChanges`): marked until cleared by the same
//! change or lapsed, a later change keeps its own mark, users are independent.

use super::{Subject, seq};

const NOW: i64 = 1_800_000_000;

pub async fn a_mark_holds_until_its_change_clears_it_and_a_later_change_keeps_its_own(s: Subject) {
    let v = &*s.vault;
    let user = "ad|Mozilla-LDAP|pending";
    assert_eq!(v.is_pending(user, NOW).await, Ok(false));
    let (first, second) = (seq(), seq());
    v.mark_pending(user, &first, NOW + 3600).await.unwrap();
    assert_eq!(v.is_pending(user, NOW).await, Ok(true));
    assert_eq!(v.is_pending("github|other", NOW).await, Ok(false));
    // A second change of the same user before the first is done.
    v.mark_pending(user, &second, NOW + 3600).await.unwrap();
    v.clear_pending(user, &first).await.unwrap();
    assert_eq!(
        v.is_pending(user, NOW).await,
        Ok(true),
        "the later change still pends"
    );
    v.clear_pending(user, &second).await.unwrap();
    assert_eq!(v.is_pending(user, NOW).await, Ok(false));
    // Clearing what is not marked is harmless.
    v.clear_pending(user, &second).await.unwrap();
}

pub async fn a_mark_left_behind_lapses_at_its_expiry(s: Subject) {
    let v = &*s.vault;
    let user = "github|lapsed";
    v.mark_pending(user, &seq(), NOW + 10).await.unwrap();
    assert_eq!(v.is_pending(user, NOW + 9).await, Ok(true));
    assert_eq!(v.is_pending(user, NOW + 10).await, Ok(false));
}
