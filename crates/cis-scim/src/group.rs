//! CIS groups as SCIM Groups: every key of `access_information.ldap` and `access_information.mozilliansorg`
//! is a group, identified as `ldap:<name>` / `mozilliansorg:<name>` (the two sources may share a name),
//! displayed as its name. Members are the users whose (visible) profile holds the key.

use serde_json::{Value, json};

/// Where a group comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Ldap,
    Mozilliansorg,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Ldap => "ldap",
            Source::Mozilliansorg => "mozilliansorg",
        }
    }

    fn parse(text: &str) -> Option<Source> {
        match text {
            "ldap" => Some(Source::Ldap),
            "mozilliansorg" => Some(Source::Mozilliansorg),
            _ => None,
        }
    }
}

/// One CIS group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupRef {
    pub source: Source,
    pub name: String,
}

impl GroupRef {
    /// The SCIM id: `ldap:team_moco`.
    pub fn id(&self) -> String {
        format!("{}:{}", self.source.as_str(), self.name)
    }

    /// The group a SCIM id names; `None` for anything else.
    pub fn parse(id: &str) -> Option<GroupRef> {
        let (source, name) = id.split_once(':')?;
        let source = Source::parse(source)?;
        (!name.is_empty()).then(|| GroupRef {
            source,
            name: name.to_string(),
        })
    }

    /// The profile attribute path that holds this group's keys (`access_information.ldap`).
    pub fn attribute(&self) -> String {
        format!("access_information.{}", self.source.as_str())
    }
}

/// The groups of a (filtered) profile, LDAP first, each source in key order.
pub fn of_profile(profile: &Value) -> Vec<GroupRef> {
    let mut groups = Vec::new();
    for source in [Source::Ldap, Source::Mozilliansorg] {
        let values = profile
            .get("access_information")
            .and_then(|a| a.get(source.as_str()))
            .and_then(|a| a.get("values"))
            .and_then(Value::as_object);
        if let Some(values) = values {
            let mut names: Vec<&String> = values.keys().filter(|k| !k.is_empty()).collect();
            names.sort();
            groups.extend(names.into_iter().map(|name| GroupRef {
                source,
                name: name.clone(),
            }));
        }
    }
    groups
}

/// A member of a group: the user's SCIM id and display name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Member {
    pub id: String,
    pub display: Option<String>,
}

/// The SCIM Group resource.
pub fn to_group(group: &GroupRef, members: &[Member], base: &str) -> Value {
    let id = group.id();
    let members: Vec<Value> = members
        .iter()
        .map(|m| {
            let mut member = json!({
                "value": m.id,
                "$ref": format!("{base}/Users/{}", m.id),
                "type": "User",
            });
            if let Some(display) = &m.display {
                member["display"] = json!(display);
            }
            member
        })
        .collect();
    json!({
        "schemas": [crate::GROUP_SCHEMA],
        "id": id,
        "displayName": group.name,
        "members": members,
        "meta": {
            "resourceType": "Group",
            "location": format!("{base}/Groups/{id}"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_come_from_both_sources_with_prefixed_ids() {
        let profile = json!({"access_information": {
            "ldap": {"values": {"team_moco": null, "admin": null}},
            "mozilliansorg": {"values": {"nda": null}},
            "hris": {"values": {"employee_id": "1"}},
        }});
        let ids: Vec<String> = of_profile(&profile).iter().map(GroupRef::id).collect();
        assert_eq!(ids, ["ldap:admin", "ldap:team_moco", "mozilliansorg:nda"]);
        assert_eq!(
            GroupRef::parse("mozilliansorg:nda").map(|g| g.attribute()),
            Some("access_information.mozilliansorg".to_string())
        );
        assert_eq!(GroupRef::parse("hris:x"), None);
        assert_eq!(GroupRef::parse("ldap:"), None);
        assert!(of_profile(&json!({"access_information": {"ldap": {"values": null}}})).is_empty());
    }

    #[test]
    fn a_group_lists_its_members_with_references() {
        let group = GroupRef::parse("ldap:team").unwrap();
        let members = [Member {
            id: "u-1".into(),
            display: Some("Jane".into()),
        }];
        let g = to_group(&group, &members, "http://x/scim/v2");
        assert_eq!(g["id"], "ldap:team");
        assert_eq!(g["displayName"], "team");
        assert_eq!(g["members"][0]["$ref"], "http://x/scim/v2/Users/u-1");
        assert_eq!(g["meta"]["location"], "http://x/scim/v2/Groups/ldap:team");
    }
}
