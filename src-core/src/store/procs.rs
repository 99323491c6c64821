//! `supervised_processes`: which of our processes run, by pid + start time.

use super::Store;
use crate::error::Result;
use rusqlite::{params, OptionalExtension};

/// A process as recorded: its pid and when it started (clock ticks since
/// boot, `/proc/PID/stat` field 22), which together never name another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedPid {
    pub pid: u32,
    pub start_time: u64,
}

/// One recorded process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessRecord {
    pub kind: String,
    pub owner_id: i64,
    pub process: RecordedPid,
    pub port: Option<u16>,
    pub started_at: String,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProcessRecord> {
    Ok(ProcessRecord {
        kind: r.get(0)?,
        owner_id: r.get(1)?,
        process: RecordedPid {
            pid: r.get(2)?,
            start_time: r.get::<_, i64>(3)? as u64,
        },
        port: r.get(4)?,
        started_at: r.get(5)?,
    })
}

const COLUMNS: &str = "kind, owner_id, pid, start_time, port, started_at";

impl Store {
    /// Records (or replaces) the process serving `owner_id`.
    pub fn record_process(
        &self,
        kind: &str,
        owner_id: i64,
        identity: RecordedPid,
        port: Option<u16>,
    ) -> Result<ProcessRecord> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO supervised_processes (kind, owner_id, pid, start_time, port)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kind, owner_id, identity.pid, identity.start_time as i64, port],
            )?;
            Ok(c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM supervised_processes WHERE kind = ?1 AND owner_id = ?2"
                ),
                params![kind, owner_id],
                row,
            )?)
        })
    }

    pub fn recorded_processes(&self, kind: &str) -> Result<Vec<ProcessRecord>> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM supervised_processes WHERE kind = ?1 ORDER BY owner_id"
            ))?;
            let rows = stmt.query_map([kind], row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn recorded_process(&self, kind: &str, owner_id: i64) -> Result<Option<ProcessRecord>> {
        self.with(|c| {
            Ok(c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM supervised_processes WHERE kind = ?1 AND owner_id = ?2"
                ),
                params![kind, owner_id],
                row,
            )
            .optional()?)
        })
    }

    /// Forgets the record, but only if it is still for `identity` (a newer
    /// process for the same owner keeps its record).
    pub fn forget_process(&self, kind: &str, owner_id: i64, identity: RecordedPid) -> Result<()> {
        self.with(|c| {
            c.execute(
                "DELETE FROM supervised_processes
                 WHERE kind = ?1 AND owner_id = ?2 AND pid = ?3 AND start_time = ?4",
                params![kind, owner_id, identity.pid, identity.start_time as i64],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_replace_and_forget_only_their_own_process() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let first = RecordedPid {
            pid: 10,
            start_time: 111,
        };
        let second = RecordedPid {
            pid: 11,
            start_time: 222,
        };
        store
            .record_process("code-server", 1, first, Some(8100))
            .unwrap();
        store
            .record_process("code-server", 1, second, Some(8101))
            .unwrap();
        store.record_process("mcp", 1, first, None).unwrap();
        let rec = store.recorded_process("code-server", 1).unwrap().unwrap();
        assert_eq!((rec.process, rec.port), (second, Some(8101)));
        // The stale identity does not remove the newer record.
        store.forget_process("code-server", 1, first).unwrap();
        assert!(store.recorded_process("code-server", 1).unwrap().is_some());
        store.forget_process("code-server", 1, second).unwrap();
        assert!(store.recorded_process("code-server", 1).unwrap().is_none());
        assert_eq!(store.recorded_processes("mcp").unwrap().len(), 1);
    }
}
