//! The formats a set of well-known documents must have before it is published (docs/contract/well-known.md
//! §1–§3, §5): `mozilla-iam` with every member relying parties and verifiers read, each publisher's keys
//! usable by the project's own parser, the rules CIS enforces and the schema it embeds, byte for byte.
//! Every problem is reported, not just the first.

use super::{Documents, SCOPES_SUPPORTED};
use base64::Engine as _;
use cis_crypto::{KeySet, PublicKey};
use cis_profile::Publisher;
use cis_profile::profile::SCHEMA_JSON;
use cis_profile::rules::{EMBEDDED_RULES_JSON, PublisherRules};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// Everything wrong with a set of documents, one line each (naming members, never key material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<String>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

/// Checks the three documents; `Err` lists every problem.
pub fn check(documents: &Documents) -> Result<(), Problems> {
    let mut problems = Vec::new();
    match serde_json::from_str::<Value>(&documents.mozilla_iam) {
        Ok(doc @ Value::Object(_)) => check_mozilla_iam(&doc, &mut problems),
        Ok(_) => problems.push("mozilla-iam: not a JSON object".into()),
        Err(e) => problems.push(format!("mozilla-iam: not JSON: {e}")),
    }
    if let Err(e) = PublisherRules::from_json(&documents.publisher_rules) {
        problems.push(format!("mozilla-iam-publisher-rules: {e}"));
    } else if documents.publisher_rules != EMBEDDED_RULES_JSON {
        problems.push(
            "mozilla-iam-publisher-rules: not the rules CIS enforces (publish the embedded copy)"
                .into(),
        );
    }
    if documents.profile_schema != SCHEMA_JSON {
        problems.push("profile.schema: not byte-identical to the schema CIS embeds".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}

/// The members of `/.well-known/mozilla-iam` (docs/contract/well-known.md §1).
pub fn check_mozilla_iam(doc: &Value, problems: &mut Vec<String>) {
    if doc.to_string().contains("${") {
        problems.push("mozilla-iam: a template placeholder ${...} is left".into());
    }
    for pointer in [
        "/oidc_discovery_uri",
        "/api/endpoints/change",
        "/api/endpoints/person",
        "/api/publishers_rules_uri",
    ] {
        https_url(doc, pointer, problems);
    }
    match doc.pointer("/api/audience").and_then(Value::as_str) {
        Some(audience) if !audience.trim().is_empty() => {}
        _ => problems.push("mozilla-iam: api.audience is not a non-empty string".into()),
    }
    let schema = [
        "/api/profile_schema_uri",
        "/api/profile_schema_combined_uri",
    ];
    if !schema
        .iter()
        .any(|p| doc.pointer(p).is_some_and(Value::is_string))
    {
        problems.push("mozilla-iam: api.profile_schema_uri is missing".into());
    }
    check_access_file(doc, problems);
    check_scopes(doc, problems);
    check_publishers(doc, problems);
}

fn https_url(doc: &Value, pointer: &str, problems: &mut Vec<String>) {
    let member = pointer.trim_start_matches('/').replace('/', ".");
    match doc.pointer(pointer).and_then(Value::as_str) {
        Some(url) if url.starts_with("https://") && url.len() > "https://".len() => {}
        Some(url) => problems.push(format!(
            "mozilla-iam: {member} = {url:?} is not an https:// URL"
        )),
        None => problems.push(format!("mozilla-iam: {member} is missing")),
    }
}

fn check_access_file(doc: &Value, problems: &mut Vec<String>) {
    let Some(access) = doc.get("access_file").filter(|a| a.is_object()) else {
        problems.push("mozilla-iam: access_file is not an object".into());
        return;
    };
    if !access.get("endpoint").is_some_and(Value::is_string) {
        problems.push("mozilla-iam: access_file.endpoint is not a string".into());
    }
    if !access.get("aai_mapping").is_some_and(Value::is_object) {
        problems.push("mozilla-iam: access_file.aai_mapping is not an object".into());
    }
    // One JWK object, not a list, despite the name.
    match access.pointer("/jwks/keys") {
        Some(Value::Object(jwk)) if jwk.is_empty() => {}
        Some(jwk @ Value::Object(_)) => {
            if let Err(e) = PublicKey::from_jwk(jwk) {
                problems.push(format!("mozilla-iam: access_file.jwks.keys: {e}"));
            }
        }
        _ => problems.push("mozilla-iam: access_file.jwks.keys is not one JWK object".into()),
    }
}

fn check_scopes(doc: &Value, problems: &mut Vec<String>) {
    let Some(listed) = doc
        .pointer("/api/scopes_supported")
        .and_then(Value::as_array)
    else {
        problems.push("mozilla-iam: api.scopes_supported is not a list".into());
        return;
    };
    let listed: BTreeSet<&str> = listed.iter().filter_map(Value::as_str).collect();
    let missing: Vec<&str> = SCOPES_SUPPORTED
        .iter()
        .copied()
        .filter(|s| !listed.contains(s))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "mozilla-iam: api.scopes_supported lacks {}",
            missing.join(", ")
        ));
    }
}

fn check_publishers(doc: &Value, problems: &mut Vec<String>) {
    let Some(publishers) = doc
        .pointer("/api/publishers_jwks")
        .and_then(Value::as_object)
    else {
        problems.push("mozilla-iam: api.publishers_jwks is not an object".into());
        return;
    };
    for name in publishers.keys() {
        if Publisher::parse(name).is_none() {
            problems.push(format!(
                "mozilla-iam: api.publishers_jwks.{name}: not a publisher"
            ));
        }
    }
    // What the services will make of the document: every key must survive their parser.
    let parsed = KeySet::from_well_known(doc).unwrap_or_default();
    for publisher in Publisher::ALL {
        let name = publisher.as_str();
        let Some(keys) = publishers
            .get(name)
            .and_then(|j| j.get("keys"))
            .and_then(Value::as_array)
        else {
            problems.push(format!(
                "mozilla-iam: api.publishers_jwks.{name}.keys is not a list"
            ));
            continue;
        };
        if keys.is_empty() {
            problems.push(format!(
                "mozilla-iam: api.publishers_jwks.{name} has no key"
            ));
        }
        let mut kids = BTreeSet::new();
        for (i, jwk) in keys.iter().enumerate() {
            let at = format!("mozilla-iam: api.publishers_jwks.{name}.keys[{i}]");
            match jwk.get("kid").and_then(Value::as_str) {
                Some(kid) if !kid.is_empty() => {
                    if !kids.insert(kid) {
                        problems.push(format!("{at}: kid {kid:?} is used twice"));
                    }
                }
                _ => problems.push(format!("{at}: no kid")),
            }
            check_jwk(jwk, &at, problems);
        }
        if parsed.keys_for(name).len() != keys.len() {
            problems.push(format!(
                "mozilla-iam: api.publishers_jwks.{name}: {} of {} keys are usable",
                parsed.keys_for(name).len(),
                keys.len()
            ));
        }
    }
}

/// One publisher JWK: RS256 RSA signing key with `n`, `e` (the key parser refuses moduli under 2048 bits)
/// and an `x5c` holding the same key's SubjectPublicKeyInfo.
fn check_jwk(jwk: &Value, at: &str, problems: &mut Vec<String>) {
    for (member, expected) in [("alg", "RS256"), ("kty", "RSA"), ("use", "sig")] {
        if jwk.get(member).and_then(Value::as_str) != Some(expected) {
            problems.push(format!("{at}: {member} is not {expected:?}"));
        }
    }
    let key = match PublicKey::from_jwk(jwk) {
        Ok(key) => key,
        Err(e) => return problems.push(format!("{at}: {e}")),
    };
    let x5c = jwk
        .get("x5c")
        .and_then(Value::as_array)
        .filter(|list| list.len() == 1)
        .and_then(|list| list.first())
        .and_then(Value::as_str);
    let Some(x5c) = x5c else {
        return problems.push(format!("{at}: x5c is not a one-element list"));
    };
    let same = base64::engine::general_purpose::STANDARD
        .decode(x5c)
        .ok()
        .and_then(|der| PublicKey::from_der(&der).ok())
        .is_some_and(|k| k.modulus() == key.modulus() && k.exponent() == key.exponent());
    if !same {
        problems.push(format!(
            "{at}: x5c is not the SubjectPublicKeyInfo of n and e"
        ));
    }
}
