//! The curator's report (docs/contract/processor-and-vault.md §7 step 10): one entry per step with its outcome and a
//! message, serialisable to one JSON object. It records; it never decides or calls AWS.

use serde::Serialize;

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Already as it should be (or deliberately not managed; the message says which).
    Ok,
    Created,
    Updated,
    /// Differs from §5 and the curator may not change it; an operator decides.
    Drift,
    Error,
}

/// One step's outcome, e.g. `{"step": "vault.stream", "outcome": "drift", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `vault.table`, `vault.index.connection`, `status.ttl` ...
    pub step: String,
    pub outcome: Outcome,
    pub message: String,
}

/// Everything one `ensure` run found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CuratorReport {
    pub environment: String,
    pub vault_table: String,
    pub status_table: String,
    pub has_errors: bool,
    pub steps: Vec<Step>,
}

impl CuratorReport {
    pub fn new(environment: &str, vault_table: &str, status_table: &str) -> CuratorReport {
        CuratorReport {
            environment: environment.to_string(),
            vault_table: vault_table.to_string(),
            status_table: status_table.to_string(),
            has_errors: false,
            steps: Vec::new(),
        }
    }

    /// Records one step.
    pub fn push(&mut self, step: impl Into<String>, outcome: Outcome, message: impl Into<String>) {
        self.has_errors |= outcome == Outcome::Error;
        self.steps.push(Step {
            step: step.into(),
            outcome,
            message: message.into(),
        });
    }

    /// Whether any step is `error` (the invocation then fails).
    pub fn has_errors(&self) -> bool {
        self.has_errors
    }

    /// Whether the run created or updated anything.
    pub fn changed_anything(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.outcome, Outcome::Created | Outcome::Updated))
    }

    /// The step with this name.
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.step == name)
    }

    /// The outcome of the step with this name.
    pub fn outcome(&self, name: &str) -> Option<Outcome> {
        self.step(name).map(|s| s.outcome)
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_step_makes_the_report_failed() {
        let mut report = CuratorReport::new("testing", "t", "s");
        report.push("vault.table", Outcome::Ok, "exists");
        assert!(!report.has_errors() && !report.changed_anything());
        report.push(
            "vault.point_in_time_recovery",
            Outcome::Error,
            "UpdateContinuousBackups: denied",
        );
        assert!(report.has_errors());
        assert_eq!(
            report.outcome("vault.point_in_time_recovery"),
            Some(Outcome::Error)
        );
    }

    #[test]
    fn the_report_serialises_to_one_object_with_lowercase_outcomes() {
        let mut report = CuratorReport::new(
            "testing",
            "testing-identity-vault",
            "testing-identity-vault-status",
        );
        report.push("vault.index.connection", Outcome::Created, "index created");
        let json = report.to_json();
        assert_eq!(json["vault_table"], "testing-identity-vault");
        assert_eq!(json["has_errors"], false);
        assert_eq!(json["steps"][0]["outcome"], "created");
        assert_eq!(json["steps"][0]["step"], "vault.index.connection");
    }
}
