//! What a sync run did (or, dry, would do): every action with its subject (the CIS user_id or group id),
//! the target id, the attributes it changes and its result, plus counts. As JSON (`--json`) or a table.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The result of one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionResult {
    Planned,
    Done,
    Failed,
}

/// One action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// `create`, `update`, `disable`, `delete`, `create-group`, `update-group`.
    pub action: &'static str,
    /// The CIS user_id, or the CIS group id.
    pub subject: String,
    pub target_id: Option<String>,
    /// Attribute paths set or removed; for groups, `+id` / `-id` members.
    pub changes: Vec<String>,
    pub result: ActionResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub target: String,
    pub dry_run: bool,
    /// CIS users read.
    pub cis_users: usize,
    /// Of them, those the target should hold (selected and active).
    pub wanted: usize,
    /// Users the target held before the run.
    pub target_users: usize,
    pub actions: Vec<Outcome>,
    /// Requests retried (429, 5xx, network).
    pub retries: u64,
    pub seconds: f64,
}

impl Outcome {
    /// The outcome once applied: done (with the created resource's id, if any) or failed.
    pub fn settle(mut self, result: Result<Option<String>, crate::TargetError>) -> Outcome {
        match result {
            Ok(created) => {
                self.result = ActionResult::Done;
                if created.is_some() {
                    self.target_id = created;
                }
            }
            Err(e) => {
                self.result = ActionResult::Failed;
                self.error = Some(e.to_string());
            }
        }
        self
    }
}

impl Report {
    /// An empty report of a run of `target`.
    pub fn new(
        target: &str,
        dry_run: bool,
        cis_users: usize,
        wanted: usize,
        target_users: usize,
    ) -> Report {
        Report {
            target: target.to_string(),
            dry_run,
            cis_users,
            wanted,
            target_users,
            actions: Vec::new(),
            retries: 0,
            seconds: 0.0,
        }
    }

    pub fn failed(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.result == ActionResult::Failed)
            .count()
    }

    /// Actions per kind.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for a in &self.actions {
            *counts.entry(a.action).or_insert(0) += 1;
        }
        counts
    }

    /// One line per action, then a summary.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<13} {:<44} {:<34} {:<8} changes",
            "action", "subject", "target id", "result"
        );
        for a in &self.actions {
            let detail = match &a.error {
                Some(e) => e.clone(),
                None => a.changes.join(", "),
            };
            let result = match a.result {
                ActionResult::Planned => "planned",
                ActionResult::Done => "done",
                ActionResult::Failed => "FAILED",
            };
            let _ = writeln!(
                out,
                "{:<13} {:<44} {:<34} {:<8} {detail}",
                a.action,
                a.subject,
                a.target_id.as_deref().unwrap_or("-"),
                result,
            );
        }
        let counts: Vec<String> = self
            .counts()
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        let _ = writeln!(
            out,
            "{}{}: {} CIS users, {} wanted, {} in the target before; {}; {} failed, {} retries, {:.1} s",
            self.target,
            if self.dry_run {
                " (dry run, nothing written)"
            } else {
                ""
            },
            self.cis_users,
            self.wanted,
            self.target_users,
            if counts.is_empty() {
                "nothing to do".to_string()
            } else {
                counts.join(", ")
            },
            self.failed(),
            self.retries,
            self.seconds
        );
        out
    }
}
