//! Read and write access to one attribute object (`{signature, metadata, value|values}`).
//!
//! Attributes are kept as JSON objects so that what a publisher signed survives untouched; this module is
//! the typed window onto them. It never validates: validation happens once, when a profile is parsed.

use crate::catalogue::Kind;
use crate::enums::{Classification, Display, Publisher};
use serde_json::{Map, Value};

static NULL: Value = Value::Null;

/// A read-only view of one attribute object.
#[derive(Debug, Clone, Copy)]
pub struct Attr<'a>(pub &'a Map<String, Value>);

impl<'a> Attr<'a> {
    /// The payload: `value` or `values`, whichever the attribute has (null when neither).
    pub fn payload(self) -> &'a Value {
        self.0
            .get("value")
            .or_else(|| self.0.get("values"))
            .unwrap_or(&NULL)
    }
    /// True when the payload is null: "no change" in a merge, skipped by profile-wide verification.
    pub fn is_null(self) -> bool {
        self.payload().is_null()
    }
    pub fn metadata(self) -> Option<&'a Map<String, Value>> {
        self.0.get("metadata").and_then(Value::as_object)
    }
    fn meta(self, key: &str) -> &'a Value {
        self.metadata().and_then(|m| m.get(key)).unwrap_or(&NULL)
    }
    /// The classification label as stored (legacy or unknown labels included).
    pub fn classification_text(self) -> Option<&'a str> {
        self.meta("classification").as_str()
    }
    /// The classification, accepting the legacy long labels of stored data.
    pub fn classification(self) -> Option<Classification> {
        self.classification_text()
            .and_then(Classification::parse_stored)
    }
    /// The raw display member (`null` or a string).
    pub fn display_value(self) -> &'a Value {
        self.meta("display")
    }
    /// The display level; `None` for JSON null (and for text that is not a level).
    pub fn display(self) -> Option<Display> {
        self.display_value().as_str().and_then(Display::parse)
    }
    pub fn verified(self) -> &'a Value {
        self.meta("verified")
    }
    pub fn publisher_object(self) -> Option<&'a Map<String, Value>> {
        self.0.get("signature")?.get("publisher")?.as_object()
    }
    /// The publisher the attribute claims (`signature.publisher.name`), as text.
    pub fn publisher_name(self) -> Option<&'a str> {
        self.publisher_object()?.get("name")?.as_str()
    }
    pub fn publisher(self) -> Option<Publisher> {
        self.publisher_name().and_then(Publisher::parse)
    }
    /// The compact JWS in `signature.publisher.value` (`""` when unsigned).
    pub fn token(self) -> &'a str {
        self.publisher_object()
            .and_then(|p| p.get("value"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// The attribute without its `signature` member: what a publisher signs (docs/contract/signatures.md §1).
    pub fn signed_part(self) -> Map<String, Value> {
        self.0
            .iter()
            .filter(|(k, _)| k.as_str() != "signature")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Sets the payload member of the kind (`value` or `values`).
pub fn set_payload(attr: &mut Map<String, Value>, kind: Kind, payload: Value) {
    attr.insert(kind.payload_key().to_string(), payload);
}

/// Sets `signature.publisher` to `{alg: RS256, typ: JWS, name, value: token}`, keeping `additional`.
pub fn set_publisher(attr: &mut Map<String, Value>, name: &str, token: &str) {
    let signature = attr
        .entry("signature")
        .or_insert_with(|| Value::Object(Map::new()));
    if !signature.is_object() {
        *signature = Value::Object(Map::new());
    }
    if let Value::Object(sig) = signature {
        let mut publisher = Map::new();
        publisher.insert("alg".into(), Value::from("RS256"));
        publisher.insert("typ".into(), Value::from("JWS"));
        publisher.insert("name".into(), Value::from(name));
        publisher.insert("value".into(), Value::from(token));
        let additional = sig
            .shift_remove("additional")
            .unwrap_or_else(|| Value::Array(Vec::new()));
        // canonical order: publisher before additional
        sig.insert("publisher".into(), Value::Object(publisher));
        sig.insert("additional".into(), additional);
    }
}

/// Sets a metadata member (`last_modified`, `created`, `display`, ...).
pub fn set_metadata(attr: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(Value::Object(meta)) = attr.get_mut("metadata") {
        meta.insert(key.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_publisher_keeps_additional_and_order() {
        let mut a = json!({"signature": {"additional": [], "publisher": {"alg": "RS256", "typ": "JWS", "name": "ldap", "value": ""}}, "metadata": {}, "value": "x"});
        let map = a.as_object_mut().unwrap();
        set_publisher(map, "cis", "tok");
        assert_eq!(Attr(map).publisher_name(), Some("cis"));
        assert_eq!(Attr(map).token(), "tok");
        let keys: Vec<_> = map["signature"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["publisher", "additional"]);
    }

    #[test]
    fn signed_part_drops_only_the_signature() {
        let a = json!({"signature": {}, "metadata": {"display": null}, "values": {"a": null}});
        let part = Attr(a.as_object().unwrap()).signed_part();
        assert_eq!(
            Value::Object(part),
            json!({"metadata": {"display": null}, "values": {"a": null}})
        );
    }
}
