//! `git_undo`: the Git page's short log of undoable operations.

use super::Store;
use crate::error::Result;
use rusqlite::{params, OptionalExtension};

/// Entries kept per repository (older ones are forgotten).
pub const KEEP: i64 = 20;

/// One undoable operation (see the migration for what each kind keeps).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UndoRecord {
    pub id: i64,
    pub repository_id: i64,
    pub kind: String,
    /// The file, ref or branch it changed.
    pub target: String,
    pub summary: String,
    /// The object before (None: there was none).
    pub before_id: Option<String>,
    /// The object after (None: the operation removed it).
    pub after_id: Option<String>,
    /// A file's git mode.
    pub mode: u32,
    pub created_at: String,
}

impl Store {
    /// Records an operation (and forgets the repository's oldest beyond [`KEEP`]).
    pub fn push_git_undo(&self, r: &UndoRecord) -> Result<i64> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO git_undo (repository_id, kind, target, summary, before_id, after_id, mode)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    r.repository_id,
                    r.kind,
                    r.target,
                    r.summary,
                    r.before_id,
                    r.after_id,
                    r.mode
                ],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "DELETE FROM git_undo WHERE repository_id = ?1 AND id NOT IN
                   (SELECT id FROM git_undo WHERE repository_id = ?1 ORDER BY id DESC LIMIT ?2)",
                params![r.repository_id, KEEP],
            )?;
            tx.commit()?;
            Ok(id)
        })
    }

    /// The repository's newest undoable operation.
    pub fn last_git_undo(&self, repository_id: i64) -> Result<Option<UndoRecord>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT id, repository_id, kind, target, summary, before_id, after_id, mode, created_at
                 FROM git_undo WHERE repository_id = ?1 ORDER BY id DESC LIMIT 1",
                [repository_id],
                |row| {
                    Ok(UndoRecord {
                        id: row.get(0)?,
                        repository_id: row.get(1)?,
                        kind: row.get(2)?,
                        target: row.get(3)?,
                        summary: row.get(4)?,
                        before_id: row.get(5)?,
                        after_id: row.get(6)?,
                        mode: row.get(7)?,
                        created_at: row.get(8)?,
                    })
                },
            )
            .optional()?)
        })
    }

    pub fn delete_git_undo(&self, id: i64) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM git_undo WHERE id = ?1", [id])?;
            Ok(())
        })
    }
}
