//! `nextPage` tokens: opaque to clients, base64url (no padding) of a small JSON envelope
//! `{"v": 1, "r": "<route>", "c": "<vault cursor>"}` that wraps the vault's [`Cursor`] and names the route
//! that issued it, so a token given to another route is refused (400) instead of silently meaning
//! something else there.
//!
//! `/v2/users` also accepts the original's forms (`{"id": "<user_id>"}` as JSON or as a Python literal,
//! [`crate::legacy`]): "continue after this user_id", which is what the vault's cursors mean too.
//! Tokens carry no secret and need none: a forged token can only move where a walk starts, and every
//! result is filtered as usual.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cis_identity_vault::Cursor;
use serde::{Deserialize, Serialize};

use crate::error::PersonApiError;
use crate::legacy::legacy_user_id;

const VERSION: u8 = 1;

/// The routes that page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /v2/users`.
    Users,
    /// `GET /v2/users/id/all`.
    Ids,
    /// `GET /v2/users/id/all/by_attribute_contains`.
    Search,
}

impl Route {
    fn tag(self) -> &'static str {
        match self {
            Route::Users => "users",
            Route::Ids => "ids",
            Route::Search => "search",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Route::Users => "/v2/users",
            Route::Ids => "/v2/users/id/all",
            Route::Search => "/v2/users/id/all/by_attribute_contains",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    v: u8,
    r: String,
    c: String,
}

/// The `nextPage` token of `route` for the vault's `cursor`.
pub fn encode(route: Route, cursor: &Cursor) -> String {
    let envelope = Envelope {
        v: VERSION,
        r: route.tag().to_owned(),
        c: cursor.0.clone(),
    };
    // Serialising two strings and a number cannot fail.
    let json = serde_json::to_vec(&envelope).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// The vault cursor of a token `route` issued; 400 for anything else (another route's token included).
/// On `/v2/users` the legacy `{"id": ...}` forms are accepted too.
pub fn decode(route: Route, text: &str) -> Result<Cursor, PersonApiError> {
    let text = text.trim();
    if route == Route::Users
        && let Some(user_id) = legacy_user_id(text)
    {
        return Ok(cis_identity_vault::cursor::encode(&user_id));
    }
    let envelope = URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Envelope>(&bytes).ok())
        .filter(|e| e.v == VERSION && !e.c.is_empty())
        .ok_or_else(|| PersonApiError::InvalidNextPage("not a pagination token".into()))?;
    if envelope.r != route.tag() {
        let issuer = [Route::Users, Route::Ids, Route::Search]
            .into_iter()
            .find(|r| r.tag() == envelope.r)
            .map_or("another route", Route::path);
        return Err(PersonApiError::InvalidNextPage(format!(
            "this token was issued by {issuer}, not {}",
            route.path()
        )));
    }
    Ok(Cursor(envelope.c))
}

/// The optional `nextPage` of a request, decoded for `route`.
pub fn decode_opt(route: Route, text: Option<&str>) -> Result<Option<Cursor>, PersonApiError> {
    text.map(|t| decode(route, t)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_on_its_route_and_is_url_safe() {
        let cursor = cis_identity_vault::cursor::encode("ad|Mozilla-LDAP|jdoe");
        for route in [Route::Users, Route::Ids, Route::Search] {
            let token = encode(route, &cursor);
            assert!(
                token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
            assert_eq!(decode(route, &token).unwrap(), cursor);
        }
    }

    #[test]
    fn a_token_of_another_route_is_refused_naming_its_route() {
        let token = encode(Route::Ids, &Cursor("abc".into()));
        let error = decode(Route::Users, &token).unwrap_err();
        assert!(error.to_string().contains("/v2/users/id/all"), "{error}");
        assert!(decode(Route::Search, &token).is_err());
    }

    #[test]
    fn legacy_forms_are_accepted_on_v2_users_only() {
        let expected = cis_identity_vault::cursor::encode("github|1");
        assert_eq!(
            decode(Route::Users, r#"{"id": "github|1"}"#).unwrap(),
            expected
        );
        assert_eq!(
            decode(Route::Users, "{'id': 'github|1'}").unwrap(),
            expected
        );
        assert!(decode(Route::Ids, r#"{"id": "github|1"}"#).is_err());
        assert!(decode(Route::Search, "github|1").is_err());
    }

    #[test]
    fn garbage_is_refused() {
        for text in [
            "",
            "%%%",
            "e30",
            "github|1",
            "eyJ2IjoyLCJyIjoidXNlcnMiLCJjIjoiYSJ9",
        ] {
            assert!(decode(Route::Users, text).is_err(), "{text}");
        }
    }
}
