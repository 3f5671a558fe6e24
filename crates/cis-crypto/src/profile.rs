//! Signing and verifying whole profiles, attribute by attribute (docs/contract/signatures.md §4 step 8).
//!
//! Owns the walk over a profile's attributes in canonical order ([`AttrPath::all`]): which ones are signed
//! (every non-null one, or a named list) and which are verified (every non-null one; null attributes are the
//! only ones that pass unsigned). The per-attribute work is `attribute.rs`; publisher rules are not checked.

use crate::attribute::{sign_attribute, verify_attribute};
use crate::error::{ProfileVerifyError, SignError, VerifyError};
use crate::keys::SigningKey;
use crate::keyset::KeySet;
use cis_profile::{AttrPath, Profile, Publisher};

/// Signs as `publisher` every non-null attribute of `profile` (`only` = `None`) or exactly the named ones
/// (a named attribute that is null or absent is an error, and then nothing is signed). Returns how many
/// attributes were signed.
pub fn sign_profile(
    profile: &mut Profile,
    publisher: Publisher,
    key: &SigningKey,
    only: Option<&[AttrPath]>,
) -> Result<usize, SignError> {
    let mut signed = 0;
    match only {
        None => {
            for path in AttrPath::all() {
                if let Some(attr) = profile.attr_mut(path) {
                    match sign_attribute(attr, publisher, key) {
                        Ok(()) => signed += 1,
                        Err(SignError::NullValue) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Some(paths) => {
            // Check every name first, so that a bad list leaves the profile untouched.
            for &path in paths {
                match profile.attr(path) {
                    None => return Err(SignError::MissingAttribute(path)),
                    Some(attr) if attr.is_null() => return Err(SignError::NullAttribute(path)),
                    Some(_) => {}
                }
            }
            for &path in paths {
                let attr = profile
                    .attr_mut(path)
                    .ok_or(SignError::MissingAttribute(path))?;
                sign_attribute(attr, publisher, key)?;
                signed += 1;
            }
        }
    }
    Ok(signed)
}

/// Verifies every non-null attribute in canonical order; the first failure is returned with its path.
pub fn verify_profile(profile: &Profile, keys: &KeySet) -> Result<(), ProfileVerifyError> {
    match failures(profile, keys).next() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Verifies the attributes at `paths` (each must be present, non-null and validly signed), in the order
/// given; the first failure is returned with its path. What a change check uses: only the attributes a
/// change alters need a signature (the stored copy of an unchanged one is kept as CIS wrote it).
pub fn verify_attributes(
    profile: &Profile,
    paths: &[AttrPath],
    keys: &KeySet,
) -> Result<(), ProfileVerifyError> {
    for &path in paths {
        let result = match profile.attr(path) {
            Some(attr) => verify_attribute(attr.0, keys),
            None => Err(VerifyError::NullValue),
        };
        if let Err(error) = result {
            return Err(ProfileVerifyError { path, error });
        }
    }
    Ok(())
}

/// Every failure of a profile-wide verification, in canonical order (for reports such as `cis crypto verify`).
pub fn verify_profile_all(profile: &Profile, keys: &KeySet) -> Vec<ProfileVerifyError> {
    failures(profile, keys).collect()
}

/// How many attributes a profile-wide verification checks: the non-null ones.
pub fn signed_attribute_count(profile: &Profile) -> usize {
    profile.attrs().filter(|(_, attr)| !attr.is_null()).count()
}

fn failures<'a>(
    profile: &'a Profile,
    keys: &'a KeySet,
) -> impl Iterator<Item = ProfileVerifyError> + 'a {
    profile
        .attrs()
        .filter(|(_, attr)| !attr.is_null())
        .filter_map(|(path, attr)| {
            verify_attribute(attr.0, keys)
                .err()
                .map(|error| ProfileVerifyError { path, error })
        })
}
