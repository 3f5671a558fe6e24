//! [`ScimError`]: every refusal of the SCIM endpoint, as RFC 7644 §3.12 shapes it —
//! `{"schemas": [Error], "status": "400", "scimType": "invalidFilter", "detail": ...}`.

use serde_json::{Value, json};

/// A SCIM error: its HTTP status, the RFC's `scimType` where one applies, and a detail for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {scim_type:?}: {detail}")]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    /// 400 `invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidFilter"), detail)
    }

    /// 400 `invalidValue` (a parameter that is not what it must be).
    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidValue"), detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> ScimError {
        ScimError::new(404, None, detail)
    }

    /// 403: CIS is a read-only SCIM provider; profiles change only through signed publisher changes.
    pub fn read_only() -> ScimError {
        ScimError::new(
            403,
            None,
            "CIS is a read-only SCIM service provider: profiles change only through signed publisher changes (Change API)",
        )
    }

    pub fn new(
        status: u16,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> ScimError {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// The error body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "schemas": [crate::ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_the_status_as_a_string_and_the_scim_type_when_there_is_one() {
        let body = ScimError::invalid_filter("bad").body();
        assert_eq!(body["status"], "400");
        assert_eq!(body["scimType"], "invalidFilter");
        assert_eq!(body["schemas"][0], crate::ERROR_SCHEMA);
        assert!(ScimError::not_found("x").body().get("scimType").is_none());
    }
}
