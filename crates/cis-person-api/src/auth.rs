//! Who is asking and what they may see: the bearer token (validated by
//! `cis_common::auth::TokenValidator`), the caller's scopes as a `cis_profile::filter::ScopeSet`, and the
//! visibility questions the routes ask beyond whole-profile filtering (one attribute; the id listing's
//! `primary_email`).
//!
//! Every data route needs a valid token; `/v2` and `/v2/version` need none. The attribute search also needs
//! `search:all`. Under the local development bypass the caller has every scope. Never logs the token.

use cis_common::auth::{AuthError, Claims};
use cis_profile::filter::{
    DISPLAY_ALL, READ_FULL_PROFILE, ScopeSet, allowed_classifications, allowed_displays,
    filter_display_set,
};
use cis_profile::{Attr, Display};
use http::HeaderMap;
use serde_json::Value;

use crate::error::PersonApiError;
use crate::state::PersonApiState;

/// The scope the attribute search requires.
pub const SEARCH_ALL: &str = "search:all";

/// The caller of an authenticated request.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// What the profile filter uses.
    pub scopes: ScopeSet,
    /// True under the local development bypass (no token was checked).
    pub bypass: bool,
}

/// Validates the `Authorization` header (401 / 503 on failure).
pub async fn authenticate(
    state: &PersonApiState,
    headers: &HeaderMap,
) -> Result<Caller, PersonApiError> {
    let claims = state.tokens.validate_headers(headers).await?;
    Ok(Caller::from_claims(&claims))
}

impl Caller {
    /// The caller a validated token describes; the bypass sees everything.
    pub fn from_claims(claims: &Claims) -> Caller {
        if claims.scopes.is_all() {
            return Caller {
                scopes: ScopeSet::from_scopes(&[READ_FULL_PROFILE, DISPLAY_ALL, SEARCH_ALL]),
                bypass: true,
            };
        }
        Caller {
            scopes: claims.scopes.iter().map(str::to_owned).collect(),
            bypass: claims.bypass,
        }
    }

    /// A caller with exactly these scopes (tests, tools).
    pub fn with_scopes(scopes: &[&str]) -> Caller {
        Caller {
            scopes: ScopeSet::from_scopes(scopes),
            bypass: false,
        }
    }

    /// 403 `scope_missing` unless the caller has `scope`.
    pub fn require(&self, scope: &str) -> Result<(), PersonApiError> {
        if self.scopes.contains(scope) {
            Ok(())
        } else {
            Err(AuthError::ScopeMissing(scope.to_owned()).into())
        }
    }

    /// Whether the profile filter would keep `attr` for this caller with `filter_display`: the same rule
    /// as `cis_profile::filter::filter`, for one attribute (docs/contract/profile.md §9).
    pub fn sees(&self, attr: Attr<'_>, filter_display: Option<Display>) -> bool {
        if let Some(allowed) = allowed_classifications(&self.scopes)
            && !attr.classification().is_some_and(|c| allowed.contains(c))
        {
            return false;
        }
        let by_scope = allowed_displays(&self.scopes);
        let narrow = filter_display.map(filter_display_set);
        if by_scope.is_none() && narrow.is_none() {
            return true;
        }
        let display = match attr.display_value() {
            Value::Null => None,
            Value::String(text) => match Display::parse(text) {
                Some(level) => Some(level),
                None => return false,
            },
            _ => return false,
        };
        by_scope.is_none_or(|set| set.contains(display))
            && narrow.is_none_or(|set| set.contains(display))
    }

    /// Whether `/v2/users/id/all` may show this caller a user's `primary_email`. The index holds no
    /// attribute metadata, so the answer must hold for any display a `primary_email` can carry (its
    /// classification is always PUBLIC): the caller must see every display level and null, which only
    /// `display:all` grants (the Auth0 publisher sets `private`).
    pub fn sees_any_primary_email(&self) -> bool {
        allowed_displays(&self.scopes).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cis_common::Scopes;
    use serde_json::json;

    fn attr(classification: &str, display: Value) -> serde_json::Map<String, Value> {
        json!({"metadata": {"classification": classification, "display": display}})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn the_bypass_sees_everything_and_may_search() {
        let caller = Caller::from_claims(&Claims::bypass());
        assert!(caller.bypass);
        assert!(caller.require(SEARCH_ALL).is_ok());
        let secret = attr("INDIVIDUAL CONFIDENTIAL", json!("private"));
        assert!(caller.sees(Attr(&secret), None));
        assert!(caller.sees_any_primary_email());
    }

    #[test]
    fn a_token_caller_has_exactly_its_scopes() {
        let claims = Claims {
            sub: None,
            azp: None,
            scopes: Scopes::parse("classification:workgroup display:staff"),
            exp: Some(1.0),
            bypass: false,
        };
        let caller = Caller::from_claims(&claims);
        assert!(caller.require(SEARCH_ALL).is_err());
        assert!(caller.sees(Attr(&attr("WORKGROUP CONFIDENTIAL", json!("staff"))), None));
        assert!(!caller.sees(Attr(&attr("WORKGROUP CONFIDENTIAL", json!("ndaed"))), None));
        assert!(!caller.sees(Attr(&attr("MOZILLA CONFIDENTIAL", json!("staff"))), None));
        assert!(!caller.sees(Attr(&attr("PUBLIC", Value::Null)), None));
        assert!(!caller.sees_any_primary_email());
    }

    #[test]
    fn filter_display_only_narrows() {
        let caller = Caller::with_scopes(&["read:fullprofile", "display:all"]);
        let staff = attr("PUBLIC", json!("staff"));
        assert!(caller.sees(Attr(&staff), None));
        assert!(caller.sees(Attr(&staff), Some(Display::Staff)));
        assert!(!caller.sees(Attr(&staff), Some(Display::Public)));
        assert!(!caller.sees(Attr(&attr("PUBLIC", Value::Null)), Some(Display::Private)));
        let public_only = Caller::with_scopes(&["display:public"]);
        assert!(!public_only.sees(Attr(&staff), Some(Display::Private)));
    }
}
