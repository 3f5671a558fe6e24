//! The connections of one `SqliteVault`: a single writer (SQLite allows one writer at a time, so writes queue
//! on its mutex instead of spinning on `SQLITE_BUSY`) and a small pool of readers, which in WAL mode read a
//! consistent snapshot while a write is in progress. Callers run on blocking threads, never on the async
//! executor. This module opens nothing and knows no SQL beyond what it is given.

use crate::error::{VaultError, VaultResult};
use rusqlite::Connection;
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};

/// The writer connection and the reader pool.
pub(super) struct Connections {
    writer: Mutex<Connection>,
    idle_readers: Mutex<Vec<Connection>>,
    reader_returned: Condvar,
}

impl Connections {
    pub(super) fn new(writer: Connection, readers: Vec<Connection>) -> Connections {
        Connections {
            writer: Mutex::new(writer),
            idle_readers: Mutex::new(readers),
            reader_returned: Condvar::new(),
        }
    }

    /// The writer, exclusively (blocks while another write runs).
    pub(super) fn writer(&self) -> VaultResult<MutexGuard<'_, Connection>> {
        self.writer.lock().map_err(|_| poisoned())
    }

    /// A reader, waiting for one to be returned when all are busy.
    pub(super) fn reader(&self) -> VaultResult<Reader<'_>> {
        let mut idle = self.idle_readers.lock().map_err(|_| poisoned())?;
        loop {
            if let Some(conn) = idle.pop() {
                return Ok(Reader {
                    conn: Some(conn),
                    pool: self,
                });
            }
            idle = self.reader_returned.wait(idle).map_err(|_| poisoned())?;
        }
    }
}

fn poisoned() -> VaultError {
    VaultError::Unavailable {
        message: "a SQLite connection was lost by a panicking task".into(),
        retryable: false,
    }
}

/// A borrowed reader connection, returned to the pool on drop.
pub(super) struct Reader<'a> {
    conn: Option<Connection>,
    pool: &'a Connections,
}

impl Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Set in `reader()`, taken only in `drop`.
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("reader used after return"))
    }
}

impl DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("reader used after return"))
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // A poisoned pool keeps the connection out of it; the vault then reports Unavailable.
            if let Ok(mut idle) = self.pool.idle_readers.lock() {
                idle.push(conn);
                self.pool.reader_returned.notify_one();
            }
        }
    }
}
