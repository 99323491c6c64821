//! The SQLite store: one file in the app data dir, WAL, foreign keys on,
//! migrations from `migrations/` embedded in the binary and applied at open.
//!
//! One module per table group holds that group's typed queries; no SQL lives
//! outside `store/`.

pub mod deployments;
pub mod flow;
pub mod gateway;
pub mod git_undo;
pub mod hosts;
pub mod mcp;
pub mod procs;
pub mod recipes;
pub mod repos;
pub mod services;
pub mod settings;

use crate::error::{Error, Result};
use crate::util::lock;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

mod embedded {
    refinery::embed_migrations!("../migrations");
}

/// File name of the database inside the data dir.
pub const DB_FILE: &str = "ai-desktop.sqlite3";

/// How long a statement waits for another connection's write lock (a second
/// app window, a test reading the file) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    schema_version: i64,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and migrates it.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        // Private whatever the umask: it holds passwords, keys and environments.
        crate::secrets::private_dir(data_dir).map_err(|e| {
            Error::failed(
                format!("Could not create the data folder {}.", data_dir.display()),
                e,
            )
        })?;
        // A folder we cannot write to would otherwise open the database
        // read-only and fail at the first save, far from the cause.
        let probe = data_dir.join(format!(".write-test-{}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
        {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
            }
            Err(e) => {
                return Err(Error::Unavailable(format!(
                    "The data folder {} cannot be written to ({e}). Make it writable, or set AI_DESKTOP_DATA_DIR to another folder; nothing was changed.",
                    data_dir.display()
                )))
            }
        }
        let store = Store::open(&data_dir.join(DB_FILE))?;
        // An install made before modes were set (or under another umask).
        if let Err(e) = crate::secrets::repair_data_dir(data_dir) {
            log::warn!("could not make {} private: {e}", data_dir.display());
        }
        Ok(store)
    }

    /// Opens (creating if needed) the database file at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store> {
        // Created 0600 here, so SQLite's -wal and -shm (which take the
        // database's mode) are private too.
        if !path.exists() {
            crate::secrets::create_private_file(path, false).map_err(|e| {
                Error::failed(
                    format!("Could not create the database {}.", path.display()),
                    e,
                )
            })?;
        }
        let mut conn = Connection::open(path).map_err(|e| {
            Error::failed(
                format!("Could not open the database {}.", path.display()),
                e,
            )
        })?;
        refuse_newer(&conn, path)?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(Error::Unavailable(format!(
                "The database {} is read-only; make it writable (nothing was changed).",
                path.display()
            )));
        }
        configure(&conn)?;
        let report = embedded::migrations::runner()
            .run(&mut conn)
            .map_err(|e| Error::failed("Could not migrate the database.", e))?;
        let schema_version = embedded::migrations::runner()
            .get_last_applied_migration(&mut conn)
            .map_err(|e| Error::failed("Could not read the schema version.", e))?
            .map(|m| i64::from(m.version()))
            .unwrap_or(0);
        for m in report.applied_migrations() {
            log::info!("applied migration {}", m);
        }
        let filled = deployments::fill_missing_pm2_names(&conn)?;
        if filled > 0 {
            log::info!("recorded the PM2 names of {filled} deployment(s)");
        }
        let interrupted = deployments::end_interrupted_runs(&conn)?;
        if interrupted > 0 {
            log::info!("{interrupted} deploy(s) interrupted by the app's last exit marked failed");
        }
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            schema_version,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> i64 {
        self.schema_version
    }

    /// Runs `f` with the connection. The lock is held only for `f`, which
    /// must not block on anything but SQLite.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.conn);
        f(&mut conn)
    }
}

/// The newest schema version this build knows.
pub fn known_schema_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// A database a newer app version migrated is left exactly as it is: this
/// build would not know its tables, and refinery would refuse it anyway,
/// less clearly.
fn refuse_newer(conn: &Connection, path: &Path) -> Result<()> {
    let has_history: bool = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|e| {
            Error::failed(
                format!("{} is not a database AI Desktop can read.", path.display()),
                e,
            )
        })?;
    if !has_history {
        return Ok(());
    }
    let newest: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )
        .map_err(|e| Error::failed("Could not read the schema version.", e))?;
    let known = known_schema_version();
    if newest > known {
        return Err(Error::Conflict(format!(
            "The database {} was written by a newer AI Desktop (schema version {newest}; this one knows up to {known}). It was not changed: run the newer version, or set AI_DESKTOP_DATA_DIR to another folder.",
            path.display()
        )));
    }
    Ok(())
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // journal_mode returns the mode it set; WAL lets readers (tests, a second
    // process) look at the file while the app writes.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        log::warn!("SQLite refused WAL mode, using {mode}");
    }
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    Ok(())
}

/// Now as RFC 3339 UTC, in the same format as the store's timestamps.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Now with milliseconds, as SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`
/// writes it (the default of the tables' `created_at`).
pub fn now_rfc3339_millis() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = rfc3339(now.as_secs());
    format!(
        "{}.{:03}Z",
        seconds.trim_end_matches('Z'),
        now.subsec_millis()
    )
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        let ms = now_rfc3339_millis();
        assert_eq!(ms.len(), "2026-11-18T11:06:40.123Z".len(), "{ms}");
        assert!(ms.ends_with('Z') && ms.as_bytes()[19] == b'.', "{ms}");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
    }

    #[test]
    fn open_migrates_and_sets_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(&dir.path().join("nested")).unwrap();
        assert!(store.path().exists());
        assert!(store.schema_version() >= 1);
        store
            .with(|c| {
                let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
                let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                assert_eq!(fk, 1);
                assert_eq!(mode, "wal");
                let tables: Vec<String> = c
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for t in [
                    "deployments",
                    "flow_messages",
                    "flow_sessions",
                    "mcp_servers",
                    "repositories",
                    "settings",
                ] {
                    assert!(
                        tables.iter().any(|x| x == t),
                        "missing table {t}: {tables:?}"
                    );
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let newer = known_schema_version() + 1;
        store
            .with(|c| {
                c.execute(
                    "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (?1, 'from_the_future', '2030-01-01T00:00:00Z', '0')",
                    [newer],
                )?;
                c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
                Ok(())
            })
            .unwrap();
        drop(store);
        let file = dir.path().join(DB_FILE);
        let before = std::fs::read(&file).unwrap();
        let err = Store::open_in(dir.path()).err().expect("refused");
        let msg = err.to_string();
        assert!(matches!(err, Error::Conflict(_)), "{err:?}");
        assert!(
            msg.contains("newer AI Desktop") && msg.contains(&format!("schema version {newer}")),
            "{msg}"
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            before,
            "the file was changed"
        );
    }

    #[test]
    fn a_data_folder_that_cannot_be_written_is_refused_with_the_reason() {
        // procfs: not writable even for root (CI runs as root, where chmod does not bite).
        let err = Store::open_in(Path::new("/proc/self"))
            .err()
            .expect("refused");
        assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
        assert!(err.to_string().contains("cannot be written"), "{err}");
        // Not a database at all: a clear error, and the file is untouched.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(DB_FILE),
            "not sqlite, just text\n".repeat(100),
        )
        .unwrap();
        let before = std::fs::read(dir.path().join(DB_FILE)).unwrap();
        let err = Store::open_in(dir.path()).err().expect("refused");
        assert!(err.to_string().contains("not a database"), "{err}");
        assert_eq!(std::fs::read(dir.path().join(DB_FILE)).unwrap(), before);
    }

    #[test]
    fn reopening_keeps_data_and_does_not_reapply_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open_in(dir.path()).unwrap();
        first
            .with(|c| {
                c.execute(
                    "INSERT INTO settings (key, value) VALUES ('theme', '\"dark\"')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        drop(first);
        let again = Store::open_in(dir.path()).unwrap();
        let value: String = again
            .with(|c| {
                Ok(
                    c.query_row("SELECT value FROM settings WHERE key = 'theme'", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .unwrap();
        assert_eq!(value, "\"dark\"");
    }

    #[test]
    fn flow_messages_go_with_their_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        store
            .with(|c| {
                c.execute("INSERT INTO flow_sessions (id) VALUES (1)", [])?;
                c.execute(
                    "INSERT INTO flow_messages (session_id, role, content) VALUES (1, 'user', 'hi')",
                    [],
                )?;
                c.execute("DELETE FROM flow_sessions WHERE id = 1", [])?;
                let n: i64 = c.query_row("SELECT count(*) FROM flow_messages", [], |r| r.get(0))?;
                assert_eq!(n, 0);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_file_that_is_not_a_database_is_reported_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        std::fs::write(&path, b"this is not sqlite, and it is somebody's data").unwrap();
        let err = Store::open(&path).err().expect("opening garbage must fail");
        assert_eq!(err.code(), ai_desktop_api::ErrorCode::Failed);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"this is not sqlite, and it is somebody's data"
        );
    }
}
