//! [`Event`]: what one vault write that changed a profile tells relying parties — the operation, the user,
//! when, the attribute paths it changed and who signed them (for echo suppression). Attribute values never
//! appear here.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What happened to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub const ALL: [Operation; 3] = [Operation::Create, Operation::Update, Operation::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of one stored profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Stable across retries: the change's sequence number locally, the stream record's id on AWS.
    pub event_id: String,
    pub operation: Operation,
    pub user_id: String,
    /// Epoch seconds.
    pub time: i64,
    /// Dotted attribute paths the write changed (`staff_information.title`); empty for a delete.
    pub changed: Vec<String>,
    /// The publishers that signed the changed attributes.
    pub publishers: Vec<String>,
}

impl Event {
    /// Whether anyone hears of it: creates and deletes always; an update only when it changed an attribute
    /// other than `last_modified` (a re-publish that changed nothing wakes nobody).
    pub fn is_notable(&self) -> bool {
        self.operation != Operation::Update || self.changed.iter().any(|p| p != "last_modified")
    }

    /// The connection of the user: what the user_id starts with (`ad`, `github`, `email`, ...).
    pub fn connection(&self) -> &str {
        self.user_id.split('|').next().unwrap_or_default()
    }
}
