//! Deterministic, realistic fake profiles for demos, tests and benchmarks.
//!
//! A fake profile is what a publisher sends for a new user: `uuid` and `primary_username` null, `active` true,
//! every non-null attribute claimed by the publisher the rules let create it (the updater when it may also
//! create, else the first listed creator), signature values `""` (unsigned), timestamps fixed by the seed.
//! Null attributes are left exactly as in the null profile. Profiles are valid by construction (tests check it
//! over many seeds). This module never signs, never reads files at run time and never reads the clock.

mod support;

use crate::attr::{set_metadata, set_payload, set_publisher};
use crate::catalogue::AttrPath;
use crate::enums::{Display, DisplaySet};
use crate::profile::Profile;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};
use support::*;

/// The fake profile for `seed`: the same seed always gives the same profile.
pub fn fake_profile(seed: u64) -> Profile {
    let rng = StdRng::seed_from_u64(seed);
    let mut b = Builder {
        rng,
        profile: Profile::null(),
        stamp: String::new(),
    };
    // last modified between 2018-01 and 2025-12, created up to three years before
    let modified_ms = 1_514_764_800_000 + b.rng.random_range(0..250_000_000_000i64);
    let created_ms = modified_ms - b.rng.random_range(0..100_000_000_000i64);
    b.stamp = stamp(modified_ms);
    let (first, last) = (*b.pick(&FIRST), *b.pick(&LAST));
    let (first_ascii, last_ascii) = (ascii_fold(first), ascii_fold(last));
    // The seed in the uid keeps user_ids of different seeds apart (names alone collide in a large batch).
    let uid = format!("{}{last_ascii}{seed}", first_ascii.get(..1).unwrap_or("x"));
    let email = format!("{first_ascii}.{last_ascii}@{}", b.pick(&MAIL_DOMAINS));
    let staff = b.rng.random_bool(0.35);

    b.identity(staff, &uid, &email, splitmix64(seed));
    b.put("active", json!(true));
    b.put("created", json!(stamp(created_ms)));
    // `last_modified` stays null: CIS sets it on every write (docs/contract/change-api.md §4 step 12).
    b.put("first_name", json!(first));
    b.put("last_name", json!(last));
    if !first.is_ascii() || !last.is_ascii() {
        let spelled = format!("{} {}", capital(&first_ascii), capital(&last_ascii));
        b.put("alternative_name", json!(spelled));
    }
    b.about(first, &uid);
    if staff {
        b.staff(&uid);
    }
    b.profile
}

/// A bijection on u64 (SplitMix64's finaliser): distinct seeds give distinct numbers.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `count` fake profiles for the seeds `seed, seed + 1, ...` (so the first equals [`fake_profile`]`(seed)`).
pub fn fake_profiles(seed: u64, count: usize) -> impl Iterator<Item = Profile> {
    (0..count as u64).map(move |i| fake_profile(seed.wrapping_add(i)))
}

struct Builder {
    rng: StdRng,
    profile: Profile,
    /// metadata `created` and `last_modified` of every attribute set
    stamp: String,
}

impl Builder {
    /// Sets `dotted`'s payload, claims it for its owner, picks an allowed display and stamps it.
    fn put(&mut self, dotted: &str, payload: Value) {
        let Some(path) = AttrPath::parse(dotted) else {
            return;
        };
        let display = self.display_for(path);
        let Some(attr) = self.profile.attr_mut(path) else {
            return;
        };
        set_payload(attr, path.kind(), payload);
        if let Some(owner) = owner(path) {
            set_publisher(attr, owner.as_str(), "");
        }
        set_metadata(
            attr,
            "display",
            display.map_or(Value::Null, |d| json!(d.as_str())),
        );
        set_metadata(attr, "created", json!(self.stamp));
        set_metadata(attr, "last_modified", json!(self.stamp));
    }

    /// Sets `dotted` with probability `p`.
    fn maybe(&mut self, p: f64, dotted: &str, make: impl FnOnce(&mut Self) -> Value) {
        if self.rng.random_bool(p) {
            let payload = make(self);
            self.put(dotted, payload);
        }
    }

    /// `user_id`, `login_method`, `primary_email` and the identities of one login source.
    /// `unique` is a per-seed number that makes the user_id unique across seeds.
    fn identity(&mut self, staff: bool, uid: &str, email: &str, unique: u64) {
        let source = if staff {
            0
        } else {
            self.rng.random_range(1..5)
        };
        let (user_id, method, primary) = match source {
            0 => {
                let work = format!("{uid}@mozilla.com");
                self.put("identities.mozilla_ldap_id", json!(work));
                self.put("identities.mozilla_ldap_primary_email", json!(work));
                self.put("identities.mozilla_posix_id", json!(uid));
                (format!("ad|Mozilla-LDAP|{uid}"), "Mozilla-LDAP", work)
            }
            1 => {
                let id = self.github(email, Some(unique));
                (format!("github|{id}"), "github", email.to_string())
            }
            2 => {
                let id = format!("1{unique:020}");
                self.put("identities.google_oauth2_id", json!(id));
                self.put("identities.google_primary_email", json!(email));
                (
                    format!("google-oauth2|{id}"),
                    "google-oauth2",
                    email.to_string(),
                )
            }
            3 => {
                let id = format!("{unique:016x}{}", self.hex(8));
                self.put("identities.firefox_accounts_id", json!(id));
                self.put("identities.firefox_accounts_primary_email", json!(email));
                (
                    format!("oauth2|firefoxaccounts|{id}"),
                    "firefoxaccounts",
                    email.to_string(),
                )
            }
            _ => (
                format!("email|{unique:016x}{}", self.hex(8)),
                "email",
                email.to_string(),
            ),
        };
        self.put("user_id", json!(user_id));
        self.put("login_method", json!(method));
        self.put("primary_email", json!(primary));
        if staff && self.rng.random_bool(0.6) {
            self.github(email, None);
        }
        if self.rng.random_bool(0.4) {
            let id = self.rng.random_range(1..2_000_000).to_string();
            self.put("identities.bugzilla_mozilla_org_id", json!(id));
            self.put(
                "identities.bugzilla_mozilla_org_primary_email",
                json!(primary),
            );
        }
        self.maybe(0.5, "identities.mozilliansorg_id", |b| json!(b.hex(12)));
    }

    /// The three GitHub identities; returns the numeric id.
    /// GitHub identities; `id` fixes the numeric id (for a user_id), else it is random.
    fn github(&mut self, email: &str, id: Option<u64>) -> u64 {
        let n = id.unwrap_or_else(|| self.rng.random_range(1..200_000_000u64));
        self.put("identities.github_id_v3", json!(n.to_string()));
        self.put(
            "identities.github_id_v4",
            json!(STANDARD.encode(format!("04:User{n}"))),
        );
        self.put("identities.github_primary_email", json!(email));
        n
    }

    /// What the user tells DinoPark (mozilliansorg) about themselves.
    fn about(&mut self, first: &str, uid: &str) {
        let mut usernames = Map::new();
        let n = self.rng.random_range(1..100);
        usernames.insert("mozilliansorg".into(), json!(format!("{uid}{n}")));
        if self.rng.random_bool(0.5) {
            usernames.insert("irc".into(), json!(uid));
        }
        self.put("usernames", Value::Object(usernames));
        let blog = format!("https://{uid}.example.org/");
        let mastodon = format!("https://mozilla.social/@{uid}");
        let description = format!("Hi, I'm {first}. I work on the open web.");
        self.maybe(0.5, "pronouns", |b| json!(b.pick(&PRONOUNS)));
        self.maybe(0.3, "fun_title", |b| json!(b.pick(&FUN_TITLES)));
        self.maybe(0.4, "description", |_| json!(description));
        self.maybe(0.7, "location", |b| json!(b.pick(&LOCATIONS)));
        self.maybe(0.7, "timezone", |b| json!(b.pick(&TIMEZONES)));
        self.maybe(0.8, "languages", |b| b.null_map(&LANGUAGES, 1..4));
        self.maybe(0.6, "tags", |b| b.null_map(&TAGS, 0..5));
        self.maybe(0.6, "picture", |b| {
            json!(format!("{PICTURES}/{}/264.png", b.hex(16)))
        });
        self.maybe(0.3, "uris", |_| json!({"Blog": blog, "Mastodon": mastodon}));
        self.maybe(
            0.2,
            "phone_numbers",
            |b| json!({"mobile": format!("+1 555 01{:02}", b.rng.random_range(0..100))}),
        );
        let groups = "access_information.mozilliansorg";
        self.maybe(0.5, groups, |b| b.null_map(&MOZILLIANS_GROUPS, 1..4));
    }

    /// What LDAP and HRIS publish for an employee.
    fn staff(&mut self, uid: &str) {
        let manager = self.rng.random_bool(0.3);
        let director = manager && self.rng.random_bool(0.3);
        let worker_type = if self.rng.random_bool(0.85) {
            "Employee"
        } else {
            "Contractor"
        };
        let desk = self.rng.random_range(1000..10_000).to_string();
        let members = [
            ("manager", json!(manager)),
            ("director", json!(director)),
            ("staff", json!(true)),
            ("title", json!(self.pick(&TITLES))),
            ("team", json!(self.pick(&TEAMS))),
            ("cost_center", json!(self.pick(&COST_CENTERS))),
            ("worker_type", json!(worker_type)),
            ("wpr_desk_number", json!(desk)),
            ("office_location", json!(self.pick(&OFFICES))),
        ];
        for (leaf, value) in members {
            self.put(&format!("staff_information.{leaf}"), value);
        }
        let ldap_groups = self.null_map(&LDAP_GROUPS, 2..7);
        self.put("access_information.ldap", ldap_groups);
        let manager_last = *self.pick(&LAST);
        let hris = json!({
            "employee_id": self.rng.random_range(100_000..1_000_000),
            "worker_type": worker_type,
            "primary_work_email": format!("{uid}@mozilla.com"),
            "managers_primary_work_email": format!("{}@mozilla.com", ascii_fold(manager_last)),
            "managers_employee_id": self.rng.random_range(100_000..1_000_000),
            "egencia_pos_country": self.pick(&COUNTRIES),
            "is_manager": manager,
        });
        self.put("access_information.hris", hris);
        self.maybe(
            0.7,
            "ssh_public_keys",
            |b| json!({"laptop": ssh_key(&mut b.rng, uid)}),
        );
        self.maybe(0.3, "pgp_public_keys", |b| {
            let mut keys = Map::new();
            keys.insert(b.hex(20).to_uppercase(), json!(pgp_key(&mut b.rng)));
            Value::Object(keys)
        });
    }

    /// A display level the attribute allows: any level for free attributes, else one from its allowed set.
    fn display_for(&mut self, path: AttrPath) -> Option<Display> {
        let allowed = path.spec().display;
        let levels = Display::ALL.map(Some);
        if allowed == DisplaySet::ANY {
            return *self.pick(&levels);
        }
        let candidates: Vec<_> = levels
            .into_iter()
            .chain([None])
            .filter(|d| allowed.contains(*d))
            .collect();
        candidates.choose(&mut self.rng).copied().flatten()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// A map of distinct names → null (languages, tags, groups).
    fn null_map(&mut self, names: &[&str], count: std::ops::Range<usize>) -> Value {
        let n = self.rng.random_range(count);
        let chosen = names.choose_multiple(&mut self.rng, n);
        Value::Object(
            chosen
                .map(|name| ((*name).to_string(), Value::Null))
                .collect(),
        )
    }

    fn hex(&mut self, bytes: usize) -> String {
        (0..bytes)
            .map(|_| format!("{:02x}", self.rng.random::<u8>()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_profile_sets_every_attribute_the_builder_names() {
        // A typo in a dotted name would silently leave that attribute null.
        let ldap = Some("Mozilla-LDAP");
        let staff = (0..200)
            .map(fake_profile)
            .find(|p| p.value_str(AttrPath::LOGIN_METHOD) == ldap)
            .unwrap();
        for dotted in [
            "access_information.hris",
            "access_information.ldap",
            "identities.mozilla_posix_id",
        ] {
            assert!(
                !staff
                    .attr(AttrPath::parse(dotted).unwrap())
                    .unwrap()
                    .is_null(),
                "{dotted}"
            );
        }
        for p in crate::catalogue::Group::StaffInformation.members() {
            assert!(!staff.attr(p).unwrap().is_null(), "{p}");
        }
    }
}
