//! Profiles as publishers send them, for the end-to-end tests.
//!
//! A new user is a fake LDAP staff profile (`cis_profile::fake`) with a chosen `user_id` and fixed
//! payloads and displays on the attributes the tests look at ([`KNOWN`]), so that what each scope set may
//! see is known in advance. Updates are the null profile carrying the user's `user_id` and the changed
//! attributes. Honest publishers go through `cis_publisher::prepare_for_publisher`; the `forge_*`
//! functions make what a misbehaving publisher would send. Nothing here talks to the service.

use cis_crypto::SigningKey;
use cis_profile::attr::{set_metadata, set_payload};
use cis_profile::fake::fake_profile;
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use serde_json::{Value, json};

/// The prefix of LDAP user ids (and the `connectionMethod` that lists them).
pub const LDAP_PREFIX: &str = "ad|Mozilla-LDAP|";

/// The attributes every new user has, with their payload and display. Classifications stay the schema
/// defaults: first_name, primary_email, user_id, access_information.ldap PUBLIC; fun_title, pronouns,
/// alternative_name WORKGROUP CONFIDENTIAL; staff_information.title MOZILLA CONFIDENTIAL;
/// staff_information.cost_center WORKGROUP CONFIDENTIAL: STAFF ONLY; active WORKGROUP CONFIDENTIAL with
/// display null.
pub const KNOWN: &[(&str, &str)] = &[
    ("user_id", "public"),
    ("first_name", "public"),
    ("primary_email", "public"),
    ("fun_title", "staff"),
    ("pronouns", "public"),
    ("alternative_name", "authenticated"),
    ("access_information.ldap", "staff"),
    ("staff_information.title", "staff"),
    ("staff_information.cost_center", "staff"),
];

/// The profile LDAP sends to create `user_id` (unsigned): a fake staff user from `seed` on, with the
/// [`KNOWN`] attributes set.
pub fn new_staff_user(user_id: &str, seed: u64) -> Profile {
    let mut profile = (seed..seed + 1000)
        .map(fake_profile)
        .find(|p| p.value_str(AttrPath::LOGIN_METHOD) == Some("Mozilla-LDAP"))
        .expect("a fake staff profile within 1000 seeds");
    let payloads = [
        ("user_id", json!(user_id)),
        ("first_name", json!("Ada")),
        (
            "primary_email",
            json!(format!("{}@mozilla.com", local_part(user_id))),
        ),
        ("fun_title", json!("Chief Test Officer")),
        ("pronouns", json!("they/them")),
        ("alternative_name", json!("Ada L.")),
        (
            "access_information.ldap",
            json!({"e2e_team": null, "everyone": null}),
        ),
        ("staff_information.title", json!("Staff Engineer")),
        ("staff_information.cost_center", json!("1000 - End To End")),
    ];
    for ((dotted, payload), (known, display)) in payloads.into_iter().zip(KNOWN) {
        assert_eq!(dotted, *known);
        set(&mut profile, dotted, payload, Some(display));
    }
    profile
}

/// `user_id` made file- and URL-friendly, for e-mail addresses.
fn local_part(user_id: &str) -> String {
    let last = user_id.rsplit('|').next().unwrap_or(user_id);
    last.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect()
}

/// Sets the payload (and, when given, the display) of the attribute `dotted`.
pub fn set(profile: &mut Profile, dotted: &str, payload: Value, display: Option<&str>) {
    let path = path(dotted);
    let mut attr = profile.attr_or_null(path);
    set_payload(&mut attr, path.kind(), payload);
    if let Some(display) = display {
        set_metadata(&mut attr, "display", json!(display));
    }
    profile.set_attr(path, attr);
}

/// The attribute path of `dotted`.
pub fn path(dotted: &str) -> AttrPath {
    AttrPath::parse(dotted).unwrap_or_else(|| panic!("no attribute {dotted}"))
}

/// `profile` as `publisher` sends it: what it may not publish over `stored` (`None`: a new user) is reset
/// to "no change", the rest is claimed and signed with `key`.
pub fn signed_by(
    mut profile: Profile,
    publisher: Publisher,
    key: &SigningKey,
    stored: Option<&Profile>,
) -> Profile {
    cis_publisher::prepare_for_publisher(
        &mut profile,
        publisher,
        key,
        PublisherRules::embedded(),
        stored,
    )
    .unwrap_or_else(|e| panic!("preparing for {}: {e}", publisher.as_str()));
    profile
}

/// What `publisher` sends to change `changes` of the user `stored` (the profile it was created with):
/// the null profile with the user's `user_id` and each changed attribute (stored metadata, new payload),
/// signed by `publisher`.
pub fn update(
    stored: &Profile,
    publisher: Publisher,
    key: &SigningKey,
    changes: &[(&str, Value)],
) -> Profile {
    signed_by(
        unsigned_update(stored, changes),
        publisher,
        key,
        Some(stored),
    )
}

/// The unsigned update of [`update`].
pub fn unsigned_update(stored: &Profile, changes: &[(&str, Value)]) -> Profile {
    let mut profile = Profile::null();
    profile.set_attr(AttrPath::USER_ID, stored.attr_or_null(AttrPath::USER_ID));
    for (dotted, payload) in changes {
        let path = path(dotted);
        let mut attr = stored.attr_or_null(path);
        set_payload(&mut attr, path.kind(), payload.clone());
        profile.set_attr(path, attr);
    }
    profile
}

/// Signs exactly `paths` as `publisher`, whatever the publisher rules say (a publisher overstepping).
pub fn forge(
    mut profile: Profile,
    publisher: Publisher,
    key: &SigningKey,
    paths: &[&str],
) -> Profile {
    let paths: Vec<AttrPath> = paths.iter().map(|d| path(d)).collect();
    cis_crypto::sign_profile(&mut profile, publisher, key, Some(&paths)).expect("sign");
    profile
}

/// The development key of nobody the service trusts (fixtures/keys/evil-signing-key.priv.pem).
pub fn untrusted_key() -> SigningKey {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/keys/evil-signing-key.priv.pem"
    );
    SigningKey::parse(&std::fs::read_to_string(path).expect("evil key fixture"))
        .expect("parse evil key")
}

/// The user id number `n` of a test run: `ad|Mozilla-LDAP|<prefix>-<n>`.
pub fn ldap_user_id(prefix: &str, n: usize) -> String {
    format!("{LDAP_PREFIX}{prefix}-{n:04}")
}

/// The attribute `dotted` of a profile as JSON (`None` when the Person API filtered it out).
pub fn attr<'a>(profile: &'a Value, dotted: &str) -> Option<&'a Value> {
    match dotted.split_once('.') {
        Some((group, leaf)) => profile.get(group)?.get(leaf),
        None => profile.get(dotted),
    }
}

/// The payload (`value` or `values`) of the attribute `dotted` of a profile as JSON.
pub fn payload<'a>(profile: &'a Value, dotted: &str) -> Option<&'a Value> {
    let attr = attr(profile, dotted)?;
    attr.get("value").or_else(|| attr.get("values"))
}

/// The name of the publisher that signed the attribute `dotted` of a profile as JSON.
pub fn publisher_of<'a>(profile: &'a Value, dotted: &str) -> Option<&'a str> {
    attr(profile, dotted)?
        .pointer("/signature/publisher/name")?
        .as_str()
}
