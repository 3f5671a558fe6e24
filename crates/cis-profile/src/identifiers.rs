//! Identifiers: the [`UserId`] newtype, `uuid` and `primary_username` derived from the salt and the `user_id`
//! (docs/contract/profile.md §5), and the vault's `connection_method` (docs/contract/processor-and-vault.md §5.1).
//!
//! Pure functions of their inputs. This module does not read the salt (configuration does), does not decide
//! whether a missing salt is acceptable (services refuse to start without one), and never touches a profile.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use uuid::Uuid;

/// A user's `user_id`: non-empty text. Parsed once where a change names its user (the query, the body, the
/// stream envelope) and passed down, so that nothing below asks again whether it is there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    /// `None` for empty text.
    pub fn parse(text: &str) -> Option<UserId> {
        (!text.is_empty()).then(|| UserId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The part before the first `|` (the vault's `connection_method`).
    pub fn connection_method(&self) -> &str {
        connection_method(&self.0)
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UserId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// `uuid = UUIDv5(URL namespace, salt + "#" + user_id)`, lower-case hyphenated.
pub fn derive_uuid(salt: &str, user_id: &str) -> String {
    uuid_of(salt, user_id).hyphenated().to_string()
}

/// `primary_username = "r--" + base64url(uuid bytes)` **with** `=` padding (27 characters, ending in `==`).
/// `None` when `uuid` is not a UUID.
pub fn derive_primary_username(uuid: &str) -> Option<String> {
    Uuid::parse_str(uuid).ok().map(username_of)
}

/// Both identifiers at once: `(uuid, primary_username)`.
pub fn derive_identifiers(salt: &str, user_id: &str) -> (String, String) {
    let uuid = uuid_of(salt, user_id);
    (uuid.hyphenated().to_string(), username_of(uuid))
}

/// The vault's `connection_method`: `user_id` up to its first `|` (the whole id when it has none).
pub fn connection_method(user_id: &str) -> &str {
    user_id.split('|').next().unwrap_or(user_id)
}

fn uuid_of(salt: &str, user_id: &str) -> Uuid {
    let name = format!("{salt}#{user_id}");
    Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes())
}

fn username_of(uuid: Uuid) -> String {
    format!("r--{}", URL_SAFE.encode(uuid.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_derives_both_identifiers() {
        let (uuid, username) = derive_identifiers("12345", "test");
        assert_eq!(uuid, "d0224f82-9d7b-595c-ad37-f56feebd751a");
        assert_eq!(username, "r--0CJPgp17WVytN_Vv7r11Gg==");
        assert_eq!(
            derive_primary_username(&uuid).as_deref(),
            Some(username.as_str())
        );
    }

    #[test]
    fn primary_username_is_always_27_characters_with_padding() {
        for user_id in [
            "a",
            "github|1",
            "ad|Mozilla-LDAP|jdoe",
            "email|Zoë@example.com",
        ] {
            let (_, username) = derive_identifiers("salt", user_id);
            assert_eq!(username.len(), 27, "{username}");
            assert!(
                username.starts_with("r--") && username.ends_with("=="),
                "{username}"
            );
        }
    }

    #[test]
    fn the_same_inputs_always_give_the_same_uuid_and_the_salt_matters() {
        assert_eq!(derive_uuid("s", "github|1"), derive_uuid("s", "github|1"));
        assert_ne!(derive_uuid("s", "github|1"), derive_uuid("t", "github|1"));
        assert_eq!(
            derive_uuid("", "test"),
            "f3f2dc00-05ef-548e-8e44-ae28b459cb2c"
        );
    }

    #[test]
    fn a_text_that_is_not_a_uuid_has_no_primary_username() {
        assert_eq!(derive_primary_username("not-a-uuid"), None);
    }

    #[test]
    fn connection_method_is_the_first_segment_of_the_user_id() {
        assert_eq!(connection_method("ad|Mozilla-LDAP|jdoe"), "ad");
        assert_eq!(connection_method("oauth2|firefoxaccounts|abc"), "oauth2");
        assert_eq!(connection_method("google-oauth2|1"), "google-oauth2");
        assert_eq!(connection_method("nopipe"), "nopipe");
        assert_eq!(connection_method(""), "");
    }
}
