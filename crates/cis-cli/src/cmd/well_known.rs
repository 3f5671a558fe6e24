//! `cis well-known`: a stage's public documents (`mozilla-iam`, the publisher rules, the profile schema) —
//! build them from the template and the publishers' public keys, check a directory of them, publish them
//! to the stage's S3 bucket (docs/deploy.md §4).
//!
//! Owns arguments, reading keys (files or SSM, [`super::well_known_keys`]) and writing files; the documents
//! and their checks are cis-common's `well_known`, the upload is cis-aws's `WellKnownBucket`. Nothing here
//! prints key material: keys are named by publisher and kid.

use super::well_known_keys::{KeySources, load_keys};
use anyhow::Context;
use cis_aws::s3::{WellKnownBucket, s3_client};
use cis_aws::{AwsSettings, load_sdk_config};
use cis_common::well_known::{
    self, Documents, MOZILLA_IAM, PROFILE_SCHEMA, PUBLISHER_RULES, Stage,
};
use cis_profile::Publisher;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The template `build` uses unless `--template` names another (`well-known-endpoint/tpl/mozilla-iam.json`).
const TEMPLATE: &str = include_str!("../../../../well-known-endpoint/tpl/mozilla-iam.json");

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Build and check a stage's documents from its public keys, into a directory.
    #[command(long_about = BUILD_ABOUT)]
    Build(BuildArgs),
    /// Check a directory of documents (as `build` wrote them) without publishing.
    Check(DirArgs),
    /// Check a directory of documents, then upload them to the stage's bucket.
    #[command(long_about = PUBLISH_ABOUT)]
    Publish(PublishArgs),
}

const BUILD_ABOUT: &str = "\
Build a stage's well-known documents: mozilla-iam (endpoints, audience and scopes of the stage, every \
publisher's JWKS), mozilla-iam-publisher-rules and profile.schema (the copies CIS enforces and embeds). \
The documents are checked before anything is written; nothing is written when a check fails.

Keys: --keys DIR reads <publisher>.pub.pem for mozilliansorg, access_provider, hris, ldap and cis \
(<publisher>.<label>.pub.pem adds a key for rotation; access-file.pub.pem sets the access file's key). \
--ssm-path P reads the SecureStrings P/<publisher> (a public key, or the private key whose public half is \
published). Both may be given; every publisher needs a key.

Example: cis well-known build --stage development --keys keys/ --out site/";

const PUBLISH_ABOUT: &str = "\
Check the documents of a directory, then upload them to S3 under .well-known/ with Content-Type \
application/json and Cache-Control public, max-age=N: the profile schema and the rules first, mozilla-iam \
last, so it never names a document that is not there yet. CloudFront (deploy/well-known.yml) serves them.

Example: cis well-known publish site/ --bucket cis-development-well-known-123456789012";

#[derive(clap::Args)]
struct BuildArgs {
    /// development, testing or production (dev, test, prod).
    #[arg(long)]
    stage: Stage,
    /// The domain of the stage's hosts (default: allizom.org, mozilla.com in production).
    #[arg(long)]
    domain: Option<String>,
    /// A directory of public keys (see above).
    #[arg(long, required_unless_present = "ssm_path")]
    keys: Option<PathBuf>,
    /// An SSM path holding the keys (see above).
    #[arg(long)]
    ssm_path: Option<String>,
    /// The mozilla-iam template (default: the one built in, well-known-endpoint/tpl/mozilla-iam.json).
    #[arg(long)]
    template: Option<PathBuf>,
    /// Where to write the documents (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    aws: AwsArgs,
}

#[derive(clap::Args)]
struct DirArgs {
    /// The directory holding mozilla-iam, mozilla-iam-publisher-rules and profile.schema.
    dir: PathBuf,
}

#[derive(clap::Args)]
struct PublishArgs {
    /// The directory holding the documents.
    dir: PathBuf,
    /// The bucket (the stack output WellKnownBucketName).
    #[arg(long)]
    bucket: String,
    /// The key prefix the documents are served under.
    #[arg(long, default_value = ".well-known")]
    prefix: String,
    /// How long readers and CloudFront may cache the documents, in seconds.
    #[arg(long, default_value_t = 900)]
    max_age: u32,
    #[command(flatten)]
    aws: AwsArgs,
}

#[derive(clap::Args)]
struct AwsArgs {
    /// AWS region (default: $AWS_REGION, else us-west-2).
    #[arg(long)]
    region: Option<String>,
    /// One endpoint for every AWS service (an emulator such as moto_server).
    #[arg(long, env = "CIS_AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
}

impl AwsArgs {
    async fn sdk(&self) -> cis_aws::SdkConfig {
        load_sdk_config(&AwsSettings {
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        })
        .await
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match args.command {
        Command::Build(args) => runtime.block_on(build(args)),
        Command::Check(args) => {
            let documents = read_dir(&args.dir)?;
            report_check(&args.dir, &documents)
        }
        Command::Publish(args) => runtime.block_on(publish(args)),
    }
}

async fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let template = match &args.template {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the template {}", path.display()))?,
        None => TEMPLATE.to_string(),
    };
    let ssm = match &args.ssm_path {
        Some(path) => Some((
            cis_aws::ssm_client(&args.aws.sdk().await, None),
            path.as_str(),
        )),
        None => None,
    };
    let sources = KeySources {
        dir: args.keys.as_deref(),
        ssm,
    };
    let keys = load_keys(&sources).await?;
    let domain = args
        .domain
        .clone()
        .unwrap_or_else(|| args.stage.default_domain().to_string());
    let documents = well_known::build(&template, args.stage, &domain, &keys)?;
    write_dir(&args.out, &documents)?;
    println!("stage {} ({domain}): documents checked", args.stage);
    for publisher in Publisher::ALL {
        println!(
            "  {:<16} {}",
            publisher.as_str(),
            keys.kids(publisher).join(", ")
        );
    }
    if !keys.has_access_file() {
        println!("  access_file.jwks.keys: left empty (no access-file key given)");
    }
    for (name, body) in documents.in_publishing_order() {
        println!(
            "wrote {} ({} bytes)",
            args.out.join(name).display(),
            body.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn publish(args: PublishArgs) -> anyhow::Result<ExitCode> {
    let documents = read_dir(&args.dir)?;
    if let Err(problems) = well_known::check(&documents) {
        eprintln!(
            "{}: not published, the documents fail their checks:\n{problems}",
            args.dir.display()
        );
        return Ok(ExitCode::from(1));
    }
    let bucket = WellKnownBucket::new(s3_client(&args.aws.sdk().await), &args.bucket, &args.prefix);
    for (name, body) in documents.in_publishing_order() {
        let uploaded = bucket.put_json(name, body, args.max_age).await?;
        let version = uploaded
            .version_id
            .map(|v| format!(", version {v}"))
            .unwrap_or_default();
        println!(
            "published s3://{}/{} ({} bytes{version})",
            args.bucket, uploaded.key, uploaded.bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn report_check(dir: &Path, documents: &Documents) -> anyhow::Result<ExitCode> {
    match well_known::check(documents) {
        Ok(()) => {
            println!("{}: the documents pass their checks", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            eprintln!(
                "{}: the documents fail their checks:\n{problems}",
                dir.display()
            );
            Ok(ExitCode::from(1))
        }
    }
}

fn read_dir(dir: &Path) -> anyhow::Result<Documents> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    Ok(Documents {
        mozilla_iam: read(MOZILLA_IAM)?,
        publisher_rules: read(PUBLISHER_RULES)?,
        profile_schema: read(PROFILE_SCHEMA)?,
    })
}

/// Writes each document beside its final name, then renames it into place.
fn write_dir(dir: &Path, documents: &Documents) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, body) in documents.in_publishing_order() {
        let path = dir.join(name);
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, body)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, &path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
