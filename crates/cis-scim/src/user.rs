//! A CIS profile → SCIM User (docs/scim.md §1): `id` = uuid, `externalId` = user_id, `userName` =
//! primary_email, names, emails (the primary one, then the identity emails that differ), `active`,
//! `title`, the IANA `timezone`, the enterprise extension (department, cost center, employee number),
//! the read-only `groups`, and `meta`.
//!
//! The profile given is the one the caller may read (already filtered by scopes and display): an
//! attribute filtered away, null or empty is an absent SCIM attribute, never an empty string. A profile
//! whose uuid the caller cannot see has no SCIM identity and maps to `None`.

use serde_json::{Map, Value, json};

use crate::group;

/// Where the User answers live and which version of the vault item it is.
#[derive(Debug, Clone, Copy)]
pub struct UserContext<'a> {
    /// The SCIM base URL, e.g. `https://person.example/scim/v2`.
    pub base: &'a str,
    /// The vault item's version (the weak ETag); `None` for an item of the original CIS.
    pub version: Option<u64>,
}

/// The weak ETag of a vault version (`W/"3"`); items of the original CIS (no version) are `W/"0"`.
pub fn etag(version: Option<u64>) -> String {
    format!("W/\"{}\"", version.unwrap_or(0))
}

/// A non-empty string at `path` (`["staff_information", "title"]`) of the profile: the attribute's
/// `value`.
pub fn text(profile: &Value, path: &[&str]) -> Option<String> {
    let mut node = profile;
    for key in path {
        node = node.get(*key)?;
    }
    match node.get("value")? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The SCIM User of `profile`, or `None` when the caller cannot see its uuid.
pub fn to_user(profile: &Value, cx: UserContext<'_>) -> Option<Value> {
    let id = text(profile, &["uuid"])?;
    let mut user = Map::new();
    let mut schemas = vec![json!(crate::USER_SCHEMA)];
    user.insert("id".into(), json!(id));
    let external_id = text(profile, &["user_id"]);
    if let Some(user_id) = &external_id {
        user.insert("externalId".into(), json!(user_id));
    }
    // userName is required by RFC 7643: the primary email, else the username, else the user_id (which
    // the caller already sees as externalId).
    let user_name = text(profile, &["primary_email"])
        .or_else(|| text(profile, &["primary_username"]))
        .or(external_id);
    if let Some(user_name) = user_name {
        user.insert("userName".into(), json!(user_name));
    }
    let given = text(profile, &["first_name"]);
    let family = text(profile, &["last_name"]);
    let formatted = match (&given, &family) {
        (None, None) => None,
        _ => Some(
            [given.as_deref(), family.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    if let Some(formatted) = &formatted {
        let mut name = Map::new();
        name.insert("formatted".into(), json!(formatted));
        if let Some(given) = &given {
            name.insert("givenName".into(), json!(given));
        }
        if let Some(family) = &family {
            name.insert("familyName".into(), json!(family));
        }
        user.insert("name".into(), Value::Object(name));
    }
    if let Some(display) = text(profile, &["alternative_name"]).or(formatted) {
        user.insert("displayName".into(), json!(display));
    }
    let emails = emails(profile);
    if !emails.is_empty() {
        user.insert("emails".into(), Value::Array(emails));
    }
    if let Some(active) = profile.pointer("/active/value").and_then(Value::as_bool) {
        user.insert("active".into(), json!(active));
    }
    if let Some(title) = text(profile, &["staff_information", "title"]) {
        user.insert("title".into(), json!(title));
    }
    if let Some(zone) = text(profile, &["timezone"]).and_then(|t| iana_zone(&t)) {
        user.insert("timezone".into(), json!(zone));
    }
    let enterprise = enterprise(profile);
    if !enterprise.is_empty() {
        schemas.push(json!(crate::ENTERPRISE_SCHEMA));
        user.insert(crate::ENTERPRISE_SCHEMA.into(), Value::Object(enterprise));
    }
    let groups: Vec<Value> = group::of_profile(profile)
        .into_iter()
        .map(|g| {
            json!({
                "value": g.id(),
                "display": g.name,
                "$ref": format!("{}/Groups/{}", cx.base, g.id()),
            })
        })
        .collect();
    if !groups.is_empty() {
        user.insert("groups".into(), Value::Array(groups));
    }
    let mut meta = Map::new();
    meta.insert("resourceType".into(), json!("User"));
    if let Some(created) = text(profile, &["created"]) {
        meta.insert("created".into(), json!(created));
    }
    if let Some(modified) = text(profile, &["last_modified"]) {
        meta.insert("lastModified".into(), json!(modified));
    }
    meta.insert("version".into(), json!(etag(cx.version)));
    meta.insert("location".into(), json!(format!("{}/Users/{id}", cx.base)));
    user.insert("meta".into(), Value::Object(meta));
    user.insert("schemas".into(), Value::Array(schemas));
    Some(Value::Object(user))
}

/// The primary email (primary, type work), then each identity email (`identities.*_primary_email`)
/// that differs from the ones before it, in the profile's order.
fn emails(profile: &Value) -> Vec<Value> {
    let mut seen: Vec<String> = Vec::new();
    let mut emails = Vec::new();
    if let Some(primary) = text(profile, &["primary_email"]) {
        emails.push(json!({"value": primary, "type": "work", "primary": true}));
        seen.push(primary.to_lowercase());
    }
    if let Some(identities) = profile.get("identities").and_then(Value::as_object) {
        for (name, attribute) in identities {
            if !name.ends_with("_primary_email") {
                continue;
            }
            let Some(Value::String(email)) = attribute.get("value") else {
                continue;
            };
            if email.trim().is_empty() || seen.contains(&email.to_lowercase()) {
                continue;
            }
            seen.push(email.to_lowercase());
            emails.push(json!({"value": email, "type": "other"}));
        }
    }
    emails
}

/// The IANA part of a CIS timezone: `UTC+0100 Europe/Berlin` → `Europe/Berlin`; a bare `Area/City`
/// stays; anything else (`UTC+0100` alone) has none.
pub fn iana_zone(timezone: &str) -> Option<String> {
    timezone
        .split_whitespace()
        .rev()
        .find(|part| part.contains('/') || *part == "UTC")
        .map(str::to_string)
}

fn enterprise(profile: &Value) -> Map<String, Value> {
    let mut extension = Map::new();
    if let Some(team) = text(profile, &["staff_information", "team"]) {
        extension.insert("department".into(), json!(team));
    }
    if let Some(cost_center) = text(profile, &["staff_information", "cost_center"]) {
        extension.insert("costCenter".into(), json!(cost_center));
    }
    let employee_id = profile.pointer("/access_information/hris/values/employee_id");
    match employee_id {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            extension.insert("employeeNumber".into(), json!(s));
        }
        Some(Value::Number(n)) => {
            extension.insert("employeeNumber".into(), json!(n.to_string()));
        }
        _ => {}
    }
    extension
}

#[cfg(test)]
#[path = "user_tests.rs"]
mod tests;
