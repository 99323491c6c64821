//! Where a deploy takes its code from: the repository's working tree as it
//! is, or one commit written out of the repository's object database into
//! `<data>/deployments/<id>/releases/<commit>` — a clean copy that never
//! touches the user's working tree, index or refs, kept for a rollback.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Release folders kept per deployment (the one running and the ones before).
pub const RELEASES_KEPT: usize = 3;

/// The code a deploy builds and runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub dir: PathBuf,
    pub commit_id: Option<String>,
    pub summary: Option<String>,
    pub branch: Option<String>,
    /// A clean copy of a commit (not the working tree).
    pub pinned: bool,
}

/// The working tree, with the commit and branch it is on (none if the
/// folder is not a git repository or has no commit yet).
pub fn working_tree(repo_dir: &Path) -> Source {
    let mut source = Source {
        dir: repo_dir.to_path_buf(),
        commit_id: None,
        summary: None,
        branch: None,
        pinned: false,
    };
    if let Ok(repo) = git2::Repository::open(repo_dir) {
        if let Ok(head) = repo.head() {
            source.branch = head
                .is_branch()
                .then(|| head.shorthand().ok().map(str::to_string))
                .flatten();
            if let Ok(commit) = head.peel_to_commit() {
                source.commit_id = Some(commit.id().to_string());
                source.summary = commit.summary().ok().flatten().map(str::to_string);
            }
        }
    }
    source
}

/// The commit `spec` names in the repository (an id, a prefix of one, a
/// branch or tag), checked.
pub fn resolve(repo_dir: &Path, spec: &str) -> Result<(String, String)> {
    let spec = spec.trim();
    if spec.is_empty()
        || spec.starts_with('-')
        || spec.len() > 200
        || spec.contains(char::is_control)
    {
        return Err(Error::InvalidInput(format!(
            "\"{spec}\" does not name a commit."
        )));
    }
    let repo = git2::Repository::open(repo_dir).map_err(|_| {
        Error::InvalidInput(format!(
            "{} is not a git repository, so it has no commits to deploy.",
            repo_dir.display()
        ))
    })?;
    let commit = repo
        .revparse_single(spec)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            Error::NotFound(format!("There is no commit \"{spec}\" in the repository."))
        })?;
    Ok((
        commit.id().to_string(),
        commit.summary().ok().flatten().unwrap_or("").to_string(),
    ))
}

/// `name` if it is a local branch of the repository.
pub fn check_local_branch(repo_dir: &Path, name: &str) -> Result<String> {
    let repo = git2::Repository::open(repo_dir).map_err(|_| {
        Error::InvalidInput(format!(
            "{} is not a git repository, so it has no branches to follow.",
            repo_dir.display()
        ))
    })?;
    if name.starts_with('-') || !git2::Branch::name_is_valid(name).unwrap_or(false) {
        return Err(Error::InvalidInput(format!(
            "\"{name}\" is not a branch name."
        )));
    }
    repo.find_branch(name, git2::BranchType::Local)
        .map_err(|_| Error::InvalidInput(format!("The repository has no branch named {name}.")))?;
    Ok(name.to_string())
}

/// The commit a local branch points at now (None: gone, or not a repository).
pub fn branch_tip(repo_dir: &Path, name: &str) -> Option<String> {
    let repo = git2::Repository::open(repo_dir).ok()?;
    let branch = repo.find_branch(name, git2::BranchType::Local).ok()?;
    branch
        .get()
        .peel_to_commit()
        .ok()
        .map(|c| c.id().to_string())
}

/// The files a branch's tip is kept in: its loose ref and `packed-refs`
/// (in the common git folder of a linked worktree).
pub fn branch_ref_files(repo_dir: &Path, name: &str) -> Option<[PathBuf; 2]> {
    let repo = git2::Repository::open(repo_dir).ok()?;
    let common = repo.commondir().to_path_buf();
    Some([
        common.join("refs/heads").join(name),
        common.join("packed-refs"),
    ])
}

/// The files of `commit_id` in `releases/<commit_id>` (written once; an
/// existing complete copy is reused). Blocking.
pub fn checkout(repo_dir: &Path, commit_id: &str, releases: &Path) -> Result<PathBuf> {
    let dest = releases.join(commit_id);
    if dest.join(COMPLETE).exists() {
        return Ok(dest);
    }
    crate::secrets::private_dir(releases)
        .map_err(|e| Error::failed(format!("Could not create {}.", releases.display()), e))?;
    let partial = releases.join(format!(".{commit_id}.partial"));
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .map_err(|e| Error::failed(format!("Could not clear {}.", partial.display()), e))?;
    }
    if dest.exists() {
        std::fs::remove_dir_all(&dest)
            .map_err(|e| Error::failed(format!("Could not clear {}.", dest.display()), e))?;
    }
    std::fs::create_dir_all(&partial)
        .map_err(|e| Error::failed(format!("Could not create {}.", partial.display()), e))?;
    let write = || -> std::result::Result<(), git2::Error> {
        let repo = git2::Repository::open(repo_dir)?;
        let commit = repo.find_commit(git2::Oid::from_str(commit_id)?)?;
        let tree = commit.tree()?;
        let mut opts = git2::build::CheckoutBuilder::new();
        // Into the release folder; the repository's index and files stay as they are.
        opts.target_dir(&partial)
            .update_index(false)
            .force()
            .recreate_missing(true)
            .disable_filters(false);
        repo.checkout_tree(tree.as_object(), Some(&mut opts))
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(Error::failed(
            format!(
                "Could not write commit {} out of the repository.",
                short(commit_id)
            ),
            e,
        ));
    }
    std::fs::write(partial.join(COMPLETE), commit_id)
        .and_then(|_| std::fs::rename(&partial, &dest))
        .map_err(|e| Error::failed(format!("Could not finish {}.", dest.display()), e))?;
    Ok(dest)
}

/// Marks a release folder whose files were all written.
const COMPLETE: &str = ".aidesktop-release";

/// Removes release folders beyond the newest [`RELEASES_KEPT`], never `keep`.
pub fn prune(releases: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(releases) else {
        return;
    };
    let mut dirs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().is_dir() && e.path() != keep)
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (_, dir) in dirs.into_iter().skip(RELEASES_KEPT.saturating_sub(1)) {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            log::warn!("could not remove the old release {}: {e}", dir.display());
        }
    }
}

pub fn short(commit_id: &str) -> &str {
    &commit_id[..commit_id.len().min(8)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(repo: &git2::Repository, file: &str, text: &str, message: &str) -> git2::Oid {
        let dir = repo.workdir().unwrap();
        std::fs::write(dir.join(file), text).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new(file)).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.com").unwrap();
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap()
    }

    #[test]
    fn a_commit_is_written_out_without_touching_the_working_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("repo");
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let repo = git2::Repository::init(&dir).unwrap();
        let first = commit(&repo, "server.js", "one", "first");
        std::fs::write(dir.join("src/lib.js"), "lib").unwrap();
        commit(&repo, "src/lib.js", "lib", "second");
        commit(&repo, "server.js", "two", "third");
        // Uncommitted work the user has in progress.
        std::fs::write(dir.join("server.js"), "three (not committed)").unwrap();

        let (id, summary) = resolve(&dir, &first.to_string()[..7]).unwrap();
        assert_eq!(
            (id.as_str(), summary.as_str()),
            (first.to_string().as_str(), "first")
        );
        let releases = tmp.path().join("releases");
        let out = checkout(&dir, &id, &releases).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("server.js")).unwrap(),
            "one"
        );
        assert!(!out.join("src/lib.js").exists(), "a file of a later commit");
        // The user's files and index are as they were.
        assert_eq!(
            std::fs::read_to_string(dir.join("server.js")).unwrap(),
            "three (not committed)"
        );
        let statuses = repo.statuses(None).unwrap();
        assert_eq!(statuses.len(), 1, "only the user's own change");

        let head = working_tree(&dir);
        assert_eq!(head.summary.as_deref(), Some("third"));
        assert!(head.branch.is_some());

        for bad in ["", "-x", "no-such-branch", "HEAD~9"] {
            assert!(resolve(&dir, bad).is_err(), "{bad}");
        }
    }
}
