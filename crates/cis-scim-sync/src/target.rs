//! [`ScimTarget`]: what a sync needs of a SCIM application — read its users and groups, create, update
//! (only some attributes, conditionally on the ETag read), delete — and [`MemoryTarget`], an in-memory
//! adapter with the same semantics for the run's tests. [`apply_changes`] is the one place that says what
//! an update does to a resource (the memory adapter, and the HTTP adapter for targets without PATCH).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

/// A target's refusal or failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{detail}", status.map(|s| format!("{s}: ")).unwrap_or_default())]
pub struct TargetError {
    /// The HTTP status, when the target answered.
    pub status: Option<u16>,
    pub detail: String,
}

impl TargetError {
    pub fn new(status: Option<u16>, detail: impl Into<String>) -> TargetError {
        TargetError {
            status,
            detail: detail.into(),
        }
    }
}

/// A SCIM application, as a sync uses it.
#[async_trait]
pub trait ScimTarget: Send + Sync {
    /// Requests retried so far (429, 5xx, network); 0 for targets that never retry.
    fn retries(&self) -> u64 {
        0
    }
    /// Every user the target holds (all pages).
    async fn users(&self) -> Result<Vec<Value>, TargetError>;
    /// The users whose externalId is `external_id` or whose userName is `user_name` (a per-user sync's
    /// read). By default, from [`users`](ScimTarget::users).
    async fn find_users(
        &self,
        external_id: &str,
        user_name: Option<&str>,
    ) -> Result<Vec<Value>, TargetError> {
        Ok(self
            .users()
            .await?
            .into_iter()
            .filter(|u| {
                u["externalId"].as_str() == Some(external_id)
                    || user_name.is_some_and(|n| {
                        u["userName"]
                            .as_str()
                            .is_some_and(|h| h.eq_ignore_ascii_case(n))
                    })
            })
            .collect())
    }
    /// Every group the target holds (all pages).
    async fn groups(&self) -> Result<Vec<Value>, TargetError>;
    /// Creates a user; its target id.
    async fn create_user(&self, resource: &Value) -> Result<String, TargetError>;
    /// Replaces the attributes of `set` and removes the `remove` paths of user `id`, if its ETag is still
    /// `etag`. `current` is the resource as read (a target without PATCH gets it back, changed).
    async fn update_user(
        &self,
        id: &str,
        etag: Option<&str>,
        set: &Map<String, Value>,
        remove: &[String],
        current: &Value,
    ) -> Result<(), TargetError>;
    async fn delete_user(&self, id: &str, etag: Option<&str>) -> Result<(), TargetError>;
    /// Creates a group with these member ids; its target id.
    async fn create_group(
        &self,
        external_id: &str,
        name: &str,
        members: &[String],
    ) -> Result<String, TargetError>;
    /// Adds and removes members of group `external_id` (the CIS group id); `adopt`: the group was
    /// matched by name, set its externalId.
    #[allow(clippy::too_many_arguments)]
    async fn update_group(
        &self,
        id: &str,
        etag: Option<&str>,
        external_id: &str,
        adopt: bool,
        name: &str,
        add: &[String],
        remove: &[String],
        current_members: &[String],
    ) -> Result<(), TargetError>;
}

/// `resource` with `set` replacing its attributes (complex ones merged sub-attribute by sub-attribute,
/// as RFC 7644 §3.5.2.3 says) and the `remove` paths (`title`, `name.familyName`,
/// `urn:...:User:department`) removed.
pub fn apply_changes(resource: &mut Value, set: &Map<String, Value>, remove: &[String]) {
    let Some(object) = resource.as_object_mut() else {
        return;
    };
    for (key, value) in set {
        match (object.get_mut(key), value) {
            (Some(Value::Object(have)), Value::Object(want)) => {
                for (k, v) in want {
                    have.insert(k.clone(), v.clone());
                }
            }
            _ => {
                object.insert(key.clone(), value.clone());
            }
        }
        if key.starts_with("urn:")
            && let Some(Value::Array(schemas)) = object.get_mut("schemas")
            && !schemas.iter().any(|s| s == key)
        {
            schemas.push(json!(key));
        }
    }
    for path in remove {
        let (parent, child) = match path.rsplit_once(':') {
            Some((urn, attr)) if path.starts_with("urn:") => {
                (Some(urn.to_string()), attr.to_string())
            }
            _ => match path.split_once('.') {
                Some((p, c)) => (Some(p.to_string()), c.to_string()),
                None => (None, path.clone()),
            },
        };
        match parent {
            None => {
                object.remove(&child);
            }
            Some(parent) => {
                if let Some(Value::Object(inner)) = object.get_mut(&parent) {
                    inner.remove(&child);
                }
            }
        }
    }
}

#[derive(Default)]
struct State {
    users: BTreeMap<String, Value>,
    groups: BTreeMap<String, Value>,
    next: u64,
}

/// A SCIM application in memory: ids `m1`, `m2`, ...; a version per resource, bumped by every write and
/// checked against `If-Match` (412 when it moved).
#[derive(Default)]
pub struct MemoryTarget {
    state: Mutex<State>,
}

fn version(resource: &Value) -> u64 {
    resource["meta"]["version"]
        .as_str()
        .and_then(|v| v.trim_start_matches("W/").trim_matches('"').parse().ok())
        .unwrap_or(0)
}

fn bump(resource: &mut Value) {
    let next = version(resource) + 1;
    resource["meta"] = json!({"version": format!("W/\"{next}\"")});
}

impl MemoryTarget {
    pub fn new() -> MemoryTarget {
        MemoryTarget::default()
    }

    fn state(&self) -> Result<std::sync::MutexGuard<'_, State>, TargetError> {
        self.state
            .lock()
            .map_err(|_| TargetError::new(Some(500), "poisoned"))
    }

    /// Adds a user as someone other than CIS would (tests).
    pub fn insert_user(&self, mut resource: Value) -> String {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.next += 1;
        let id = format!("m{}", state.next);
        resource["id"] = json!(id);
        bump(&mut resource);
        state.users.insert(id.clone(), resource);
        id
    }

    /// The user `id` (tests).
    pub fn user(&self, id: &str) -> Option<Value> {
        self.state.lock().ok()?.users.get(id).cloned()
    }

    /// Every write so far moved a version: the sum of versions tells whether a run wrote (tests).
    pub fn writes(&self) -> u64 {
        self.state.lock().map_or(0, |s| {
            s.users.values().chain(s.groups.values()).map(version).sum()
        })
    }
}

/// The resource `id` of `resources` if its version is still `etag`: 404 when absent, 412 when it moved.
fn current<'a>(
    resources: &'a mut BTreeMap<String, Value>,
    id: &str,
    etag: Option<&str>,
) -> Result<&'a mut Value, TargetError> {
    let resource = resources
        .get_mut(id)
        .ok_or_else(|| TargetError::new(Some(404), format!("no resource {id}")))?;
    check(resource, etag)?;
    Ok(resource)
}

fn check(resource: &Value, etag: Option<&str>) -> Result<(), TargetError> {
    match etag {
        Some(etag) if resource["meta"]["version"].as_str() != Some(etag) => Err(TargetError::new(
            Some(412),
            "the resource changed since it was read",
        )),
        _ => Ok(()),
    }
}

#[async_trait]
impl ScimTarget for MemoryTarget {
    async fn users(&self) -> Result<Vec<Value>, TargetError> {
        Ok(self.state()?.users.values().cloned().collect())
    }

    async fn groups(&self) -> Result<Vec<Value>, TargetError> {
        Ok(self.state()?.groups.values().cloned().collect())
    }

    async fn create_user(&self, resource: &Value) -> Result<String, TargetError> {
        let mut state = self.state()?;
        let taken = resource["userName"].as_str().map(str::to_lowercase);
        if state
            .users
            .values()
            .any(|u| u["userName"].as_str().map(str::to_lowercase) == taken)
        {
            return Err(TargetError::new(Some(409), "userName taken"));
        }
        state.next += 1;
        let id = format!("m{}", state.next);
        let mut resource = resource.clone();
        resource["id"] = json!(id);
        bump(&mut resource);
        state.users.insert(id.clone(), resource);
        Ok(id)
    }

    async fn update_user(
        &self,
        id: &str,
        etag: Option<&str>,
        set: &Map<String, Value>,
        remove: &[String],
        _current: &Value,
    ) -> Result<(), TargetError> {
        let mut state = self.state()?;
        let user = current(&mut state.users, id, etag)?;
        apply_changes(user, set, remove);
        bump(user);
        Ok(())
    }

    async fn delete_user(&self, id: &str, etag: Option<&str>) -> Result<(), TargetError> {
        let mut state = self.state()?;
        current(&mut state.users, id, etag)?;
        state.users.remove(id);
        Ok(())
    }

    async fn create_group(
        &self,
        external_id: &str,
        name: &str,
        members: &[String],
    ) -> Result<String, TargetError> {
        let mut state = self.state()?;
        state.next += 1;
        let id = format!("m{}", state.next);
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let mut group =
            json!({"id": id, "externalId": external_id, "displayName": name, "members": members});
        bump(&mut group);
        state.groups.insert(id.clone(), group);
        Ok(id)
    }

    async fn update_group(
        &self,
        id: &str,
        etag: Option<&str>,
        external_id: &str,
        adopt: bool,
        _name: &str,
        add: &[String],
        remove: &[String],
        _current_members: &[String],
    ) -> Result<(), TargetError> {
        let mut state = self.state()?;
        let group = current(&mut state.groups, id, etag)?;
        let mut members: Vec<String> = group["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["value"].as_str().map(str::to_string))
            .filter(|m| !remove.contains(m))
            .collect();
        members.extend(
            add.iter()
                .filter(|a| !members.contains(a))
                .cloned()
                .collect::<Vec<_>>(),
        );
        group["members"] = Value::Array(members.iter().map(|m| json!({"value": m})).collect());
        if adopt {
            group["externalId"] = json!(external_id);
        }
        bump(group);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_replace_merge_and_remove() {
        let mut user = json!({
            "schemas": ["core"], "title": "A", "timezone": "UTC",
            "name": {"givenName": "J", "familyName": "D", "middleName": "M"},
        });
        let set: Map<String, Value> = serde_json::from_value(json!({
            "title": "B", "name": {"givenName": "Jane"},
            "urn:x:User": {"department": "IAM"},
        }))
        .unwrap();
        apply_changes(
            &mut user,
            &set,
            &["timezone".into(), "name.familyName".into()],
        );
        assert_eq!(user["title"], "B");
        assert_eq!(
            user["name"],
            json!({"givenName": "Jane", "middleName": "M"})
        );
        assert!(user.get("timezone").is_none());
        assert_eq!(user["schemas"], json!(["core", "urn:x:User"]));
        let mut ext = json!({"urn:x:User": {"department": "IAM", "costCenter": "1"}});
        apply_changes(&mut ext, &Map::new(), &["urn:x:User:costCenter".into()]);
        assert_eq!(ext["urn:x:User"], json!({"department": "IAM"}));
    }
}
