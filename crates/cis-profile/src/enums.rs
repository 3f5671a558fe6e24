//! The profile's closed vocabularies: classification labels, display levels and publisher names.
//!
//! Each is parsed once at the boundary (docs/architecture.md, conventions). Classification is a set of labels, not a ladder;
//! display levels have an order (most to least visible) that only `filterDisplay` uses.

use std::fmt;

/// A classification label (docs/contract/profile.md §3.1). Labels of a set: no label implies another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Classification {
    MozillaConfidential,
    StaffOnly,
    WorkgroupConfidential,
    Public,
    IndividualConfidential,
}

impl Classification {
    /// All labels, in schema order.
    pub const ALL: [Classification; 5] = [
        Classification::MozillaConfidential,
        Classification::StaffOnly,
        Classification::WorkgroupConfidential,
        Classification::Public,
        Classification::IndividualConfidential,
    ];

    /// The label as written in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::MozillaConfidential => "MOZILLA CONFIDENTIAL",
            Classification::StaffOnly => "WORKGROUP CONFIDENTIAL: STAFF ONLY",
            Classification::WorkgroupConfidential => "WORKGROUP CONFIDENTIAL",
            Classification::Public => "PUBLIC",
            Classification::IndividualConfidential => "INDIVIDUAL CONFIDENTIAL",
        }
    }

    /// Parses a label as it is valid in input (no legacy labels).
    pub fn parse(s: &str) -> Option<Classification> {
        Classification::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Parses a label found in *stored* data: the five labels plus the legacy long labels.
    pub fn parse_stored(s: &str) -> Option<Classification> {
        Classification::parse(s).or(match s {
            "Mozilla Confidential - Staff and NDA'd Mozillians Only" => {
                Some(Classification::MozillaConfidential)
            }
            "Mozilla Confidential - Specific Work Groups Only" => {
                Some(Classification::WorkgroupConfidential)
            }
            "Mozilla Confidential - Specific Individuals Only" => {
                Some(Classification::IndividualConfidential)
            }
            _ => None,
        })
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of classification labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassificationSet(u8);

impl ClassificationSet {
    pub const EMPTY: ClassificationSet = ClassificationSet(0);
    pub const ANY: ClassificationSet = ClassificationSet(0b1_1111);

    pub fn of(items: &[Classification]) -> ClassificationSet {
        ClassificationSet::of_const(items)
    }
    /// `of` for constant tables.
    pub const fn of_const(items: &[Classification]) -> ClassificationSet {
        let mut bits = 0u8;
        let mut i = 0;
        while i < items.len() {
            bits |= 1 << (items[i] as u8);
            i += 1;
        }
        ClassificationSet(bits)
    }
    pub fn with(self, c: Classification) -> ClassificationSet {
        ClassificationSet(self.0 | c.bit())
    }
    pub fn contains(self, c: Classification) -> bool {
        self.0 & c.bit() != 0
    }
}

/// A display level (docs/contract/profile.md §3.2). `None` in an `Option<Display>` is JSON null ("no display intent").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Display {
    Public,
    Authenticated,
    Vouched,
    Ndaed,
    Staff,
    Private,
}

impl Display {
    /// All levels, most visible first.
    pub const ALL: [Display; 6] = [
        Display::Public,
        Display::Authenticated,
        Display::Vouched,
        Display::Ndaed,
        Display::Staff,
        Display::Private,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Display::Public => "public",
            Display::Authenticated => "authenticated",
            Display::Vouched => "vouched",
            Display::Ndaed => "ndaed",
            Display::Staff => "staff",
            Display::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Display> {
        Display::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl fmt::Display for Display {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of display levels, possibly including null (no display intent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DisplaySet(u8);

impl DisplaySet {
    pub const EMPTY: DisplaySet = DisplaySet(0);
    /// Every level and null.
    pub const ANY: DisplaySet = DisplaySet(0b111_1111);
    const NULL_BIT: u8 = 1 << 6;

    pub fn of(levels: &[Option<Display>]) -> DisplaySet {
        DisplaySet::of_const(levels)
    }
    /// `of` for constant tables.
    pub const fn of_const(levels: &[Option<Display>]) -> DisplaySet {
        let mut bits = 0u8;
        let mut i = 0;
        while i < levels.len() {
            bits |= match levels[i] {
                Some(d) => 1 << (d as u8),
                None => Self::NULL_BIT,
            };
            i += 1;
        }
        DisplaySet(bits)
    }
    pub fn with(self, d: Option<Display>) -> DisplaySet {
        DisplaySet(self.0 | Self::bit(d))
    }
    pub fn contains(self, d: Option<Display>) -> bool {
        self.0 & Self::bit(d) != 0
    }
    fn bit(d: Option<Display>) -> u8 {
        match d {
            Some(d) => 1 << (d as u8),
            None => Self::NULL_BIT,
        }
    }
}

/// A publisher authority (docs/contract/profile.md §3.3, docs/contract/publisher-rules.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Publisher {
    Ldap,
    Mozilliansorg,
    Hris,
    Cis,
    AccessProvider,
}

impl Publisher {
    pub const ALL: [Publisher; 5] = [
        Publisher::Ldap,
        Publisher::Mozilliansorg,
        Publisher::Hris,
        Publisher::Cis,
        Publisher::AccessProvider,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Publisher::Ldap => "ldap",
            Publisher::Mozilliansorg => "mozilliansorg",
            Publisher::Hris => "hris",
            Publisher::Cis => "cis",
            Publisher::AccessProvider => "access_provider",
        }
    }

    pub fn parse(s: &str) -> Option<Publisher> {
        Publisher::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Publisher {
    type Err = UnknownPublisher;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Publisher::parse(s).ok_or_else(|| UnknownPublisher(s.to_string()))
    }
}

/// A name that is not one of the five publishers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown publisher `{0}` (expected ldap, mozilliansorg, hris, cis or access_provider)")]
pub struct UnknownPublisher(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_labels_only_parse_from_stored_data() {
        let legacy = "Mozilla Confidential - Specific Work Groups Only";
        assert_eq!(Classification::parse(legacy), None);
        assert_eq!(
            Classification::parse_stored(legacy),
            Some(Classification::WorkgroupConfidential)
        );
    }

    #[test]
    fn display_set_distinguishes_null_from_levels() {
        let set = DisplaySet::of(&[Some(Display::Staff), None]);
        assert!(set.contains(None));
        assert!(set.contains(Some(Display::Staff)));
        assert!(!set.contains(Some(Display::Public)));
        assert!(DisplaySet::ANY.contains(Some(Display::Private)));
    }

    #[test]
    fn every_enum_round_trips_through_its_text() {
        for c in Classification::ALL {
            assert_eq!(Classification::parse(c.as_str()), Some(c));
        }
        for d in Display::ALL {
            assert_eq!(Display::parse(d.as_str()), Some(d));
        }
        for p in Publisher::ALL {
            assert_eq!(p.as_str().parse::<Publisher>(), Ok(p));
        }
        assert!("evil".parse::<Publisher>().is_err());
        assert_eq!(Display::parse("none"), None);
    }
}
