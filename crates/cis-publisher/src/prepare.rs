//! Turning a profile into what one publisher may send: attributes the publisher may not publish are reset
//! to "no change" (null payload, the null profile's metadata), the rest are claimed by the publisher and
//! signed. `uuid` and `primary_username` are always left to CIS. Pure: no I/O.

use cis_crypto::SigningKey;
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};

/// What preparing a profile did.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Attributes the publisher claims and signed.
    pub signed: Vec<AttrPath>,
    /// Non-null attributes dropped because the publisher may not publish them.
    pub dropped: Vec<AttrPath>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("the profile has no user_id")]
    NoUserId,
    #[error("nothing left to publish for {publisher}: it may publish none of the attributes set")]
    NothingToPublish { publisher: Publisher },
    #[error("signing failed: {0}")]
    Sign(String),
}

/// Keeps what `publisher` may publish over `stored` (the profile CIS has, when the caller knows it; `None` is
/// treated as a new user), claims and signs it with `key`.
pub fn prepare_for_publisher(
    profile: &mut Profile,
    publisher: Publisher,
    key: &SigningKey,
    rules: &PublisherRules,
    stored: Option<&Profile>,
) -> Result<Prepared, PrepareError> {
    if profile.user_id().is_none_or(str::is_empty) {
        return Err(PrepareError::NoUserId);
    }
    let null = Profile::null();
    let (mut signed, mut dropped) = (Vec::new(), Vec::new());
    for path in AttrPath::all() {
        let Some(attr) = profile.attr(path) else {
            continue;
        };
        if attr.is_null() {
            continue;
        }
        let previous_is_null = stored
            .and_then(|s| s.attr(path))
            .is_none_or(|a| a.is_null());
        let unchanged_identity = path == AttrPath::USER_ID; // identifies the user; equal values always pass
        let keep = path != AttrPath::UUID
            && path != AttrPath::PRIMARY_USERNAME
            && (unchanged_identity || rules.may_sign(publisher, path, previous_is_null));
        if keep {
            signed.push(path);
        } else {
            dropped.push(path);
            if let Some(reset) = null.attr_map(path) {
                profile.set_attr(path, reset.clone());
            }
        }
    }
    if signed.iter().all(|p| *p == AttrPath::USER_ID) {
        return Err(PrepareError::NothingToPublish { publisher });
    }
    cis_crypto::sign_profile(profile, publisher, key, Some(&signed))
        .map_err(|e| PrepareError::Sign(e.to_string()))?;
    Ok(Prepared { signed, dropped })
}
