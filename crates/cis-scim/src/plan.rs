//! The reconcile plan of one SCIM target (docs/scim.md §3), computed from what CIS wants
//! ([`Desired`]) and what the target holds, with no I/O.
//!
//! Users are matched by `externalId` (CIS's user_id), then by `userName` (case-insensitive). A wanted user
//! with no match is created; a matched one is updated with only the managed attributes that differ (and
//! re-activated); a user matched **by externalId** who is no longer wanted (left the selection, or
//! inactive) is disabled or deleted. A target user CIS did not provision — no externalId match — is never
//! disabled or deleted; one matched only by userName is adopted when wanted (its externalId set) and
//! otherwise left alone. Groups CIS syncs are matched by externalId (the CIS group id), then displayName;
//! their members become exactly the wanted members of the CIS group, so a group with none is emptied.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::desired::{Desired, MANAGED};

/// A user the target holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub id: String,
    pub external_id: Option<String>,
    pub user_name: Option<String>,
    pub etag: Option<String>,
    pub resource: Value,
}

impl Existing {
    /// From a User resource the target answered; `None` without an `id`.
    pub fn from_resource(resource: Value) -> Option<Existing> {
        Some(Existing {
            id: resource["id"].as_str()?.to_string(),
            external_id: resource["externalId"].as_str().map(str::to_string),
            user_name: resource["userName"].as_str().map(str::to_string),
            etag: resource["meta"]["version"].as_str().map(str::to_string),
            resource,
        })
    }
}

/// A group the target holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingGroup {
    pub id: String,
    pub external_id: Option<String>,
    pub display_name: String,
    pub members: Vec<String>,
    pub etag: Option<String>,
}

impl ExistingGroup {
    pub fn from_resource(resource: &Value) -> Option<ExistingGroup> {
        Some(ExistingGroup {
            id: resource["id"].as_str()?.to_string(),
            external_id: resource["externalId"].as_str().map(str::to_string),
            display_name: resource["displayName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            members: resource["members"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .filter_map(|x| x["value"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            etag: resource["meta"]["version"].as_str().map(str::to_string),
        })
    }
}

/// A CIS group a target receives, under the name it has there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    /// `ldap:team_moco`.
    pub cis: String,
    /// The target's displayName.
    pub name: String,
}

/// What happens to a user who should no longer be in the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DisableMode {
    /// `active: false` (the default).
    #[default]
    Deactivate,
    Delete,
}

/// One change to one user.
#[derive(Debug, Clone, PartialEq)]
pub enum UserAction {
    Create {
        external_id: String,
        resource: Value,
    },
    /// `set` replaces these attributes (whole: a complex or multi-valued one with every managed part);
    /// `remove` lists attribute paths to remove (`title`, `name.familyName`).
    Update {
        id: String,
        external_id: String,
        etag: Option<String>,
        set: Map<String, Value>,
        remove: Vec<String>,
    },
    Disable {
        id: String,
        external_id: String,
        etag: Option<String>,
    },
    Delete {
        id: String,
        external_id: String,
        etag: Option<String>,
    },
}

impl UserAction {
    pub fn kind(&self) -> &'static str {
        match self {
            UserAction::Create { .. } => "create",
            UserAction::Update { .. } => "update",
            UserAction::Disable { .. } => "disable",
            UserAction::Delete { .. } => "delete",
        }
    }

    pub fn external_id(&self) -> &str {
        match self {
            UserAction::Create { external_id, .. }
            | UserAction::Update { external_id, .. }
            | UserAction::Disable { external_id, .. }
            | UserAction::Delete { external_id, .. } => external_id,
        }
    }
}

/// A member of a group: a user the target already holds, or one this run creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum MemberRef {
    Existing(String),
    /// Created by this run: its target id is known once it is.
    New(String),
}

/// One change to one group.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupAction {
    Create {
        spec: GroupSpec,
        members: Vec<MemberRef>,
    },
    Update {
        id: String,
        spec: GroupSpec,
        etag: Option<String>,
        /// Matched by displayName: set its externalId to the CIS group id.
        adopt: bool,
        add: Vec<MemberRef>,
        remove: Vec<String>,
    },
}

/// The user actions that make the target match `desired`.
pub fn plan_users(
    desired: &[Desired],
    existing: &[Existing],
    mode: DisableMode,
) -> Vec<UserAction> {
    let by_external: HashMap<&str, &Existing> = existing
        .iter()
        .filter_map(|e| Some((e.external_id.as_deref()?, e)))
        .collect();
    let by_name: HashMap<String, &Existing> = existing
        .iter()
        .filter_map(|e| Some((e.user_name.as_deref()?.to_lowercase(), e)))
        .collect();
    let mut actions = Vec::new();
    for want in desired {
        let owned = by_external.get(want.external_id.as_str()).copied();
        let matched = owned.or_else(|| by_name.get(&want.user_name.to_lowercase()).copied());
        match (matched, want.wanted) {
            (None, true) => actions.push(UserAction::Create {
                external_id: want.external_id.clone(),
                resource: want.resource.clone(),
            }),
            (None, false) => {}
            (Some(found), true) => {
                let (set, remove) = diff(&want.resource, &found.resource);
                if !set.is_empty() || !remove.is_empty() {
                    actions.push(UserAction::Update {
                        id: found.id.clone(),
                        external_id: want.external_id.clone(),
                        etag: found.etag.clone(),
                        set,
                        remove,
                    });
                }
            }
            (Some(found), false) => {
                // Only what CIS provisioned (matched by externalId) is ever disabled or deleted.
                if owned.is_none() {
                    continue;
                }
                let (id, external_id, etag) = (
                    found.id.clone(),
                    want.external_id.clone(),
                    found.etag.clone(),
                );
                match mode {
                    DisableMode::Deactivate if found.resource["active"] != Value::Bool(false) => {
                        actions.push(UserAction::Disable {
                            id,
                            external_id,
                            etag,
                        })
                    }
                    DisableMode::Deactivate => {}
                    DisableMode::Delete => actions.push(UserAction::Delete {
                        id,
                        external_id,
                        etag,
                    }),
                }
            }
        }
    }
    actions
}

/// The sub-attributes a sync manages in its complex attributes.
fn managed_parts(attribute: &str) -> &'static [&'static str] {
    match attribute {
        "name" => &["formatted", "familyName", "givenName"],
        crate::ENTERPRISE_SCHEMA => &["department", "costCenter", "employeeNumber"],
        _ => &[],
    }
}

/// Attribute names compared case-insensitively, as SCIM says.
fn member<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

/// The managed attributes of `want` that `have` lacks or holds otherwise, and the managed paths `have`
/// holds that `want` does not.
pub fn diff(want: &Value, have: &Value) -> (Map<String, Value>, Vec<String>) {
    let mut set = Map::new();
    let mut remove = Vec::new();
    for attribute in MANAGED {
        let (w, h) = (member(want, attribute), member(have, attribute));
        let parts = managed_parts(attribute);
        match (w, h) {
            (None, None) => {}
            (None, Some(_)) if parts.is_empty() => remove.push(attribute.to_string()),
            (None, Some(h)) => {
                for part in parts {
                    if member(h, part).is_some() {
                        remove.push(format!("{}{part}", separator(attribute)));
                    }
                }
            }
            (Some(w), None) => {
                set.insert(attribute.to_string(), w.clone());
            }
            (Some(w), Some(h)) if !parts.is_empty() => {
                let differs = parts.iter().any(|p| member(w, p) != member(h, p));
                if differs {
                    set.insert(attribute.to_string(), w.clone());
                }
                for part in parts {
                    if member(w, part).is_none() && member(h, part).is_some() {
                        remove.push(format!("{}{part}", separator(attribute)));
                    }
                }
            }
            (Some(w), Some(h)) => {
                if !same(attribute, w, h) {
                    set.insert(attribute.to_string(), w.clone());
                }
            }
        }
    }
    (set, remove)
}

/// `name.` for a core attribute, `urn:...:User:` for the extension.
fn separator(attribute: &str) -> String {
    if attribute.starts_with("urn:") {
        format!("{attribute}:")
    } else {
        format!("{attribute}.")
    }
}

fn same(attribute: &str, want: &Value, have: &Value) -> bool {
    match attribute {
        "userName" => match (want.as_str(), have.as_str()) {
            (Some(w), Some(h)) => w.eq_ignore_ascii_case(h),
            _ => want == have,
        },
        "emails" => emails(want) == emails(have),
        _ => want == have,
    }
}

/// The addresses (lowercased) and which one is primary.
fn emails(value: &Value) -> (BTreeSet<String>, Option<String>) {
    let mut all = BTreeSet::new();
    let mut primary = None;
    for email in value.as_array().into_iter().flatten() {
        if let Some(address) = email["value"].as_str() {
            all.insert(address.to_lowercase());
            if email["primary"] == Value::Bool(true) {
                primary = Some(address.to_lowercase());
            }
        }
    }
    (all, primary)
}

/// The group actions, once the user actions are known (members a run creates are [`MemberRef::New`]).
pub fn plan_groups(
    specs: &[GroupSpec],
    desired: &[Desired],
    existing: &[Existing],
    groups: &[ExistingGroup],
    users: &[UserAction],
) -> Vec<GroupAction> {
    let target_id: HashMap<&str, &str> = existing
        .iter()
        .filter_map(|e| Some((e.external_id.as_deref()?, e.id.as_str())))
        .chain(users.iter().filter_map(|a| match a {
            UserAction::Update {
                id, external_id, ..
            } => Some((external_id.as_str(), id.as_str())),
            _ => None,
        }))
        .collect();
    let mut actions = Vec::new();
    for spec in specs {
        let members: BTreeSet<MemberRef> = desired
            .iter()
            .filter(|d| d.wanted && d.groups.contains(&spec.cis))
            .map(|d| match target_id.get(d.external_id.as_str()) {
                Some(id) => MemberRef::Existing((*id).to_string()),
                None => MemberRef::New(d.external_id.clone()),
            })
            .collect();
        let found = groups
            .iter()
            .find(|g| g.external_id.as_deref() == Some(spec.cis.as_str()))
            .map(|g| (g, false))
            .or_else(|| {
                groups
                    .iter()
                    .find(|g| g.display_name == spec.name)
                    .map(|g| (g, true))
            });
        let Some((group, adopt)) = found else {
            actions.push(GroupAction::Create {
                spec: spec.clone(),
                members: members.into_iter().collect(),
            });
            continue;
        };
        let current: BTreeSet<&str> = group.members.iter().map(String::as_str).collect();
        let add: Vec<MemberRef> = members
            .iter()
            .filter(|m| !matches!(m, MemberRef::Existing(id) if current.contains(id.as_str())))
            .cloned()
            .collect();
        let keep: BTreeSet<&str> = members
            .iter()
            .filter_map(|m| match m {
                MemberRef::Existing(id) => Some(id.as_str()),
                MemberRef::New(_) => None,
            })
            .collect();
        let remove: Vec<String> = current
            .iter()
            .filter(|id| !keep.contains(*id))
            .map(|id| (*id).to_string())
            .collect();
        if adopt || !add.is_empty() || !remove.is_empty() {
            actions.push(GroupAction::Update {
                id: group.id.clone(),
                spec: spec.clone(),
                etag: group.etag.clone(),
                adopt,
                add,
                remove,
            });
        }
    }
    actions
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
