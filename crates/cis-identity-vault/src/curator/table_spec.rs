//! What the tables must look like (docs/contract/processor-and-vault.md §5.1, §5.4, §5.5, §6), as SDK request parts,
//! and the comparisons the curator makes against a described table. Definitions only: no calls.

use crate::dynamodb::{Index, TableNames};
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, CreateGlobalSecondaryIndexAction, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ScalarAttributeType, Tag,
};

/// The vault table's string attributes that are keys of the table or of an index.
pub const VAULT_KEY_ATTRIBUTES: [&str; 6] = [
    "id",
    "user_uuid",
    "sequence_number",
    "primary_email",
    "primary_username",
    "connection_method",
];

/// Attributes the `-connection` index projects besides its keys.
pub const CONNECTION_PROJECTION: [&str; 3] = ["user_uuid", "primary_email", "active"];

fn key(name: &str, key_type: KeyType) -> Result<KeySchemaElement, BuildError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, BuildError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
}

/// HASH on one string attribute: the key of both tables.
pub fn hash_key(name: &str) -> Result<(Vec<KeySchemaElement>, AttributeDefinition), BuildError> {
    Ok((vec![key(name, KeyType::Hash)?], string_attribute(name)?))
}

/// The attribute definitions of the vault table (all S).
pub fn vault_attribute_definitions() -> Result<Vec<AttributeDefinition>, BuildError> {
    VAULT_KEY_ATTRIBUTES
        .iter()
        .map(|n| string_attribute(n))
        .collect()
}

/// The attribute definitions an index needs.
pub fn index_attribute_definitions(index: Index) -> Result<Vec<AttributeDefinition>, BuildError> {
    std::iter::once(index.hash_key())
        .chain(index.range_key())
        .map(string_attribute)
        .collect()
}

/// The key schema of an index.
pub fn index_key_schema(index: Index) -> Result<Vec<KeySchemaElement>, BuildError> {
    let mut schema = vec![key(index.hash_key(), KeyType::Hash)?];
    if let Some(range) = index.range_key() {
        schema.push(key(range, KeyType::Range)?);
    }
    Ok(schema)
}

/// ALL, except INCLUDE `user_uuid`, `primary_email`, `active` for the `-connection` index.
pub fn index_projection(index: Index) -> Projection {
    match index {
        Index::Connection => Projection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(
                CONNECTION_PROJECTION
                    .iter()
                    .map(|a| a.to_string())
                    .collect(),
            ))
            .build(),
        _ => Projection::builder()
            .projection_type(ProjectionType::All)
            .build(),
    }
}

/// An index as part of `CreateTable`.
pub fn global_index(tables: &TableNames, index: Index) -> Result<GlobalSecondaryIndex, BuildError> {
    GlobalSecondaryIndex::builder()
        .index_name(tables.index(index))
        .set_key_schema(Some(index_key_schema(index)?))
        .projection(index_projection(index))
        .build()
}

/// An index as an `UpdateTable` create action (on-demand: no throughput).
pub fn create_index_action(
    tables: &TableNames,
    index: Index,
) -> Result<CreateGlobalSecondaryIndexAction, BuildError> {
    CreateGlobalSecondaryIndexAction::builder()
        .index_name(tables.index(index))
        .set_key_schema(Some(index_key_schema(index)?))
        .projection(index_projection(index))
        .build()
}

/// The tags a table must carry (§5.5, §6).
pub fn required_tags(environment: &str, application: &str) -> Vec<(String, String)> {
    vec![
        ("cis_environment".to_string(), environment.to_string()),
        ("application".to_string(), application.to_string()),
    ]
}

pub fn tags(pairs: &[(String, String)]) -> Result<Vec<Tag>, BuildError> {
    pairs
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Whether a described key schema is exactly `expected` (names and key types, in any order).
pub fn same_key_schema(actual: &[KeySchemaElement], expected: &[KeySchemaElement]) -> bool {
    actual.len() == expected.len()
        && expected.iter().all(|e| {
            actual
                .iter()
                .any(|a| a.attribute_name() == e.attribute_name() && a.key_type() == e.key_type())
        })
}

/// A key schema as text for messages: `HASH id, RANGE id`.
pub fn describe_key_schema(schema: &[KeySchemaElement]) -> String {
    let parts: Vec<String> = schema
        .iter()
        .map(|k| format!("{} {}", k.key_type().as_str(), k.attribute_name()))
        .collect();
    parts.join(", ")
}

/// The status table's history index (`<status>-user_id`): HASH `user_id`, RANGE `processed_at`, ALL.
pub fn status_user_index_key_schema() -> Result<Vec<KeySchemaElement>, BuildError> {
    Ok(vec![
        key("user_id", KeyType::Hash)?,
        key("processed_at", KeyType::Range)?,
    ])
}

/// The attribute definitions of the status table with its history index.
pub fn status_attribute_definitions() -> Result<Vec<AttributeDefinition>, BuildError> {
    ["sequence_number", "user_id", "processed_at"]
        .iter()
        .map(|n| string_attribute(n))
        .collect()
}

/// The history index as part of `CreateTable`.
pub fn status_user_index(tables: &TableNames) -> Result<GlobalSecondaryIndex, BuildError> {
    GlobalSecondaryIndex::builder()
        .index_name(tables.status_user_index())
        .set_key_schema(Some(status_user_index_key_schema()?))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
}

/// The history index as an `UpdateTable` create action.
pub fn create_status_user_index_action(
    tables: &TableNames,
) -> Result<CreateGlobalSecondaryIndexAction, BuildError> {
    CreateGlobalSecondaryIndexAction::builder()
        .index_name(tables.status_user_index())
        .set_key_schema(Some(status_user_index_key_schema()?))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_keyed_as_section_5_4_says() {
        let email = index_key_schema(Index::PrimaryEmail).unwrap();
        assert_eq!(describe_key_schema(&email), "HASH primary_email, RANGE id");
        let seq = index_key_schema(Index::SequenceNumber).unwrap();
        assert_eq!(describe_key_schema(&seq), "HASH sequence_number");
        let connection = index_projection(Index::Connection);
        assert_eq!(connection.projection_type(), Some(&ProjectionType::Include));
        assert_eq!(
            connection.non_key_attributes(),
            ["user_uuid", "primary_email", "active"]
        );
    }

    #[test]
    fn key_schemas_compare_by_name_and_type() {
        let a = index_key_schema(Index::UserUuid).unwrap();
        let mut b = a.clone();
        b.reverse();
        assert!(same_key_schema(&a, &b));
        assert!(!same_key_schema(
            &a,
            &index_key_schema(Index::PrimaryEmail).unwrap()
        ));
        assert!(!same_key_schema(&a, &a[..1]));
    }
}
