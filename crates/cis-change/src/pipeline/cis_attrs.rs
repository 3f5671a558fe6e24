//! The attributes CIS writes and signs itself (docs/contract/change-api.md §4 steps 10 and 12): a new user's
//! `uuid` and `primary_username`, `last_modified` on every stored change, and `active` re-signed as `cis` —
//! and [`CisSigner`], the port every one of those signatures goes through.
//!
//! Owns building those attributes from the null profile's metadata. It does not decide when they apply (the
//! apply step does), never runs in a check, and never checks publisher rules.

use super::error::PipelineError;
use cis_crypto::{SignError, SigningKey, sign_attribute};
use cis_profile::attr::{set_metadata, set_payload};
use cis_profile::identifiers::derive_identifiers;
use cis_profile::{Attr, AttrPath, Profile, Publisher, UserId};
use serde_json::{Map, Value};

/// Signs an attribute as `cis`. The production adapter is the `cis` [`SigningKey`]; tests wrap it to count
/// signatures (a check must make none).
pub trait CisSigner: Send + Sync {
    fn sign_as_cis(&self, attr: &mut Map<String, Value>) -> Result<(), SignError>;
}

impl CisSigner for SigningKey {
    fn sign_as_cis(&self, attr: &mut Map<String, Value>) -> Result<(), SignError> {
        sign_attribute(attr, Publisher::Cis, self)
    }
}

fn signing_failed(e: SignError) -> PipelineError {
    PipelineError::Unavailable(format!("signing as cis failed: {e}"))
}

/// Sets the payload and both timestamps of the null profile's attribute at `path` and signs it as `cis`.
fn cis_attribute(
    path: AttrPath,
    payload: Value,
    now: &str,
    signer: &dyn CisSigner,
) -> Result<Map<String, Value>, PipelineError> {
    let mut attr = Profile::null().attr_or_null(path);
    set_payload(&mut attr, path.kind(), payload);
    set_metadata(&mut attr, "created", Value::from(now));
    set_metadata(&mut attr, "last_modified", Value::from(now));
    signer.sign_as_cis(&mut attr).map_err(signing_failed)?;
    Ok(attr)
}

/// Step 10: derives `uuid` and `primary_username` from the salt and the user_id (docs/contract/profile.md
/// §5.2) and stores both, signed as `cis`.
pub fn set_identifiers(
    profile: &mut Profile,
    salt: &str,
    user_id: &UserId,
    now: &str,
    signer: &dyn CisSigner,
) -> Result<(), PipelineError> {
    let (uuid, username) = derive_identifiers(salt, user_id.as_str());
    let uuid_attr = cis_attribute(AttrPath::UUID, Value::from(uuid), now, signer)?;
    profile.set_attr(AttrPath::UUID, uuid_attr);
    let username_attr = cis_attribute(
        AttrPath::PRIMARY_USERNAME,
        Value::from(username),
        now,
        signer,
    )?;
    profile.set_attr(AttrPath::PRIMARY_USERNAME, username_attr);
    Ok(())
}

/// Step 12, first half: `last_modified.value` and its `metadata.last_modified` become `now`, signed as `cis`.
/// The attribute's other metadata (classification, display, created) is kept.
pub fn set_last_modified(
    profile: &mut Profile,
    now: &str,
    signer: &dyn CisSigner,
) -> Result<(), PipelineError> {
    let path = AttrPath::LAST_MODIFIED;
    let mut attr = profile.attr_or_null(path);
    set_payload(&mut attr, path.kind(), Value::from(now));
    set_metadata(&mut attr, "last_modified", Value::from(now));
    signer.sign_as_cis(&mut attr).map_err(signing_failed)?;
    profile.set_attr(path, attr);
    Ok(())
}

/// Step 12, second half: a non-null `active` not already signed by `cis` is re-signed as `cis` (CIS owns the
/// stored value once the rules allowed the change). Returns whether it re-signed.
pub fn resign_active(profile: &mut Profile, signer: &dyn CisSigner) -> Result<bool, PipelineError> {
    let path = AttrPath::ACTIVE;
    let needs = profile
        .attr(path)
        .is_some_and(|a| !a.is_null() && a.publisher() != Some(Publisher::Cis));
    if !needs {
        return Ok(false);
    }
    match profile.attr_mut(path) {
        Some(attr) => signer
            .sign_as_cis(attr)
            .map_err(signing_failed)
            .map(|()| true),
        None => Ok(false),
    }
}

/// The publisher an attribute claims, as text (`""` when it names none).
pub fn claimed_publisher(profile: &Profile, path: AttrPath) -> String {
    profile
        .attr(path)
        .and_then(Attr::publisher_name)
        .unwrap_or("")
        .to_string()
}
