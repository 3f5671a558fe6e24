//! [`Claims`]: what a validated token says about the caller, and the claim checks of docs/contract/change-api.md §3 step 4
//! (`exp` required and numeric, `iss` exact, `aud` a string or array containing the audience, `nbf` not in
//! the future, leeway on both time checks; `iat` is not checked).
//!
//! Pure: the current time is a parameter. No signature checking here (`validator.rs`).

use serde_json::{Map, Value};

use super::{AuthError, INCORRECT_CLAIMS, Scopes};

/// The caller as a validated token (or the development bypass) describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// `sub`: for client-credentials tokens `<client id>@clients`.
    pub sub: Option<String>,
    /// `azp`: the OAuth client the token was issued to.
    pub azp: Option<String>,
    pub scopes: Scopes,
    /// `exp`, seconds since the epoch (absent only under the bypass).
    pub exp: Option<f64>,
    /// True when no token was checked (`environment = local` and `jwt_validation = false`).
    pub bypass: bool,
}

impl Claims {
    /// The development bypass: no token, every scope.
    pub fn bypass() -> Claims {
        Claims {
            sub: None,
            azp: None,
            scopes: Scopes::all(),
            exp: None,
            bypass: true,
        }
    }

    /// A name for logs: `azp`, else `sub`, else `unknown` (never token material).
    pub fn caller(&self) -> &str {
        self.azp
            .as_deref()
            .or(self.sub.as_deref())
            .unwrap_or("unknown")
    }
}

/// What a token must match.
pub(crate) struct Expected<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) audience: &'a str,
    pub(crate) leeway_seconds: f64,
    pub(crate) now_seconds: f64,
}

fn number(payload: &Map<String, Value>, name: &str) -> Result<Option<f64>, AuthError> {
    match payload.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| AuthError::InvalidClaims(format!("claim {name} must be a number"))),
        Some(_) => Err(AuthError::InvalidClaims(format!(
            "claim {name} must be a number"
        ))),
    }
}

fn optional_string(payload: &Map<String, Value>, name: &str) -> Option<String> {
    payload.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn audience_matches(aud: Option<&Value>, audience: &str) -> bool {
    match aud {
        Some(Value::String(one)) => one == audience,
        Some(Value::Array(many)) => {
            many.iter().all(Value::is_string) && many.iter().any(|v| v.as_str() == Some(audience))
        }
        _ => false,
    }
}

/// Checks the claims in the order of docs/contract/change-api.md §3 step 4 and returns what the caller needs.
pub(crate) fn check(
    payload: &Map<String, Value>,
    expected: &Expected<'_>,
) -> Result<Claims, AuthError> {
    let exp = number(payload, "exp")?
        .ok_or_else(|| AuthError::InvalidClaims("token has no exp claim".into()))?;
    if expected.now_seconds > exp + expected.leeway_seconds {
        return Err(AuthError::Expired);
    }
    if payload.get("iss").and_then(Value::as_str) != Some(expected.issuer)
        || !audience_matches(payload.get("aud"), expected.audience)
    {
        return Err(AuthError::InvalidClaims(INCORRECT_CLAIMS.into()));
    }
    if let Some(nbf) = number(payload, "nbf")?
        && nbf > expected.now_seconds + expected.leeway_seconds
    {
        return Err(AuthError::InvalidClaims(
            "claim nbf is in the future: token not valid yet".into(),
        ));
    }
    let scopes = match payload.get("scope") {
        None | Some(Value::Null) => Scopes::none(),
        Some(Value::String(text)) => Scopes::parse(text),
        Some(_) => {
            return Err(AuthError::InvalidClaims(
                "claim scope must be a string".into(),
            ));
        }
    };
    Ok(Claims {
        sub: optional_string(payload, "sub"),
        azp: optional_string(payload, "azp"),
        scopes,
        exp: Some(exp),
        bypass: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: f64 = 1_800_000_000.0;

    fn run(payload: Value, leeway: f64) -> Result<Claims, AuthError> {
        let expected = Expected {
            issuer: "https://iss/",
            audience: "api",
            leeway_seconds: leeway,
            now_seconds: NOW,
        };
        check(payload.as_object().unwrap(), &expected)
    }

    fn base() -> Value {
        json!({"iss": "https://iss/", "aud": "api", "exp": NOW + 60.0, "sub": "c@clients", "scope": "write"})
    }

    fn with(key: &str, value: Value) -> Value {
        let mut payload = base();
        payload[key] = value;
        payload
    }

    #[test]
    fn a_good_payload_gives_subject_and_scopes() {
        let claims = run(base(), 0.0).unwrap();
        assert_eq!(claims.sub.as_deref(), Some("c@clients"));
        assert!(claims.scopes.contains("write"));
        assert_eq!(claims.caller(), "c@clients");
    }

    #[test]
    fn exp_is_required_and_numeric() {
        let mut payload = base();
        payload.as_object_mut().unwrap().remove("exp");
        assert!(matches!(run(payload, 0.0), Err(AuthError::InvalidClaims(d)) if d.contains("exp")));
        let text = run(with("exp", json!("1900000000")), 0.0).unwrap_err();
        assert_eq!(
            text,
            AuthError::InvalidClaims("claim exp must be a number".into())
        );
    }

    #[test]
    fn expiry_honours_the_leeway() {
        assert_eq!(
            run(with("exp", json!(NOW - 5.0)), 0.0),
            Err(AuthError::Expired)
        );
        assert!(run(with("exp", json!(NOW - 5.0)), 10.0).is_ok());
        assert!(
            run(with("exp", json!(NOW)), 0.0).is_ok(),
            "expires only once now > exp"
        );
    }

    #[test]
    fn audience_may_be_an_array_of_strings() {
        assert!(run(with("aud", json!(["other", "api"])), 0.0).is_ok());
        let wrong = Err(AuthError::InvalidClaims(INCORRECT_CLAIMS.into()));
        assert_eq!(run(with("aud", json!(["other"])), 0.0), wrong);
        assert_eq!(run(with("aud", json!(["api", 7])), 0.0), wrong);
        assert_eq!(run(with("aud", json!(null)), 0.0), wrong);
        assert_eq!(run(with("iss", json!("https://iss")), 0.0), wrong);
    }

    #[test]
    fn nbf_in_the_future_is_refused_beyond_the_leeway() {
        assert!(
            matches!(run(with("nbf", json!(NOW + 30.0)), 0.0), Err(AuthError::InvalidClaims(d)) if d.contains("nbf"))
        );
        assert!(run(with("nbf", json!(NOW + 30.0)), 60.0).is_ok());
        assert!(
            matches!(run(with("nbf", json!("1")), 0.0), Err(AuthError::InvalidClaims(d)) if d.contains("nbf"))
        );
        assert!(run(with("iat", json!("not checked")), 0.0).is_ok());
    }

    #[test]
    fn a_missing_scope_claim_means_no_scopes() {
        let mut payload = base();
        payload.as_object_mut().unwrap().remove("scope");
        assert!(run(payload, 0.0).unwrap().scopes.is_empty());
        assert!(run(with("scope", json!(["write"])), 0.0).is_err());
    }
}
