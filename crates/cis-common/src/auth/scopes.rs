//! [`Scopes`]: the set of OAuth scopes a request carries, parsed once from the `scope` claim (split on
//! spaces), or "every scope" under the local development bypass.
//!
//! It knows no scope names beyond what callers ask for; which scope a route needs is the router's business.

use std::collections::BTreeSet;

use super::AuthError;

/// A request's scopes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes {
    names: BTreeSet<String>,
    all: bool,
}

impl Scopes {
    /// The scopes of a `scope` claim: split on the space character (U+0020) only, as RFC 6749 §3.3 says,
    /// empty items dropped. A tab, a no-break space or any other whitespace is part of a name, so
    /// `read:fullprofile\u{a0}display:all` is one (unknown) scope, not two.
    pub fn parse(claim: &str) -> Scopes {
        Scopes {
            names: claim
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            all: false,
        }
    }

    /// No scope at all.
    pub fn none() -> Scopes {
        Scopes::default()
    }

    /// Every scope (the local development bypass): [`Scopes::contains`] is true for any name.
    pub fn all() -> Scopes {
        Scopes {
            names: BTreeSet::new(),
            all: true,
        }
    }

    /// True under the development bypass.
    pub fn is_all(&self) -> bool {
        self.all
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.all || self.names.contains(scope)
    }

    /// `Err(AuthError::ScopeMissing)` (403 `scope_missing`) unless `scope` is present.
    pub fn require(&self, scope: &str) -> Result<(), AuthError> {
        if self.contains(scope) {
            Ok(())
        } else {
            Err(AuthError::ScopeMissing(scope.to_owned()))
        }
    }

    /// The scopes named in the token, sorted (empty under the bypass: use [`Scopes::contains`] there).
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.names.is_empty()
    }
}

impl FromIterator<String> for Scopes {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Scopes {
        Scopes {
            names: iter.into_iter().collect(),
            all: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_claim_is_split_on_spaces_only() {
        let scopes = Scopes::parse(" write  read:fullprofile display:all ");
        assert_eq!(
            scopes.iter().collect::<Vec<_>>(),
            ["display:all", "read:fullprofile", "write"]
        );
        // Other whitespace is part of a name (RFC 6749 §3.3): no scope is granted by it.
        for sneaky in [
            "read:fullprofile\tdisplay:all",
            "read:fullprofile\u{a0}display:all",
            "read:fullprofile\u{3000}display:all",
            "read:fullprofile\u{2003}display:all",
        ] {
            let parsed = Scopes::parse(sneaky);
            assert!(
                !parsed.contains("read:fullprofile") && !parsed.contains("display:all"),
                "{sneaky:?}"
            );
        }
        assert!(scopes.contains("write"));
        assert!(!scopes.contains("search:all"));
        assert!(scopes.require("write").is_ok());
        assert_eq!(
            scopes.require("search:all"),
            Err(AuthError::ScopeMissing("search:all".into()))
        );
    }

    #[test]
    fn the_bypass_grants_every_scope() {
        let scopes = Scopes::all();
        assert!(scopes.contains("write") && scopes.contains("anything"));
        assert!(!scopes.is_empty());
        assert!(Scopes::none().is_empty());
        assert!(Scopes::parse("").is_empty());
    }
}
