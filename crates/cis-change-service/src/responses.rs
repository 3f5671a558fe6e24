//! The Change API's success bodies, member for member as docs/contract/change-api.md §5, §6, §7 and §9 show them (the
//! original's keys, plus `user_id` and per-item errors).
//!
//! Pure data: no handler logic, no I/O. Errors of whole requests are `ApiError`'s business (`error.rs`).

use cis_change::Accepted;
use cis_common::ApiError;
use cis_identity_vault::{ChangeState, StatusRecord};
use http::StatusCode;
use serde::Serialize;

use crate::dryrun::AttributeVerdict;
use crate::error::ChangeError;

/// `status_code` of an accepted change.
const STORED: StatusCode = StatusCode::OK;
/// `status_code` of a no-op.
const NOTHING_TO_DO: StatusCode = StatusCode::ACCEPTED;

/// The answer for one profile (§5), also an element of a batch answer (§6).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProfileAnswer {
    pub sequence_number: Option<String>,
    pub status_code: u16,
    /// `create`, `update` or `noop`; absent on a rejected batch item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<&'static str>,
    /// A rejected batch item's error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `null` only for a batch item whose user could not be read.
    pub user_id: Option<String>,
    /// `true` on the answer of a dry run (nothing was written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// A dry run's verdict on each attribute the profile sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<AttributeVerdict>>,
}

/// The body of a batch answer: every item's verdict, in order — or, for a request refused as a whole
/// (token, body, size), the error.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum BatchRefusal {
    Items(Vec<ProfileAnswer>),
    /// Written by `ApiError` (`error.rs`); named here for the OpenAPI document.
    #[allow(dead_code)]
    Error(cis_common::openapi::ErrorBody),
}

impl From<Accepted> for ProfileAnswer {
    fn from(accepted: Accepted) -> ProfileAnswer {
        match accepted {
            Accepted::Changed {
                sequence_number,
                condition,
                user_id,
            } => ProfileAnswer {
                sequence_number: Some(sequence_number),
                status_code: STORED.as_u16(),
                condition: Some(condition.as_str()),
                code: None,
                description: None,
                user_id: Some(user_id.into_string()),
                dry_run: None,
                attributes: None,
            },
            Accepted::Noop { user_id, .. } => ProfileAnswer {
                sequence_number: None,
                status_code: NOTHING_TO_DO.as_u16(),
                condition: Some("noop"),
                code: None,
                description: None,
                user_id: Some(user_id.into_string()),
                dry_run: None,
                attributes: None,
            },
        }
    }
}

impl ProfileAnswer {
    /// A rejected batch item: the error it would have got alone.
    pub fn rejected(error: ChangeError, user_id: Option<String>) -> ProfileAnswer {
        let api = ApiError::from(error);
        ProfileAnswer {
            sequence_number: None,
            status_code: api.status.as_u16(),
            condition: None,
            code: Some(api.code.into_owned()),
            description: Some(api.description),
            user_id,
            dry_run: None,
            attributes: None,
        }
    }
}

/// The answer of a delete (§7 step 9).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DeleteAnswer {
    pub status: u16,
    pub message: String,
    pub condition: &'static str,
    pub sequence_number: String,
}

impl DeleteAnswer {
    pub fn new(user_id: &str, sequence_number: String) -> DeleteAnswer {
        DeleteAnswer {
            status: STORED.as_u16(),
            message: format!("user profile deleted for user: {user_id}"),
            condition: "delete",
            sequence_number,
        }
    }
}

/// The answer of `/v2/status` (§9).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusAnswer {
    pub identity_vault: bool,
    pub sequence_number: String,
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<StatusErrorAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusErrorAnswer {
    pub code: String,
    pub description: String,
}

impl StatusAnswer {
    /// From the change's status record.
    pub fn from_record(record: StatusRecord) -> StatusAnswer {
        let in_vault = matches!(record.state, ChangeState::Processed | ChangeState::Noop);
        let error = match record.state {
            ChangeState::Failed => record.error.map(|e| StatusErrorAnswer {
                code: e.code,
                description: e.description,
            }),
            _ => None,
        };
        StatusAnswer {
            identity_vault: in_vault,
            sequence_number: record.sequence_number,
            state: record.state.as_str(),
            condition: Some(record.condition.as_str()),
            user_id: Some(record.user_id),
            processed_at: Some(record.processed_at),
            error,
        }
    }

    /// A number the original wrote: the vault item that carries it (no condition or time is known).
    pub fn historic(sequence_number: String, user_id: Option<String>) -> StatusAnswer {
        StatusAnswer {
            identity_vault: true,
            sequence_number,
            state: ChangeState::Processed.as_str(),
            condition: None,
            user_id,
            processed_at: None,
            error: None,
        }
    }

    /// No record: not processed yet, never issued, or past retention.
    pub fn unknown(sequence_number: String) -> StatusAnswer {
        StatusAnswer {
            identity_vault: false,
            sequence_number,
            state: "unknown",
            condition: None,
            user_id: None,
            processed_at: None,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cis_change::Rejection;
    use cis_identity_vault::Condition;
    use cis_profile::UserId;

    #[test]
    fn an_accepted_change_has_the_original_keys_in_order() {
        let answer = ProfileAnswer::from(Accepted::Changed {
            sequence_number: "42".into(),
            condition: Condition::Create,
            user_id: UserId::parse("ad|Mozilla-LDAP|jdoe").unwrap(),
        });
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            r#"{"sequence_number":"42","status_code":200,"condition":"create","user_id":"ad|Mozilla-LDAP|jdoe"}"#
        );
    }

    #[test]
    fn a_noop_has_a_null_sequence_number_and_status_code_202() {
        let answer = ProfileAnswer::from(Accepted::Noop {
            condition: Condition::Update,
            user_id: UserId::parse("u").unwrap(),
        });
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            r#"{"sequence_number":null,"status_code":202,"condition":"noop","user_id":"u"}"#
        );
    }

    #[test]
    fn a_rejected_item_carries_status_code_code_and_description() {
        let answer = ProfileAnswer::rejected(
            Rejection::DuplicateUserId("u".into()).into(),
            Some("u".into()),
        );
        let value = serde_json::to_value(&answer).unwrap();
        assert_eq!(value["status_code"], 400);
        assert_eq!(value["code"], "duplicate_user_id");
        assert!(value["sequence_number"].is_null());
        assert!(value.get("condition").is_none());
    }
}
