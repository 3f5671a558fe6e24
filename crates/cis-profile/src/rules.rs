//! The publisher rules: who may create and who may update each attribute, and the decision for one change
//! (docs/contract/publisher-rules.md §2–§4).
//!
//! Decides on the publisher an attribute *claims*; it never checks signatures (cis-crypto proves the claim)
//! and never merges (merge.rs). The document format and its checks live in `rules_document.rs`.

use crate::attr::Attr;
use crate::catalogue::AttrPath;
use crate::enums::Publisher;
use crate::json::json_eq;
use crate::merge::{attr_eq, differs};
use crate::profile::Profile;
pub use crate::rules_document::RulesDocumentError;
use crate::rules_document::{Entry, parse_document};
use std::fmt;
use std::sync::OnceLock;

/// The original's packaged rules document, which the project embeds (docs/contract/publisher-rules.md §1).
pub const EMBEDDED_RULES_JSON: &str = include_str!("../data/mozilla-iam-publisher-rules.json");

/// Who may change `active` in any way (docs/contract/publisher-rules.md §4: its create list plus its updater, fixed).
pub const ACTIVE_PUBLISHERS: [Publisher; 4] = [
    Publisher::Ldap,
    Publisher::Hris,
    Publisher::AccessProvider,
    Publisher::Cis,
];

/// What a rejected publisher tried to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejection. Its text is what clients match: `[create] cis is NOT allowed to publish field first_name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[{operation}] {publisher} is NOT allowed to publish field {}", path.leaf())]
pub struct RuleError {
    pub operation: Operation,
    /// The claimed publisher, as written in the attribute (it may name no known publisher).
    pub publisher: String,
    pub path: AttrPath,
}

/// A checked publisher rules document: one entry per attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublisherRules {
    /// Every attribute path, in canonical order (so lookups can binary-search).
    entries: Vec<(AttrPath, Entry)>,
}

impl PublisherRules {
    /// The embedded document, parsed once.
    pub fn embedded() -> &'static PublisherRules {
        static EMBEDDED: OnceLock<PublisherRules> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            // The embedded text is fixed at compile time and a test proves it parses; should it ever not,
            // fail closed: nobody may create or update anything.
            PublisherRules::from_json(EMBEDDED_RULES_JSON)
                .unwrap_or_else(|_| PublisherRules::deny_all())
        })
    }

    /// Parses and checks a rules document (docs/contract/publisher-rules.md §1): every attribute has a create list and an
    /// updater, every name is a known publisher (or `""` for an updater), no unknown attribute.
    pub fn from_json(text: &str) -> Result<PublisherRules, RulesDocumentError> {
        parse_document(text).map(|entries| PublisherRules { entries })
    }

    fn deny_all() -> PublisherRules {
        let entries = AttrPath::all()
            .map(|p| {
                (
                    p,
                    Entry {
                        creators: Vec::new(),
                        updater: None,
                    },
                )
            })
            .collect();
        PublisherRules { entries }
    }

    fn entry(&self, path: AttrPath) -> Option<&Entry> {
        self.entries
            .binary_search_by(|(p, _)| p.cmp(&path))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// The publishers that may give `path` a value when it has none.
    pub fn creators(&self, path: AttrPath) -> &[Publisher] {
        self.entry(path)
            .map(|e| e.creators.as_slice())
            .unwrap_or(&[])
    }

    /// The one publisher that may change `path` once set; `None` = nobody.
    pub fn updater(&self, path: AttrPath) -> Option<Publisher> {
        self.entry(path).and_then(|e| e.updater)
    }

    /// The decision for one attribute (docs/contract/publisher-rules.md §2, with §4's fixed rule for `active`). `previous` is
    /// the stored attribute (the null profile's for a new user), `new` the attribute after the merge.
    pub fn may_publish(
        &self,
        path: AttrPath,
        previous: Attr<'_>,
        new: Attr<'_>,
    ) -> Result<(), RuleError> {
        if attr_eq(previous.0, new.0) {
            return Ok(());
        }
        let name = new.publisher_name().unwrap_or("");
        let claimed = Publisher::parse(name);
        let creating = previous.is_null() && !new.is_null();
        let allowed = if path == AttrPath::ACTIVE {
            !differs(previous, new) || claimed.is_some_and(|p| ACTIVE_PUBLISHERS.contains(&p))
        } else if creating {
            claimed.is_some_and(|p| self.creators(path).contains(&p))
        } else {
            let same_payload = json_eq(previous.payload(), new.payload());
            let is_updater = claimed.is_some() && claimed == self.updater(path);
            // Payload unchanged: only classification, timestamps or signature moved (never merged anyway),
            // or DinoPark stores the user's display/verified choice (the one hard-coded exception).
            (same_payload && (!differs(previous, new) || claimed == Some(Publisher::Mozilliansorg)))
                || is_updater
        };
        if allowed {
            return Ok(());
        }
        let operation = if creating {
            Operation::Create
        } else {
            Operation::Update
        };
        Err(RuleError {
            operation,
            publisher: name.to_string(),
            path,
        })
    }

    /// The decision for a whole profile (docs/contract/publisher-rules.md §3): every attribute of `new`
    /// against the same path of `previous` (the null profile's attribute where `previous` leaves an identity out), in
    /// canonical order; the first rejection wins.
    pub fn check_profile(&self, previous: &Profile, new: &Profile) -> Result<(), RuleError> {
        for (path, new_attr) in new.attrs() {
            self.may_publish_over(previous, path, new_attr)?;
        }
        Ok(())
    }

    /// [`may_publish`](PublisherRules::may_publish) of `new` over `previous`'s attribute at `path` (the null
    /// profile's where `previous` leaves an identity out).
    fn may_publish_over(
        &self,
        previous: &Profile,
        path: AttrPath,
        new: Attr<'_>,
    ) -> Result<(), RuleError> {
        match previous.attr(path) {
            Some(old) => self.may_publish(path, old, new),
            None => self.may_publish(path, Attr(&previous.attr_or_null(path)), new),
        }
    }

    /// [`check_profile`](PublisherRules::check_profile) restricted to the attributes a merge changes: `changed`
    /// are the paths where `incoming` differs from `previous` (`merge::changed_attributes`), and the merged
    /// attribute at each is the incoming one. Every other attribute keeps its stored copy and passes the
    /// rules by definition, so the verdict is the same as `check_profile(previous, merged)`, without building
    /// the merged profile first.
    pub fn check_changes(
        &self,
        previous: &Profile,
        incoming: &Profile,
        changed: &[AttrPath],
    ) -> Result<(), RuleError> {
        for &path in changed {
            if let Some(new_attr) = incoming.attr(path) {
                self.may_publish_over(previous, path, new_attr)?;
            }
        }
        Ok(())
    }

    /// What a publisher client may sign for `path`: the create right when the stored value is null, the
    /// update right otherwise, and `active` for the §4 set.
    pub fn may_sign(&self, publisher: Publisher, path: AttrPath, previous_is_null: bool) -> bool {
        if path == AttrPath::ACTIVE {
            ACTIVE_PUBLISHERS.contains(&publisher)
        } else if previous_is_null {
            self.creators(path).contains(&publisher)
        } else {
            self.updater(path) == Some(publisher)
        }
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
