//! Support for [`fake`](super): word lists (names, some non-ASCII; places; groups), small text generators
//! (timestamps, key-shaped strings) and the owner of each attribute under the publisher rules.
//!
//! Which attribute gets what value is decided in `fake.rs`, not here.

use crate::catalogue::{AttrPath, Group};
use crate::enums::Publisher;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::Value;
use std::sync::OnceLock;

pub(super) const FIRST: [&str; 24] = [
    "Jane",
    "José",
    "Zoë",
    "Björn",
    "Łukasz",
    "Søren",
    "Chloé",
    "François",
    "Małgorzata",
    "Ngozi",
    "Priya",
    "Hiroshi",
    "Aoife",
    "Mei",
    "Omar",
    "Alice",
    "Daniel",
    "Fatima",
    "Kwame",
    "Inês",
    "Tomás",
    "Emma",
    "Liam",
    "Ayşe",
];
pub(super) const LAST: [&str; 22] = [
    "Doe",
    "García",
    "Müller",
    "Nowak",
    "Ødegaard",
    "Dubois",
    "Okafor",
    "Sharma",
    "Tanaka",
    "Chen",
    "Ní Bhriain",
    "Haddad",
    "Lindqvist",
    "Smith",
    "Mensah",
    "Silva",
    "Rossi",
    "Nguyễn",
    "Ivanova",
    "O'Brien",
    "Kim",
    "Yılmaz",
];
pub(super) const MAIL_DOMAINS: [&str; 5] = [
    "gmail.com",
    "example.com",
    "posteo.de",
    "protonmail.com",
    "fastmail.com",
];
pub(super) const TIMEZONES: [&str; 6] = [
    "UTC-0500 America/Toronto",
    "UTC+0100 Europe/Berlin",
    "UTC-0800 America/Los_Angeles",
    "UTC+0530 Asia/Kolkata",
    "UTC+0000 Europe/London",
    "UTC+0900 Asia/Tokyo",
];
pub(super) const LOCATIONS: [&str; 6] = [
    "Toronto, Canada",
    "Berlin",
    "Paris, France",
    "São Paulo",
    "Remote",
    "Taipei",
];
pub(super) const LANGUAGES: [&str; 7] = [
    "English",
    "Français",
    "Deutsch",
    "Español",
    "Português",
    "日本語",
    "Polski",
];
pub(super) const TAGS: [&str; 8] = [
    "rust",
    "localization",
    "privacy",
    "web-compat",
    "devtools",
    "a11y",
    "mdn",
    "python",
];
pub(super) const PRONOUNS: [&str; 3] = ["she/her", "he/him", "they/them"];
pub(super) const FUN_TITLES: [&str; 3] = [
    "Chief Fox Wrangler 🦊",
    "Bug Whisperer",
    "Keeper of the Tabs",
];
pub(super) const TITLES: [&str; 6] = [
    "Senior Software Engineer",
    "Staff Engineer",
    "Product Manager",
    "Engineering Manager",
    "Security Engineer",
    "Community Manager",
];
pub(super) const TEAMS: [&str; 5] = [
    "Firefox Platform",
    "Enterprise Information Security",
    "IAM",
    "Localization",
    "Data",
];
pub(super) const COST_CENTERS: [&str; 4] = [
    "1330 - Firefox Engineering",
    "1420 - Security",
    "1600 - IT",
    "5087 - Mozilla Foundation",
];
pub(super) const OFFICES: [&str; 6] = [
    "Toronto",
    "Berlin",
    "Paris",
    "San Francisco",
    "Remote US",
    "Remote Canada",
];
pub(super) const LDAP_GROUPS: [&str; 8] = [
    "team_moco",
    "all_scm_level_1",
    "vpn_default",
    "everyone",
    "team_mofo",
    "admin_ldap",
    "hg_users",
    "workday_employees",
];
pub(super) const MOZILLIANS_GROUPS: [&str; 6] = [
    "nda",
    "mozilla-reps",
    "localization-fr",
    "rust-community",
    "common-voice",
    "open-innovation",
];
pub(super) const PICTURES: &str = "https://people.mozilla.org/api/v4/picture";
pub(super) const COUNTRIES: [&str; 6] = ["US", "CA", "DE", "FR", "GB", "BR"];

/// Lower-case ASCII letters of a name, accents folded (`Łukasz` → `lukasz`, `O'Brien` → `obrien`).
pub(super) fn ascii_fold(name: &str) -> String {
    let fold = |c: char| match c {
        'á' | 'ã' => Some('a'),
        'é' | 'ë' | 'ê' | 'ễ' => Some('e'),
        'í' | 'ı' => Some('i'),
        'ó' | 'ö' | 'ø' | 'Ø' => Some('o'),
        'ü' | 'ú' => Some('u'),
        'ł' | 'Ł' => Some('l'),
        'ç' => Some('c'),
        'ş' => Some('s'),
        c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
        _ => None,
    };
    name.chars().filter_map(fold).collect()
}

pub(super) fn capital(ascii: &str) -> String {
    let mut s = ascii.to_string();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// `epoch_ms` as CIS writes timestamps.
pub(super) fn stamp(epoch_ms: i64) -> String {
    let t = time::OffsetDateTime::UNIX_EPOCH + time::Duration::milliseconds(epoch_ms);
    crate::timestamp::format(t)
}

/// An OpenSSH ed25519 public key line: the base64 blob has the real wire layout around random key bytes.
pub(super) fn ssh_key(rng: &mut StdRng, uid: &str) -> String {
    let mut blob = vec![0u8, 0, 0, 11];
    blob.extend_from_slice(b"ssh-ed25519");
    blob.extend_from_slice(&[0, 0, 0, 32]);
    blob.extend((0..32).map(|_| rng.random::<u8>()));
    format!("ssh-ed25519 {} {uid}@laptop", STANDARD.encode(blob))
}

/// An ASCII-armoured block around random bytes (looks like a key, is not one).
pub(super) fn pgp_key(rng: &mut StdRng) -> String {
    let body: Vec<u8> = (0..120).map(|_| rng.random::<u8>()).collect();
    let body = STANDARD.encode(body);
    format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}\n-----END PGP PUBLIC KEY BLOCK-----\n")
}

/// The publisher a new user's attribute is claimed by (mozilla-iam-publisher-rules.json): the updater when it
/// may also create the attribute, otherwise the first creator. `None` when the rules name nobody.
pub(super) fn owner(path: AttrPath) -> Option<Publisher> {
    static RULES: OnceLock<Value> = OnceLock::new();
    let rules = RULES.get_or_init(|| {
        let text = include_str!("../../data/mozilla-iam-publisher-rules.json");
        serde_json::from_str(text).unwrap_or(Value::Null)
    });
    let entry = |op: &str| {
        let top = &rules[op][path.group().map_or(path.leaf(), Group::as_str)];
        if top.is_object() {
            &top[path.leaf()]
        } else {
            top
        }
    };
    let creators: Vec<&str> = entry("create")
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let updater = entry("update").as_str().filter(|u| creators.contains(u));
    updater
        .or(creators.first().copied())
        .and_then(Publisher::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_follow_the_publisher_rules() {
        let owner_of =
            |dotted: &str| owner(AttrPath::parse(dotted).unwrap()).map(Publisher::as_str);
        assert_eq!(owner_of("user_id"), Some("access_provider"));
        assert_eq!(owner_of("active"), Some("cis"));
        assert_eq!(owner_of("first_name"), Some("mozilliansorg"));
        assert_eq!(owner_of("identities.github_id_v3"), Some("mozilliansorg"));
        assert_eq!(owner_of("identities.mozilla_ldap_id"), Some("ldap"));
        assert_eq!(owner_of("ssh_public_keys"), Some("ldap"));
        assert_eq!(owner_of("access_information.hris"), Some("hris"));
        assert_eq!(owner_of("staff_information.title"), Some("hris"));
        assert_eq!(owner_of("uuid"), Some("cis"));
    }

    #[test]
    fn every_name_folds_to_ascii_letters() {
        for name in FIRST.iter().chain(LAST.iter()) {
            let folded = ascii_fold(name);
            assert!(
                !folded.is_empty() && folded.bytes().all(|b| b.is_ascii_lowercase()),
                "{name}: {folded}"
            );
        }
    }
}
