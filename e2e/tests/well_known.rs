//! `cis well-known` as an operator runs it (docs/deploy.md §4): build a stage's documents from a key
//! directory and the cis key kept in SSM, check them, publish them to the stage's bucket in moto's S3, and
//! read them back as CloudFront would fetch them. Refusals: a private key in the key directory, a missing
//! publisher, and a hand-edited document, which is not uploaded at all.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_crypto::KeySet;
use cis_e2e::cis_bin;
use cis_testkit::{fixture, moto};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn cis(args: &[&str]) -> Output {
    Command::new(cis_bin())
        .args(args)
        .env("CIS_AWS_ENDPOINT_URL", moto::url())
        .env("AWS_ACCESS_KEY_ID", moto::ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", moto::SECRET_ACCESS_KEY)
        .env("AWS_REGION", moto::REGION)
        .output()
        .expect("run cis")
}

/// `cis well-known build --stage testing --keys KEYS --out OUT`.
fn build_testing(keys: &str, out: &str) -> Output {
    cis(&[
        "well-known",
        "build",
        "--stage",
        "testing",
        "--keys",
        keys,
        "--out",
        out,
    ])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A key directory as an operator keeps it: every publisher but cis (whose key lives in SSM).
fn key_dir(dir: &Path) {
    for publisher in ["mozilliansorg", "access_provider", "hris", "ldap"] {
        std::fs::write(
            dir.join(format!("{publisher}.pub.pem")),
            fixture("keys/fake-publisher-key_0.pub.pem"),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("ldap.next.pub.pem"),
        fixture("keys/evil-signing-key.pub.pem"),
    )
    .unwrap();
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn documents_built_from_files_and_ssm_are_published_to_s3_with_their_headers() {
    let stage_path = format!("/iam/cis/{}/keys", moto::unique_name("wk"));
    moto::ssm()
        .put_parameter()
        .name(format!("{stage_path}/cis"))
        .value(fixture("keys/fake-publisher-key_1.priv.pem"))
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let keys = tempfile::tempdir().unwrap();
    key_dir(keys.path());
    let site = tempfile::tempdir().unwrap();
    let out = site.path().join("development");
    let out_str = out.to_str().unwrap();

    let built = cis(&[
        "well-known",
        "build",
        "--stage",
        "development",
        "--keys",
        keys.path().to_str().unwrap(),
        "--ssm-path",
        &stage_path,
        "--out",
        out_str,
    ]);
    let stdout = text(&built.stdout);
    assert!(built.status.success(), "{stdout}{}", text(&built.stderr));
    assert!(
        stdout.contains("ldap             LDAPKeyId, LDAPKeyId-next"),
        "{stdout}"
    );
    assert!(stdout.contains("cis              CISKeyId"), "{stdout}");
    assert!(!stdout.contains("BEGIN"), "no key material is printed");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("mozilla-iam")).unwrap()).unwrap();
    assert_eq!(
        doc["api"]["endpoints"]["change"],
        "https://change.api.dev.sso.allizom.org"
    );
    // The cis key published is the public half of the private key in SSM.
    let published = KeySet::from_well_known(&doc).unwrap();
    let cis_public =
        cis_crypto::PublicKey::parse(&fixture("keys/fake-publisher-key_1.pub.pem")).unwrap();
    assert_eq!(
        published.keys_for("cis")[0].spki_der(),
        cis_public.spki_der()
    );
    assert_eq!(published.keys_for("ldap").len(), 2);
    let checked = cis(&["well-known", "check", out_str]);
    assert!(checked.status.success(), "{}", text(&checked.stderr));

    let bucket = moto::unique_name("cis-development-well-known");
    let s3 = moto::s3();
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let publish = cis(&[
        "well-known",
        "publish",
        out_str,
        "--bucket",
        &bucket,
        "--max-age",
        "600",
    ]);
    let stdout = text(&publish.stdout);
    assert!(
        publish.status.success(),
        "{stdout}{}",
        text(&publish.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[2].starts_with(&format!(
            "published s3://{bucket}/.well-known/mozilla-iam ("
        )),
        "mozilla-iam goes last: {stdout}"
    );

    for name in [
        "mozilla-iam",
        "mozilla-iam-publisher-rules",
        "profile.schema",
    ] {
        let object = s3
            .get_object()
            .bucket(&bucket)
            .key(format!(".well-known/{name}"))
            .send()
            .await
            .unwrap();
        assert_eq!(object.content_type(), Some("application/json"), "{name}");
        assert_eq!(
            object.cache_control(),
            Some("public, max-age=600"),
            "{name}"
        );
        let body = object.body.collect().await.unwrap().into_bytes();
        assert_eq!(
            text(&body),
            std::fs::read_to_string(out.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[tokio::test]
#[ignore = "needs moto_server (ci/test.sh runs it)"]
async fn private_keys_missing_publishers_and_edited_documents_are_refused() {
    let keys = tempfile::tempdir().unwrap();
    key_dir(keys.path());
    let site = tempfile::tempdir().unwrap();
    let out = site.path().join("out");
    let out_str = out.to_str().unwrap();
    let keys_str = keys.path().to_str().unwrap();

    let missing = build_testing(keys_str, out_str);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("no public key for cis"),
        "{}",
        text(&missing.stderr)
    );
    assert!(!out.exists(), "nothing is written when the build fails");

    std::fs::write(
        keys.path().join("cis.pub.pem"),
        fixture("keys/fake-publisher-key_1.priv.pem"),
    )
    .unwrap();
    let private = build_testing(keys_str, out_str);
    let stderr = text(&private.stderr);
    assert_eq!(private.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cis.pub.pem holds a private key: publish public keys only"),
        "{stderr}"
    );
    assert!(!stderr.contains("BEGIN"), "{stderr}");

    std::fs::write(
        keys.path().join("cis.pub.pem"),
        fixture("keys/fake-publisher-key_1.pub.pem"),
    )
    .unwrap();
    let built = build_testing(keys_str, out_str);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let path = out.join("mozilla-iam");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("https://person.api", "http://person.api");
    std::fs::write(&path, edited).unwrap();

    let bucket = moto::unique_name("cis-testing-well-known");
    let s3 = moto::s3();
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let publish = cis(&["well-known", "publish", out_str, "--bucket", &bucket]);
    let stderr = text(&publish.stderr);
    assert_eq!(publish.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not published") && stderr.contains("api.endpoints.person"),
        "{stderr}"
    );
    let listed = s3.list_objects_v2().bucket(&bucket).send().await.unwrap();
    assert_eq!(listed.key_count(), Some(0), "nothing was uploaded");
}
