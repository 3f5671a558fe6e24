//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): which attributes of a resource an answer
//! carries. `id`, `schemas` and `meta.resourceType` are always returned; names are case-insensitive;
//! `name.givenName` selects one sub-attribute; an enterprise attribute is named with its schema URN.

use serde_json::{Map, Value};

use crate::ScimError;

/// A projection of the answer's resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Projection {
    /// Every attribute.
    #[default]
    All,
    /// Only these (plus the ones always returned).
    Only(Vec<Vec<String>>),
    /// Every attribute but these.
    Except(Vec<Vec<String>>),
}

impl Projection {
    /// From the two query parameters; both at once is `invalidValue`.
    pub fn parse(
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Projection, ScimError> {
        match (attributes, excluded) {
            (Some(_), Some(_)) => Err(ScimError::invalid_value(
                "attributes and excludedAttributes cannot be combined",
            )),
            (Some(a), None) => Ok(Projection::Only(paths(a))),
            (None, Some(e)) => Ok(Projection::Except(paths(e))),
            (None, None) => Ok(Projection::All),
        }
    }

    /// `resource` with the projection applied.
    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(object) = resource else {
            return resource;
        };
        match self {
            Projection::All => Value::Object(object),
            Projection::Only(paths) => Value::Object(only(object, paths)),
            Projection::Except(paths) => Value::Object(except(object, paths)),
        }
    }
}

fn paths(list: &str) -> Vec<Vec<String>> {
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lower = p.to_ascii_lowercase();
            let enterprise = crate::ENTERPRISE_SCHEMA.to_ascii_lowercase();
            let core = format!("{}:", crate::USER_SCHEMA.to_ascii_lowercase());
            if let Some(rest) = lower.strip_prefix(&format!("{enterprise}:")) {
                vec![enterprise, rest.to_string()]
            } else if lower == enterprise {
                vec![enterprise]
            } else {
                let rest = lower.strip_prefix(&core).unwrap_or(&lower);
                rest.split('.').map(str::to_string).collect()
            }
        })
        .collect()
}

const ALWAYS: [&str; 3] = ["id", "schemas", "meta"];

fn only(object: Map<String, Value>, paths: &[Vec<String>]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in object {
        let lower = key.to_ascii_lowercase();
        if ALWAYS.contains(&lower.as_str()) {
            // `meta` is returned with at least its resourceType.
            let keep = if lower == "meta" && !paths.iter().any(|p| p[0] == "meta") {
                match value {
                    Value::Object(meta) => Value::Object(
                        meta.into_iter()
                            .filter(|(k, _)| k == "resourceType")
                            .collect(),
                    ),
                    other => other,
                }
            } else {
                value
            };
            out.insert(key, keep);
            continue;
        }
        let wanted: Vec<&[String]> = paths
            .iter()
            .filter(|p| p[0] == lower)
            .map(|p| &p[1..])
            .collect();
        if wanted.is_empty() {
            continue;
        }
        if wanted.iter().any(|rest| rest.is_empty()) {
            out.insert(key, value);
            continue;
        }
        let subs: Vec<Vec<String>> = wanted.iter().map(|rest| rest.to_vec()).collect();
        let narrowed = match value {
            Value::Object(inner) => Value::Object(only_members(inner, &subs)),
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(inner) => Value::Object(only_members(inner, &subs)),
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        };
        out.insert(key, narrowed);
    }
    out
}

fn only_members(object: Map<String, Value>, subs: &[Vec<String>]) -> Map<String, Value> {
    object
        .into_iter()
        .filter(|(k, _)| subs.iter().any(|s| s[0] == k.to_ascii_lowercase()))
        .collect()
}

fn except(mut object: Map<String, Value>, paths: &[Vec<String>]) -> Map<String, Value> {
    for path in paths {
        if ALWAYS.contains(&path[0].as_str()) && path.len() == 1 {
            continue;
        }
        let Some(key) = object
            .keys()
            .find(|k| k.to_ascii_lowercase() == path[0])
            .cloned()
        else {
            continue;
        };
        if path.len() == 1 {
            object.remove(&key);
            continue;
        }
        let sub = &path[1];
        let strip = |inner: &mut Map<String, Value>| {
            inner.retain(|k, _| k.to_ascii_lowercase() != *sub);
        };
        match object.get_mut(&key) {
            Some(Value::Object(inner)) => strip(inner),
            Some(Value::Array(items)) => items.iter_mut().for_each(|item| {
                if let Value::Object(inner) = item {
                    strip(inner);
                }
            }),
            _ => {}
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": ["s"], "id": "u", "userName": "a@b",
            "name": {"givenName": "A", "familyName": "B"},
            "emails": [{"value": "a@b", "type": "work"}],
            "meta": {"resourceType": "User", "version": "W/\"1\""},
        })
    }

    #[test]
    fn attributes_keep_what_is_named_and_what_is_always_returned() {
        let p = Projection::parse(Some("userName,name.givenName,EMAILS.value"), None).unwrap();
        assert_eq!(
            p.apply(user()),
            json!({
                "schemas": ["s"], "id": "u", "userName": "a@b",
                "name": {"givenName": "A"},
                "emails": [{"value": "a@b"}],
                "meta": {"resourceType": "User"},
            })
        );
    }

    #[test]
    fn excluded_attributes_drop_what_is_named_but_never_id() {
        let p = Projection::parse(None, Some("name.familyName, emails, id")).unwrap();
        let out = p.apply(user());
        assert_eq!(out["name"], json!({"givenName": "A"}));
        assert!(out.get("emails").is_none());
        assert_eq!(out["id"], "u");
    }

    #[test]
    fn both_parameters_at_once_are_refused() {
        assert!(Projection::parse(Some("a"), Some("b")).is_err());
    }
}
