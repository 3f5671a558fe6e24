//! `cis crypto`: generate keys, sign a profile's attributes as a publisher, verify a profile's signatures.
//!
//! Owns argument parsing, file output and the reports; every signing and verification decision is
//! cis-crypto's. It never prints keys except into the files `keygen` writes, and writes only the result
//! to stdout (docs/contract/signatures.md §8).

use anyhow::{Context, bail};
use cis_crypto::{
    FileKeySource, KeySource, SigningKey, WellKnownFileSource, generate_keypair, sign_profile,
    signed_attribute_count, verify_profile_all,
};
use cis_profile::{AttrPath, Profile, ProfileError, Publisher};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Generate an RSA key pair: PREFIX.priv.pem, PREFIX.pub.pem and PREFIX.jwks.json.
    #[command(long_about = KEYGEN_ABOUT)]
    Keygen(KeygenArgs),
    /// Sign every non-null attribute of a profile (or the named ones) as a publisher.
    #[command(long_about = SIGN_ABOUT)]
    Sign(SignArgs),
    /// Verify the signature of every non-null attribute of a profile.
    #[command(long_about = VERIFY_ABOUT)]
    Verify(VerifyArgs),
}

const KEYGEN_ABOUT: &str = "\
Generate an RSA key pair for signing attributes (or for a development well-known document).

Writes PREFIX.priv.pem (PKCS#8, mode 0600), PREFIX.pub.pem (SubjectPublicKeyInfo) and PREFIX.jwks.json \
({\"keys\": [jwk]} in the well-known format: alg, e, kid, kty, n, use, x5c). Existing files are not \
overwritten unless --force is given.

Example: cis crypto keygen --out ~/.mozilla-iam/keys/ldap";

const SIGN_ABOUT: &str = "\
Sign a profile's attributes as PUBLISHER with the private key in --key (PEM PKCS#1 or PKCS#8, or a \
private JWK) and print the signed profile as JSON.

Without --attribute every non-null attribute is signed; with it, exactly the named ones (top-level names \
or group.child, e.g. staff_information.title), and naming a null attribute is an error. Signing sets \
signature.publisher to {alg: RS256, typ: JWS, name: PUBLISHER, value: <compact JWS>}. It does not check \
whether PUBLISHER may publish the attribute (see `cis rules check`).

Exit status: 0 signed, 1 input rejected (reasons on stderr, one per line), 2 usage error.

Example: cis crypto sign --key ldap.priv.pem --publisher ldap --attribute first_name profile.json";

const VERIFY_ABOUT: &str = "\
Verify the signature of every non-null attribute of a profile (null attributes are the only ones that \
may be unsigned).

Trusted keys: --key (a public key PEM or JWK) or --jwks (a JWKS file) is trusted for every publisher; \
--well-known (a mozilla-iam well-known document) gives each publisher its own keys \
(api.publishers_jwks), and the publisher named in each attribute chooses them.

Exit status: 0 every signature verifies (\"ok: N signed attributes verified\" on stdout), 1 some do not \
(each failing attribute and why on stderr, one per line) or the profile is invalid, 2 usage error.

Example: cis crypto verify --well-known mozilla-iam.json profile.json";

#[derive(Clone, Copy, clap::ValueEnum)]
enum Bits {
    #[value(name = "2048")]
    Rsa2048,
    #[value(name = "4096")]
    Rsa4096,
}

#[derive(clap::Args)]
struct KeygenArgs {
    /// Path prefix of the files to write (PREFIX.priv.pem, PREFIX.pub.pem, PREFIX.jwks.json).
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
    /// RSA modulus size.
    #[arg(long, value_enum, default_value = "2048")]
    bits: Bits,
    /// The `kid` of the JWK [default: the file name of PREFIX].
    #[arg(long)]
    kid: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct SignArgs {
    /// The private key file: PEM (PKCS#1 or PKCS#8) or a private JWK.
    #[arg(long, value_name = "PRIV.pem")]
    key: PathBuf,
    /// The publisher signing: ldap, mozilliansorg, hris, cis or access_provider.
    #[arg(long, value_name = "NAME")]
    publisher: Publisher,
    /// Sign only this attribute (repeatable; `group.child` for group members).
    #[arg(long = "attribute", value_name = "NAME")]
    attributes: Vec<String>,
    /// The profile; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).args(["key", "jwks", "well_known"])))]
struct VerifyArgs {
    /// A public key (PEM SubjectPublicKeyInfo or PKCS#1, or one JWK) trusted for every publisher.
    #[arg(long, value_name = "PUB.pem")]
    key: Option<PathBuf>,
    /// A JWKS file whose keys are all trusted for every publisher.
    #[arg(long, value_name = "FILE")]
    jwks: Option<PathBuf>,
    /// A well-known document: each publisher's keys from api.publishers_jwks.
    #[arg(long, value_name = "FILE")]
    well_known: Option<PathBuf>,
    /// Accept a profile as CIS stored it (structure only: legacy labels and timestamps pass).
    #[arg(long)]
    stored: bool,
    /// The profile; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Keygen(args) => keygen(args),
        Command::Sign(args) => sign(args),
        Command::Verify(args) => verify(args),
    }
}

fn keygen(args: KeygenArgs) -> anyhow::Result<ExitCode> {
    let bits = match args.bits {
        Bits::Rsa2048 => 2048,
        Bits::Rsa4096 => 4096,
    };
    let with_suffix = |suffix: &str| {
        let mut name = args.out.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (private_path, public_path, jwks_path) = (
        with_suffix(".priv.pem"),
        with_suffix(".pub.pem"),
        with_suffix(".jwks.json"),
    );
    if !args.force {
        for path in [&private_path, &public_path, &jwks_path] {
            if path.exists() {
                bail!("{} exists (use --force to overwrite)", path.display());
            }
        }
    }
    let kid = match &args.kid {
        Some(kid) => kid.clone(),
        None => args
            .out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let key = generate_keypair(bits).context("cannot generate a key pair")?;
    let jwks = serde_json::json!({ "keys": [key.public_key().to_jwk(&kid)] });
    write_private(&private_path, key.to_pkcs8_pem()?.as_bytes())?;
    write_file(&public_path, key.public_key().to_spki_pem().as_bytes())?;
    write_file(
        &jwks_path,
        format!("{}\n", serde_json::to_string_pretty(&jwks)?).as_bytes(),
    )?;
    for path in [&private_path, &public_path, &jwks_path] {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a private key readable by its owner only (mode 0600 from the start, not chmod-ed afterwards).
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        // An existing file (--force) keeps its old mode through open(): tighten it.
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn sign(args: SignArgs) -> anyhow::Result<ExitCode> {
    let only = args
        .attributes
        .iter()
        .map(|name| AttrPath::parse(name).with_context(|| format!("unknown attribute `{name}`")))
        .collect::<anyhow::Result<Vec<AttrPath>>>()?;
    let key_text = std::fs::read_to_string(&args.key)
        .with_context(|| format!("cannot read {}", args.key.display()))?;
    let key = SigningKey::parse(&key_text)
        .with_context(|| format!("{}: not a usable private key", args.key.display()))?;
    let bytes = crate::io::read_input(args.file.as_deref())?;
    let mut profile = match Profile::parse(&bytes) {
        Ok(profile) => profile,
        Err(e) => return Ok(rejected(&invalid(&e))),
    };
    let only = (!only.is_empty()).then_some(only.as_slice());
    if let Err(e) = sign_profile(&mut profile, args.publisher, &key, only) {
        return Ok(rejected(&[e.to_string()]));
    }
    println!("{}", profile.to_json_pretty());
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let keys = match (&args.key, &args.jwks, &args.well_known) {
        (Some(path), _, _) | (_, Some(path), _) => FileKeySource::new(path).load(),
        (_, _, Some(path)) => WellKnownFileSource::new(path).load(),
        _ => bail!("one of --key, --jwks or --well-known is required"),
    }
    .context("cannot load the trusted keys")?;
    let bytes = crate::io::read_input(args.file.as_deref())?;
    let parsed = if args.stored {
        cis_profile::json::parse_strict(&bytes)
            .map_err(ProfileError::from)
            .and_then(Profile::from_stored)
    } else {
        Profile::parse(&bytes)
    };
    let profile = match parsed {
        Ok(profile) => profile,
        Err(e) => return Ok(rejected(&invalid(&e))),
    };
    let failures = verify_profile_all(&profile, &keys);
    if !failures.is_empty() {
        let reasons: Vec<String> = failures.iter().map(ToString::to_string).collect();
        return Ok(rejected(&reasons));
    }
    println!(
        "ok: {} signed attributes verified",
        signed_attribute_count(&profile)
    );
    Ok(ExitCode::SUCCESS)
}

fn invalid(e: &ProfileError) -> Vec<String> {
    match e {
        ProfileError::Json(e) => vec![format!("invalid profile: not JSON: {e}")],
        ProfileError::Invalid(violations) if violations.is_empty() => {
            vec!["invalid profile".into()]
        }
        ProfileError::Invalid(violations) => violations
            .iter()
            .map(|v| format!("invalid profile: {v}"))
            .collect(),
    }
}

fn rejected(reasons: &[String]) -> ExitCode {
    for reason in reasons {
        eprintln!("{reason}");
    }
    ExitCode::from(1)
}
