//! What validation needs to see of a JSON value, so the same checks run over a `serde_json::Value` and over
//! a borrowed [`Json`] tree (the fast path of `Profile::check`).

use crate::tree::Json;
use serde_json::Value;

/// A JSON value as validation sees it: its kind, its string, its items, its members in document order.
pub(crate) trait Node: Sized {
    fn as_str(&self) -> Option<&str>;
    fn is_null(&self) -> bool;
    fn is_boolean(&self) -> bool;
    fn is_array(&self) -> bool;
    fn is_object(&self) -> bool;
    fn items(&self) -> Option<&[Self]>;
    /// The members in document order, or `None` when this is not an object.
    fn members(&self) -> Option<impl Iterator<Item = (&str, &Self)>>;
    fn is_string(&self) -> bool {
        self.as_str().is_some()
    }
}

impl Node for Value {
    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
    fn is_boolean(&self) -> bool {
        Value::is_boolean(self)
    }
    fn is_array(&self) -> bool {
        Value::is_array(self)
    }
    fn is_object(&self) -> bool {
        Value::is_object(self)
    }
    fn items(&self) -> Option<&[Value]> {
        self.as_array().map(Vec::as_slice)
    }
    fn members(&self) -> Option<impl Iterator<Item = (&str, &Value)>> {
        self.as_object()
            .map(|map| map.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

impl Node for Json<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
    fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
    fn is_boolean(&self) -> bool {
        matches!(self, Json::Bool(_))
    }
    fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }
    fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }
    fn items(&self) -> Option<&[Self]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }
    fn members(&self) -> Option<impl Iterator<Item = (&str, &Self)>> {
        match self {
            Json::Object(members) => Some(members.iter().map(|(k, v)| (k.as_ref(), v))),
            _ => None,
        }
    }
}
