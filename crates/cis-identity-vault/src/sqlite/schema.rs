//! The SQLite file's schema: connection settings and numbered migrations, applied in order at open and
//! recorded in `schema_migrations`, so opening an existing file twice (or from two processes) is harmless.
//!
//! Migrations are append-only: never edit a released one, add the next number. This module owns DDL only;
//! reading and writing rows is `reads`/`writes`/`outbox`.

use super::rows::Db;
use crate::error::{VaultError, VaultResult};
use rusqlite::{Connection, TransactionBehavior};
use std::time::Duration;

/// How long a statement waits for another process's write lock before reporting `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// `(number, SQL)`, in order.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, V1_TABLES),
    (2, V2_PENDING),
    (3, V3_EVENTS),
    (4, V4_HISTORY),
];

/// Version 1: profiles (docs/contract/processor-and-vault.md §5.1 columns), status records (§6), the outbox.
/// Small columns come first in `profiles` so that reading them never touches the overflow pages of the
/// large `profile`/`flat_profile` texts; `profiles_ids` and `profiles_connection` cover `list_ids`
/// (the DynamoDB `-connection` index's INCLUDE projection), so it never reads a profile row.
const V1_TABLES: &str = "
CREATE TABLE profiles (
    id                 TEXT PRIMARY KEY NOT NULL,
    user_uuid          TEXT,
    primary_email      TEXT,
    primary_username   TEXT,
    connection_method  TEXT NOT NULL,
    active             INTEGER,
    sequence_number    TEXT,
    version            INTEGER,
    changed_attributes TEXT NOT NULL,
    change_publishers  TEXT NOT NULL,
    profile            TEXT NOT NULL,
    flat_profile       TEXT NOT NULL
);
CREATE INDEX profiles_user_uuid ON profiles (user_uuid, id);
CREATE INDEX profiles_primary_email ON profiles (primary_email, id);
CREATE INDEX profiles_primary_username ON profiles (primary_username, id);
CREATE INDEX profiles_sequence_number ON profiles (sequence_number, id);
CREATE INDEX profiles_ids ON profiles (id, user_uuid, primary_email, active);
CREATE INDEX profiles_connection
    ON profiles (connection_method, id, user_uuid, primary_email, active);

CREATE TABLE status (
    sequence_number   TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT NOT NULL,
    state             TEXT NOT NULL,
    condition         TEXT NOT NULL,
    processed_at      TEXT NOT NULL,
    version           INTEGER,
    source            TEXT NOT NULL,
    error_code        TEXT,
    error_description TEXT,
    expires_at        INTEGER
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         TEXT NOT NULL,
    sequence_number TEXT NOT NULL UNIQUE,
    envelope        TEXT NOT NULL,
    enqueued_at     TEXT NOT NULL
);
";

/// Version 2: the marks of users with a change accepted but not yet applied (`PendingChanges`).
const V2_PENDING: &str = "
CREATE TABLE pending (
    user_id         TEXT PRIMARY KEY NOT NULL,
    sequence_number TEXT NOT NULL,
    expires_at      INTEGER NOT NULL
);
";

/// Version 3: the events of profile writes, for the webhook notifier (docs/webhooks.md §1), written in the
/// transaction of the write they describe when the vault records events (`SqliteVault::record_events`).
/// `changed` and `publishers` are JSON lists; `time` is epoch seconds. The notifier owns the rest.
const V3_EVENTS: &str = "
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    operation  TEXT NOT NULL,
    changed    TEXT NOT NULL,
    publishers TEXT NOT NULL,
    time       INTEGER NOT NULL
);
CREATE INDEX events_time ON events (time, id);
";

/// Version 4: the change history — who sent each change and what it touched (JSON lists), and the index
/// that lists a user's records newest first. Records written before it have no client and empty lists.
const V4_HISTORY: &str = "
ALTER TABLE status ADD COLUMN client_id TEXT;
ALTER TABLE status ADD COLUMN publishers TEXT;
ALTER TABLE status ADD COLUMN changed TEXT;
CREATE INDEX status_user ON status (user_id, processed_at, sequence_number);
";

/// The settings of every connection. WAL with `synchronous = NORMAL` keeps every committed transaction
/// through a crash or kill of the process (only an OS crash or power loss can drop the last commits).
pub(super) fn configure(conn: &Connection) -> VaultResult<()> {
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    conn.pragma_update(None, "journal_mode", "WAL").db()?;
    conn.pragma_update(None, "synchronous", "NORMAL").db()?;
    conn.pragma_update(None, "foreign_keys", "ON").db()?;
    conn.pragma_update(None, "cache_size", -32_000).db()?; // KiB
    Ok(())
}

/// The newest migration this build knows.
pub(super) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |(n, _)| *n)
}

/// Applies the migrations the file lacks, each in its own transaction. A file migrated by a newer build is
/// refused rather than written with an older understanding of its schema.
pub(super) fn migrate(conn: &mut Connection) -> VaultResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )
    .db()?;
    // The usual case, an up-to-date file, takes no write lock (another process may be writing).
    if applied(conn)? == latest() {
        return Ok(());
    }
    for (number, sql) in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let applied = applied(&tx)?;
        if applied > latest() {
            return Err(VaultError::Unavailable {
                message: format!(
                    "the vault file has schema version {applied}, newer than this build's {}",
                    latest()
                ),
                retryable: false,
            });
        }
        if applied >= *number {
            continue;
        }
        tx.execute_batch(sql).db()?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            (number, cis_profile::timestamp::now()),
        )
        .db()?;
        tx.commit().db()?;
    }
    Ok(())
}

fn applied(conn: &Connection) -> VaultResult<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
    .db()
}
