//! Worktrees: a branch checked out in a folder of its own next to the
//! repository, registered as a repository of its own — so it gets its own
//! code-server (own port, own user data), terminals and Git page, and a
//! user (or an agent) can work on two branches side by side.

use super::ops::GitOps;
use crate::error::{Error, Result};
use ai_desktop_api::git::WorktreeInfo;
use ai_desktop_api::repos::NewRepository;
use git2::{BranchType, Repository, WorktreeAddOptions, WorktreePruneOptions};
use std::path::{Path, PathBuf};

/// A worktree's name (and folder suffix) for `branch`: `feature/x` → `feature-x`.
fn folder_name(branch: &str) -> String {
    branch
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches(['-', '.'])
        .to_string()
}

/// Whether the working tree at `path` has changes (untracked files too).
fn dirty(path: &Path) -> bool {
    let Ok(repo) = Repository::open(path) else {
        return false;
    };
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).include_ignored(false);
    repo.statuses(Some(&mut opts))
        .map(|s| !s.is_empty())
        .unwrap_or(false)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl GitOps {
    /// The linked worktrees of `repository_id`, each with its branch and
    /// the repository it is registered as.
    pub fn worktrees(&self, repository_id: i64) -> Result<Vec<WorktreeInfo>> {
        let repo = self.open_repo(repository_id)?;
        let registered = self.registry().list()?;
        let mut out = Vec::new();
        for name in repo.worktrees()?.iter().flatten().flatten() {
            let Ok(wt) = repo.find_worktree(name) else {
                continue;
            };
            let path = canonical(wt.path());
            let branch = Repository::open(&path).ok().and_then(|r| {
                r.head()
                    .ok()
                    .filter(|h| h.is_branch())
                    .and_then(|h| h.shorthand().ok().map(str::to_string))
            });
            out.push(WorktreeInfo {
                name: name.to_string(),
                path: path.display().to_string(),
                branch,
                repository_id: registered
                    .iter()
                    .find(|r| canonical(Path::new(&r.path)) == path)
                    .map(|r| r.id),
                dirty: dirty(&path),
                missing: !path.is_dir(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Checks `branch` out in a new worktree next to the repository
    /// (`<folder>-<branch>`), creating the branch from HEAD if `create`,
    /// and registers it as a repository of its own.
    pub fn add_worktree(
        &self,
        repository_id: i64,
        branch: &str,
        create: bool,
    ) -> Result<WorktreeInfo> {
        super::args::branch(branch)?;
        let repo = self.open_repo(repository_id)?;
        let registered = self.registry().get(repository_id)?;
        let name = folder_name(branch);
        if name.is_empty() {
            return Err(Error::InvalidInput(format!(
                "\"{branch}\" does not make a folder name."
            )));
        }
        let root = repo.workdir().map(canonical).ok_or_else(|| {
            Error::InvalidInput("A bare repository has no worktrees here.".into())
        })?;
        let parent = root
            .parent()
            .ok_or_else(|| Error::InvalidInput("The repository has no parent folder.".into()))?;
        let dir_name = format!(
            "{}-{name}",
            root.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let path = parent.join(&dir_name);
        if path.exists() {
            return Err(Error::Conflict(format!(
                "{} exists already; nothing was created.",
                path.display()
            )));
        }
        if repo.find_worktree(&name).is_ok() {
            return Err(Error::Conflict(format!(
                "A worktree named {name} exists already."
            )));
        }
        let existing = repo.find_branch(branch, BranchType::Local).ok();
        let reference = match (existing, create) {
            (Some(_), true) => {
                return Err(Error::Conflict(format!(
                    "A branch named {branch} exists already; add a worktree of it instead."
                )))
            }
            (None, false) => return Err(Error::NotFound(format!("There is no branch {branch}."))),
            (Some(b), false) => {
                if b.is_head() {
                    return Err(Error::Conflict(format!(
                        "{branch} is checked out here already; a worktree needs another branch."
                    )));
                }
                b.into_reference()
            }
            (None, true) => {
                let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|_| {
                    Error::InvalidInput("Make a first commit before branching.".into())
                })?;
                repo.branch(branch, &head, false)?.into_reference()
            }
        };
        let mut opts = WorktreeAddOptions::new();
        opts.reference(Some(&reference));
        repo.worktree(&name, &path, Some(&opts)).map_err(|e| {
            Error::Conflict(format!("git did not add the worktree: {}", e.message()))
        })?;
        let created = self.registry().create(NewRepository {
            name: format!("{} · {branch}", registered.name),
            path: path.display().to_string(),
            kind: None,
            port: None,
        })?;
        log::info!(
            "worktree {name} of repository {repository_id} at {} (repository {})",
            path.display(),
            created.id
        );
        Ok(WorktreeInfo {
            name,
            path: canonical(&path).display().to_string(),
            branch: Some(branch.to_string()),
            repository_id: Some(created.id),
            dirty: false,
            missing: false,
        })
    }

    /// Checks that worktree `name` of `repository_id` can go (it exists,
    /// it has no uncommitted change, it is not locked); the repository it
    /// is registered as, if any.
    pub fn removable_worktree(&self, repository_id: i64, name: &str) -> Result<Option<i64>> {
        let list = self.worktrees(repository_id)?;
        let wt = list
            .iter()
            .find(|w| w.name == name)
            .ok_or_else(|| Error::NotFound(format!("There is no worktree {name}.")))?;
        if wt.dirty {
            return Err(Error::Conflict(format!(
                "The worktree {name} has uncommitted changes; commit or discard them first (nothing was removed)."
            )));
        }
        let repo = self.open_repo(repository_id)?;
        let found = repo.find_worktree(name)?;
        if !matches!(found.is_locked()?, git2::WorktreeLockStatus::Unlocked) {
            return Err(Error::Conflict(format!(
                "The worktree {name} is locked (git worktree unlock)."
            )));
        }
        Ok(wt.repository_id)
    }

    /// Deletes worktree `name`'s folder and git's record of it (after
    /// [`Self::removable_worktree`] and unregistering it).
    pub fn prune_worktree(&self, repository_id: i64, name: &str) -> Result<()> {
        let repo = self.open_repo(repository_id)?;
        let wt = repo.find_worktree(name)?;
        wt.prune(Some(
            WorktreePruneOptions::new().valid(true).working_tree(true),
        ))
        .map_err(|e| {
            Error::failed(
                format!("Could not remove the worktree {name}."),
                e.message(),
            )
        })
    }

    /// Files changed (untracked ones too) in the worktree at `path`, and
    /// the commits of its branch `branch` its main repository's current
    /// branch does not have.
    pub fn worktree_state(&self, path: &Path, branch: &str) -> Result<(u32, u32)> {
        let repo = Repository::open(path).map_err(|e| {
            Error::NotFound(format!(
                "The worktree {} is gone: {}",
                path.display(),
                e.message()
            ))
        })?;
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let changed = repo.statuses(Some(&mut opts))?.len() as u32;
        let main = Repository::open(repo.commondir())?;
        let tip = main
            .find_branch(branch, BranchType::Local)
            .ok()
            .and_then(|b| b.get().target());
        let head = main.head().ok().and_then(|h| h.target());
        let ahead = match (tip, head) {
            (Some(tip), Some(head)) => main.graph_ahead_behind(tip, head)?.0 as u32,
            _ => 0,
        };
        Ok((changed, ahead))
    }

    /// Stages everything changed in registered repository `repository_id`
    /// (new, changed and deleted files; ignored ones stay out) and commits
    /// it; None when nothing had changed.
    pub fn commit_everything(
        &self,
        repository_id: i64,
        message: &str,
    ) -> Result<Option<ai_desktop_api::git::CommitInfo>> {
        let repo = self.open_repo(repository_id)?;
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        if repo.statuses(Some(&mut opts))?.is_empty() {
            return Ok(None);
        }
        if message.trim().is_empty() {
            return Err(Error::InvalidInput("A commit needs a message.".into()));
        }
        let mut index = repo.index()?;
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
        index.update_all(["*"], None)?;
        index.write()?;
        self.commit(repository_id, message).map(Some)
    }

    /// Removes the worktree at `path`, uncommitted changes and all, and
    /// deletes its branch `branch` (merged or not). The deletion is put in
    /// the undo log of `origin_id` (its main repository, if registered), so
    /// the Git page can bring the branch back.
    pub fn discard_worktree(
        &self,
        path: &Path,
        branch: &str,
        origin_id: Option<i64>,
    ) -> Result<()> {
        super::args::branch(branch)?;
        let main = match Repository::open(path) {
            Ok(wt) => Repository::open(wt.commondir())?,
            Err(_) => match origin_id {
                Some(id) => self.open_repo(id)?,
                None => {
                    return Err(Error::NotFound(format!(
                        "The worktree {} is gone and its repository is not registered.",
                        path.display()
                    )))
                }
            },
        };
        let name = folder_name(branch);
        if let Ok(wt) = main.find_worktree(&name) {
            wt.prune(Some(
                WorktreePruneOptions::new().valid(true).working_tree(true),
            ))
            .map_err(|e| {
                Error::failed(
                    format!("Could not remove the worktree {name}."),
                    e.message(),
                )
            })?;
        }
        if let Ok(mut b) = main.find_branch(branch, BranchType::Local) {
            let tip = b.get().target();
            b.delete().map_err(|e| {
                Error::failed(
                    format!("Could not delete the branch {branch}."),
                    e.message(),
                )
            })?;
            if let (Some(tip), Some(repository_id)) = (tip, origin_id) {
                self.record_undo(&crate::store::git_undo::UndoRecord {
                    repository_id,
                    kind: "delete_branch".into(),
                    target: branch.to_string(),
                    summary: format!("Deletion of the sandbox branch {branch}"),
                    before_id: Some(tip.to_string()),
                    ..Default::default()
                })?;
            }
        }
        Ok(())
    }
}
