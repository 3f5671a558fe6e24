//! [`SqliteDeliveryStore`]: delivery records in the vault's SQLite file, beside the `events` table the vault
//! writes with each profile write (so routing reads events and writes deliveries in one transaction). Its
//! own tables are created when missing; it opens its own connection (WAL, busy timeout) and runs every
//! statement on a blocking thread. Delivered records are kept 7 days, routed events 30 (`replay --since`).

use super::{
    Delivery, DeliveryState, DeliveryStore, NewDelivery, Outcome, RouteReport, StateCount,
    StoreError, coalesce, fresh,
};
use crate::event::{Event, Operation};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription    TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    operation       TEXT NOT NULL,
    changed         TEXT NOT NULL,
    event_time      INTEGER NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    coalesced       INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at, id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_user
    ON webhook_deliveries (subscription, user_id, state, id);
CREATE TABLE IF NOT EXISTS webhook_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_event INTEGER NOT NULL
);
INSERT OR IGNORE INTO webhook_cursor (id, last_event) VALUES (1, 0);
";

const COLUMNS: &str = "id, subscription, event_id, user_id, operation, changed, event_time, state, \
     attempts, next_attempt_at, last_status, last_error, coalesced, created_at, updated_at";

const DELIVERED_KEPT_MS: i64 = 7 * 24 * 3600 * 1000;
const EVENTS_KEPT_S: i64 = 30 * 24 * 3600;

/// Deliveries in the vault file.
#[derive(Clone)]
pub struct SqliteDeliveryStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteDeliveryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteDeliveryStore")
    }
}

fn db<T>(result: rusqlite::Result<T>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError(e.to_string()))
}

impl SqliteDeliveryStore {
    /// Opens the vault file `path` (the vault must have created it: its `events` table is read here).
    pub fn open(path: &Path) -> Result<SqliteDeliveryStore, StoreError> {
        if !path.exists() {
            return Err(StoreError(format!(
                "{} does not exist: open the vault first",
                path.display()
            )));
        }
        let conn = db(Connection::open(path))?;
        db(conn.busy_timeout(Duration::from_secs(10)))?;
        db(conn.pragma_update(None, "journal_mode", "WAL"))?;
        db(conn.pragma_update(None, "synchronous", "NORMAL"))?;
        let has_events: Option<i64> = db(conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'",
                [],
                |r| r.get(0),
            )
            .optional())?;
        if has_events.is_none() {
            return Err(StoreError(format!(
                "{} has no events table: open the vault first",
                path.display()
            )));
        }
        db(conn.execute_batch(SCHEMA))?;
        Ok(SqliteDeliveryStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| StoreError("poisoned".into()))?;
            work(&mut conn)
        })
        .await
        .map_err(|e| StoreError(e.to_string()))?
    }
}

fn list_json(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

fn delivery(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let operation: String = row.get(4)?;
    let state: String = row.get(7)?;
    let changed: String = row.get(5)?;
    Ok(Delivery {
        id: row.get(0)?,
        subscription: row.get(1)?,
        event_id: row.get(2)?,
        user_id: row.get(3)?,
        operation: Operation::parse(&operation).unwrap_or(Operation::Update),
        changed: list_json(&changed),
        event_time: row.get(6)?,
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
        attempts: row.get(8)?,
        next_attempt_at: row.get(9)?,
        last_status: row.get(10)?,
        last_error: row.get(11)?,
        coalesced: row.get(12)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
    })
}

fn event(row: &Row<'_>) -> rusqlite::Result<(i64, Event)> {
    let operation: String = row.get(3)?;
    let changed: String = row.get(4)?;
    let publishers: String = row.get(5)?;
    Ok((
        row.get(0)?,
        Event {
            event_id: row.get(1)?,
            user_id: row.get(2)?,
            operation: Operation::parse(&operation).unwrap_or(Operation::Update),
            changed: list_json(&changed),
            publishers: list_json(&publishers),
            time: row.get(6)?,
        },
    ))
}

const EVENT_COLUMNS: &str = "id, event_id, user_id, operation, changed, publishers, time";

#[async_trait]
impl DeliveryStore for SqliteDeliveryStore {
    async fn unrouted(&self, limit: usize) -> Result<Vec<(i64, Event)>, StoreError> {
        self.run(move |conn| {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE id > (SELECT last_event FROM webhook_cursor) \
                 ORDER BY id LIMIT ?1"
            );
            let mut stmt = db(conn.prepare_cached(&sql))?;
            let rows = db(stmt.query_map([limit as i64], event))?;
            db(rows.collect())
        })
        .await
    }

    async fn route(
        &self,
        cursor: i64,
        deliveries: Vec<NewDelivery>,
        now_ms: i64,
    ) -> Result<RouteReport, StoreError> {
        self.run(move |conn| {
            let tx = db(conn.transaction_with_behavior(TransactionBehavior::Immediate))?;
            let mut report = RouteReport::default();
            for new in &deliveries {
                let sql = format!(
                    "SELECT {COLUMNS} FROM webhook_deliveries WHERE subscription = ?1 AND user_id = ?2 \
                     AND state = 'pending' ORDER BY id DESC LIMIT 1"
                );
                let waiting = db(db(tx.prepare_cached(&sql))?
                    .query_row(params![new.subscription, new.event.user_id], delivery)
                    .optional())?;
                if let Some(merged) = waiting.as_ref().and_then(|w| coalesce(w, new)) {
                    db(tx.execute(
                        "UPDATE webhook_deliveries SET event_id = ?2, operation = ?3, changed = ?4, \
                         event_time = ?5, coalesced = ?6, updated_at = ?7 WHERE id = ?1",
                        params![
                            merged.id,
                            merged.event_id,
                            merged.operation.as_str(),
                            to_json(&merged.changed),
                            merged.event_time,
                            merged.coalesced,
                            now_ms
                        ],
                    ))?;
                    report.coalesced += 1;
                } else {
                    let d = fresh(0, new, now_ms);
                    db(tx.execute(
                        "INSERT INTO webhook_deliveries (subscription, event_id, user_id, operation, changed, \
                         event_time, state, attempts, next_attempt_at, coalesced, created_at, updated_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, 0, ?7, ?7)",
                        params![
                            d.subscription,
                            d.event_id,
                            d.user_id,
                            d.operation.as_str(),
                            to_json(&d.changed),
                            d.event_time,
                            now_ms
                        ],
                    ))?;
                    report.added += 1;
                }
            }
            db(tx.execute(
                "UPDATE webhook_cursor SET last_event = MAX(last_event, ?1) WHERE id = 1",
                [cursor],
            ))?;
            db(tx.execute(
                "DELETE FROM webhook_deliveries WHERE state = 'delivered' AND updated_at < ?1",
                [now_ms - DELIVERED_KEPT_MS],
            ))?;
            db(tx.execute(
                "DELETE FROM events WHERE id <= ?1 AND time < ?2",
                params![cursor, now_ms / 1000 - EVENTS_KEPT_S],
            ))?;
            db(tx.commit())?;
            Ok(report)
        })
        .await
    }

    async fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.run(move |conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM webhook_deliveries d WHERE state = 'pending' AND next_attempt_at <= ?1 \
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription = d.subscription \
                 AND e.user_id = d.user_id AND e.state = 'pending' AND e.id < d.id) \
                 ORDER BY next_attempt_at, id LIMIT ?2"
            );
            let mut stmt = db(conn.prepare_cached(&sql))?;
            let rows = db(stmt.query_map(params![now_ms, limit as i64], delivery))?;
            db(rows.collect())
        })
        .await
    }

    async fn record(&self, outcome: &Outcome, now_ms: i64) -> Result<(), StoreError> {
        let o = outcome.clone();
        self.run(move |conn| {
            db(conn.execute(
                "UPDATE webhook_deliveries SET state = ?2, attempts = ?3, next_attempt_at = ?4, \
                 last_status = ?5, last_error = ?6, updated_at = ?7 WHERE id = ?1",
                params![
                    o.id,
                    o.state.as_str(),
                    o.attempts,
                    o.next_attempt_at,
                    o.last_status,
                    o.last_error,
                    now_ms
                ],
            ))?;
            Ok(())
        })
        .await
    }

    async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        self.run(|conn| {
            db(conn.query_row(
                "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'",
                [],
                |r| r.get(0),
            ))
        })
        .await
    }

    async fn counts(&self) -> Result<Vec<StateCount>, StoreError> {
        self.run(|conn| {
            let mut stmt = db(conn.prepare(
                "SELECT subscription, state, COUNT(*) FROM webhook_deliveries \
                 GROUP BY subscription, state ORDER BY subscription, state",
            ))?;
            let rows = db(stmt.query_map([], |r| {
                let state: String = r.get(1)?;
                Ok(StateCount {
                    subscription: r.get(0)?,
                    state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
                    count: r.get(2)?,
                })
            }))?;
            db(rows.collect())
        })
        .await
    }

    async fn list(
        &self,
        subscription: Option<&str>,
        state: Option<DeliveryState>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let subscription = subscription.map(str::to_string);
        self.run(move |conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM webhook_deliveries WHERE (?1 IS NULL OR subscription = ?1) \
                 AND (?2 IS NULL OR state = ?2) ORDER BY id DESC LIMIT ?3"
            );
            let mut stmt = db(conn.prepare(&sql))?;
            let rows = db(stmt.query_map(
                params![subscription, state.map(DeliveryState::as_str), limit as i64],
                delivery,
            ))?;
            db(rows.collect())
        })
        .await
    }

    async fn requeue(
        &self,
        subscription: &str,
        user_id: Option<&str>,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let (subscription, user_id) = (subscription.to_string(), user_id.map(str::to_string));
        self.run(move |conn| {
            db(conn.execute(
                "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?3, \
                 updated_at = ?3 WHERE subscription = ?1 AND state IN ('dead', 'failed') \
                 AND (?2 IS NULL OR user_id = ?2)",
                params![subscription, user_id, now_ms],
            ))
        })
        .await
    }

    async fn events_since(
        &self,
        since: i64,
        user_id: Option<&str>,
    ) -> Result<Vec<Event>, StoreError> {
        let user_id = user_id.map(str::to_string);
        self.run(move |conn| {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE time >= ?1 AND (?2 IS NULL OR user_id = ?2) ORDER BY id"
            );
            let mut stmt = db(conn.prepare(&sql))?;
            let rows = db(stmt.query_map(params![since, user_id], event))?;
            let events: Vec<(i64, Event)> = db(rows.collect())?;
            Ok(events.into_iter().map(|(_, e)| e).collect())
        })
        .await
    }
}
