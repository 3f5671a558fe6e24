//! The workspace's own shape, as docs/architecture.md states it: every crate depends only on crates of
//! lower tiers, no dependency (dev-dependencies included) forms a cycle, and every contract section the
//! code cites (`docs/….md §N`) exists in the repository.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The tiers of docs/architecture.md.
const TIERS: &[(&str, u8)] = &[
    ("cis-profile", 0),
    ("cis-logging", 0),
    ("cis-crypto", 1),
    ("cis-common", 2),
    ("cis-identity-vault", 2),
    ("cis-change", 3),
    ("cis-scim", 1),
    ("cis-testkit", 3),
    ("cis-aws", 4),
    ("cis-processor", 4),
    ("cis-change-service", 5),
    ("cis-notifications", 5),
    ("cis-person-api", 5),
    ("cis-publisher", 5),
    ("cis-scim-sync", 5),
    ("cis-runtime", 6),
    ("cis-cli", 7),
    ("cis-e2e", 7),
    ("change-api", 7),
    ("person-api", 7),
    ("stream-processor", 7),
    ("vault-curator", 7),
    ("webhook-notifier", 7),
    ("scim-sync", 7),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Workspace crate → (normal dependencies, dev-dependencies), both within the workspace.
fn graph() -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let names: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    packages
        .iter()
        .map(|p| {
            let (mut normal, mut dev) = (BTreeSet::new(), BTreeSet::new());
            for d in p["dependencies"].as_array().unwrap() {
                let name = d["name"].as_str().unwrap().to_string();
                if !names.contains(&name) {
                    continue;
                }
                match d["kind"].as_str() {
                    Some("dev") => dev.insert(name),
                    _ => normal.insert(name),
                };
            }
            (p["name"].as_str().unwrap().to_string(), (normal, dev))
        })
        .collect()
}

fn tier(name: &str) -> u8 {
    TIERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| {
            panic!("{name} has no tier: add it to docs/architecture.md and to TIERS")
        })
}

#[test]
fn every_dependency_points_to_a_lower_tier() {
    for (name, (normal, _)) in graph() {
        for dep in normal {
            assert!(
                tier(&dep) < tier(&name),
                "{name} (tier {}) depends on {dep} (tier {})",
                tier(&name),
                tier(&dep)
            );
        }
    }
}

#[test]
fn no_dependency_forms_a_cycle_dev_dependencies_included() {
    let graph = graph();
    // Depth-first search over normal and dev edges together.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(start) = path.iter().position(|n| n == node) {
            panic!("dependency cycle: {} -> {node}", path[start..].join(" -> "));
        }
        path.push(node.to_string());
        let (normal, dev) = &graph[node];
        for next in normal.iter().chain(dev) {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_string());
    }
    let mut done = BTreeSet::new();
    for name in graph.keys() {
        visit(name, &graph, &mut Vec::new(), &mut done);
    }
}

/// `(file, section)` of every `docs/….md` the sources cite, with the file that cites it.
fn citations() -> Vec<(String, Option<String>, PathBuf)> {
    let pattern_end = |c: char| !(c.is_ascii_alphanumeric() || "/._-".contains(c));
    let mut found = Vec::new();
    let mut stack = ["crates", "functions", "e2e", "ci", "scripts", "benches"]
        .map(|d| root().join(d))
        .to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let source = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("rs" | "sh" | "toml" | "lua")
            );
            if !source {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("docs/") {
                let rest = &text[at..];
                let end = rest.find(pattern_end).unwrap_or(rest.len());
                let file = &rest[..end];
                if !file.ends_with(".md") {
                    continue;
                }
                let after = &rest[end..];
                let section = after.strip_prefix(" §").map(|s| {
                    s.chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.')
                        .collect::<String>()
                        .trim_end_matches('.')
                        .to_string()
                });
                found.push((file.to_string(), section, path.clone()));
            }
        }
    }
    found
}

#[test]
fn every_cited_document_and_section_exists() {
    let cited = citations();
    assert!(cited.len() > 100, "only {} citations found", cited.len());
    let mut problems = Vec::new();
    for (file, section, source) in cited {
        let Ok(text) = std::fs::read_to_string(root().join(&file)) else {
            problems.push(format!("{}: {file} does not exist", source.display()));
            continue;
        };
        let Some(section) = section.filter(|s| !s.is_empty()) else {
            continue;
        };
        let heading = text.lines().any(|line| {
            let title = line.trim_start_matches('#');
            line.starts_with('#')
                && (title.starts_with(&format!(" {section}. "))
                    || title.starts_with(&format!(" {section} ")))
        });
        if !heading {
            problems.push(format!(
                "{}: {file} has no section §{section}",
                source.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
