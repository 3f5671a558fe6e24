//! `nextPage` tokens: opaque to clients, base64url (no padding) of a small JSON envelope
//! `{"v": 1, "r": "<route>", "c": "<vault cursor>"}` that wraps the vault's [`Cursor`] and names the route
//! that issued it, so a token given to another route is refused (400) instead of silently meaning
//! something else there.
//!
//! Answers carry the token in the original's object shape, `"nextPage": {"id": "<token>"}`
//! (docs/contract/decisions.md §3.5). What comes back is accepted in every form clients send: the object as
//! JSON or as a Python literal (`str(dict)`, [`crate::legacy`]), or the bare token. The original's own
//! values are accepted too: on `/v2/users` the object holding a user_id, on the other routes a plain user_id
//! — each meaning "continue after this user_id", which is what the vault's cursors mean too.
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

/// The vault cursor of a `nextPage` value `route` issued, in any of the accepted forms; 400 for anything
/// else (another route's token included).
pub fn decode(route: Route, text: &str) -> Result<Cursor, PersonApiError> {
    let text = text.trim();
    let (inner, in_object) = match legacy_user_id(text) {
        Some(id) => (id, true),
        None => (text.to_string(), false),
    };
    if let Some(envelope) = envelope_of(&inner) {
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
        return Ok(Cursor(envelope.c));
    }
    // The original's values: the object on /v2/users, a plain user_id on the other routes.
    let original_form = match route {
        Route::Users => in_object,
        Route::Ids | Route::Search => !in_object && !inner.is_empty() && !inner.starts_with('{'),
    };
    if original_form {
        return Ok(cis_identity_vault::cursor::encode(&inner));
    }
    Err(PersonApiError::InvalidNextPage(
        "not a pagination token".into(),
    ))
}

fn envelope_of(text: &str) -> Option<Envelope> {
    URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Envelope>(&bytes).ok())
        .filter(|e| e.v == VERSION && !e.c.is_empty())
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
    fn the_object_form_of_a_token_is_accepted_on_every_route_as_json_or_python_literal() {
        let cursor = cis_identity_vault::cursor::encode("ad|Mozilla-LDAP|jdoe");
        for route in [Route::Users, Route::Ids, Route::Search] {
            let token = encode(route, &cursor);
            let json = serde_json::json!({"id": token}).to_string();
            assert_eq!(decode(route, &json).unwrap(), cursor, "{json}");
            let python = format!("{{'id': '{token}'}}");
            assert_eq!(decode(route, &python).unwrap(), cursor, "{python}");
        }
    }

    #[test]
    fn the_originals_own_values_are_accepted_where_it_gave_them() {
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
        // The original's plain user_id on the routes that used it.
        assert_eq!(decode(Route::Search, "github|1").unwrap(), expected);
        assert_eq!(decode(Route::Ids, "github|1").unwrap(), expected);
        assert!(decode(Route::Users, "github|1").is_err());
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
