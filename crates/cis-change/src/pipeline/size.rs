//! The size of the vault item a profile becomes (docs/contract/processor-and-vault.md §5.1), by DynamoDB's rules, so that
//! the pipeline can answer 413 `profile_too_large` before a write fails (docs/contract/change-api.md §4 step 13).
//!
//! Owns only the arithmetic: UTF-8 bytes of names and strings, numbers by significant digits, 1 byte for
//! booleans and nulls, 3 bytes plus 1 per element for maps and lists. It errs on the large side and does not
//! build the item (the vault adapters do).

use cis_profile::Profile;
use serde_json::Value;

/// DynamoDB's item size limit: 400 KB.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Room for what CIS adds to a checked profile when it applies it: `uuid` and `primary_username` (values and
/// `cis` signatures), `last_modified` and `active` re-signed, their flat copies, the extra changed paths. Four
/// compact RS256 JWS of an attribute stay well under 1 KiB each.
pub const CIS_ATTRIBUTES_ALLOWANCE: usize = 8 * 1024;

/// Room left for the attributes whose length is not known before the write (`sequence_number`: a Kinesis
/// number has up to 56 digits, an API number 39) and the small numeric ones.
const UNKNOWN_ALLOWANCE: usize = 128;

/// The size in bytes of the item `profile` becomes, with the change's paths and publishers.
pub fn item_size(profile: &Profile, changed: &[String], publishers: &[String]) -> usize {
    let text = |name: &str, v: Option<&str>| v.map_or(0, |v| name.len() + v.len());
    let user_id = profile.user_id().unwrap_or("");
    let mut size = UNKNOWN_ALLOWANCE;
    size += text("id", Some(user_id));
    size += text("user_uuid", profile.uuid());
    size += text("primary_email", profile.primary_email());
    size += text("primary_username", profile.primary_username());
    size += text(
        "connection_method",
        Some(cis_profile::identifiers::connection_method(user_id)),
    );
    size += "profile".len() + profile.to_json().len();
    size += "active".len() + 1;
    size += "flat_profile".len() + value_size(&cis_profile::flat::flatten(profile));
    size += "changed_attributes".len() + list_size(changed);
    size += "change_publishers".len() + list_size(publishers);
    size
}

fn list_size(items: &[String]) -> usize {
    3 + items.iter().map(|s| 1 + s.len()).sum::<usize>()
}

/// The DynamoDB size of a JSON value encoded as an attribute value (S, N, BOOL, NULL, M, L).
fn value_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 1,
        Value::String(s) => s.len(),
        // At most 38 significant digits, two per byte, plus one.
        Value::Number(n) => n.to_string().len().div_ceil(2) + 1,
        Value::Array(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        Value::Object(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cis_profile::AttrPath;
    use cis_profile::attr::set_payload;
    use serde_json::json;

    #[test]
    fn the_null_profile_is_far_below_the_limit() {
        let size = item_size(&Profile::null(), &[], &[]);
        assert!(size > Profile::null().to_json().len(), "{size}");
        assert!(size < MAX_ITEM_BYTES / 10, "{size}");
    }

    #[test]
    fn a_large_value_counts_twice_once_in_the_profile_and_once_in_the_flat_copy() {
        let mut p = Profile::null();
        let path = AttrPath::parse("description").unwrap();
        let mut attr = p.attr_or_null(path);
        set_payload(&mut attr, path.kind(), json!("x".repeat(150_000)));
        p.set_attr(path, attr);
        let size = item_size(&p, &["description".into()], &["mozilliansorg".into()]);
        assert!(size > 300_000 && size < MAX_ITEM_BYTES, "{size}");
    }

    #[test]
    fn maps_lists_and_numbers_follow_dynamodbs_rules() {
        assert_eq!(value_size(&json!({"ab": "cde"})), 3 + 1 + 2 + 3);
        assert_eq!(value_size(&json!([true, null])), 3 + 2 + 2);
        assert_eq!(value_size(&json!(12345)), 4);
    }
}
