//! Profile validation (placeholder being replaced).
use serde_json::Value;

/// One validation failure: where (JSON pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

impl Violation {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation { pointer: pointer.into(), message: message.into() }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

pub fn validate(_doc: &Value) -> Result<(), Vec<Violation>> {
    Ok(())
}
pub fn check_structure(_doc: &Value) -> Result<(), Vec<Violation>> {
    Ok(())
}
