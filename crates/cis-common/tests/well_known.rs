//! Building and checking a stage's well-known documents: the template of `well-known-endpoint/tpl/` with the
//! fixture keys gives JWKs equal to the original's (`vectors/well-known-test.json`, made by its
//! `pem_to_jwks.py`), stage-dependent endpoints, and a document the services' own parser accepts; every
//! malformed input is refused with a problem naming the member.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cis_common::well_known::{
    BuildError, Documents, PublisherKeys, Stage, build, check, original_kid,
};
use cis_crypto::{KeySet, PublicKey};
use cis_profile::Publisher;
use serde_json::{Value, json};

fn repo(path: &str) -> String {
    let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn template() -> String {
    repo("well-known-endpoint/tpl/mozilla-iam.json")
}

fn key(name: &str) -> PublicKey {
    PublicKey::parse(&repo(&format!("fixtures/keys/{name}.pub.pem"))).unwrap()
}

/// The keys of `vectors/well-known-test.json`: `fake-publisher-key_0` for everyone, `_1` for cis.
fn fixture_keys() -> PublisherKeys {
    let mut keys = PublisherKeys::new();
    for publisher in Publisher::ALL {
        let name = if publisher == Publisher::Cis {
            "fake-publisher-key_1"
        } else {
            "fake-publisher-key_0"
        };
        keys.add(publisher, original_kid(publisher), key(name))
            .unwrap();
    }
    keys
}

fn mozilla_iam(documents: &Documents) -> Value {
    serde_json::from_str(&documents.mozilla_iam).unwrap()
}

fn problems_of(documents: &Documents) -> Vec<String> {
    check(documents).err().map(|p| p.0).unwrap_or_default()
}

#[test]
fn the_built_jwks_equal_the_originals_and_parse_back_into_the_same_keys() {
    let documents = build(
        &template(),
        Stage::Development,
        "allizom.org",
        &fixture_keys(),
    )
    .unwrap();
    let doc = mozilla_iam(&documents);
    // The original's documents: key_0 (with its x5c) for everyone in one, key_1 for cis in the other.
    let fake: Value =
        serde_json::from_str(&repo("fixtures/well-known/fake-well-known.json")).unwrap();
    let test: Value = serde_json::from_str(&repo("fixtures/vectors/well-known-test.json")).unwrap();
    for publisher in Publisher::ALL {
        let name = publisher.as_str();
        let ours = &doc["api"]["publishers_jwks"][name]["keys"][0];
        let (theirs, members): (&Value, &[&str]) = if publisher == Publisher::Cis {
            (
                &test["api"]["publishers_jwks"][name]["keys"][0],
                &["alg", "e", "kty", "n", "use"],
            )
        } else {
            (
                &fake["api"]["publishers_jwks"][name]["keys"][0],
                &["alg", "e", "kty", "n", "use", "x5c"],
            )
        };
        for member in members {
            assert!(!theirs[member].is_null(), "{name}.{member}");
            assert_eq!(ours[member], theirs[member], "{name}.{member}");
        }
        assert_eq!(ours["kid"], original_kid(publisher));
    }
    let parsed = KeySet::from_well_known(&doc).unwrap();
    for publisher in Publisher::ALL {
        assert_eq!(
            parsed.keys_for(publisher.as_str()).len(),
            1,
            "{publisher:?}"
        );
    }
    assert_eq!(
        parsed.keys_for("cis")[0].spki_der(),
        key("fake-publisher-key_1").spki_der()
    );
}

#[test]
fn the_stage_and_domain_choose_the_endpoints_and_the_audience() {
    let dev = mozilla_iam(
        &build(
            &template(),
            Stage::Development,
            "allizom.org",
            &fixture_keys(),
        )
        .unwrap(),
    );
    assert_eq!(
        dev["api"]["endpoints"]["change"],
        "https://change.api.dev.sso.allizom.org"
    );
    assert_eq!(dev["api"]["audience"], "api.dev.sso.allizom.org");
    let test =
        mozilla_iam(&build(&template(), Stage::Testing, "allizom.org", &fixture_keys()).unwrap());
    assert_eq!(
        test["api"]["endpoints"]["person"],
        "https://person.api.test.sso.allizom.org"
    );
    let prod = mozilla_iam(
        &build(
            &template(),
            Stage::Production,
            "mozilla.com",
            &fixture_keys(),
        )
        .unwrap(),
    );
    assert_eq!(
        prod["api"]["endpoints"]["change"],
        "https://change.api.sso.mozilla.com"
    );
    assert_eq!(prod["api"]["audience"], "api.sso.mozilla.com");
    assert_eq!(
        prod["api"]["publishers_rules_uri"],
        "https://auth.mozilla.com/.well-known/mozilla-iam-publisher-rules"
    );
    assert!(
        prod["api"]["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("search:all"))
    );
    assert_eq!(Stage::Production.default_domain(), "mozilla.com");
    for (text, stage) in [
        ("dev", Stage::Development),
        ("testing", Stage::Testing),
        ("prod", Stage::Production),
    ] {
        assert_eq!(text.parse::<Stage>().unwrap(), stage);
    }
    assert!(
        "staging"
            .parse::<Stage>()
            .unwrap_err()
            .contains("development, testing or production")
    );
}

#[test]
fn the_rules_and_the_schema_published_are_the_ones_cis_embeds() {
    let documents = build(
        &template(),
        Stage::Development,
        "allizom.org",
        &fixture_keys(),
    )
    .unwrap();
    assert_eq!(
        documents.profile_schema,
        repo("fixtures/profile.schema.json")
    );
    let published: Value = serde_json::from_str(&documents.publisher_rules).unwrap();
    let original: Value = serde_json::from_str(&repo(
        "fixtures/well-known/mozilla-iam-publisher-rules.json",
    ))
    .unwrap();
    assert_eq!(published, original);
    let order: Vec<&str> = documents
        .in_publishing_order()
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        order,
        [
            "profile.schema",
            "mozilla-iam-publisher-rules",
            "mozilla-iam"
        ]
    );
}

#[test]
fn rotation_publishes_both_keys_and_the_access_file_key_is_one_object() {
    let mut keys = fixture_keys();
    keys.add(
        Publisher::Ldap,
        "LDAPKeyId-next",
        key("fake-publisher-key_1"),
    )
    .unwrap();
    keys.set_access_file(key("fake-publisher-key_0"));
    let doc = mozilla_iam(&build(&template(), Stage::Development, "allizom.org", &keys).unwrap());
    assert_eq!(
        doc["api"]["publishers_jwks"]["ldap"]["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        KeySet::from_well_known(&doc)
            .unwrap()
            .keys_for("ldap")
            .len(),
        2
    );
    let access = &doc["access_file"]["jwks"]["keys"];
    assert!(access.is_object(), "{access}");
    assert_eq!(access["kid"], "AccessFile");
}

#[test]
fn building_refuses_missing_publishers_duplicates_bad_domains_and_unknown_placeholders() {
    let mut partial = PublisherKeys::new();
    partial
        .add(Publisher::Cis, "CISKeyId", key("fake-publisher-key_1"))
        .unwrap();
    let error = build(&template(), Stage::Development, "allizom.org", &partial).unwrap_err();
    assert!(
        matches!(&error, BuildError::MissingKeys(names) if names == "ldap, mozilliansorg, hris, access_provider"),
        "{error}"
    );

    let mut keys = fixture_keys();
    let twice = keys
        .add(Publisher::Hris, "HRISKeyId", key("fake-publisher-key_1"))
        .unwrap_err();
    assert!(matches!(twice, BuildError::DuplicateKid { .. }), "{twice}");
    let same = keys
        .add(Publisher::Hris, "other", key("fake-publisher-key_0"))
        .unwrap_err();
    assert!(
        same.to_string().contains("same key as \"HRISKeyId\""),
        "{same}"
    );

    for domain in ["", "Allizom.org", "allizom.org\"", ".org"] {
        let error = build(&template(), Stage::Development, domain, &fixture_keys()).unwrap_err();
        assert!(matches!(error, BuildError::Domain(_)), "{domain}: {error}");
    }
    let unknown = template().replace("${DOMAIN}/apps.yml", "${CDN}/apps.yml");
    let error = build(&unknown, Stage::Development, "allizom.org", &fixture_keys()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the template has the placeholder ${CDN}; only ${DOMAIN} and ${STAGE} are known"
    );
    let error = build("[]", Stage::Development, "allizom.org", &fixture_keys()).unwrap_err();
    assert!(matches!(error, BuildError::Template(_)), "{error}");
}

#[test]
fn a_published_key_under_2048_bits_is_a_problem() {
    let good = build(
        &template(),
        Stage::Development,
        "allizom.org",
        &fixture_keys(),
    )
    .unwrap();
    let mut doc = mozilla_iam(&good);
    let small = URL_SAFE_NO_PAD.encode([0xC5_u8; 128]);
    doc["api"]["publishers_jwks"]["mozilliansorg"]["keys"][0]["n"] = json!(small);
    let problems = problems_of(&Documents {
        mozilla_iam: doc.to_string(),
        ..good
    });
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].starts_with("mozilla-iam: api.publishers_jwks.mozilliansorg.keys[0]: "),
        "{problems:#?}"
    );
    assert!(problems[0].contains("1024"), "{problems:#?}");
    assert_eq!(
        problems[1],
        "mozilla-iam: api.publishers_jwks.mozilliansorg: 0 of 1 keys are usable"
    );
}

#[test]
fn the_originals_documents_pass_except_for_the_scopes_they_never_listed() {
    for (file, lacking) in [
        (
            "fixtures/well-known/mozilla-iam.json",
            "search:all, read:changes",
        ),
        (
            "fixtures/well-known/fake-well-known.json",
            "display:none, search:all, read:changes",
        ),
    ] {
        let documents = Documents {
            mozilla_iam: repo(file),
            publisher_rules: cis_profile::rules::EMBEDDED_RULES_JSON.to_string(),
            profile_schema: cis_profile::profile::SCHEMA_JSON.to_string(),
        };
        let expected = format!("mozilla-iam: api.scopes_supported lacks {lacking}");
        assert_eq!(problems_of(&documents), [expected], "{file}");
    }
}

#[test]
fn the_check_names_every_problem_of_a_hand_edited_set() {
    let good = build(
        &template(),
        Stage::Development,
        "allizom.org",
        &fixture_keys(),
    )
    .unwrap();
    assert_eq!(check(&good), Ok(()));
    let mut doc = mozilla_iam(&good);
    doc["api"]["endpoints"]["person"] = json!("http://person.example");
    doc["api"]["publishers_jwks"]["hris"]["keys"][0]["alg"] = json!("RS512");
    let other_x5c = doc["api"]["publishers_jwks"]["cis"]["keys"][0]["x5c"].clone();
    doc["api"]["publishers_jwks"]["ldap"]["keys"][0]["x5c"] = other_x5c;
    doc["api"]["publishers_jwks"]["access_provider"] = json!({"keys": []});
    doc["api"]["publishers_jwks"]["mozillians"] = json!({"keys": []});
    doc["access_file"]["jwks"]["keys"] = json!([]);
    doc["api"]["audience"] = json!("${STAGE}api");
    let edited = Documents {
        mozilla_iam: doc.to_string(),
        publisher_rules: good.publisher_rules.replace("\"cis\"", "\"hris\""),
        profile_schema: format!("{} ", good.profile_schema),
    };
    let problems = problems_of(&edited);
    for expected in [
        "mozilla-iam: a template placeholder ${...} is left",
        "mozilla-iam: api.endpoints.person = \"http://person.example\" is not an https:// URL",
        "mozilla-iam: access_file.jwks.keys is not one JWK object",
        "mozilla-iam: api.publishers_jwks.mozillians: not a publisher",
        "mozilla-iam: api.publishers_jwks.hris.keys[0]: alg is not \"RS256\"",
        "mozilla-iam: api.publishers_jwks.ldap.keys[0]: x5c is not the SubjectPublicKeyInfo of n and e",
        "mozilla-iam: api.publishers_jwks.access_provider has no key",
        "profile.schema: not byte-identical to the schema CIS embeds",
    ] {
        assert!(
            problems.iter().any(|p| p == expected),
            "{expected} not in {problems:#?}"
        );
    }
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("mozilla-iam-publisher-rules: ")),
        "{problems:#?}"
    );
    assert!(!problems.iter().any(|p| {
        p.contains(
            doc["api"]["publishers_jwks"]["cis"]["keys"][0]["n"]
                .as_str()
                .unwrap(),
        )
    }));
    assert_eq!(
        problems_of(&Documents {
            mozilla_iam: "{".into(),
            ..good.clone()
        })
        .len(),
        1
    );
}
