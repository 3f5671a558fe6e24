//! Paging (RFC 7644 §3.4.2.4): `startIndex` is 1-based (below 1 counts as 1), `count` is how many to
//! return (negative counts as 0, capped at [`MAX_COUNT`]), and the ListResponse that carries a page.

use serde_json::{Value, json};

use crate::ScimError;

/// The most resources one answer carries.
pub const MAX_COUNT: usize = 1000;
/// The page size when `count` is absent.
pub const DEFAULT_COUNT: usize = 100;

/// Which slice of the results an answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// 1-based.
    pub start_index: usize,
    pub count: usize,
}

impl Window {
    /// From the query parameters; a value that is not an integer is `invalidValue`.
    pub fn parse(start_index: Option<&str>, count: Option<&str>) -> Result<Window, ScimError> {
        let int = |name: &str, text: &str| {
            text.trim().parse::<i64>().map_err(|_| {
                ScimError::invalid_value(format!("{name} must be an integer, not {text:?}"))
            })
        };
        let start_index = match start_index {
            Some(text) => int("startIndex", text)?.max(1) as usize,
            None => 1,
        };
        let count = match count {
            Some(text) => int("count", text)?.clamp(0, MAX_COUNT as i64) as usize,
            None => DEFAULT_COUNT,
        };
        Ok(Window { start_index, count })
    }

    /// The slice of `all` this window shows.
    pub fn slice<T>(&self, all: Vec<T>) -> Vec<T> {
        all.into_iter()
            .skip(self.start_index - 1)
            .take(self.count)
            .collect()
    }
}

/// A ListResponse of `resources` (already sliced) out of `total`.
pub fn list_response(total: usize, window: Window, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [crate::LIST_SCHEMA],
        "totalResults": total,
        "startIndex": window.start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_one_based_and_bounded() {
        let w = Window::parse(Some("0"), Some("-5")).unwrap();
        assert_eq!(
            w,
            Window {
                start_index: 1,
                count: 0
            }
        );
        let w = Window::parse(Some("3"), Some("2")).unwrap();
        assert_eq!(w.slice(vec![1, 2, 3, 4, 5]), vec![3, 4]);
        assert_eq!(Window::parse(None, Some("99999")).unwrap().count, MAX_COUNT);
        assert!(Window::parse(Some("x"), None).is_err());
        let body = list_response(5, w, vec![json!({"id": "a"})]);
        assert_eq!(body["totalResults"], 5);
        assert_eq!(body["itemsPerPage"], 1);
        assert_eq!(body["startIndex"], 3);
    }
}
