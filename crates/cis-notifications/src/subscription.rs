//! [`Subscription`]: one relying party's endpoint, how to authenticate to it, and which events it wants
//! (docs/webhooks.md §3). Parsed once from JSON (a file, an environment variable or an SSM parameter) or
//! from the original's comma-separated `CIS_RP_URLS`; every problem names the subscription and the field.

use crate::event::{Event, Operation};
use crate::signing::WebhookSecret;
use cis_profile::Publisher;
use cis_profile::catalogue::{AttrPath, Group};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::time::Duration;

/// What applies to a subscription that does not say otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionDefaults {
    /// The OAuth audience of the receivers (`hook.dev.sso.allizom.org`).
    pub audience: String,
    pub timeout: Duration,
    pub max_attempts: u32,
}

impl Default for SubscriptionDefaults {
    fn default() -> SubscriptionDefaults {
        SubscriptionDefaults {
            audience: "hook.dev.sso.allizom.org".into(),
            timeout: Duration::from_secs(5),
            max_attempts: 8,
        }
    }
}

/// How the notifier proves itself to the receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    /// A client-credentials bearer token for this audience.
    OAuth {
        audience: String,
    },
}

/// The URL scheme of a subscription whose deliveries are per-user SCIM syncs (`scim:chat`).
pub const SCIM_SCHEME: &str = "scim:";

/// A relying party's subscription.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub name: String,
    pub url: String,
    pub auth: Auth,
    pub secret: Option<WebhookSecret>,
    /// Empty: every operation.
    pub operations: BTreeSet<Operation>,
    /// Empty: every connection.
    pub connection_methods: Vec<String>,
    /// Attribute paths or groups; empty: any change.
    pub attributes: Vec<String>,
    pub suppress_echo: Option<Publisher>,
    pub legacy_payload: bool,
    pub timeout: Duration,
    pub max_attempts: u32,
}

/// A subscription list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    #[error("subscriptions: {0}")]
    Json(String),
    #[error("subscription {name:?}: {field}: {problem}")]
    Field {
        name: String,
        field: &'static str,
        problem: String,
    },
    #[error("subscription name {0:?} is used twice")]
    DuplicateName(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    url: String,
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    signing_secret: Option<String>,
    #[serde(default)]
    operations: Vec<String>,
    #[serde(default)]
    connection_methods: Vec<String>,
    #[serde(default)]
    attributes: Vec<String>,
    #[serde(default)]
    suppress_echo: Option<String>,
    #[serde(default)]
    legacy_payload: bool,
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    max_attempts: Option<u32>,
}

/// Parses a JSON list of subscriptions.
pub fn parse_subscriptions(
    json: &str,
    defaults: &SubscriptionDefaults,
) -> Result<Vec<Subscription>, SubscriptionError> {
    let entries: Vec<Entry> =
        serde_json::from_str(json).map_err(|e| SubscriptionError::Json(e.to_string()))?;
    let mut names = BTreeSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        if !names.insert(entry.name.clone()) {
            return Err(SubscriptionError::DuplicateName(entry.name));
        }
        out.push(Subscription::from_entry(entry, defaults)?);
    }
    Ok(out)
}

/// The original's `CIS_RP_URLS`: every event, OAuth bearer, the legacy payload. Named by host (with a
/// number when a host repeats).
pub fn from_rp_urls(
    urls: &[String],
    defaults: &SubscriptionDefaults,
) -> Result<Vec<Subscription>, SubscriptionError> {
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for url in urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or(url)
            .split(['/', ':', '?'])
            .next()
            .unwrap_or(url);
        let mut name = host.to_string();
        let mut n = 1;
        while !names.insert(name.clone()) {
            n += 1;
            name = format!("{host}-{n}");
        }
        let entry = Entry {
            name,
            url: url.to_string(),
            auth: Some("oauth".into()),
            audience: None,
            signing_secret: None,
            operations: Vec::new(),
            connection_methods: Vec::new(),
            attributes: Vec::new(),
            suppress_echo: None,
            legacy_payload: true,
            timeout_ms: None,
            max_attempts: None,
        };
        out.push(Subscription::from_entry(entry, defaults)?);
    }
    Ok(out)
}

impl Subscription {
    fn from_entry(
        e: Entry,
        defaults: &SubscriptionDefaults,
    ) -> Result<Subscription, SubscriptionError> {
        let name = e.name.trim().to_string();
        let field = |field: &'static str, problem: String| SubscriptionError::Field {
            name: name.clone(),
            field,
            problem,
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(field(
                "name",
                "letters, digits, '-', '_' and '.' only".into(),
            ));
        }
        check_url(&e.url).map_err(|p| field("url", p))?;
        let auth = match e.auth.as_deref().unwrap_or("none") {
            "none" => Auth::None,
            "oauth" => Auth::OAuth {
                audience: e
                    .audience
                    .clone()
                    .unwrap_or_else(|| defaults.audience.clone()),
            },
            other => return Err(field("auth", format!("{other:?} is not oauth or none"))),
        };
        if e.audience.is_some() && auth == Auth::None {
            return Err(field("audience", "only with auth = oauth".into()));
        }
        let secret = e
            .signing_secret
            .as_deref()
            .map(WebhookSecret::parse)
            .transpose()
            .map_err(|p| field("signing_secret", p))?;
        let mut operations = BTreeSet::new();
        for op in &e.operations {
            let parsed = Operation::parse(op).ok_or_else(|| {
                field(
                    "operations",
                    format!("{op:?} is not create, update or delete"),
                )
            })?;
            operations.insert(parsed);
        }
        for connection in &e.connection_methods {
            if connection.is_empty() || connection.contains('|') {
                return Err(field(
                    "connection_methods",
                    format!("{connection:?} is not a connection"),
                ));
            }
        }
        for path in &e.attributes {
            if AttrPath::parse(path).is_none() && Group::parse(path).is_none() {
                return Err(field(
                    "attributes",
                    format!("{path:?} is not a profile attribute or group"),
                ));
            }
        }
        let suppress_echo = e
            .suppress_echo
            .as_deref()
            .map(|p| {
                Publisher::parse(p)
                    .ok_or_else(|| field("suppress_echo", format!("{p:?} is not a publisher")))
            })
            .transpose()?;
        let timeout = match e.timeout_ms {
            Some(ms) if (100..=60_000).contains(&ms) => Duration::from_millis(ms),
            Some(ms) => {
                return Err(field(
                    "timeout_ms",
                    format!("{ms} is not between 100 and 60000"),
                ));
            }
            None => defaults.timeout,
        };
        let max_attempts = match e.max_attempts {
            Some(n) if (1..=50).contains(&n) => n,
            Some(n) => {
                return Err(field(
                    "max_attempts",
                    format!("{n} is not between 1 and 50"),
                ));
            }
            None => defaults.max_attempts,
        };
        Ok(Subscription {
            name,
            url: e.url,
            auth,
            secret,
            operations,
            connection_methods: e.connection_methods,
            attributes: e.attributes,
            suppress_echo,
            legacy_payload: e.legacy_payload,
            timeout,
            max_attempts,
        })
    }

    /// Whether this subscription hears of `event`, and if so the changed paths it is told about (those among
    /// its `attributes`; empty when it lists none).
    pub fn wants(&self, event: &Event) -> Option<Vec<String>> {
        if !event.is_notable() {
            return None;
        }
        if !self.operations.is_empty() && !self.operations.contains(&event.operation) {
            return None;
        }
        if !self.connection_methods.is_empty()
            && !self
                .connection_methods
                .iter()
                .any(|c| c == event.connection())
        {
            return None;
        }
        if let Some(publisher) = self.suppress_echo
            && event.operation != Operation::Delete
            && !event.publishers.is_empty()
            && event.publishers.iter().all(|p| p == publisher.as_str())
        {
            return None;
        }
        if self.attributes.is_empty() {
            return Some(Vec::new());
        }
        let changed: Vec<String> = event
            .changed
            .iter()
            .filter(|path| self.attributes.iter().any(|a| covers(a, path)))
            .cloned()
            .collect();
        // A delete removes every attribute: it concerns every subscription.
        (event.operation == Operation::Delete || !changed.is_empty()).then_some(changed)
    }
}

/// `access_information` covers `access_information.ldap`; a path covers itself.
fn covers(filter: &str, path: &str) -> bool {
    path == filter
        || path
            .strip_prefix(filter)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// https anywhere; http only to a loopback host (local development); `scim:<target>` for a SCIM target
/// (docs/scim.md §3: the event triggers a per-user sync of that target instead of a POST).
fn check_url(url: &str) -> Result<(), String> {
    if let Some(target) = url.strip_prefix(SCIM_SCHEME) {
        let valid = !target.is_empty()
            && target
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        return if valid {
            Ok(())
        } else {
            Err(format!("{url:?}: a SCIM target is scim:<name>"))
        };
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?}: {e}"))?;
    let host = parsed.host_str().unwrap_or_default();
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(()),
        "http" if matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1") => Ok(()),
        "http" => Err(format!(
            "{url:?}: http:// only to a loopback host; use https://"
        )),
        _ => Err(format!("{url:?}: not an https:// URL")),
    }
}
