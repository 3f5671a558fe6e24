//! Which OAuth client may publish as which publisher (docs/security.md): the fix for signatures replayed
//! onto another person. Attribute signatures cover the attribute, not the person, so a signed attribute
//! copied from one profile verifies on any other; what stops a client from posting it is that every
//! attribute a change alters must be signed by a publisher the calling client is bound to — and never by
//! `cis`, whose attributes only CIS itself changes.
//!
//! Owns [`ClientPublishers`] (the binding, from configuration or `cis serve`'s clients) and [`Caller`] (who
//! sent a change). The checks themselves run in the plan (`check.rs`) and the delete permission.

use crate::rejection::Rejection;
use cis_profile::{AttrPath, Publisher};
use std::collections::{BTreeSet, HashMap};

/// Who sent a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An OAuth client, by the token's `azp` (else `sub`).
    Client(String),
    /// No client to check: the local token bypass, or a historic stream record the original wrote.
    Unchecked,
}

impl Caller {
    /// The caller of a change that names `client_id` (a token's, an envelope's), or none.
    pub fn of(client_id: Option<&str>) -> Caller {
        client_id.map_or(Caller::Unchecked, |c| Caller::Client(c.to_string()))
    }

    /// The OAuth client, if any.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Caller::Client(c) => Some(c),
            Caller::Unchecked => None,
        }
    }
}

/// The publishers each client may publish as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClientPublishers {
    /// No binding: any client may publish as any publisher but `cis` (`environment = local` only).
    #[default]
    Unrestricted,
    /// Client id → its publishers; a client not listed may publish as none.
    Bound(HashMap<String, BTreeSet<Publisher>>),
}

impl ClientPublishers {
    /// From a JSON object `{"<client id>": ["ldap", "hris"], ...}`; `cis` and unknown names are refused.
    pub fn from_json(text: &str) -> Result<ClientPublishers, String> {
        let map: HashMap<String, Vec<String>> = serde_json::from_str(text).map_err(|e| {
            format!("expected a JSON object of client id → list of publisher names: {e}")
        })?;
        let mut bound = HashMap::new();
        for (client, names) in map {
            let publishers = names
                .iter()
                .map(|name| match Publisher::parse(name) {
                    Some(Publisher::Cis) => {
                        Err(format!("client {client}: no client publishes as cis"))
                    }
                    Some(p) => Ok(p),
                    None => Err(format!("client {client}: unknown publisher {name:?}")),
                })
                .collect::<Result<BTreeSet<_>, _>>()?;
            bound.insert(client, publishers);
        }
        Ok(ClientPublishers::Bound(bound))
    }

    /// Whether `caller` may publish an attribute change signed by `publisher`.
    pub fn allows(&self, caller: &Caller, publisher: Publisher) -> bool {
        if publisher == Publisher::Cis {
            return false;
        }
        match (self, caller) {
            (ClientPublishers::Unrestricted, _) | (_, Caller::Unchecked) => true,
            (ClientPublishers::Bound(map), Caller::Client(client)) => {
                map.get(client).is_some_and(|set| set.contains(&publisher))
            }
        }
    }

    /// Refuses the first attribute of `changed` whose claimed publisher `caller` may not publish as.
    pub fn check(
        &self,
        caller: &Caller,
        changed: &[AttrPath],
        claimed: impl Fn(AttrPath) -> Option<Publisher>,
    ) -> Result<(), Rejection> {
        for &path in changed {
            let Some(publisher) = claimed(path) else {
                continue;
            };
            if !self.allows(caller, publisher) {
                return Err(Rejection::InvalidPublisher(refusal(
                    caller, publisher, path,
                )));
            }
        }
        Ok(())
    }
}

fn refusal(caller: &Caller, publisher: Publisher, path: AttrPath) -> String {
    let path = path.dotted();
    match (publisher, caller) {
        (Publisher::Cis, _) => format!(
            "{path}: a change signed by cis; only CIS changes its own attributes (send the stored copy, or null)"
        ),
        (_, Caller::Client(client)) => format!(
            "{path}: signed by {publisher}, a publisher client {client} is not allowed to publish as"
        ),
        (_, Caller::Unchecked) => format!("{path}: signed by {publisher}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_client_publishes_only_as_its_publishers_and_nobody_as_cis() {
        let binding = ClientPublishers::from_json(
            r#"{"dinopark": ["mozilliansorg"], "hr": ["hris", "ldap"]}"#,
        )
        .unwrap();
        let dinopark = Caller::of(Some("dinopark"));
        assert!(binding.allows(&dinopark, Publisher::Mozilliansorg));
        assert!(!binding.allows(&dinopark, Publisher::Hris));
        assert!(!binding.allows(&Caller::of(Some("stranger")), Publisher::Ldap));
        assert!(!binding.allows(&Caller::Unchecked, Publisher::Cis));
        assert!(!ClientPublishers::Unrestricted.allows(&dinopark, Publisher::Cis));
        assert!(ClientPublishers::Unrestricted.allows(&dinopark, Publisher::Hris));
        let refused = binding
            .check(&dinopark, &[AttrPath::FIRST_NAME], |_| {
                Some(Publisher::Hris)
            })
            .unwrap_err();
        assert_eq!(refused.code(), "invalid_publisher");
        assert!(
            refused
                .to_string()
                .starts_with("first_name: signed by hris"),
            "{refused}"
        );
    }

    #[test]
    fn a_binding_naming_cis_or_an_unknown_publisher_is_refused() {
        assert!(ClientPublishers::from_json(r#"{"x": ["cis"]}"#).is_err());
        assert!(ClientPublishers::from_json(r#"{"x": ["hr"]}"#).is_err());
        assert!(ClientPublishers::from_json(r#"["x"]"#).is_err());
    }
}
