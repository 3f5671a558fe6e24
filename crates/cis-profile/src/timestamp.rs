//! RFC 3339 date-time checks and the timestamps CIS writes (docs/contract/profile.md §4.2, §6).
//!
//! [`is_rfc3339`] is the validation rule for `metadata.created`, `metadata.last_modified` and the values of the
//! `created`/`last_modified` attributes: a byte-level check, no regex and no allocation, because it runs twice
//! per attribute on every validated profile. [`now`] and [`format`] produce `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
//! Input timestamps are never rewritten here: CIS keeps what it received.

use time::{OffsetDateTime, UtcOffset};

/// True when `s` is an RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS`, optional `.` and one or more fraction
/// digits, then `Z` or `±hh:mm`. The zone is required. Calendar ranges are checked (month length, leap years,
/// hours, minutes, leap second 60). Lower-case `t` and `z` are accepted, as RFC 3339 §5.6 allows.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2))
    else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return false;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) =
        (digits(b, 11, 2), digits(b, 14, 2), digits(b, 17, 2))
    else {
        return false;
    };
    if b[13] != b':' || b[16] != b':' || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    is_zone(&b[i..])
}

/// `Z`, `z` or `±hh:mm` and nothing after it.
fn is_zone(b: &[u8]) -> bool {
    match b {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] if b.len() == 6 && b[3] == b':' => {
            matches!((digits(b, 1, 2), digits(b, 4, 2)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

/// The decimal number in `b[at..at + len]`, if those bytes exist and are all ASCII digits.
fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let slice = b.get(at..at + len)?;
    slice.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The current time as CIS writes it: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

/// Formats `t` in UTC as `YYYY-MM-DDTHH:MM:SS.mmmZ` (milliseconds truncated, never rounded up). A time whose
/// UTC date falls outside years 0000–9999 is clamped to that range's ends, the only years the format can hold.
pub fn format(t: OffsetDateTime) -> String {
    let utc = t.checked_to_offset(UtcOffset::UTC);
    let t = match utc {
        Some(u) if (0..=9999).contains(&u.year()) => u,
        _ if utc.map_or(t.year(), |u| u.year()) < 0 => {
            return "0000-01-01T00:00:00.000Z".to_string();
        }
        _ => return "9999-12-31T23:59:59.999Z".to_string(),
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn zoned_date_times_are_valid() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2026-01-15T10:00:00.000Z",
            "2026-01-15T10:00:00+01:00",
            "2026-01-15T10:00:00.123456789-05:30",
            "2024-02-29T23:59:60z",
            "2026-01-15t10:00:00Z",
        ] {
            assert!(is_rfc3339(s), "{s}");
        }
    }

    #[test]
    fn unzoned_or_malformed_date_times_are_invalid() {
        for s in [
            "2019-02-05T12:11:52",
            "yesterday",
            "",
            "2026-01-15 10:00:00Z",
            "2026-01-15T10:00:00.Z",
            "2026-01-15T10:00:00+0100",
            "2026-01-15T10:00:00+01:00 ",
            "2026-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-01-15T24:00:00Z",
            "2026-01-15T10:60:00Z",
            "2026-01-15T10:00:61Z",
            "2026-01-15T10:00:00+24:00",
            "2026-1-15T10:00:00Z",
            "２026-01-15T10:00:00Z",
        ] {
            assert!(!is_rfc3339(s), "{s}");
        }
    }

    #[test]
    fn written_timestamps_are_utc_with_milliseconds() {
        assert_eq!(
            format(datetime!(2026-01-15 10:00:00.123_999 UTC)),
            "2026-01-15T10:00:00.123Z"
        );
        assert_eq!(
            format(datetime!(2026-01-15 10:00:00 +01:00)),
            "2026-01-15T09:00:00.000Z"
        );
        assert_eq!(
            format(datetime!(1970-01-01 00:00:00 UTC)),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            format(datetime!(0000-01-01 00:30:00 +01:00)),
            "0000-01-01T00:00:00.000Z"
        );
        let now = now();
        assert_eq!(now.len(), 24);
        assert!(is_rfc3339(&now), "{now}");
    }
}
