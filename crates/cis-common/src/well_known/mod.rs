//! The public well-known documents of a stage (docs/contract/well-known.md): building them from a template
//! and the publishers' public keys ([`build`]), and checking any set of them before it is published
//! ([`check`]). Pure: reading key files or SSM and writing or uploading the documents is the caller's job
//! (`cis well-known`).
//!
//! | module | owns |
//! |---|---|
//! | this file | [`Stage`], the scope list, [`Documents`] and their file names |
//! | [`build`] | template substitution and the publishers' JWKs ([`PublisherKeys`]) |
//! | [`check`] | the formats every published document must have |

pub mod build;
pub mod check;

pub use build::{BuildError, PublisherKeys, build, original_kid};
pub use check::{Problems, check};

use std::fmt;
use std::str::FromStr;

/// The scopes the APIs understand, as `api.scopes_supported` lists them: the original's 15 plus
/// `search:all` (the Person API's search) and `read:changes` (the Change API's history; docs/contract/well-known.md §1).
pub const SCOPES_SUPPORTED: &[&str] = &[
    "read:fullprofile",
    "classification:public",
    "classification:mozilla_confidential",
    "classification:workgroup:staff_only",
    "classification:workgroup",
    "classification:individual",
    "write",
    "display:all",
    "display:private",
    "display:staff",
    "display:ndaed",
    "display:vouched",
    "display:authenticated",
    "display:public",
    "display:none",
    "search:all",
    "read:changes",
];

/// The documents' names under `/.well-known/`, which are also their file names in a build directory.
pub const MOZILLA_IAM: &str = "mozilla-iam";
pub const PUBLISHER_RULES: &str = "mozilla-iam-publisher-rules";
pub const PROFILE_SCHEMA: &str = "profile.schema";

/// A deployment stage, as serverless.yml names it; `dev`, `test` and `prod` are accepted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Development,
    Testing,
    Production,
}

impl Stage {
    /// `${STAGE}` of the templates: `dev.`, `test.` or nothing (`change.api.dev.sso.allizom.org`,
    /// `change.api.sso.mozilla.com`).
    pub fn host_prefix(self) -> &'static str {
        match self {
            Stage::Development => "dev.",
            Stage::Testing => "test.",
            Stage::Production => "",
        }
    }

    /// `${DOMAIN}` unless given: `allizom.org` before production, `mozilla.com` in production.
    pub fn default_domain(self) -> &'static str {
        match self {
            Stage::Production => "mozilla.com",
            Stage::Development | Stage::Testing => "allizom.org",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Development => "development",
            Stage::Testing => "testing",
            Stage::Production => "production",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;

    fn from_str(s: &str) -> Result<Stage, String> {
        match s {
            "development" | "dev" => Ok(Stage::Development),
            "testing" | "test" => Ok(Stage::Testing),
            "production" | "prod" => Ok(Stage::Production),
            other => Err(format!(
                "unknown stage {other:?}: expected development, testing or production"
            )),
        }
    }
}

/// The three documents of a well-known endpoint, as the bytes to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Documents {
    pub mozilla_iam: String,
    pub publisher_rules: String,
    pub profile_schema: String,
}

impl Documents {
    /// `(name, body)` in publishing order: the documents `mozilla-iam` points at first, itself last, so a
    /// reader never finds it naming a document that is not there yet.
    pub fn in_publishing_order(&self) -> [(&'static str, &str); 3] {
        [
            (PROFILE_SCHEMA, &self.profile_schema),
            (PUBLISHER_RULES, &self.publisher_rules),
            (MOZILLA_IAM, &self.mozilla_iam),
        ]
    }
}
