//! What a SCIM target should hold for one CIS profile (docs/scim.md §3): the User of §1 reduced to the
//! attributes a sync manages, `userName` from the source the target chose, only the primary email, and
//! whether the profile is in the target's selection (a SCIM filter over the full User, groups included).

use serde_json::{Map, Value, json};

use crate::Filter;
use crate::user::{UserContext, text, to_user};

/// The attributes a sync writes and compares; everything else in the target is left as it is.
pub const MANAGED: [&str; 9] = [
    "externalId",
    "userName",
    "name",
    "displayName",
    "emails",
    "active",
    "title",
    "timezone",
    crate::ENTERPRISE_SCHEMA,
];

/// Which profile attribute becomes `userName`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserNameSource {
    #[default]
    PrimaryEmail,
    PrimaryUsername,
    UserId,
}

impl UserNameSource {
    pub fn parse(text: &str) -> Option<UserNameSource> {
        match text {
            "primary_email" => Some(UserNameSource::PrimaryEmail),
            "primary_username" => Some(UserNameSource::PrimaryUsername),
            "user_id" => Some(UserNameSource::UserId),
            _ => None,
        }
    }

    fn attribute(self) -> &'static str {
        match self {
            UserNameSource::PrimaryEmail => "primary_email",
            UserNameSource::PrimaryUsername => "primary_username",
            UserNameSource::UserId => "user_id",
        }
    }
}

/// One CIS user as a target should see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    /// The CIS user_id (the target's `externalId`).
    pub external_id: String,
    pub user_name: String,
    /// In the selection and active: the target should hold the user, active.
    pub wanted: bool,
    /// The managed attributes, `schemas` included.
    pub resource: Value,
    /// The CIS group ids of the user (`ldap:team_moco`).
    pub groups: Vec<String>,
}

/// The desired state of `profile` (unfiltered: a sync reads as the service), or `None` for a profile
/// without a user_id or without the attribute `userName` comes from.
pub fn desired(
    profile: &Value,
    user_name: UserNameSource,
    select: Option<&Filter>,
) -> Option<Desired> {
    let external_id = text(profile, &["user_id"])?;
    let name = text(profile, &[user_name.attribute()])?;
    let full = to_user(
        profile,
        UserContext {
            base: "",
            version: None,
        },
    )
    .or_else(|| {
        // A profile without a uuid yet still maps for a target (which never sees CIS ids).
        let mut with_id = profile.clone();
        with_id["uuid"] = json!({"value": "-"});
        to_user(
            &with_id,
            UserContext {
                base: "",
                version: None,
            },
        )
    })?;
    let selected = select.is_none_or(|f| f.matches(&full));
    let active = full["active"].as_bool() == Some(true);
    let groups = full["groups"]
        .as_array()
        .map(|g| {
            g.iter()
                .filter_map(|m| m["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut resource = Map::new();
    resource.insert("schemas".into(), full["schemas"].clone());
    for key in MANAGED {
        if let Some(value) = full.get(key) {
            resource.insert(key.to_string(), value.clone());
        }
    }
    resource.insert("userName".into(), json!(name));
    if let Some(primary) = full["emails"].as_array().and_then(|e| e.first()) {
        resource.insert("emails".into(), json!([primary]));
    }
    let wanted = selected && active;
    resource.insert("active".into(), json!(wanted));
    Some(Desired {
        external_id,
        user_name: name,
        wanted,
        resource: Value::Object(resource),
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(active: bool, groups: Value) -> Value {
        json!({
            "user_id": {"value": "ad|Mozilla-LDAP|jdoe"},
            "uuid": {"value": "u-1"},
            "primary_email": {"value": "jdoe@mozilla.com"},
            "primary_username": {"value": "jdoe"},
            "first_name": {"value": "Jane"},
            "active": {"value": active},
            "identities": {"google_primary_email": {"value": "jane@gmail.com"}},
            "access_information": {"ldap": {"values": groups}},
        })
    }

    #[test]
    fn the_desired_user_keeps_managed_attributes_and_the_primary_email() {
        let d = desired(
            &profile(true, json!({"team_moco": null})),
            UserNameSource::PrimaryEmail,
            None,
        )
        .unwrap();
        assert_eq!(d.external_id, "ad|Mozilla-LDAP|jdoe");
        assert!(d.wanted);
        assert_eq!(d.groups, ["ldap:team_moco"]);
        assert_eq!(
            d.resource["emails"],
            json!([{"value": "jdoe@mozilla.com", "type": "work", "primary": true}])
        );
        for absent in ["id", "meta", "groups"] {
            assert!(d.resource.get(absent).is_none(), "{absent}");
        }
        let by_username = desired(
            &profile(true, json!({})),
            UserNameSource::PrimaryUsername,
            None,
        )
        .unwrap();
        assert_eq!(by_username.resource["userName"], "jdoe");
    }

    #[test]
    fn the_selection_and_active_decide_whether_the_target_should_hold_the_user() {
        let moco = Filter::parse(r#"groups.value eq "ldap:team_moco""#).unwrap();
        let member = desired(
            &profile(true, json!({"team_moco": null})),
            UserNameSource::PrimaryEmail,
            Some(&moco),
        )
        .unwrap();
        assert!(member.wanted);
        let other = desired(
            &profile(true, json!({"other": null})),
            UserNameSource::PrimaryEmail,
            Some(&moco),
        )
        .unwrap();
        assert!(!other.wanted);
        assert_eq!(other.resource["active"], false);
        let gone = desired(
            &profile(false, json!({"team_moco": null})),
            UserNameSource::PrimaryEmail,
            Some(&moco),
        )
        .unwrap();
        assert!(!gone.wanted);
    }
}
