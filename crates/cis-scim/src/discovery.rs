//! The discovery documents (RFC 7644 §4, RFC 7643 §5–7): `ServiceProviderConfig` (filtering and ETags
//! supported; patch, bulk, sorting and password changes not — CIS is read-only), `Schemas` (User, the
//! enterprise extension and Group, describing exactly the attributes [`crate::user`] and [`crate::group`]
//! give, all read-only) and `ResourceTypes` (User, Group).

use serde_json::{Value, json};

/// `GET /ServiceProviderConfig`.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/mozilla-iam/cis/blob/main/docs/scim.md",
        "patch": {"supported": false},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": crate::list::MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "The Person API's bearer token; its classification and display scopes decide what each User shows",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    })
}

/// An attribute definition, read-only (CIS takes no SCIM writes).
fn attr(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": description,
        "required": false,
        "caseExact": false,
        "mutability": "readOnly",
        "returned": "default",
        "uniqueness": "none",
    })
}

fn with(mut attribute: Value, changes: Value) -> Value {
    if let (Some(a), Some(c)) = (attribute.as_object_mut(), changes.as_object()) {
        for (k, v) in c {
            a.insert(k.clone(), v.clone());
        }
    }
    attribute
}

fn user_schema() -> Value {
    json!({
        "id": crate::USER_SCHEMA,
        "name": "User",
        "description": "A CIS profile, as the caller's scopes let it be read",
        "attributes": [
            with(attr("userName", "string", "The primary email (else the primary username, else the user_id)"),
                json!({"required": true, "uniqueness": "server"})),
            with(attr("name", "complex", "The person's name"), json!({"subAttributes": [
                attr("formatted", "string", "first_name and last_name"),
                attr("familyName", "string", "last_name"),
                attr("givenName", "string", "first_name"),
            ]})),
            attr("displayName", "string", "alternative_name, else the formatted name"),
            attr("title", "string", "staff_information.title"),
            attr("timezone", "string", "The IANA zone of the CIS timezone"),
            attr("active", "boolean", "active"),
            with(attr("emails", "complex", "The primary email, then the identity emails that differ"),
                json!({"multiValued": true, "subAttributes": [
                    attr("value", "string", "The address"),
                    with(attr("type", "string", "work (the primary email) or other"),
                        json!({"canonicalValues": ["work", "other"]})),
                    attr("primary", "boolean", "The primary email"),
                ]})),
            with(attr("groups", "complex", "The CIS groups (LDAP and mozillians.org)"),
                json!({"multiValued": true, "subAttributes": [
                    attr("value", "string", "The group's id"),
                    with(attr("$ref", "reference", "The group's URI"), json!({"referenceTypes": ["Group"]})),
                    attr("display", "string", "The group's name"),
                ]})),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{}", crate::USER_SCHEMA)},
    })
}

fn enterprise_schema() -> Value {
    json!({
        "id": crate::ENTERPRISE_SCHEMA,
        "name": "EnterpriseUser",
        "description": "Staff information",
        "attributes": [
            attr("employeeNumber", "string", "access_information.hris employee_id"),
            attr("costCenter", "string", "staff_information.cost_center"),
            attr("department", "string", "staff_information.team"),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{}", crate::ENTERPRISE_SCHEMA)},
    })
}

fn group_schema() -> Value {
    json!({
        "id": crate::GROUP_SCHEMA,
        "name": "Group",
        "description": "A CIS group (an LDAP or mozillians.org group key)",
        "attributes": [
            with(attr("displayName", "string", "The group's name"), json!({"required": true})),
            with(attr("members", "complex", "The users whose profile holds the group"),
                json!({"multiValued": true, "subAttributes": [
                    attr("value", "string", "The user's id"),
                    with(attr("$ref", "reference", "The user's URI"), json!({"referenceTypes": ["User"]})),
                    with(attr("type", "string", "User"), json!({"canonicalValues": ["User"]})),
                    attr("display", "string", "The user's display name"),
                ]})),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{}", crate::GROUP_SCHEMA)},
    })
}

/// Every schema, with locations under `base`.
pub fn schemas(base: &str) -> Vec<Value> {
    [user_schema(), enterprise_schema(), group_schema()]
        .into_iter()
        .map(|mut s| {
            let location = format!("{base}{}", s["meta"]["location"].as_str().unwrap_or(""));
            s["meta"]["location"] = json!(location);
            s["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:Schema"]);
            s
        })
        .collect()
}

/// Every resource type.
pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "CIS profiles",
            "schema": crate::USER_SCHEMA,
            "schemaExtensions": [{"schema": crate::ENTERPRISE_SCHEMA, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")},
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "CIS groups",
            "schema": crate::GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")},
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_a_user_carries_is_described() {
        let schemas = schemas("http://x/scim/v2");
        let names: Vec<&str> = schemas[0]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        for name in [
            "userName",
            "name",
            "displayName",
            "emails",
            "active",
            "title",
            "timezone",
            "groups",
        ] {
            assert!(names.contains(&name), "{name}");
        }
        assert_eq!(
            schemas[1]["meta"]["location"],
            format!("http://x/scim/v2/Schemas/{}", crate::ENTERPRISE_SCHEMA)
        );
        assert_eq!(
            resource_types("b")[0]["schemaExtensions"][0]["schema"],
            crate::ENTERPRISE_SCHEMA
        );
        assert_eq!(service_provider_config("b")["patch"]["supported"], false);
    }
}
