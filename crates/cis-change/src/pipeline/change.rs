//! [`Change`]: one profile a publisher sent, schema-checked, with the user it changes resolved once into a
//! [`UserId`] (docs/contract/change-api.md §4 steps 3–4).
//!
//! Owns the `validate_schema` switch and the user_id rule (query or envelope vs body), so that the Change
//! API's single, batch and delete routes and the processor decide both the same way, in one place.

use super::Pipeline;
use super::binding::Caller;
use crate::rejection::Rejection;
use cis_profile::{Profile, ProfileError, UserId};
use serde_json::Value;

/// A schema-checked profile, the user it is for, and who sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub user_id: UserId,
    pub profile: Profile,
    pub caller: Caller,
}

impl Pipeline {
    /// Step 3, both validation layers (or only the structure when `validate_schema` is off, local only),
    /// then step 4: `named` is the user the request names outside the body (the query's `user_id`, the
    /// envelope's `user_id`); see [`resolve_user`]. `caller` is who sent it (the token's client, the
    /// envelope's `client_id`).
    pub fn parse_change(
        &self,
        document: Value,
        named: Option<&str>,
        caller: Caller,
    ) -> Result<Change, Rejection> {
        let parsed = if self.deps.switches.validate_schema {
            Profile::from_value(document)
        } else {
            Profile::from_stored(document)
        };
        let profile = parsed.map_err(|e| Rejection::InvalidProfile(first_violation(&e)))?;
        let user_id = resolve_user(named, profile.user_id())?;
        Ok(Change {
            user_id,
            profile,
            caller,
        })
    }
}

/// Step 4: `named` (empty = absent) and the body's `user_id.value` must agree when both are set; the user
/// is `named` if set, else the body's; neither is `user_id_missing`.
pub fn resolve_user(named: Option<&str>, body: Option<&str>) -> Result<UserId, Rejection> {
    let named = named.and_then(UserId::parse);
    let body = body.and_then(UserId::parse);
    match (named, body) {
        (Some(n), Some(b)) if n != b => Err(Rejection::UserIdMismatch),
        (Some(user), _) | (None, Some(user)) => Ok(user),
        (None, None) => Err(Rejection::UserIdMissing),
    }
}

fn first_violation(e: &ProfileError) -> String {
    e.violations()
        .first()
        .map_or_else(|| e.to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> UserId {
        UserId::parse(text).unwrap()
    }

    #[test]
    fn the_named_user_wins_when_the_body_has_none_and_empty_counts_as_absent() {
        assert_eq!(resolve_user(Some("a"), None), Ok(user("a")));
        assert_eq!(resolve_user(None, Some("b")), Ok(user("b")));
        assert_eq!(resolve_user(Some(""), Some("b")), Ok(user("b")));
        assert_eq!(resolve_user(Some("b"), Some("b")), Ok(user("b")));
    }

    #[test]
    fn a_named_user_that_differs_from_the_body_or_no_user_at_all_is_rejected() {
        assert_eq!(
            resolve_user(Some("a"), Some("b")),
            Err(Rejection::UserIdMismatch)
        );
        assert_eq!(resolve_user(None, None), Err(Rejection::UserIdMissing));
        assert_eq!(
            resolve_user(Some(""), Some("")),
            Err(Rejection::UserIdMissing)
        );
    }
}
