//! The `[curator]` section (docs/configuration.md §2): what the vault curator may do to the DynamoDB tables.
//! Environment variables `CURATOR_<KEY>`. The keys once lived in `[cis]` as `curator_<key>`; a value set
//! under an old name stops the start with a message naming the new one, rather than being ignored.

use super::kinds::Environment;
use super::reader::SectionReader;

/// `[curator]`: the vault curator's permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CuratorConfig {
    /// Create missing tables.
    pub create_tables: bool,
    /// Switch a KEYS_ONLY stream to NEW_AND_OLD_IMAGES (the stream gets a new ARN).
    pub fix_stream_view: bool,
    /// Turn point-in-time recovery on (never in `local`).
    pub point_in_time_recovery: bool,
    /// The vault table's deletion protection; defaults to `true` in `production`, else `false`.
    pub deletion_protection: bool,
    /// Add `version` and `connection_method` to items the original wrote.
    pub backfill: bool,
}

/// The keys of the section, also the old `[cis] curator_<key>` names.
pub(crate) const KEYS: [&str; 5] = [
    "create_tables",
    "fix_stream_view",
    "point_in_time_recovery",
    "deletion_protection",
    "backfill",
];

impl CuratorConfig {
    pub(crate) fn read(r: &mut SectionReader<'_>, environment: &Environment) -> CuratorConfig {
        CuratorConfig {
            create_tables: r.bool("create_tables", true),
            fix_stream_view: r.bool("fix_stream_view", false),
            point_in_time_recovery: r.bool("point_in_time_recovery", true),
            deletion_protection: r.bool("deletion_protection", environment.is_production()),
            backfill: r.bool("backfill", true),
        }
    }

    /// Reports each old `[cis] curator_<key>` that is set, as a problem naming its new place.
    pub(crate) fn refuse_old_names(cis: &mut SectionReader<'_>) {
        for key in KEYS {
            let old = format!("curator_{key}");
            if let Some(raw) = cis.raw(&old) {
                let text = format!(
                    "[cis] {old} ({}) has moved: set [curator] {key} (environment CURATOR_{}) instead",
                    raw.origin,
                    key.to_ascii_uppercase()
                );
                cis.problem_text(text);
            }
        }
    }
}
