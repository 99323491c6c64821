//! Checkpoints: every file change the agent made, with the file's bytes
//! before and after, and *Undo to here*, which puts the files back as they
//! were before a checkpoint — all of them or, if someone else changed one
//! since, none.

use super::*;
use ai_desktop_api::files::FileRoot;
use ai_desktop_api::flow::{FlowCheckpoint, UndoReport};

/// A file to put back: as it was before the first undone change, and as
/// the last undone change left it.
struct Restore {
    repository_id: i64,
    path: String,
    before: Option<Vec<u8>>,
    after: Vec<u8>,
}

impl FlowAgent {
    /// The session's file changes that can be undone, oldest first.
    pub fn checkpoints(&self, session_id: i64) -> Result<Vec<FlowCheckpoint>> {
        self.session(session_id)?;
        self.store.with(|c| store::flow::checkpoints(c, session_id))
    }

    /// Puts every file the session's agent changed at or after checkpoint
    /// `checkpoint_id` back as it was before it. Refused, changing nothing,
    /// while the agent works, or when a file is no longer as the agent left
    /// it (the message names each such file).
    pub fn undo_to(&self, session_id: i64, checkpoint_id: i64) -> Result<UndoReport> {
        self.session(session_id)?;
        if self.is_running(session_id) {
            return Err(Self::busy());
        }
        let rows = self
            .store
            .with(|c| store::flow::checkpoints_from(c, session_id, checkpoint_id))?;
        if rows.first().map(|r| r.id) != Some(checkpoint_id) {
            return Err(Error::NotFound(format!(
                "There is no checkpoint {checkpoint_id} in this session (it may have been undone)."
            )));
        }
        // One entry per file: its first undone change's "before", its last's "after".
        let mut files: Vec<Restore> = Vec::new();
        for row in rows {
            match files
                .iter_mut()
                .find(|f| f.repository_id == row.repository_id && f.path == row.path)
            {
                Some(f) => f.after = row.after,
                None => files.push(Restore {
                    repository_id: row.repository_id,
                    path: row.path,
                    before: row.before,
                    after: row.after,
                }),
            }
        }
        let access = self.repo_access()?;
        // Every file must still be exactly as the agent left it.
        let mut versions = Vec::with_capacity(files.len());
        let mut conflicts = Vec::new();
        for f in &files {
            let root = FileRoot::Repository {
                id: f.repository_id,
            };
            match access.files.read(&root, &f.path) {
                Ok(now) if now.text.as_bytes() == f.after.as_slice() => versions.push(now.version),
                Ok(_) => conflicts.push(format!("{} (changed since)", f.path)),
                Err(Error::NotFound(_)) => conflicts.push(format!("{} (deleted since)", f.path)),
                Err(e) => conflicts.push(format!("{} ({e})", f.path)),
            }
        }
        if !conflicts.is_empty() {
            return Err(Error::Conflict(format!(
                "Nothing was undone: {} no longer as the agent left {}: {}.",
                if conflicts.len() == 1 {
                    "this file is"
                } else {
                    "these files are"
                },
                if conflicts.len() == 1 { "it" } else { "them" },
                conflicts.join(", ")
            )));
        }
        let mut report = UndoReport {
            restored: Vec::new(),
            removed: Vec::new(),
        };
        for (f, version) in files.iter().zip(&versions) {
            let root = FileRoot::Repository {
                id: f.repository_id,
            };
            match &f.before {
                Some(before) => {
                    // Written by the agent from text: always UTF-8.
                    let text = String::from_utf8_lossy(before);
                    access.files.write(&root, &f.path, &text, Some(version))?;
                    report.restored.push(f.path.clone());
                }
                None => {
                    access.files.remove_file(&root, &f.path, version)?;
                    report.removed.push(f.path.clone());
                }
            }
        }
        self.store
            .with(|c| store::flow::delete_checkpoints_from(c, session_id, checkpoint_id))?;
        self.emit_session(session_id);
        Ok(report)
    }
}
