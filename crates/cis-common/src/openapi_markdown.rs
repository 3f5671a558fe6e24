//! A readable rendering of an OpenAPI document as Markdown (docs/openapi/change-api.md and
//! person-api.md): per operation its summary, the scopes it needs, its parameters, its request body and
//! its answers; then the schemas with their properties. Generated from the same document the API serves,
//! so the rendered view cannot drift from it (the APIs' tests compare both committed files).

use serde_json::Value;
use std::fmt::Write as _;

/// The Markdown view of `json` (an OpenAPI 3.1 document); empty when `json` is not JSON.
pub fn render(json: &str) -> String {
    let Ok(doc) = serde_json::from_str::<Value>(json) else {
        return String::new();
    };
    let mut out = String::new();
    let info = &doc["info"];
    let _ = writeln!(
        out,
        "# {} {}\n\n<!-- Generated from the served document (`GET /v2/openapi.json`); do not edit. -->\n\n{}\n",
        text(&info["title"]),
        text(&info["version"]),
        text(&info["description"])
    );
    operations(&mut out, &doc);
    schemas(&mut out, &doc);
    out
}

fn operations(out: &mut String, doc: &Value) {
    out.push_str("## Operations\n");
    let Some(paths) = doc["paths"].as_object() else {
        return;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let _ = write!(
                out,
                "\n### `{} {path}`\n\n**{}.** {}\n\n",
                method.to_uppercase(),
                text(&op["summary"]),
                text(&op["description"])
            );
            let _ = writeln!(out, "- Token: {}", security(op));
            if let Some(body) = op.get("requestBody") {
                let _ = writeln!(
                    out,
                    "- Body: {} — {}",
                    content_schema(&body["content"]),
                    text(&body["description"])
                );
            }
            parameters(out, op);
            out.push_str("\n| Status | Body | Meaning |\n|---|---|---|\n");
            if let Some(responses) = op["responses"].as_object() {
                for (status, response) in responses {
                    let _ = writeln!(
                        out,
                        "| {status} | {} | {} |",
                        content_schema(&response["content"]),
                        cell(&response["description"])
                    );
                }
            }
        }
    }
}

fn security(op: &Value) -> String {
    match op["security"].as_array() {
        None => "none".into(),
        Some(requirements) => {
            let scopes: Vec<String> = requirements
                .iter()
                .filter_map(|r| r.as_object())
                .flat_map(|r| r.values())
                .filter_map(Value::as_array)
                .flatten()
                .map(|s| format!("`{}`", text(s)))
                .collect();
            if scopes.is_empty() {
                "a bearer token (no particular scope)".into()
            } else {
                format!("a bearer token with {}", scopes.join(", "))
            }
        }
    }
}

fn parameters(out: &mut String, op: &Value) {
    let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) else {
        return;
    };
    out.push_str("\n| Parameter | In | Required | Type | Description |\n|---|---|---|---|---|\n");
    for p in params {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            text(&p["name"]),
            text(&p["in"]),
            if p["required"].as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            },
            type_of(&p["schema"]),
            cell(&p["description"])
        );
    }
}

fn schemas(out: &mut String, doc: &Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object() else {
        return;
    };
    out.push_str("\n## Schemas\n");
    for (name, schema) in schemas {
        let _ = write!(out, "\n### {name}\n\n{}\n", text(&schema["description"]));
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema["properties"].as_object() {
            out.push_str("\n| Member | Type | Required | Description |\n|---|---|---|---|\n");
            for (member, property) in properties {
                let _ = writeln!(
                    out,
                    "| `{member}` | {} | {} | {} |",
                    type_of(property),
                    if required.contains(&member.as_str()) {
                        "yes"
                    } else {
                        "no"
                    },
                    cell(&property["description"])
                );
            }
        } else if let Some(values) = schema["enum"].as_array() {
            let values: Vec<String> = values.iter().map(|v| format!("`{}`", text(v))).collect();
            let _ = writeln!(out, "\nOne of {}.", values.join(", "));
        }
    }
}

/// The schema of a `content` map's first media type.
fn content_schema(content: &Value) -> String {
    content
        .as_object()
        .and_then(|c| c.values().next())
        .map_or_else(|| "—".into(), |media| type_of(&media["schema"]))
}

/// A short type: a reference's name, `array of X`, `X or null`, an enum's values, or the JSON type.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("[{name}](#{})", name.to_lowercase());
    }
    if let Some(alternatives) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let names: Vec<String> = alternatives.iter().map(type_of).collect();
        return names.join(" or ");
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(|v| format!("`{}`", text(v))).collect();
        return values.join(" \\| ");
    }
    let items = &schema["items"];
    match &schema["type"] {
        Value::String(t) if t == "array" => format!("array of {}", type_of(items)),
        Value::String(t) => t.clone(),
        Value::Array(types) => {
            let names: Vec<String> = types
                .iter()
                .map(|t| match t.as_str() {
                    Some("array") => format!("array of {}", type_of(items)),
                    _ => text(t),
                })
                .collect();
            names.join(" or ")
        }
        _ => "any".into(),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Text fit for a table cell: one line, pipes escaped.
fn cell(value: &Value) -> String {
    text(value).replace('\n', " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_renders_with_its_scope_parameters_and_answers() {
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1", "description": "D"},
            "paths": {"/v2/x": {"get": {
                "summary": "Get x.",
                "security": [{"oauth2": ["read:x"]}],
                "parameters": [{"name": "id", "in": "query", "required": true,
                                "schema": {"type": "string"}, "description": "a | b"}],
                "responses": {"200": {"description": "ok",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}}
            }}},
            "components": {"schemas": {
                "X": {"type": "object", "required": ["a"], "properties": {
                    "a": {"type": ["array", "null"], "items": {"type": "string"}}}},
                "Level": {"type": "string", "enum": ["public", "staff"]}
            }}
        });
        let md = render(&doc.to_string());
        assert!(md.contains("### `GET /v2/x`"), "{md}");
        assert!(md.contains("a bearer token with `read:x`"), "{md}");
        assert!(
            md.contains("| `id` | query | yes | string | a \\| b |"),
            "{md}"
        );
        assert!(md.contains("| 200 | [X](#x) | ok |"), "{md}");
        assert!(
            md.contains("| `a` | array of string or null | yes |  |"),
            "{md}"
        );
        assert!(md.contains("One of `public`, `staff`."), "{md}");
        assert_eq!(render("not json"), "");
    }
}
