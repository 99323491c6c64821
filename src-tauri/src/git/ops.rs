//! Local git operations through git2: stage, unstage, commit, log, and
//! branches. libgit2 runs no hooks, filters or fsmonitor, so none of these
//! can make the repository's own config run a program. Paths are relative
//! and checked like the file browser's; branch names like git's own
//! `check-ref-format`, and never starting with '-'.

use super::identity::Identity;
use crate::error::{Error, Result};
use crate::repos::RepoRegistry;
use ai_desktop_api::git::{BranchInfo, CommitInfo};
use git2::{BranchType, Repository, Signature};
use std::path::Path;
use std::sync::Arc;

pub struct GitOps {
    repos: Arc<RepoRegistry>,
    identity: Arc<Identity>,
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
    if name.starts_with('-') || !git2::Branch::name_is_valid(name).unwrap_or(false) {
        return Err(Error::InvalidInput(format!(
            "\"{name}\" is not a branch name git accepts (no spaces, '..', '~', '^', ':', leading '-' …)."
        )));
    }
    Ok(())
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
    pub fn new(repos: Arc<RepoRegistry>, identity: Arc<Identity>) -> GitOps {
        GitOps { repos, identity }
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
                let rel = crate::files::check_relative(p)?;
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
        let repo = self.open(repository_id)?;
        let sig = self.signature(&repo)?;
        let mut index = repo.index().map_err(|e| git_error("The index", e))?;
        if index.has_conflicts() {
            return Err(Error::Conflict(
                "Resolve the conflicted files first.".into(),
            ));
        }
        let tree_id = index
            .write_tree()
            .map_err(|e| git_error("Writing the tree", e))?;
        let tree = repo
            .find_tree(tree_id)
            .map_err(|e| git_error("The tree", e))?;
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        if parent.as_ref().is_some_and(|p| p.tree_id() == tree_id) {
            return Err(Error::InvalidInput(
                "Nothing is staged: stage the files to commit first.".into(),
            ));
        }
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
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
        let c = repo
            .find_commit(id)
            .map_err(|e| git_error("The new commit", e))?;
        Ok(commit_info(&c))
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
        self.branches(repository_id)
    }
}
