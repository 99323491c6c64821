//! Reading repositories with git2: the working-tree changes and per-file
//! diffs the VS Code page shows, and a watcher that keeps them live.
//!
//! Reads never run a program the repository's own config names: libgit2
//! does not implement `core.fsmonitor`, hooks, external filter drivers or
//! `core.sshCommand` for these operations (tests hold it to that with a
//! hostile fixture).

pub mod args;
pub mod blame;
pub mod changes;
pub mod cli;
pub mod conflicts;
pub mod diff;
pub mod graph;
pub mod identity;
pub mod lines;
pub mod ops;
pub mod sync;
pub mod watch;
pub mod worktrees;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::repos::RepoRegistry;
use crate::util::lock;
use ai_desktop_api::git::{DiffSide, FileDiff, RepoChanges};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The changes and diffs of registered repositories, and the live feed of
/// the one being looked at.
pub struct ChangesFeed {
    repos: Arc<RepoRegistry>,
    events: Arc<dyn EventSink>,
    watching: Mutex<Option<(i64, watch::RepoWatcher)>>,
}

impl ChangesFeed {
    pub fn new(repos: Arc<RepoRegistry>, events: Arc<dyn EventSink>) -> Self {
        ChangesFeed {
            repos,
            events,
            watching: Mutex::new(None),
        }
    }

    pub fn changes(&self, repository_id: i64) -> Result<RepoChanges> {
        let repo = self.repos.get(repository_id)?;
        read_changes(repository_id, Path::new(&repo.path))
    }

    pub fn diff(&self, repository_id: i64, path: &str, side: DiffSide) -> Result<FileDiff> {
        let repo = self.repos.get(repository_id)?;
        diff::file(Path::new(&repo.path), path, side)
    }

    /// Pushes `git:changes` for `repository_id` whenever its files change
    /// (debounced); `None`, or another id, stops the previous watch. Must be
    /// called inside a tokio runtime.
    pub fn watch(&self, repository_id: Option<i64>) -> Result<()> {
        let mut watching = lock(&self.watching);
        if watching.as_ref().map(|(id, _)| *id) == repository_id {
            return Ok(());
        }
        *watching = None;
        let Some(id) = repository_id else {
            return Ok(());
        };
        let repo = self.repos.get(id)?;
        let path = std::path::PathBuf::from(&repo.path);
        let events = self.events.clone();
        let root = path.clone();
        let watcher = watch::watch(&path, move || {
            if let Ok(changes) = read_changes(id, &root) {
                events.emit(DomainEvent::GitChanges(changes));
            }
        })
        .map_err(|e| Error::failed(format!("Could not watch {} for changes.", repo.path), e))?;
        *watching = Some((id, watcher));
        Ok(())
    }

    /// The repository being watched, if any.
    pub fn watched(&self) -> Option<i64> {
        lock(&self.watching).as_ref().map(|(id, _)| *id)
    }
}

fn read_changes(repository_id: i64, path: &Path) -> Result<RepoChanges> {
    let c = changes::read(path)?;
    Ok(RepoChanges {
        repository_id,
        branch: c.branch,
        files: c.files,
        counts: c.counts,
        truncated: c.truncated,
    })
}

/// Opens the repository `path` is in (a registered folder inside a larger
/// repository sees that repository, as the registry does).
pub fn open(path: &Path) -> Result<git2::Repository> {
    git2::Repository::discover(path).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => {
            Error::InvalidInput(format!("{} is not a git repository.", path.display()))
        }
        _ => Error::failed(
            format!("Could not open the repository at {}.", path.display()),
            e,
        ),
    })
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::failed("Git could not complete the operation.", e.message())
    }
}
