//! The APIs' OpenAPI documents against their committed copies: `docs/openapi/<name>.json` must be what
//! the router serves and `docs/openapi/<name>.md` its rendering; with `CIS_UPDATE_OPENAPI=1` both are
//! rewritten instead. Also the `METHOD path` of every operation, for route-coverage assertions.

use serde_json::Value;
use std::collections::BTreeSet;

/// Checks (or, with `CIS_UPDATE_OPENAPI=1`, rewrites) the committed copies of the document `served`
/// of API `name` (`change-api`, `person-api`), which crate `krate`'s `openapi` test serves.
pub fn check_committed(name: &str, krate: &str, served: &str) {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi"));
    let json = dir.join(format!("{name}.json"));
    let markdown = dir.join(format!("{name}.md"));
    let rendered = cis_common::openapi_markdown::render(served);
    if std::env::var_os("CIS_UPDATE_OPENAPI").is_some() {
        std::fs::write(&json, served).unwrap();
        std::fs::write(&markdown, &rendered).unwrap();
    }
    let fix =
        format!("run `CIS_UPDATE_OPENAPI=1 cargo test -p {krate} --test openapi` and commit it");
    assert!(
        std::fs::read_to_string(&json).unwrap_or_default() == served,
        "docs/openapi/{name}.json is not the generated document: {fix}"
    );
    assert!(
        std::fs::read_to_string(&markdown).unwrap_or_default() == rendered,
        "docs/openapi/{name}.md is not the rendering of the document: {fix}"
    );
}

/// `METHOD path` of every operation of `document`, each checked to answer 200 and, when it needs a
/// token, to document the common errors (400, 401, 403, 500, 503).
pub fn operations(document: &str) -> BTreeSet<String> {
    let doc: Value = serde_json::from_str(document).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"]["200"].is_object(), "{method} {path}");
            if op.get("security").is_some() {
                for status in ["400", "401", "403", "500", "503"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path} lacks {status}"
                    );
                }
            }
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}
