//! Unit tests of the SQLite adapter's internals (the behaviour is the contract suite's, in tests/).

use super::reads::{Filter, ids_sql};
use super::*;

fn plan(conn: &Connection, sql: &str, params: usize) -> String {
    let sql = format!("EXPLAIN QUERY PLAN {sql}");
    let mut stmt = conn.prepare(&sql).unwrap();
    let values = vec![rusqlite::types::Value::Text("x".into()); params];
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values), |r| {
            r.get::<_, String>(3)
        })
        .unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
}

#[test]
fn list_ids_is_served_by_a_covering_index_without_reading_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    let conn = vault.inner.conns.reader().unwrap();
    let cases = [
        (Filter::new(None, None, None), 0),
        (Filter::new(Some("a"), Some(true), None), 2),
        (Filter::new(Some("a"), None, Some("ad|Mozilla-LDAP")), 5),
        (Filter::new(None, Some(false), Some("github")), 5),
    ];
    for (filter, params) in cases {
        let plan = plan(&conn, &ids_sql(&filter, 10), params);
        assert!(plan.contains("COVERING INDEX"), "{plan}");
        assert!(
            !plan.contains("TEMP B-TREE"),
            "sorted by the index, not afterwards: {plan}"
        );
    }
}

#[test]
fn opening_applies_every_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        let vault = SqliteVault::open(dir.path()).unwrap();
        let conn = vault.inner.conns.reader().unwrap();
        let versions: Vec<i64> = conn
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            versions,
            (1..=SqliteVault::schema_version()).collect::<Vec<_>>()
        );
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}

#[test]
fn a_file_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteVault::open(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'later')", [])
        .unwrap();
    drop(conn);
    let error = SqliteVault::open(dir.path()).err().unwrap();
    assert!(
        matches!(
            error,
            VaultError::Unavailable {
                retryable: false,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn readers_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let vault = SqliteVault::open(dir.path()).unwrap();
    let conn = vault.inner.conns.reader().unwrap();
    assert!(conn.execute("DELETE FROM profiles", []).is_err());
}

#[test]
fn processes_opening_a_new_file_at_once_all_succeed() {
    // Each open is its own set of connections, as in separate processes (`cis serve`, `cis vault get`).
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let (path, barrier) = (dir.path().to_path_buf(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    SqliteVault::open(&path).map(|_| ())
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), Ok(()));
        }
    }
}
