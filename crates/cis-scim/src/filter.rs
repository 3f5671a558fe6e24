//! The SCIM filter language (RFC 7644 §3.4.2.2) over Users: comparisons `eq ne co sw ew gt ge lt le`,
//! presence `pr`, `and`, `or`, `not (...)` and parentheses, on attribute paths such as `userName`,
//! `name.familyName`, `emails.value`, `meta.lastModified` or the enterprise extension's
//! `urn:...:enterprise:2.0:User:department`. Attribute names are case-insensitive; string comparisons
//! too, except on `id` and `externalId` (case-exact). Dates (`meta.created`, `meta.lastModified`)
//! compare as instants. Value-path filters (`emails[type eq "work"]`) are refused as `invalidFilter`.
//!
//! [`Filter::indexed`] names the vault lookup that answers a filter without a scan: an `eq` on `id`,
//! `externalId`, `userName` or `emails.value`, alone or as one side of an `and`.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ScimError;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(Path, Op, Value),
    Present(Path),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// An attribute path, lowercased: `["emails", "value"]`; the enterprise extension is one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path(pub Vec<String>);

/// The vault lookup a filter allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexedLookup {
    /// `id eq` → the uuid.
    Uuid(String),
    /// `externalId eq` → the user_id.
    UserId(String),
    /// `userName eq` or `emails.value eq` → the primary email.
    PrimaryEmail(String),
}

impl Filter {
    /// Parses a filter; `invalidFilter` with the reason otherwise.
    pub fn parse(text: &str) -> Result<Filter, ScimError> {
        let tokens = lex(text)?;
        let mut parser = Parser { tokens, at: 0 };
        let filter = parser.or()?;
        match parser.tokens.get(parser.at) {
            None => Ok(filter),
            Some(t) => Err(ScimError::invalid_filter(format!(
                "unexpected {t:?} after a complete filter"
            ))),
        }
    }

    /// Whether `user` (a SCIM User) matches.
    pub fn matches(&self, user: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(user) && b.matches(user),
            Filter::Or(a, b) => a.matches(user) || b.matches(user),
            Filter::Not(f) => !f.matches(user),
            Filter::Present(path) => values(user, path)
                .iter()
                .any(|v| !v.is_null() && v.as_str() != Some("")),
            Filter::Compare(path, op, expected) => values(user, path)
                .iter()
                .any(|actual| compare(path, *op, actual, expected)),
        }
    }

    /// The indexed lookup that finds every user this filter can match, if there is one.
    pub fn indexed(&self) -> Option<IndexedLookup> {
        match self {
            Filter::Compare(path, Op::Eq, Value::String(v)) => {
                let segments: Vec<&str> = path.0.iter().map(String::as_str).collect();
                match segments.as_slice() {
                    ["id"] => Some(IndexedLookup::Uuid(v.clone())),
                    ["externalid"] => Some(IndexedLookup::UserId(v.clone())),
                    ["username"] | ["emails", "value"] | ["emails"] => {
                        Some(IndexedLookup::PrimaryEmail(v.clone()))
                    }
                    _ => None,
                }
            }
            Filter::And(a, b) => a.indexed().or_else(|| b.indexed()),
            _ => None,
        }
    }
}

impl Filter {
    /// The `active` state every match must have, when the filter says so (`active eq true`, alone or in
    /// an `and`): a walk can then read only those users.
    pub fn active(&self) -> Option<bool> {
        match self {
            Filter::Compare(path, Op::Eq, Value::Bool(b)) if path.0 == ["active"] => Some(*b),
            Filter::And(a, b) => a.active().or_else(|| b.active()),
            _ => None,
        }
    }
}

/// The values at `path` in `node`, flattening multi-valued attributes (`emails.value` is every email's
/// value; `emails` alone is every email's `value`).
fn values<'a>(node: &'a Value, path: &Path) -> Vec<&'a Value> {
    let mut current = vec![node];
    for segment in &path.0 {
        let mut next = Vec::new();
        for value in current {
            for item in as_list(value) {
                if let Some(found) = member(item, segment) {
                    next.push(found);
                }
            }
        }
        current = next;
    }
    current
        .into_iter()
        .flat_map(|v| as_list(v).into_iter().map(|x| x.get("value").unwrap_or(x)))
        .collect()
}

fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// A member by case-insensitive name.
fn member<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    node.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn case_exact(path: &Path) -> bool {
    matches!(path.0.as_slice(), [one] if one == "id" || one == "externalid")
}

fn is_date(path: &Path) -> bool {
    matches!(path.0.as_slice(), [meta, field] if meta == "meta" && (field == "created" || field == "lastmodified"))
}

fn compare(path: &Path, op: Op, actual: &Value, expected: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (actual, expected) {
        (Value::String(a), Value::String(e)) if is_date(path) => match (instant(a), instant(e)) {
            (Some(a), Some(e)) => Some(a.cmp(&e)),
            _ => None,
        },
        (Value::String(a), Value::String(e)) => {
            let (a, e) = if case_exact(path) {
                (a.clone(), e.clone())
            } else {
                (a.to_lowercase(), e.to_lowercase())
            };
            return match op {
                Op::Eq => a == e,
                Op::Ne => a != e,
                Op::Co => a.contains(&e),
                Op::Sw => a.starts_with(&e),
                Op::Ew => a.ends_with(&e),
                Op::Gt => a > e,
                Op::Ge => a >= e,
                Op::Lt => a < e,
                Op::Le => a <= e,
            };
        }
        (Value::Number(a), Value::Number(e)) => match (a.as_f64(), e.as_f64()) {
            (Some(a), Some(e)) => a.partial_cmp(&e),
            _ => None,
        },
        (Value::Bool(a), Value::Bool(e)) => {
            return match op {
                Op::Eq => a == e,
                Op::Ne => a != e,
                _ => false,
            };
        }
        (a, Value::Null) => {
            return match op {
                Op::Eq => a.is_null(),
                Op::Ne => !a.is_null(),
                _ => false,
            };
        }
        _ => None,
    };
    let Some(ordering) = ordering else {
        return op == Op::Ne;
    };
    match op {
        Op::Eq => ordering.is_eq(),
        Op::Ne => !ordering.is_eq(),
        Op::Gt => ordering.is_gt(),
        Op::Ge => ordering.is_ge(),
        Op::Lt => ordering.is_lt(),
        Op::Le => ordering.is_le(),
        Op::Co | Op::Sw | Op::Ew => false,
    }
}

/// An RFC 3339 instant (`2026-01-15T10:00:00Z`, with or without fractions).
fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Literal(Value),
    Open,
    Close,
}

fn lex(text: &str) -> Result<Vec<Token>, ScimError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '[' | ']' => {
                return Err(ScimError::invalid_filter(
                    "value-path filters ([...]) are not supported; use emails.value and the like",
                ));
            }
            '"' => {
                // A JSON string, escapes included.
                let mut end = None;
                let mut escaped = false;
                chars.next();
                for (i, c) in chars.by_ref() {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| ScimError::invalid_filter("unterminated string"))?;
                let literal: Value = serde_json::from_str(&text[start..=end])
                    .map_err(|e| ScimError::invalid_filter(format!("bad string: {e}")))?;
                tokens.push(Token::Literal(literal));
            }
            _ => {
                let mut end = text.len();
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || c == '"' || c == '[' {
                        end = i;
                        break;
                    }
                    chars.next();
                }
                tokens.push(Token::Word(text[start..end].to_string()));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.factor()?;
        while self.keyword("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Filter, ScimError> {
        if self.keyword("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        if matches!(self.tokens.get(self.at), Some(Token::Open)) {
            return self.group();
        }
        let path = match self.next() {
            Some(Token::Word(w)) => path(&w)?,
            other => {
                return Err(ScimError::invalid_filter(format!(
                    "expected an attribute, found {other:?}"
                )));
            }
        };
        let op = match self.next() {
            Some(Token::Word(w)) => w.to_ascii_lowercase(),
            other => {
                return Err(ScimError::invalid_filter(format!(
                    "expected an operator, found {other:?}"
                )));
            }
        };
        if op == "pr" {
            return Ok(Filter::Present(path));
        }
        let op = match op.as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => {
                return Err(ScimError::invalid_filter(format!(
                    "unknown operator {other:?}"
                )));
            }
        };
        let value = match self.next() {
            Some(Token::Literal(v)) => v,
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(&w)
                    .map(Value::Number)
                    .map_err(|_| {
                        ScimError::invalid_filter(format!(
                            "{w:?} is not a value (strings are quoted)"
                        ))
                    })?,
            },
            other => {
                return Err(ScimError::invalid_filter(format!(
                    "expected a value, found {other:?}"
                )));
            }
        };
        Ok(Filter::Compare(path, op, value))
    }

    fn group(&mut self) -> Result<Filter, ScimError> {
        if self.next() != Some(Token::Open) {
            return Err(ScimError::invalid_filter("expected ("));
        }
        let inner = self.or()?;
        if self.next() != Some(Token::Close) {
            return Err(ScimError::invalid_filter("expected )"));
        }
        Ok(inner)
    }
}

/// `name.familyName` → `["name", "familyname"]`; a schema URN prefix of the core User schema is dropped,
/// and the enterprise extension's stays one segment followed by its attribute.
fn path(text: &str) -> Result<Path, ScimError> {
    let lower = text.to_ascii_lowercase();
    let core = format!("{}:", crate::USER_SCHEMA.to_ascii_lowercase());
    let enterprise = format!("{}:", crate::ENTERPRISE_SCHEMA.to_ascii_lowercase());
    let mut segments = Vec::new();
    let rest = if let Some(rest) = lower.strip_prefix(&core) {
        rest.to_string()
    } else if let Some(rest) = lower.strip_prefix(&enterprise) {
        segments.push(crate::ENTERPRISE_SCHEMA.to_ascii_lowercase());
        rest.to_string()
    } else {
        lower
    };
    for segment in rest.split('.') {
        let valid = !segment.is_empty()
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
        if !valid {
            return Err(ScimError::invalid_filter(format!(
                "{text:?} is not an attribute path"
            )));
        }
        segments.push(segment.to_string());
    }
    Ok(Path(segments))
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
