//! Local git operations through git2: stage, unstage, commit, log, and
//! branches. libgit2 runs no hooks, filters or fsmonitor, so none of these
//! can make the repository's own config run a program. Paths are relative
//! and checked like the file browser's; branch names like git's own
//! `check-ref-format`, and never starting with '-'.

use super::args;
use super::identity::Identity;
use crate::error::{Error, Result};
use crate::repos::RepoRegistry;
use crate::store::git_undo::UndoRecord;
use crate::store::Store;
use ai_desktop_api::git::{
    BranchInfo, CommitDetail, CommitFile, CommitInfo, DiffSide, FileDiff, GraphPage, LineAction,
    LinePick, RemoteInfo, RepoState, ResetMode, SignatureStatus, StashInfo, TagInfo, UndoEntry,
    WorkTreeState,
};
use git2::{BranchType, Repository, Signature};
use std::path::Path;
use std::sync::Arc;

pub struct GitOps {
    repos: Arc<RepoRegistry>,
    identity: Arc<Identity>,
    /// The page's undo log.
    store: Arc<Store>,
    /// The history graph last laid out (one repository's).
    graph: std::sync::Mutex<Option<super::graph::Layout>>,
}

fn git_error(what: &str, e: git2::Error) -> Error {
    match e.code() {
        git2::ErrorCode::NotFound => Error::NotFound(format!("{what}: {}", e.message())),
        git2::ErrorCode::Exists => Error::Conflict(format!("{what}: {}", e.message())),
        git2::ErrorCode::Conflict | git2::ErrorCode::Locked | git2::ErrorCode::Uncommitted => {
            Error::Conflict(format!("{what}: {}", e.message()))
        }
        _ => Error::failed(what, e.message()),
    }
}

fn check_branch(name: &str) -> Result<()> {
    args::branch(name)
}

/// The undo log's kinds that moved the current branch (their undo moves it
/// back; with [`RESET_HARD`] the files too).
const HEAD_MOVES: &[&str] = &[
    "commit",
    "amend",
    "reset",
    "merge",
    "rebase",
    "cherry_pick",
    "revert",
    "pull",
];

/// The undo log's `mode` of a hard reset (its undo moves the files too).
const RESET_HARD: u32 = 2;

/// Lines of a commit's diff shown at most (the rest is summarised).
const SHOW_MAX_LINES: usize = 20_000;
/// Files of a commit's diff listed at most.
const SHOW_MAX_FILES: usize = 1000;

fn delta_word(d: git2::Delta) -> &'static str {
    match d {
        git2::Delta::Added => "added",
        git2::Delta::Deleted => "deleted",
        git2::Delta::Renamed => "renamed",
        git2::Delta::Copied => "copied",
        git2::Delta::Typechange => "typechange",
        _ => "modified",
    }
}

/// The files with conflicts in the index, sorted.
pub(crate) fn conflicted(repo: &Repository) -> Vec<String> {
    let Ok(index) = repo.index() else {
        return Vec::new();
    };
    let Ok(conflicts) = index.conflicts() else {
        return Vec::new();
    };
    let mut files: Vec<String> = conflicts
        .flatten()
        .filter_map(|c| c.our.or(c.their).or(c.ancestor))
        .map(|e| String::from_utf8_lossy(&e.path).into_owned())
        .collect();
    files.sort();
    files.dedup();
    files
}

pub(crate) fn repo_state(repo: &Repository) -> RepoState {
    match repo.state() {
        git2::RepositoryState::Clean => RepoState::Clean,
        git2::RepositoryState::Merge => RepoState::Merge,
        git2::RepositoryState::Rebase
        | git2::RepositoryState::RebaseInteractive
        | git2::RepositoryState::RebaseMerge => RepoState::Rebase,
        git2::RepositoryState::CherryPick | git2::RepositoryState::CherryPickSequence => {
            RepoState::CherryPick
        }
        git2::RepositoryState::Revert | git2::RepositoryState::RevertSequence => RepoState::Revert,
        _ => RepoState::Other,
    }
}

fn commit_info(c: &git2::Commit<'_>) -> CommitInfo {
    let id = c.id().to_string();
    CommitInfo {
        short_id: id[..7.min(id.len())].to_string(),
        id,
        summary: c.summary().ok().flatten().unwrap_or("").to_string(),
        author: c.author().name().unwrap_or("").to_string(),
        email: c.author().email().unwrap_or("").to_string(),
        time: c.time().seconds(),
        parents: c.parent_ids().map(|p| p.to_string()).collect(),
    }
}

impl GitOps {
    pub fn new(repos: Arc<RepoRegistry>, identity: Arc<Identity>, store: Arc<Store>) -> GitOps {
        GitOps {
            repos,
            identity,
            store,
            graph: std::sync::Mutex::new(None),
        }
    }

    pub(crate) fn open_repo(&self, repository_id: i64) -> Result<Repository> {
        self.open(repository_id)
    }

    pub(crate) fn registry(&self) -> &RepoRegistry {
        &self.repos
    }

    /// Adds `record` to the Git page's undo log.
    pub(crate) fn record_undo(&self, record: &UndoRecord) -> Result<()> {
        self.store.push_git_undo(record).map(|_| ())
    }

    fn open(&self, repository_id: i64) -> Result<Repository> {
        let repo = self.repos.get(repository_id)?;
        Repository::open(&repo.path)
            .map_err(|_| Error::InvalidInput(format!("{} is not a git repository.", repo.name)))
    }

    fn paths(repo: &Repository, paths: &[String]) -> Result<Vec<std::path::PathBuf>> {
        if paths.is_empty() {
            return Err(Error::InvalidInput("No files were given.".into()));
        }
        let root = repo
            .workdir()
            .ok_or_else(|| Error::InvalidInput("A bare repository has no files.".into()))?;
        paths
            .iter()
            .map(|p| {
                let rel = crate::util::check_relative(p)?;
                if rel.as_os_str().is_empty() || rel.starts_with(".git") {
                    return Err(Error::Forbidden(format!(
                        "{p:?} is not a file of the repository."
                    )));
                }
                // A symlinked folder must not lead out of the work tree.
                if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
                    if let Ok(real) = std::fs::canonicalize(root.join(parent)) {
                        let top =
                            std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
                        if !real.starts_with(&top) {
                            return Err(Error::Forbidden(format!(
                                "{p:?} leads outside the repository."
                            )));
                        }
                    }
                }
                Ok(rel)
            })
            .collect()
    }

    pub fn stage(&self, repository_id: i64, paths: &[String]) -> Result<()> {
        let repo = self.open(repository_id)?;
        let rels = Self::paths(&repo, paths)?;
        let root = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
        let mut index = repo.index().map_err(|e| git_error("The index", e))?;
        for rel in &rels {
            if root.join(rel).symlink_metadata().is_ok() {
                index.add_path(rel).map_err(|e| git_error("Staging", e))?;
            } else {
                index
                    .remove_path(rel)
                    .map_err(|e| git_error("Staging a deletion", e))?;
            }
        }
        index.write().map_err(|e| git_error("Writing the index", e))
    }

    pub fn unstage(&self, repository_id: i64, paths: &[String]) -> Result<()> {
        let repo = self.open(repository_id)?;
        let rels = Self::paths(&repo, paths)?;
        let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let done = match head {
            Some(head) => repo
                .reset_default(Some(head.as_object()), rels.iter())
                .map_err(|e| git_error("Unstaging", e)),
            None => {
                // No commit yet: unstaging is taking it out of the index.
                let mut index = repo.index().map_err(|e| git_error("The index", e))?;
                for rel in &rels {
                    let _ = index.remove_path(rel);
                }
                index.write().map_err(|e| git_error("Writing the index", e))
            }
        };
        done
    }

    /// Stages, unstages or discards the picked lines of `path` (see
    /// [`super::lines`]); answers the file's diff on the side they were
    /// picked on.
    pub fn apply_lines(
        &self,
        repository_id: i64,
        path: &str,
        action: LineAction,
        pick: &LinePick,
        fingerprint: &str,
    ) -> Result<FileDiff> {
        let repo = self.open(repository_id)?;
        let rel = Self::paths(&repo, &[path.to_string()])?.remove(0);
        let applied = super::lines::apply(&repo, &rel, action, pick, fingerprint)?;
        if action == LineAction::Discard {
            let n = pick.old_lines.len() + pick.new_lines.len();
            let lines = if n == 1 { "line" } else { "lines" };
            self.remember_file(
                repository_id,
                "discard_lines",
                path,
                format!("Discard of {n} {lines} in {path}"),
                &applied,
            )?;
        }
        let side = match action {
            LineAction::Stage | LineAction::Discard => DiffSide::Unstaged,
            LineAction::Unstage => DiffSide::Staged,
        };
        let root = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
        super::diff::file(&root, path, side)
    }

    fn remember_file(
        &self,
        repository_id: i64,
        kind: &str,
        path: &str,
        summary: String,
        applied: &super::lines::Applied,
    ) -> Result<()> {
        self.store.push_git_undo(&UndoRecord {
            repository_id,
            kind: kind.into(),
            target: path.to_string(),
            summary,
            before_id: applied.before.map(|o| o.to_string()),
            after_id: applied.after.map(|o| o.to_string()),
            mode: applied.mode,
            ..Default::default()
        })?;
        Ok(())
    }

    /// Remembers that the ref HEAD names moved from `before` to `after`.
    fn remember_head_move(
        &self,
        repository_id: i64,
        repo: &Repository,
        kind: &str,
        summary: String,
        before: Option<git2::Oid>,
        after: git2::Oid,
    ) -> Result<()> {
        self.remember_head_move_as(repository_id, repo, kind, summary, before, after, 0)
    }

    /// [`Self::remember_head_move`] with `mode` kept (a reset's: 2 is hard).
    #[allow(clippy::too_many_arguments)]
    fn remember_head_move_as(
        &self,
        repository_id: i64,
        repo: &Repository,
        kind: &str,
        summary: String,
        before: Option<git2::Oid>,
        after: git2::Oid,
        mode: u32,
    ) -> Result<()> {
        let target = repo
            .find_reference("HEAD")
            .ok()
            .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string))
            .unwrap_or_else(|| "HEAD".to_string());
        self.store.push_git_undo(&UndoRecord {
            repository_id,
            kind: kind.into(),
            target,
            summary,
            before_id: before.map(|o| o.to_string()),
            after_id: Some(after.to_string()),
            mode,
            ..Default::default()
        })?;
        Ok(())
    }

    /// Records a merge, rebase, cherry-pick, revert or pull (`kind`) that
    /// moved the current branch from `before` to `after`, files and all:
    /// its undo takes both back, and is refused while there are
    /// uncommitted changes (they would be lost).
    pub fn remember_join(
        &self,
        repository_id: i64,
        kind: &str,
        summary: String,
        before: git2::Oid,
        after: git2::Oid,
    ) -> Result<()> {
        let repo = self.open(repository_id)?;
        self.remember_head_move_as(
            repository_id,
            &repo,
            kind,
            summary,
            Some(before),
            after,
            RESET_HARD,
        )
    }

    /// Throws away `path`'s unstaged changes (see [`super::lines::discard_file`]).
    pub fn discard_file(&self, repository_id: i64, path: &str) -> Result<()> {
        let repo = self.open(repository_id)?;
        let rel = Self::paths(&repo, &[path.to_string()])?.remove(0);
        let applied = super::lines::discard_file(&repo, &rel)?;
        let summary = if applied.after.is_none() {
            format!("Removal of {path}")
        } else {
            format!("Discard of the changes to {path}")
        };
        self.remember_file(repository_id, "discard_file", path, summary, &applied)
    }

    /// The branch state of each of `ids` for the Repositories list.
    pub fn summaries(&self, ids: &[i64]) -> Result<Vec<ai_desktop_api::git::GitSummary>> {
        if ids.len() > 100 {
            return Err(Error::InvalidInput(
                "Ask for at most 100 repositories at once.".into(),
            ));
        }
        let mut out = Vec::new();
        for &id in ids {
            let Ok(registered) = self.repos.get(id) else {
                continue;
            };
            let Ok(repo) = Repository::open(&registered.path) else {
                continue;
            };
            let Ok(changes) = super::changes::read(Path::new(&registered.path)) else {
                continue;
            };
            let (mut upstream, mut ahead, mut behind) = (None, 0, 0);
            if let Some(head) = repo.head().ok().filter(|h| h.is_branch()) {
                let name = head
                    .shorthand()
                    .ok()
                    .map(str::to_string)
                    .unwrap_or_default();
                if let Ok(branch) = repo.find_branch(&name, BranchType::Local) {
                    if let Ok(up) = branch.upstream() {
                        upstream = up.name().ok().flatten().map(str::to_string);
                        if let (Some(a), Some(b)) = (branch.get().target(), up.get().target()) {
                            if let Ok((x, y)) = repo.graph_ahead_behind(a, b) {
                                (ahead, behind) = (x as u32, y as u32);
                            }
                        }
                    }
                }
            }
            out.push(ai_desktop_api::git::GitSummary {
                repository_id: id,
                upstream,
                ahead,
                behind,
                counts: changes.counts,
            });
        }
        Ok(out)
    }

    /// What is staged as a unified diff (HEAD → index), cut at `max` bytes
    /// (binary files named, not shown).
    pub fn staged_patch(&self, repository_id: i64, max: usize) -> Result<String> {
        let repo = self.open(repository_id)?;
        let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let diff = repo.diff_tree_to_index(head.as_ref(), None, None)?;
        let mut out = String::new();
        let mut cut = false;
        diff.print(git2::DiffFormat::Patch, |_, _, line| {
            if out.len() >= max {
                cut = true;
                return false;
            }
            let origin = line.origin();
            if matches!(origin, '+' | '-' | ' ') {
                out.push(origin);
            }
            out.push_str(&String::from_utf8_lossy(line.content()));
            true
        })
        .or_else(|e| if cut { Ok(()) } else { Err(e) })?;
        if cut {
            out.push_str("\n[… the rest of the diff is left out]\n");
        }
        Ok(out)
    }

    /// The newest undoable operation on `repository_id`.
    /// Only offered while it can still be undone (the file, ref or branch
    /// is as the operation left it); an older entry is not offered past a
    /// newer one.
    pub fn last_undo(&self, repository_id: i64) -> Result<Option<UndoEntry>> {
        self.repos.get(repository_id)?;
        let repo = self.open(repository_id)?;
        let record = self
            .store
            .last_git_undo(repository_id)?
            .filter(|r| undoable(&repo, r));
        Ok(record.map(|r| UndoEntry {
            id: r.id,
            kind: r.kind,
            target: r.target,
            summary: r.summary,
            created_at: r.created_at,
        }))
    }

    /// Undoes operation `id`, which must be the newest: the file gets its
    /// old bytes back if it is still what the operation left. Answers the
    /// operation before it.
    pub fn undo(&self, repository_id: i64, id: i64) -> Result<Option<UndoEntry>> {
        let repo = self.open(repository_id)?;
        let record = self
            .store
            .last_git_undo(repository_id)?
            .filter(|r| r.id == id)
            .ok_or_else(|| {
                Error::Conflict(
                    "That is no longer the last operation; look at the page again.".into(),
                )
            })?;
        let parse = |s: &Option<String>| -> Result<Option<git2::Oid>> {
            s.as_deref()
                .map(|s| {
                    git2::Oid::from_str(s).map_err(|e| Error::failed("The undo log is damaged.", e))
                })
                .transpose()
        };
        let ids = || -> Result<_> { Ok((parse(&record.before_id)?, parse(&record.after_id)?)) };
        match record.kind.as_str() {
            "discard_lines" | "discard_file" => {
                let (before, after) = ids()?;
                let rel = Self::paths(&repo, std::slice::from_ref(&record.target))?.remove(0);
                super::lines::restore(&repo, &rel, before, after, record.mode)?;
            }
            kind if HEAD_MOVES.contains(&kind) => {
                let (before, after) = ids()?;
                if repo.state() != git2::RepositoryState::Clean {
                    return Err(Error::Conflict(
                        "A merge or rebase is under way; finish or abort it first.".into(),
                    ));
                }
                // The files follow the branch back when the operation moved
                // them (a hard reset, a merge, a rebase …); not over edits
                // made since, which would be lost. A soft or mixed reset's
                // undo leaves the files as they are.
                if record.mode == RESET_HARD {
                    let dirty = repo
                        .statuses(Some(git2::StatusOptions::new().include_untracked(false)))
                        .map(|s| !s.is_empty())
                        .unwrap_or(true);
                    if dirty {
                        return Err(Error::Conflict(format!(
                            "There are uncommitted changes; commit or stash them before undoing the {}.",
                            match kind {
                                "reset" => "hard reset",
                                "cherry_pick" => "cherry-pick",
                                other => other,
                            }
                        )));
                    }
                }
                undo_head_move(&repo, &record.target, before, after)?;
                if record.mode == RESET_HARD {
                    let head = repo.head()?.peel_to_commit()?;
                    repo.reset(head.as_object(), git2::ResetType::Hard, None)?;
                }
            }
            "stash_drop" => {
                let (before, _) = ids()?;
                let id = before.ok_or_else(|| {
                    Error::failed("The undo log is damaged.", "a stash drop without its id")
                })?;
                // As `git stash store` does: the stash's commit back on top
                // of the list (the list is refs/stash's reflog).
                repo.reference_ensure_log("refs/stash")
                    .and_then(|_| repo.reference("refs/stash", id, true, &record.target))
                    .map_err(|e| git_error("Putting the stash back", e))?;
            }
            "rename_branch" => {
                let old = record.before_id.as_deref().unwrap_or_default();
                self.rename_back(&repo, &record.target, old)?;
            }
            "delete_branch" => {
                let (before, _) = ids()?;
                let tip = before
                    .and_then(|id| repo.find_commit(id).ok())
                    .ok_or_else(|| {
                        Error::NotFound(format!(
                            "The last commit of {} is gone from the repository.",
                            record.target
                        ))
                    })?;
                repo.branch(&record.target, &tip, false).map_err(|e| {
                    git_error(&format!("Bringing back the branch {}", record.target), e)
                })?;
            }
            other => {
                return Err(Error::failed(
                    "The undo log is damaged.",
                    format!("unknown kind {other}"),
                ))
            }
        }
        self.store.delete_git_undo(record.id)?;
        self.last_undo(repository_id)
    }

    /// The author: the repository's own `user.name`/`user.email` if it sets
    /// them, else the identity of the Git page.
    fn signature(&self, repo: &Repository) -> Result<Signature<'static>> {
        let local = repo
            .config()
            .ok()
            .and_then(|c| c.open_level(git2::ConfigLevel::Local).ok());
        let get = |k: &str| local.as_ref().and_then(|c| c.get_string(k).ok());
        let global = self.identity.get()?;
        let name = get("user.name").or(global.name);
        let email = get("user.email").or(global.email);
        match (name, email) {
            (Some(n), Some(e)) => Signature::now(&n, &e).map_err(|e| git_error("The author", e)),
            _ => Err(Error::InvalidInput(
                "Set your name and email on the Git page first: commits need an author.".into(),
            )),
        }
    }

    pub fn commit(&self, repository_id: i64, message: &str) -> Result<CommitInfo> {
        let message = message.trim();
        if message.is_empty() {
            return Err(Error::InvalidInput("A commit needs a message.".into()));
        }
        let mut repo = self.open(repository_id)?;
        // Concluding a merge stopped on conflicts: its other side is a parent too.
        let merging = repo.state() == git2::RepositoryState::Merge;
        let mut merge_heads = Vec::new();
        if merging {
            repo.mergehead_foreach(|id| {
                merge_heads.push(*id);
                true
            })
            .map_err(|e| git_error("The merge", e))?;
        }
        let repo = repo;
        let sig = self.signature(&repo)?;
        let tree = staged_tree(&repo)?;
        let tree_id = tree.id();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        if !merging && parent.as_ref().is_some_and(|p| p.tree_id() == tree_id) {
            return Err(Error::InvalidInput(
                "Nothing is staged: stage the files to commit first.".into(),
            ));
        }
        let merged: Vec<git2::Commit<'_>> = merge_heads
            .into_iter()
            .map(|id| repo.find_commit(id))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| git_error("The merged commit", e))?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().chain(merged.iter()).collect();
        let id = repo
            .commit(
                Some("HEAD"),
                &sig,
                &sig,
                &format!("{message}\n"),
                &tree,
                &parents,
            )
            .map_err(|e| git_error("Committing", e))?;
        // Concluding a merge, cherry-pick or revert stopped on conflicts.
        let picking = matches!(
            repo.state(),
            git2::RepositoryState::CherryPick | git2::RepositoryState::Revert
        );
        if !merged.is_empty() || picking {
            repo.cleanup_state()
                .map_err(|e| git_error("Finishing the merge", e))?;
        }
        let c = repo
            .find_commit(id)
            .map_err(|e| git_error("The new commit", e))?;
        let info = commit_info(&c);
        if merged.is_empty() {
            self.remember_head_move(
                repository_id,
                &repo,
                "commit",
                format!("Commit {} “{}”", info.short_id, info.summary),
                parent.map(|p| p.id()),
                id,
            )?;
        } else if let Some(parent) = parent {
            // A merge concluded after its conflicts: its undo takes the
            // branch and the files back to before the merge (a soft move
            // would leave the merge's changes staged without its state).
            self.remember_head_move_as(
                repository_id,
                &repo,
                "merge",
                format!("Merge commit {} “{}”", info.short_id, info.summary),
                Some(parent.id()),
                id,
                RESET_HARD,
            )?;
        }
        Ok(info)
    }

    /// Commits what is staged the way `git commit` does in a repository
    /// the user trusts: its hooks run (unless `skip_hooks`) and it signs as
    /// the user's config says; a hook that fails stops it, and its output
    /// is the error's detail. Refused for a repository not marked trusted.
    /// Blocking, inside a tokio runtime (it waits for git).
    pub fn commit_trusted(
        &self,
        repository_id: i64,
        message: &str,
        skip_hooks: bool,
    ) -> Result<CommitInfo> {
        let registered = self.repos.get(repository_id)?;
        if !registered.trusted {
            return Err(Error::Forbidden(format!(
                "{} is not trusted: its hooks and signing do not run from here.",
                registered.name
            )));
        }
        let message = message.trim();
        if message.is_empty() {
            return Err(Error::InvalidInput("A commit needs a message.".into()));
        }
        let repo = self.open(repository_id)?;
        let before = repo.head().ok().and_then(|h| h.target());
        let dir = repo
            .workdir()
            .ok_or_else(|| Error::InvalidInput("A bare repository has no files.".into()))?
            .to_path_buf();
        let home = self.identity.home().to_path_buf();
        let out = tokio::runtime::Handle::current().block_on(super::cli::commit_trusted(
            &home,
            &dir,
            message,
            skip_hooks,
            std::time::Duration::from_secs(600),
        ))?;
        let repo = self.open(repository_id)?;
        let after = repo.head().ok().and_then(|h| h.target());
        if !out.ok() || after == before {
            let said = format!("{}\n{}", out.stderr.trim(), out.stdout.trim());
            let tail: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
            let tail = tail[tail.len().saturating_sub(40)..].join("\n");
            if tail.contains("nothing to commit") || tail.contains("no changes added") {
                return Err(Error::InvalidInput(
                    "Nothing is staged: stage the files to commit first.".into(),
                ));
            }
            // The last thing said (a hook's reason) in the message, all of it below.
            let last = tail.lines().last().unwrap_or("no reason given").to_string();
            return Err(Error::Failed {
                message: format!("The commit was stopped (by a hook, or by signing): {last}"),
                detail: Some(tail),
            });
        }
        let id = after.expect("moved");
        let c = repo
            .find_commit(id)
            .map_err(|e| git_error("The new commit", e))?;
        let info = commit_info(&c);
        if c.parent_count() <= 1 {
            self.remember_head_move(
                repository_id,
                &repo,
                "commit",
                format!("Commit {} “{}”", info.short_id, info.summary),
                before,
                id,
            )?;
        }
        Ok(info)
    }

    /// Whether commit `id` is signed and, in a trusted repository, whether
    /// the signature verifies (checking runs gpg or ssh-keygen as the
    /// repository's config says, so only there).
    pub fn signature_status(&self, repository_id: i64, id: &str) -> Result<SignatureStatus> {
        let registered = self.repos.get(repository_id)?;
        let repo = self.open(repository_id)?;
        let oid = git2::Oid::from_str(id)
            .map_err(|_| Error::InvalidInput(format!("\"{id}\" is not a commit id.")))?;
        let signed = repo.extract_signature(&oid, None).is_ok();
        if !signed {
            return Ok(SignatureStatus::Unsigned);
        }
        if !registered.trusted {
            return Ok(SignatureStatus::SignedUnchecked);
        }
        let dir = repo.workdir().unwrap_or(repo.path()).to_path_buf();
        let out = std::process::Command::new(super::cli::program()?)
            .args(["log", "-1", "--format=%G?%x00%GS", &oid.to_string(), "--"])
            .current_dir(&dir)
            .env_clear()
            .envs(crate::procs::user_env())
            .env("HOME", self.identity.home())
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| Error::failed("Could not check the signature.", e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let (code, signer) = text.trim().split_once('\0').unwrap_or((text.trim(), ""));
        Ok(match code {
            "G" => SignatureStatus::Verified {
                signer: signer.to_string(),
            },
            _ => SignatureStatus::Unverified {
                reason: match code {
                    "B" => "a bad signature",
                    "U" | "X" | "Y" | "R" => "the key is not trusted, expired or revoked",
                    "E" => "the signature cannot be checked (no key or no program)",
                    _ => "the signature could not be checked",
                }
                .to_string(),
            },
        })
    }

    /// Replaces the last commit with one of the index as it is now, its
    /// author kept and the committer the page's identity; an empty
    /// `message` keeps the old message.
    pub fn amend(&self, repository_id: i64, message: &str) -> Result<CommitInfo> {
        let repo = self.open(repository_id)?;
        if repo.state() != git2::RepositoryState::Clean {
            return Err(Error::Conflict(
                "A merge or rebase is under way; finish or abort it first.".into(),
            ));
        }
        let head = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .ok_or_else(|| Error::InvalidInput("There is no commit to amend yet.".into()))?;
        let sig = self.signature(&repo)?;
        let tree = staged_tree(&repo)?;
        let tree_id = tree.id();
        let message = message.trim();
        let message = (!message.is_empty()).then(|| format!("{message}\n"));
        if message.is_none() && tree_id == head.tree_id() {
            return Err(Error::InvalidInput(
                "Nothing to amend: stage changes or write a new message.".into(),
            ));
        }
        let id = head
            .amend(
                Some("HEAD"),
                None,
                Some(&sig),
                None,
                message.as_deref(),
                Some(&tree),
            )
            .map_err(|e| git_error("Amending", e))?;
        let c = repo
            .find_commit(id)
            .map_err(|e| git_error("The new commit", e))?;
        let info = commit_info(&c);
        let old = head.id().to_string();
        self.remember_head_move(
            repository_id,
            &repo,
            "amend",
            format!("Amend of {} into {}", &old[..7], info.short_id),
            Some(head.id()),
            id,
        )?;
        Ok(info)
    }

    pub fn log(&self, repository_id: i64, limit: u32) -> Result<Vec<CommitInfo>> {
        let repo = self.open(repository_id)?;
        if repo.head().is_err() {
            return Ok(Vec::new()); // no commit yet
        }
        let mut walk = repo.revwalk().map_err(|e| git_error("The log", e))?;
        walk.push_head().map_err(|e| git_error("The log", e))?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
            .map_err(|e| git_error("The log", e))?;
        walk.take(limit.clamp(1, 1000) as usize)
            .map(|id| {
                let id = id.map_err(|e| git_error("The log", e))?;
                let c = repo.find_commit(id).map_err(|e| git_error("A commit", e))?;
                Ok(commit_info(&c))
            })
            .collect()
    }

    /// A page of the history graph (see [`super::graph`]).
    pub fn graph(&self, repository_id: i64, offset: u32, limit: u32) -> Result<GraphPage> {
        let repo = self.open(repository_id)?;
        let mut cache = crate::util::lock(&self.graph);
        super::graph::page(&mut cache, &repo, repository_id, offset, limit, commit_info)
    }

    /// Who last changed each line of `path` (its working copy).
    pub fn blame(&self, repository_id: i64, path: &str) -> Result<ai_desktop_api::git::Blame> {
        let repo = self.open(repository_id)?;
        let rel = Self::paths(&repo, &[path.to_string()])?.remove(0);
        let root = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
        super::blame::blame(&root, &rel)
    }

    /// Commits of the repository matching `q` (newest first, at most 200).
    pub fn search_history(
        &self,
        repository_id: i64,
        q: &ai_desktop_api::git::HistoryQuery,
    ) -> Result<Vec<CommitInfo>> {
        let repo = self.open(repository_id)?;
        let root = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
        super::blame::search(&root, q)
    }

    /// The commits that changed `path`, following renames, newest first.
    pub fn file_history(
        &self,
        repository_id: i64,
        path: &str,
        limit: u32,
    ) -> Result<Vec<CommitInfo>> {
        let repo = self.open(repository_id)?;
        let rel = Self::paths(&repo, &[path.to_string()])?.remove(0);
        let root = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
        super::blame::file_history(&root, &rel, limit)
    }

    /// The memory the laid-out graph holds (none when forgotten).
    pub fn graph_bytes(&self) -> usize {
        crate::util::lock(&self.graph)
            .as_ref()
            .map_or(0, super::graph::Layout::bytes)
    }

    /// Forgets the laid-out graph (the Git page is closed).
    pub fn forget_graph(&self) {
        *crate::util::lock(&self.graph) = None;
    }

    pub fn branches(&self, repository_id: i64) -> Result<Vec<BranchInfo>> {
        let repo = self.open(repository_id)?;
        let mut out = Vec::new();
        for b in repo
            .branches(Some(BranchType::Local))
            .map_err(|e| git_error("The branches", e))?
            .flatten()
        {
            let (branch, _) = b;
            let Some(name) = branch.name().ok().flatten().map(str::to_string) else {
                continue;
            };
            let tip = branch.get().target();
            let upstream = branch.upstream().ok();
            let (ahead, behind) = match (tip, upstream.as_ref().and_then(|u| u.get().target())) {
                (Some(a), Some(b)) => repo.graph_ahead_behind(a, b).unwrap_or((0, 0)),
                _ => (0, 0),
            };
            out.push(BranchInfo {
                current: branch.is_head(),
                upstream: upstream.and_then(|u| u.name().ok().flatten().map(str::to_string)),
                ahead,
                behind,
                tip: tip.map(|t| t.to_string()).unwrap_or_default(),
                name,
            });
        }
        out.sort_by(|a, b| b.current.cmp(&a.current).then(a.name.cmp(&b.name)));
        Ok(out)
    }

    pub fn create_branch(
        &self,
        repository_id: i64,
        name: &str,
        checkout: bool,
    ) -> Result<Vec<BranchInfo>> {
        check_branch(name)?;
        let repo = self.open(repository_id)?;
        let head = repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|_| Error::InvalidInput("Make a first commit before branching.".into()))?;
        repo.branch(name, &head, false)
            .map_err(|e| git_error(&format!("Creating {name}"), e))?;
        if checkout {
            return self.switch_branch(repository_id, name);
        }
        self.branches(repository_id)
    }

    /// Renames a local branch (the current one too; HEAD follows). An
    /// existing `new_name` is refused; the upstream setting moves with it.
    pub fn rename_branch(
        &self,
        repository_id: i64,
        name: &str,
        new_name: &str,
    ) -> Result<Vec<BranchInfo>> {
        check_branch(name)?;
        check_branch(new_name)?;
        if name == new_name {
            return Err(Error::InvalidInput("That is its name already.".into()));
        }
        let repo = self.open(repository_id)?;
        let mut branch = repo
            .find_branch(name, BranchType::Local)
            .map_err(|e| git_error(&format!("The branch {name}"), e))?;
        if repo.find_branch(new_name, BranchType::Local).is_ok() {
            return Err(Error::Conflict(format!(
                "A branch named {new_name} exists already; nothing was renamed."
            )));
        }
        branch
            .rename(new_name, false)
            .map_err(|e| git_error(&format!("Renaming {name}"), e))?;
        self.store.push_git_undo(&UndoRecord {
            repository_id,
            kind: "rename_branch".into(),
            target: new_name.to_string(),
            summary: format!("Rename of {name} to {new_name}"),
            before_id: Some(name.to_string()),
            ..Default::default()
        })?;
        self.branches(repository_id)
    }

    fn rename_back(&self, repo: &Repository, name: &str, old: &str) -> Result<()> {
        check_branch(old)?;
        let mut branch = repo.find_branch(name, BranchType::Local).map_err(|_| {
            Error::Conflict(format!(
                "There is no branch {name} any more; nothing was undone."
            ))
        })?;
        if repo.find_branch(old, BranchType::Local).is_ok() {
            return Err(Error::Conflict(format!(
                "A branch named {old} exists again; nothing was undone."
            )));
        }
        branch
            .rename(old, false)
            .map_err(|e| git_error(&format!("Renaming {name} back"), e))?;
        Ok(())
    }

    /// Checks `name` out; local changes it would overwrite stop it (nothing is lost).
    pub fn switch_branch(&self, repository_id: i64, name: &str) -> Result<Vec<BranchInfo>> {
        check_branch(name)?;
        let repo = self.open(repository_id)?;
        let branch = repo
            .find_branch(name, BranchType::Local)
            .map_err(|e| git_error(&format!("The branch {name}"), e))?;
        let refname = branch
            .get()
            .name()
            .map_err(|_| Error::InvalidInput("That branch name is not UTF-8.".into()))?
            .to_string();
        let target = branch
            .get()
            .peel_to_tree()
            .map_err(|e| git_error(&format!("The branch {name}"), e))?;
        let mut opts = git2::build::CheckoutBuilder::new();
        opts.safe();
        repo.checkout_tree(target.as_object(), Some(&mut opts))
            .map_err(|e| match e.code() {
                git2::ErrorCode::Conflict => Error::Conflict(format!(
                    "Switching to {name} would overwrite local changes; commit or stash them first."
                )),
                _ => git_error(&format!("Switching to {name}"), e),
            })?;
        repo.set_head(&refname)
            .map_err(|e| git_error(&format!("Switching to {name}"), e))?;
        self.branches(repository_id)
    }

    pub fn delete_branch(&self, repository_id: i64, name: &str) -> Result<Vec<BranchInfo>> {
        check_branch(name)?;
        let repo = self.open(repository_id)?;
        let mut branch = repo
            .find_branch(name, BranchType::Local)
            .map_err(|e| git_error(&format!("The branch {name}"), e))?;
        if branch.is_head() {
            return Err(Error::Conflict(format!(
                "{name} is checked out; switch to another branch first."
            )));
        }
        let tip = branch.get().target();
        let head = repo.head().ok().and_then(|h| h.target());
        if let (Some(tip), Some(head)) = (tip, head) {
            let merged = tip == head || repo.graph_descendant_of(head, tip).unwrap_or(false);
            if !merged {
                return Err(Error::Conflict(format!(
                    "{name} has commits the current branch does not have; merge it first (nothing was deleted)."
                )));
            }
        }
        branch
            .delete()
            .map_err(|e| git_error(&format!("Deleting {name}"), e))?;
        if let Some(tip) = tip {
            self.store.push_git_undo(&UndoRecord {
                repository_id,
                kind: "delete_branch".into(),
                target: name.to_string(),
                summary: format!("Deletion of the branch {name}"),
                before_id: Some(tip.to_string()),
                ..Default::default()
            })?;
        }
        self.branches(repository_id)
    }

    /// What is under way (a merge or rebase stopped on conflicts).
    pub fn state(&self, repository_id: i64) -> Result<WorkTreeState> {
        let repo = self.open(repository_id)?;
        Ok(WorkTreeState {
            state: repo_state(&repo),
            conflicted: conflicted(&repo),
        })
    }

    // ---- stash ----

    pub fn stashes(&self, repository_id: i64) -> Result<Vec<StashInfo>> {
        let mut repo = self.open(repository_id)?;
        let mut out = Vec::new();
        repo.stash_foreach(|index, message, id| {
            out.push(StashInfo {
                index,
                message: message.to_string(),
                id: id.to_string(),
            });
            true
        })
        .map_err(|e| git_error("The stash list", e))?;
        Ok(out)
    }

    /// Stashes the uncommitted changes (untracked files too if asked).
    pub fn stash_push(
        &self,
        repository_id: i64,
        message: &str,
        include_untracked: bool,
    ) -> Result<Vec<StashInfo>> {
        let mut repo = self.open(repository_id)?;
        let sig = self.signature(&repo)?;
        let message = message.trim();
        let flags = if include_untracked {
            git2::StashFlags::INCLUDE_UNTRACKED
        } else {
            git2::StashFlags::DEFAULT
        };
        repo.stash_save2(&sig, (!message.is_empty()).then_some(message), Some(flags))
            .map_err(|e| match e.code() {
                git2::ErrorCode::NotFound => {
                    Error::InvalidInput("There are no local changes to stash.".into())
                }
                _ => git_error("Stashing", e),
            })?;
        self.stashes(repository_id)
    }

    fn check_stash(repo: &mut Repository, index: usize) -> Result<()> {
        let mut count = 0;
        repo.stash_foreach(|_, _, _| {
            count += 1;
            true
        })
        .map_err(|e| git_error("The stash list", e))?;
        if index >= count {
            return Err(Error::NotFound(format!("There is no stash {index}.")));
        }
        Ok(())
    }

    /// Applies a stash (kept in the list; `drop` removes it). Refused, with
    /// nothing changed, when it would overwrite local changes.
    pub fn stash_apply(
        &self,
        repository_id: i64,
        index: usize,
        pop: bool,
    ) -> Result<Vec<StashInfo>> {
        let mut repo = self.open(repository_id)?;
        Self::check_stash(&mut repo, index)?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.safe();
        let mut opts = git2::StashApplyOptions::new();
        opts.checkout_options(checkout).reinstantiate_index();
        let done = if pop {
            repo.stash_pop(index, Some(&mut opts))
        } else {
            repo.stash_apply(index, Some(&mut opts))
        };
        done.map_err(|e| match e.code() {
            git2::ErrorCode::Conflict | git2::ErrorCode::MergeConflict => Error::Conflict(
                "Applying the stash would overwrite local changes; commit or stash them first (nothing was changed).".into(),
            ),
            _ => git_error("Applying the stash", e),
        })?;
        self.stashes(repository_id)
    }

    pub fn stash_drop(&self, repository_id: i64, index: usize) -> Result<Vec<StashInfo>> {
        let mut repo = self.open(repository_id)?;
        Self::check_stash(&mut repo, index)?;
        let mut dropped = None;
        repo.stash_foreach(|i, message, id| {
            if i == index {
                dropped = Some((message.to_string(), *id));
            }
            i < index
        })
        .map_err(|e| git_error("The stash list", e))?;
        repo.stash_drop(index)
            .map_err(|e| git_error("Dropping the stash", e))?;
        if let Some((message, id)) = dropped {
            // Its commit stays in the object store until git prunes it.
            self.store.push_git_undo(&UndoRecord {
                repository_id,
                kind: "stash_drop".into(),
                target: message.clone(),
                summary: format!("Drop of the stash “{message}”"),
                before_id: Some(id.to_string()),
                after_id: None,
                ..Default::default()
            })?;
        }
        self.stashes(repository_id)
    }

    // ---- tags ----

    pub fn tags(&self, repository_id: i64) -> Result<Vec<TagInfo>> {
        let repo = self.open(repository_id)?;
        let names = repo.tag_names(None).map_err(|e| git_error("The tags", e))?;
        let mut out = Vec::new();
        for name in names.iter().flatten().flatten() {
            let Ok(reference) = repo.find_reference(&format!("refs/tags/{name}")) else {
                continue;
            };
            let message = reference
                .peel_to_tag()
                .ok()
                .and_then(|t| t.message().ok().flatten().map(|m| m.trim().to_string()));
            let target = reference
                .peel_to_commit()
                .map(|c| c.id().to_string())
                .unwrap_or_default();
            out.push(TagInfo {
                name: name.to_string(),
                target,
                message,
            });
        }
        Ok(out)
    }

    /// Tags HEAD; with a message the tag is annotated. Never moves an existing tag.
    pub fn create_tag(
        &self,
        repository_id: i64,
        name: &str,
        message: &str,
    ) -> Result<Vec<TagInfo>> {
        args::tag(name)?;
        let repo = self.open(repository_id)?;
        let head = repo
            .head()
            .and_then(|h| h.peel(git2::ObjectType::Commit))
            .map_err(|_| Error::InvalidInput("Make a first commit before tagging.".into()))?;
        let message = message.trim();
        let made = if message.is_empty() {
            repo.tag_lightweight(name, &head, false)
        } else {
            let sig = self.signature(&repo)?;
            repo.tag(name, &head, &sig, &format!("{message}\n"), false)
        };
        made.map_err(|e| git_error(&format!("Tagging {name}"), e))?;
        self.tags(repository_id)
    }

    pub fn delete_tag(&self, repository_id: i64, name: &str) -> Result<Vec<TagInfo>> {
        args::tag(name)?;
        let repo = self.open(repository_id)?;
        repo.tag_delete(name)
            .map_err(|e| git_error(&format!("The tag {name}"), e))?;
        self.tags(repository_id)
    }

    // ---- remotes ----

    pub fn remotes(&self, repository_id: i64) -> Result<Vec<RemoteInfo>> {
        let repo = self.open(repository_id)?;
        let names = repo.remotes().map_err(|e| git_error("The remotes", e))?;
        let mut out = Vec::new();
        for name in names.iter().flatten().flatten() {
            let url = repo
                .find_remote(name)
                .ok()
                .and_then(|r| r.url().ok().map(str::to_string))
                .unwrap_or_default();
            out.push(RemoteInfo {
                name: name.to_string(),
                url: crate::repos::detect::redact_credentials(&url),
            });
        }
        Ok(out)
    }

    pub fn add_remote(&self, repository_id: i64, name: &str, url: &str) -> Result<Vec<RemoteInfo>> {
        let name = args::remote_name(name)?;
        let url = args::url(url)?;
        let repo = self.open(repository_id)?;
        repo.remote(&name, &url)
            .map_err(|e| git_error(&format!("Adding the remote {name}"), e))?;
        self.remotes(repository_id)
    }

    pub fn remove_remote(&self, repository_id: i64, name: &str) -> Result<Vec<RemoteInfo>> {
        let name = args::remote_name(name)?;
        let repo = self.open(repository_id)?;
        repo.find_remote(&name)
            .map_err(|e| git_error(&format!("The remote {name}"), e))?;
        repo.remote_delete(&name)
            .map_err(|e| git_error(&format!("Removing the remote {name}"), e))?;
        self.remotes(repository_id)
    }

    // ---- show ----

    /// A commit (full 40-hex id) with its message and diff against its first parent.
    pub fn show(&self, repository_id: i64, id: &str) -> Result<CommitDetail> {
        if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidInput(format!(
                "\"{id}\" is not a commit id (40 hexadecimal characters)."
            )));
        }
        let repo = self.open(repository_id)?;
        let oid = git2::Oid::from_str(id).map_err(|e| git_error("The commit id", e))?;
        let commit = repo
            .find_commit(oid)
            .map_err(|e| git_error(&format!("The commit {id}"), e))?;
        let tree = commit
            .tree()
            .map_err(|e| git_error("The commit's files", e))?;
        let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let mut opts = git2::DiffOptions::new();
        opts.context_lines(3)
            .max_size(super::diff::MAX_FILE_BYTES as i64);
        let mut diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
            .map_err(|e| git_error("The commit's diff", e))?;
        diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))
            .map_err(|e| git_error("The commit's diff", e))?;
        let mut files = Vec::new();
        let mut lines = 0usize;
        let mut truncated = false;
        for i in 0..diff.deltas().len() {
            if files.len() >= SHOW_MAX_FILES {
                truncated = true;
                break;
            }
            let delta = diff.get_delta(i).expect("index in range");
            let path = delta
                .new_file()
                .path()
                .or(delta.old_file().path())
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let binary = delta.new_file().is_binary() || delta.old_file().is_binary();
            let mut patch_text = String::new();
            if !binary && lines < SHOW_MAX_LINES {
                if let Ok(Some(mut patch)) = git2::Patch::from_diff(&diff, i) {
                    if let Ok(buf) = patch.to_buf() {
                        let text = String::from_utf8_lossy(&buf);
                        for line in text.lines() {
                            if lines >= SHOW_MAX_LINES {
                                truncated = true;
                                break;
                            }
                            patch_text.push_str(line);
                            patch_text.push('\n');
                            lines += 1;
                        }
                    }
                }
            } else if !binary {
                truncated = true;
            }
            files.push(CommitFile {
                path,
                status: delta_word(delta.status()).to_string(),
                patch: patch_text,
                binary,
            });
        }
        Ok(CommitDetail {
            commit: commit_info(&commit),
            message: commit.message().ok().unwrap_or("").to_string(),
            files,
            truncated,
        })
    }

    // ---- reset ----

    /// Moves the current branch to `id` (a commit of its history or any
    /// commit). `hard` discards uncommitted changes: the UI confirms first.
    pub fn reset(&self, repository_id: i64, id: &str, mode: ResetMode) -> Result<Vec<CommitInfo>> {
        if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidInput(format!(
                "\"{id}\" is not a commit id (40 hexadecimal characters)."
            )));
        }
        let repo = self.open(repository_id)?;
        if repo.state() != git2::RepositoryState::Clean {
            return Err(Error::Conflict(
                "A merge or rebase is under way; finish or abort it first.".into(),
            ));
        }
        let oid = git2::Oid::from_str(id).map_err(|e| git_error("The commit id", e))?;
        let target = repo
            .find_commit(oid)
            .map_err(|e| git_error(&format!("The commit {id}"), e))?;
        let kind = match mode {
            ResetMode::Soft => git2::ResetType::Soft,
            ResetMode::Mixed => git2::ResetType::Mixed,
            ResetMode::Hard => git2::ResetType::Hard,
        };
        let before = repo.head().ok().and_then(|h| h.target());
        repo.reset(target.as_object(), kind, None)
            .map_err(|e| git_error("Resetting", e))?;
        if before.is_some_and(|b| b != oid) {
            let word = match mode {
                ResetMode::Soft => "soft",
                ResetMode::Mixed => "mixed",
                ResetMode::Hard => "hard",
            };
            self.remember_head_move_as(
                repository_id,
                &repo,
                "reset",
                format!("Reset ({word}) to {}", &id[..7]),
                before,
                oid,
                RESET_HARD * u32::from(mode == ResetMode::Hard),
            )?;
        }
        self.log(repository_id, 100)
    }
}

/// Moves `target` (a branch ref, or HEAD when detached) back from `after`
/// to `before` (None: the branch had no commit yet), as `git reset --soft`
/// does: the index and the files stay. Refused once it moved on.
fn undo_head_move(
    repo: &Repository,
    target: &str,
    before: Option<git2::Oid>,
    after: Option<git2::Oid>,
) -> Result<()> {
    let now = repo.refname_to_id(target).ok();
    if now != after {
        return Err(Error::Conflict(format!(
            "{} has moved since (another commit, a reset or a switch); nothing was undone.",
            target.trim_start_matches("refs/heads/")
        )));
    }
    match (target, before) {
        ("HEAD", Some(id)) => repo
            .set_head_detached(id)
            .map_err(|e| git_error("Moving HEAD back", e)),
        (_, Some(id)) => repo
            .reference(target, id, true, "AI Desktop: undo")
            .map(|_| ())
            .map_err(|e| git_error("Moving the branch back", e)),
        ("HEAD", None) => Err(Error::Conflict(
            "A detached HEAD cannot go back to no commit.".into(),
        )),
        (_, None) => repo
            .find_reference(target)
            .and_then(|mut r| r.delete())
            .map_err(|e| git_error("Taking back the first commit", e)),
    }
}

/// Whether `record` can still be undone: what it changed is as it left it.
fn undoable(repo: &Repository, record: &UndoRecord) -> bool {
    let id = |s: &Option<String>| s.as_deref().and_then(|s| git2::Oid::from_str(s).ok());
    let branch = |name: &str| repo.find_branch(name, BranchType::Local).is_ok();
    match record.kind.as_str() {
        "discard_lines" | "discard_file" => {
            let Some(root) = repo.workdir() else {
                return false;
            };
            let path = root.join(&record.target);
            let now = match path.symlink_metadata() {
                Ok(m) if m.is_file() => git2::Oid::hash_file(git2::ObjectType::Blob, &path).ok(),
                _ => None,
            };
            now == id(&record.after_id)
        }
        kind if HEAD_MOVES.contains(&kind) => {
            // Not in the middle of a merge or rebase, whose HEAD is elsewhere.
            repo.state() == git2::RepositoryState::Clean
                && repo.refname_to_id(&record.target).ok() == id(&record.after_id)
        }
        "stash_drop" => {
            let Some(dropped) = id(&record.before_id) else {
                return false;
            };
            let listed = repo
                .reflog("refs/stash")
                .is_ok_and(|log| log.iter().any(|entry| entry.id_new() == dropped));
            !listed && repo.find_commit(dropped).is_ok()
        }
        "delete_branch" => !branch(&record.target),
        "rename_branch" => {
            branch(&record.target) && !record.before_id.as_deref().is_some_and(branch)
        }
        _ => false,
    }
}

/// The tree of what is staged (written to the object store), refused while
/// files are in conflict.
fn staged_tree(repo: &Repository) -> Result<git2::Tree<'_>> {
    let mut index = repo.index().map_err(|e| git_error("The index", e))?;
    if index.has_conflicts() {
        return Err(Error::Conflict(
            "Resolve the conflicted files first.".into(),
        ));
    }
    let tree_id = index
        .write_tree()
        .map_err(|e| git_error("Writing the tree", e))?;
    repo.find_tree(tree_id)
        .map_err(|e| git_error("The tree", e))
}
