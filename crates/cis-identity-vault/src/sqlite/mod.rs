//! `SqliteVault`: the local vault of `cis serve`, the CLI and tests — one SQLite file
//! (`<data_dir>/vault.sqlite3`) with the profiles, the status records, the outbox and the write events
//! (docs/contract/processor-and-vault.md §8).
//!
//! Same semantics as the DynamoDB adapter (the contract suite checks both). rusqlite is synchronous: every
//! operation runs on `tokio::task::spawn_blocking`, writes on the single writer connection, reads on a
//! small pool of reader connections (WAL), so reads never queue behind writes. Several processes may open
//! the same file: writes are `BEGIN IMMEDIATE` transactions with a busy timeout.
//!
//! | module | owns |
//! |---|---|
//! | `schema` | connection settings, numbered migrations |
//! | `pool` | the writer and the reader pool |
//! | `rows` | row ↔ model mapping, SQLite errors → `VaultError` |
//! | `reads` / `writes` / `outbox` / `pending` / `status` | the statements |

mod outbox;
mod pending;
mod pool;
mod reads;
mod rows;
mod schema;
mod status;
mod writes;

pub use writes::ImportOutcome;

use crate::cursor;
use crate::error::{VaultError, VaultResult};
use crate::model::{
    AttributeQuery, Expected, HistoryQuery, IdEntry, ListQuery, Lookup, Page, ProfileWrite,
    StatusRecord, StoredJson, StoredProfile,
};
use crate::ports::{ProfileLister, ProfileReader, ProfileWriter, StatusStore};
use crate::search;
use async_trait::async_trait;
use cis_profile::Profile;
use pool::Connections;
use rows::{Db, JSON_COLUMNS, RawProfile, WriteRow, json_from_row};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The vault file's name inside the data directory.
pub const FILE_NAME: &str = "vault.sqlite3";

/// Reader connections per vault (the machines this runs on have few cores).
const READERS: usize = 4;

/// How much of the file each reader maps (SQLite caps it at its compile-time limit, 2 GiB by default).
const MMAP_SIZE: i64 = 1 << 40;

/// One profile of a bulk import.
#[derive(Debug, Clone)]
pub struct ImportItem {
    pub profile: Profile,
    /// The sequence number the created item carries.
    pub sequence_number: String,
}

/// The SQLite vault; cheap to clone (clones share the connections).
#[derive(Clone)]
pub struct SqliteVault {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    conns: Connections,
    /// Whether writes record their events (migration 3) for the webhook notifier.
    events: AtomicBool,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> VaultError {
    VaultError::Unavailable {
        message: format!("{what} {}: {e}", path.display()),
        retryable: false,
    }
}

fn open_connection(path: &Path) -> VaultResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).db()?;
    schema::configure(&conn)?;
    Ok(conn)
}

/// How long opening a file another process is setting up may be retried.
const OPEN_RETRY: std::time::Duration = std::time::Duration::from_secs(10);

impl SqliteVault {
    /// Opens (creating the directory and the file when missing) `<data_dir>/vault.sqlite3` and applies the
    /// migrations it lacks.
    pub fn open(data_dir: &Path) -> VaultResult<SqliteVault> {
        std::fs::create_dir_all(data_dir).map_err(|e| io_error("cannot create", data_dir, e))?;
        let path = data_dir.join(FILE_NAME);
        // Two processes opening a new file at once (`cis serve` and `cis vault get`, say) can see
        // SQLITE_BUSY while one of them switches it to WAL, which SQLite reports without waiting on the
        // busy timeout: that one start is tried again, briefly, before giving up.
        let deadline = std::time::Instant::now() + OPEN_RETRY;
        let writer = loop {
            let attempt = open_connection(&path).and_then(|mut writer| {
                schema::migrate(&mut writer)?;
                Ok(writer)
            });
            match attempt {
                Err(VaultError::Unavailable {
                    retryable: true, ..
                }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => break other?,
            }
        };
        let readers = (0..READERS)
            .map(|_| {
                let conn = open_connection(&path)?;
                conn.pragma_update(None, "query_only", true).db()?;
                // Readers map the file: a profile's overflow pages are read from the page cache in place
                // instead of one `pread` copy each (the Person API's paging reads gigabytes).
                conn.pragma_update(None, "mmap_size", MMAP_SIZE).db()?;
                Ok(conn)
            })
            .collect::<VaultResult<Vec<_>>>()?;
        let conns = Connections::new(writer, readers);
        Ok(SqliteVault {
            inner: Arc::new(Inner {
                path,
                conns,
                events: AtomicBool::new(false),
            }),
        })
    }

    /// From now on, every profile write also records its event in the same transaction, for the webhook
    /// notifier (`cis serve` with subscriptions). Off by default: nobody would read them.
    pub fn record_events(&self, on: bool) {
        self.inner.events.store(on, Ordering::SeqCst);
    }

    /// The vault file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The newest schema migration this build applies (what `schema_migrations` holds after open).
    pub fn schema_version() -> i64 {
        schema::latest()
    }

    /// Bulk load (`cis vault import`): creates every profile whose user is absent (version 1, no status
    /// record: an import is not a change) and leaves present users alone, all in one transaction.
    /// Re-running an import is therefore harmless. `InvalidRequest` when a profile has no user_id.
    pub async fn import_batch(&self, items: Vec<ImportItem>) -> VaultResult<Vec<ImportOutcome>> {
        self.blocking(move |inner| {
            let rows = items
                .iter()
                .map(|item| WriteRow::new(&item.profile, &item.sequence_number, &[], &[]))
                .collect::<VaultResult<Vec<_>>>()?;
            writes::import(&mut *inner.conns.writer()?, &rows)
        })
        .await
    }

    async fn blocking<T, F>(&self, work: F) -> VaultResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> VaultResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(task_error)?
    }

    async fn read<T, F>(&self, work: F) -> VaultResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> VaultResult<T> + Send + 'static,
    {
        self.blocking(move |inner| work(&*inner.conns.reader()?))
            .await
    }

    async fn write<T, F>(&self, work: F) -> VaultResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> VaultResult<T> + Send + 'static,
    {
        self.blocking(move |inner| work(&mut *inner.conns.writer()?))
            .await
    }
}

/// A page from `limit + 1` rows: the extra row only says that another page follows.
fn page_of<T>(mut items: Vec<T>, limit: usize, id: impl Fn(&T) -> &str) -> Page<T> {
    if items.len() <= limit {
        return Page { items, next: None };
    }
    items.truncate(limit);
    let next = items.last().map(|last| cursor::encode(id(last)));
    Page { items, next }
}

fn task_error(e: tokio::task::JoinError) -> VaultError {
    VaultError::Unavailable {
        message: format!("a vault task did not finish: {e}"),
        retryable: true,
    }
}

/// Parses page rows on blocking threads, split over the machine's cores: parsing ~45 KB profiles, not
/// SQLite, is what bounds a page of full profiles.
async fn parse_rows(mut rows: Vec<RawProfile>) -> VaultResult<Vec<StoredProfile>> {
    const MIN_PER_TASK: usize = 32;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_task = rows.len().div_ceil(cores).max(MIN_PER_TASK);
    let mut tasks = Vec::new();
    while !rows.is_empty() {
        let rest = rows.split_off(per_task.min(rows.len()));
        let chunk = std::mem::replace(&mut rows, rest);
        tasks.push(tokio::task::spawn_blocking(move || {
            chunk
                .into_iter()
                .map(RawProfile::parse)
                .collect::<VaultResult<Vec<_>>>()
        }));
    }
    let mut parsed = Vec::new();
    for task in tasks {
        parsed.extend(task.await.map_err(task_error)??);
    }
    Ok(parsed)
}

#[async_trait]
impl ProfileReader for SqliteVault {
    async fn get(&self, lookup: &Lookup) -> VaultResult<Option<StoredProfile>> {
        let lookup = lookup.clone();
        self.read(move |conn| {
            reads::get(conn, &lookup)?
                .map(RawProfile::parse)
                .transpose()
        })
        .await
    }

    /// The stored text, unparsed.
    async fn get_json(&self, lookup: &Lookup) -> VaultResult<Option<StoredJson>> {
        let lookup = lookup.clone();
        self.read(move |conn| {
            reads::get_with(conn, &lookup, JSON_COLUMNS, json_from_row)?.transpose()
        })
        .await
    }
}

#[async_trait]
impl ProfileWriter for SqliteVault {
    async fn put(&self, write: ProfileWrite, status: StatusRecord) -> VaultResult<u64> {
        self.blocking(move |inner| {
            let row = WriteRow::of(&write)?;
            let events = inner.events.load(Ordering::SeqCst);
            writes::put(
                &mut *inner.conns.writer()?,
                &row,
                write.expected,
                &status,
                events,
            )
        })
        .await
    }

    async fn delete(
        &self,
        user_id: &str,
        expected: Expected,
        status: StatusRecord,
    ) -> VaultResult<()> {
        let user_id = user_id.to_string();
        self.blocking(move |inner| {
            let events = inner.events.load(Ordering::SeqCst);
            writes::delete(
                &mut *inner.conns.writer()?,
                &user_id,
                expected,
                &status,
                events,
            )
        })
        .await
    }
}

#[async_trait]
impl ProfileLister for SqliteVault {
    async fn list_profiles(&self, query: &ListQuery) -> VaultResult<Page<StoredProfile>> {
        let (filter, limit) = list_filter(query)?;
        let rows = self
            .read(move |conn| reads::profiles(conn, filter, limit.saturating_add(1)))
            .await?;
        let page = page_of(rows, limit, |raw| &raw.id);
        let items = parse_rows(page.items).await?;
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// The stored texts, unparsed.
    async fn list_profiles_json(&self, query: &ListQuery) -> VaultResult<Page<StoredJson>> {
        let (filter, limit) = list_filter(query)?;
        let rows = self
            .read(move |conn| {
                reads::profiles_with(
                    conn,
                    filter,
                    limit.saturating_add(1),
                    JSON_COLUMNS,
                    json_from_row,
                )
            })
            .await?;
        let page = page_of(rows, limit, |row| row.as_ref().map_or("", |j| &j.user_id));
        Ok(Page {
            items: page.items.into_iter().collect::<VaultResult<_>>()?,
            next: page.next,
        })
    }

    async fn list_ids(&self, query: &ListQuery) -> VaultResult<Page<IdEntry>> {
        let (filter, limit) = list_filter(query)?;
        let rows = self
            .read(move |conn| reads::ids(conn, filter, limit.saturating_add(1)))
            .await?;
        Ok(page_of(rows, limit, |entry| &entry.user_id))
    }

    async fn search(&self, query: &AttributeQuery) -> VaultResult<Page<StoredProfile>> {
        search::check_limit(query.limit)?;
        let after = cursor::decode_opt(query.cursor.as_ref())?;
        let query = query.clone();
        self.read(move |conn| reads::search_page(conn, &query, after))
            .await
    }
}

#[async_trait]
impl StatusStore for SqliteVault {
    async fn put_status(&self, status: StatusRecord) -> VaultResult<()> {
        self.write(move |conn| writes::put_status(conn, &status))
            .await
    }

    async fn get_status(&self, sequence_number: &str) -> VaultResult<Option<StatusRecord>> {
        let sequence_number = sequence_number.to_string();
        self.read(move |conn| status::select_status(conn, &sequence_number))
            .await
    }

    async fn changes_of(
        &self,
        user_id: &str,
        query: &HistoryQuery,
    ) -> VaultResult<Page<StatusRecord>> {
        let (user_id, query) = (user_id.to_string(), query.clone());
        self.read(move |conn| status::changes_of(conn, &user_id, &query))
            .await
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

/// The checked limit and the SQL filter of a list query (cursor, `active`, connection prefix).
fn list_filter(query: &ListQuery) -> VaultResult<(reads::Filter, usize)> {
    search::check_limit(query.limit)?;
    let after = cursor::decode_opt(query.cursor.as_ref())?;
    let filter = reads::Filter::new(after.as_deref(), query.active, query.connection.as_deref());
    Ok((filter, query.limit))
}
