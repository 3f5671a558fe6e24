//! The attribute catalogue: every attribute path of profile v2, its kind and its schema rules.
//!
//! This is the one place that knows the shape of the profile (docs/contract/profile.md §1–§2). Everything that walks a
//! profile (validation, merge, filtering, rules, signing) iterates [`AttrPath::all`] instead of repeating
//! attribute names. It holds no data about a particular profile.

use crate::enums::{Classification as C, ClassificationSet, Display as D, DisplaySet};
use std::fmt;

/// The three groups: objects whose members are attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Identities,
    AccessInformation,
    StaffInformation,
}

impl Group {
    pub const ALL: [Group; 3] = [
        Group::Identities,
        Group::AccessInformation,
        Group::StaffInformation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Identities => "identities",
            Group::AccessInformation => "access_information",
            Group::StaffInformation => "staff_information",
        }
    }

    pub fn parse(s: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// `identities` members are optional; the other groups require all their members.
    pub fn members_required(self) -> bool {
        !matches!(self, Group::Identities)
    }

    /// The members of the group, in output order.
    pub fn members(self) -> impl Iterator<Item = AttrPath> {
        AttrPath::all().filter(move |p| p.group() == Some(self))
    }
}

/// What an attribute's payload is (docs/contract/profile.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `value`: string or null.
    String,
    /// `value`: boolean or null.
    Bool,
    /// `values`: null or map of string → string|null.
    Values,
    /// `values`: null or map of string → scalar.
    AccessInfo,
}

impl Kind {
    /// The name of the payload member: `value` or `values`.
    pub fn payload_key(self) -> &'static str {
        match self {
            Kind::String | Kind::Bool => "value",
            Kind::Values | Kind::AccessInfo => "values",
        }
    }
}

/// The schema facts about one attribute.
#[derive(Debug)]
pub struct AttrSpec {
    pub group: Option<Group>,
    pub leaf: &'static str,
    pub dotted: &'static str,
    pub kind: Kind,
    pub display: DisplaySet,
    pub classification: ClassificationSet,
}

const ANY_D: DisplaySet = DisplaySet::ANY;
const ANY_C: ClassificationSet = ClassificationSet::ANY;
const PUB_D: DisplaySet = DisplaySet::of_const(&[Some(D::Public)]);
const NULL_D: DisplaySet = DisplaySet::of_const(&[None]);
const STAFF_D: DisplaySet = DisplaySet::of_const(&[Some(D::Staff)]);
const TRUSTED_D: DisplaySet = DisplaySet::of_const(&[
    Some(D::Vouched),
    Some(D::Ndaed),
    Some(D::Staff),
    Some(D::Private),
    None,
]);
const PUB_C: ClassificationSet = ClassificationSet::of_const(&[C::Public]);
const WG_C: ClassificationSet = ClassificationSet::of_const(&[C::WorkgroupConfidential]);
const STAFF_C: ClassificationSet = ClassificationSet::of_const(&[C::StaffOnly]);

macro_rules! spec {
    ($leaf:literal, $kind:ident, $d:expr, $c:expr) => {
        AttrSpec {
            group: None,
            leaf: $leaf,
            dotted: $leaf,
            kind: Kind::$kind,
            display: $d,
            classification: $c,
        }
    };
    ($g:ident . $leaf:literal, $kind:ident, $d:expr, $c:expr) => {
        AttrSpec {
            group: Some(Group::$g),
            leaf: $leaf,
            dotted: concat!(group_name!($g), ".", $leaf),
            kind: Kind::$kind,
            display: $d,
            classification: $c,
        }
    };
}
macro_rules! group_name {
    (Identities) => {
        "identities"
    };
    (AccessInformation) => {
        "access_information"
    };
    (StaffInformation) => {
        "staff_information"
    };
}

/// Every attribute in canonical order: top level in document order, group members in place of their group.
static SPECS: [AttrSpec; 53] = [
    spec!("uuid", String, PUB_D, PUB_C),
    spec!("user_id", String, ANY_D, PUB_C),
    spec!("primary_username", String, PUB_D, PUB_C),
    spec!("login_method", String, ANY_D, PUB_C),
    spec!("active", Bool, NULL_D, WG_C),
    spec!("last_modified", String, ANY_D, PUB_C),
    spec!("created", String, ANY_D, PUB_C),
    spec!("usernames", Values, ANY_D, WG_C),
    spec!("first_name", String, ANY_D, PUB_C),
    spec!("last_name", String, ANY_D, PUB_C),
    spec!("primary_email", String, ANY_D, PUB_C),
    spec!(Identities."github_id_v3", String, ANY_D, ANY_C),
    spec!(Identities."github_id_v4", String, ANY_D, ANY_C),
    spec!(Identities."github_primary_email", String, ANY_D, ANY_C),
    spec!(Identities."custom_1_primary_email", String, ANY_D, ANY_C),
    spec!(Identities."custom_2_primary_email", String, ANY_D, ANY_C),
    spec!(Identities."custom_3_primary_email", String, ANY_D, ANY_C),
    spec!(Identities."mozilliansorg_id", String, ANY_D, ANY_C),
    spec!(Identities."bugzilla_mozilla_org_id", String, ANY_D, ANY_C),
    spec!(Identities."bugzilla_mozilla_org_primary_email", String, ANY_D, ANY_C),
    spec!(Identities."mozilla_ldap_id", String, STAFF_D, ANY_C),
    spec!(Identities."mozilla_ldap_primary_email", String, ANY_D, ANY_C),
    spec!(Identities."mozilla_posix_id", String, ANY_D, ANY_C),
    spec!(Identities."google_oauth2_id", String, ANY_D, ANY_C),
    spec!(Identities."google_primary_email", String, ANY_D, ANY_C),
    spec!(Identities."firefox_accounts_id", String, ANY_D, ANY_C),
    spec!(Identities."firefox_accounts_primary_email", String, ANY_D, ANY_C),
    spec!("ssh_public_keys", Values, ANY_D, PUB_C),
    spec!("pgp_public_keys", Values, ANY_D, PUB_C),
    spec!(AccessInformation."ldap", AccessInfo, TRUSTED_D, PUB_C),
    spec!(AccessInformation."mozilliansorg", AccessInfo, ANY_D, PUB_C),
    spec!(AccessInformation."hris", AccessInfo, NULL_D, STAFF_C),
    spec!(AccessInformation."access_provider", AccessInfo, NULL_D, WG_C),
    spec!("fun_title", String, ANY_D, WG_C),
    spec!("description", String, ANY_D, WG_C),
    spec!("location", String, ANY_D, WG_C),
    spec!("timezone", String, ANY_D, WG_C),
    spec!("languages", Values, ANY_D, WG_C),
    spec!("tags", Values, ANY_D, WG_C),
    spec!("pronouns", String, ANY_D, WG_C),
    spec!("picture", String, ANY_D, PUB_C),
    spec!("uris", Values, ANY_D, WG_C),
    spec!("phone_numbers", Values, ANY_D, WG_C),
    spec!("alternative_name", String, ANY_D, WG_C),
    spec!(StaffInformation."manager", Bool, ANY_D, ANY_C),
    spec!(StaffInformation."director", Bool, ANY_D, ANY_C),
    spec!(StaffInformation."staff", Bool, ANY_D, ANY_C),
    spec!(StaffInformation."title", String, ANY_D, ANY_C),
    spec!(StaffInformation."team", String, ANY_D, ANY_C),
    spec!(StaffInformation."cost_center", String, STAFF_D, STAFF_C),
    spec!(StaffInformation."worker_type", String, STAFF_D, STAFF_C),
    spec!(StaffInformation."wpr_desk_number", String, ANY_D, ANY_C),
    spec!(StaffInformation."office_location", String, ANY_D, ANY_C),
];

/// The top-level members of a profile, in output order (docs/contract/profile.md §1).
pub const TOP_LEVEL: [&str; 28] = [
    "schema",
    "uuid",
    "user_id",
    "primary_username",
    "login_method",
    "active",
    "last_modified",
    "created",
    "usernames",
    "first_name",
    "last_name",
    "primary_email",
    "identities",
    "ssh_public_keys",
    "pgp_public_keys",
    "access_information",
    "fun_title",
    "description",
    "location",
    "timezone",
    "languages",
    "tags",
    "pronouns",
    "picture",
    "uris",
    "phone_numbers",
    "alternative_name",
    "staff_information",
];

/// One attribute of the profile: a top-level attribute or a group member. Cheap to copy.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrPath(u8);

impl AttrPath {
    pub const UUID: AttrPath = AttrPath(0);
    pub const USER_ID: AttrPath = AttrPath(1);
    pub const PRIMARY_USERNAME: AttrPath = AttrPath(2);
    pub const LOGIN_METHOD: AttrPath = AttrPath(3);
    pub const ACTIVE: AttrPath = AttrPath(4);
    pub const LAST_MODIFIED: AttrPath = AttrPath(5);
    pub const CREATED: AttrPath = AttrPath(6);
    pub const FIRST_NAME: AttrPath = AttrPath(8);
    pub const LAST_NAME: AttrPath = AttrPath(9);
    pub const PRIMARY_EMAIL: AttrPath = AttrPath(10);

    /// Every attribute, in canonical order.
    pub fn all() -> impl Iterator<Item = AttrPath> + Clone {
        (0..SPECS.len() as u8).map(AttrPath)
    }

    /// Parses `first_name` or `staff_information.title`.
    pub fn parse(dotted: &str) -> Option<AttrPath> {
        AttrPath::all().find(|p| p.dotted() == dotted)
    }

    /// Finds a top-level attribute or a member of `group`.
    pub fn find(group: Option<Group>, leaf: &str) -> Option<AttrPath> {
        AttrPath::all().find(|p| p.group() == group && p.leaf() == leaf)
    }

    pub fn spec(self) -> &'static AttrSpec {
        &SPECS[self.0 as usize]
    }
    pub fn group(self) -> Option<Group> {
        self.spec().group
    }
    /// The attribute's own name without its group (`title`), as rule errors and the original use it.
    pub fn leaf(self) -> &'static str {
        self.spec().leaf
    }
    /// `staff_information.title`.
    pub fn dotted(self) -> &'static str {
        self.spec().dotted
    }
    pub fn kind(self) -> Kind {
        self.spec().kind
    }
    /// JSON pointer of the attribute: `/staff_information/title`.
    pub fn pointer(self) -> String {
        match self.group() {
            Some(g) => format!("/{}/{}", g.as_str(), self.leaf()),
            None => format!("/{}", self.leaf()),
        }
    }
}

impl fmt::Debug for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttrPath({})", self.dotted())
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dotted())
    }
}

impl serde::Serialize for AttrPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.dotted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_24_top_level_attributes_and_29_group_members() {
        assert_eq!(AttrPath::all().filter(|p| p.group().is_none()).count(), 24);
        assert_eq!(Group::Identities.members().count(), 16);
        assert_eq!(Group::AccessInformation.members().count(), 4);
        assert_eq!(Group::StaffInformation.members().count(), 9);
    }

    #[test]
    fn named_constants_point_at_their_attributes() {
        assert_eq!(AttrPath::UUID.dotted(), "uuid");
        assert_eq!(AttrPath::ACTIVE.dotted(), "active");
        assert_eq!(AttrPath::LAST_MODIFIED.dotted(), "last_modified");
        assert_eq!(AttrPath::FIRST_NAME.dotted(), "first_name");
        assert_eq!(AttrPath::PRIMARY_EMAIL.dotted(), "primary_email");
        assert_eq!(AttrPath::PRIMARY_USERNAME.dotted(), "primary_username");
    }

    #[test]
    fn dotted_paths_parse_back() {
        for p in AttrPath::all() {
            assert_eq!(AttrPath::parse(p.dotted()), Some(p));
        }
        let title = AttrPath::parse("staff_information.title").map(|p| p.pointer());
        assert_eq!(title.as_deref(), Some("/staff_information/title"));
        assert_eq!(AttrPath::parse("title"), None);
    }
}
