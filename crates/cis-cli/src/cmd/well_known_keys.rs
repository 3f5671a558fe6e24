//! The public keys `cis well-known build` publishes, from a directory of PEM files and/or SSM
//! SecureStrings (docs/deploy.md §4). Public keys only go out: a private key found in SSM contributes its
//! public half; a private key file in the directory is refused, since a key directory meant for
//! publishing should never hold one. Unknown `.pem` files are refused too (a misspelt publisher would
//! otherwise be left out silently).

use anyhow::{Context, bail};
use cis_aws::{AwsError, SsmParameters};
use cis_common::well_known::{PublisherKeys, original_kid};
use cis_crypto::{PublicKey, SigningKey};
use cis_profile::Publisher;
use std::path::Path;

/// The name of the access file's key (`access-file.pub.pem`, or `<ssm path>/access-file`).
const ACCESS_FILE: &str = "access-file";

/// Where the keys come from.
pub struct KeySources<'a> {
    pub dir: Option<&'a Path>,
    pub ssm: Option<(aws_sdk_ssm::Client, &'a str)>,
}

/// Every key of the sources; a publisher without one is left for the build to report.
pub async fn load_keys(sources: &KeySources<'_>) -> anyhow::Result<PublisherKeys> {
    let mut keys = PublisherKeys::new();
    if let Some(dir) = sources.dir {
        from_dir(dir, &mut keys)?;
    }
    if let Some((client, path)) = &sources.ssm {
        from_ssm(client.clone(), path, &mut keys).await?;
    }
    Ok(keys)
}

fn from_dir(dir: &Path, keys: &mut PublisherKeys) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".pem"))
        .collect();
    // Each owner's main key (`ldap.pub.pem`) before its labelled ones (`ldap.next.pub.pem`).
    names.sort_by_key(|name| {
        let stem = name.trim_end_matches(".pem").trim_end_matches(".pub");
        let (owner, label) = stem
            .split_once('.')
            .map_or((stem, None), |(o, l)| (o, Some(l)));
        (owner.to_string(), label.map(str::to_string))
    });
    for name in names {
        let path = dir.join(&name);
        let Some(stem) = name.strip_suffix(".pub.pem") else {
            bail!(
                "{}: only public keys (<publisher>.pub.pem) belong in a key directory",
                path.display()
            );
        };
        let (owner, label) = stem
            .split_once('.')
            .map_or((stem, None), |(o, l)| (o, Some(l)));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let key = PublicKey::parse(&text).map_err(|e| {
            if SigningKey::parse(&text).is_ok() {
                anyhow::anyhow!(
                    "{} holds a private key: publish public keys only",
                    path.display()
                )
            } else {
                anyhow::anyhow!("{}: not a public key: {e}", path.display())
            }
        })?;
        add(keys, owner, label, key).with_context(|| path.display().to_string())?;
    }
    Ok(())
}

async fn from_ssm(
    client: aws_sdk_ssm::Client,
    path: &str,
    keys: &mut PublisherKeys,
) -> anyhow::Result<()> {
    let ssm = SsmParameters::new(client);
    let path = path.trim_end_matches('/');
    let owners = Publisher::ALL
        .iter()
        .map(|p| p.as_str())
        .chain([ACCESS_FILE]);
    for owner in owners {
        let name = format!("{path}/{owner}");
        let text = match ssm.get_secure(&name).await {
            Ok(text) => text,
            Err(AwsError::ParameterNotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let key = match PublicKey::parse(&text) {
            Ok(key) => key,
            Err(_) => SigningKey::parse(&text)
                .map(|k| k.public_key().clone())
                .map_err(|e| anyhow::anyhow!("SSM parameter {name}: not a key: {e}"))?,
        };
        add(keys, owner, None, key).with_context(|| format!("SSM parameter {name}"))?;
    }
    Ok(())
}

fn add(
    keys: &mut PublisherKeys,
    owner: &str,
    label: Option<&str>,
    key: PublicKey,
) -> anyhow::Result<()> {
    if owner == ACCESS_FILE {
        if keys.has_access_file() {
            bail!("a second access-file key");
        }
        keys.set_access_file(key);
        return Ok(());
    }
    let Some(publisher) = Publisher::parse(owner) else {
        let known: Vec<&str> = Publisher::ALL.iter().map(|p| p.as_str()).collect();
        bail!(
            "{owner:?} is not a publisher ({}) nor {ACCESS_FILE}",
            known.join(", ")
        );
    };
    let kid = match label {
        Some(label) => format!("{}-{label}", original_kid(publisher)),
        None => original_kid(publisher).to_string(),
    };
    keys.add(publisher, kid, key)?;
    Ok(())
}
