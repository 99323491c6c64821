//! The changed files of a working tree (`git status`), through git2.

use crate::error::Result;
use ai_desktop_api::git::{ChangeCounts, ChangeKind, FileChange};
use git2::{Status, StatusOptions};
use std::path::Path;

/// Entries listed at most; a huge untracked tree is cut off, not sent whole.
pub const MAX_ENTRIES: usize = 5000;

pub struct Changes {
    pub branch: Option<String>,
    pub files: Vec<FileChange>,
    pub counts: ChangeCounts,
    pub truncated: bool,
}

pub fn read(path: &Path) -> Result<Changes> {
    let repo = super::open(path)?;
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(true)
        .renames_index_to_workdir(true)
        .exclude_submodules(false);
    let statuses = repo.statuses(Some(&mut opts))?;
    let mut counts = ChangeCounts::default();
    let mut files = Vec::new();
    for entry in statuses.iter() {
        let s = entry.status();
        if s.is_ignored() || s.is_empty() {
            continue;
        }
        let staged = staged_kind(s);
        let unstaged = unstaged_kind(s);
        let conflicted = s.is_conflicted();
        // Renames: the new path is the file's path, the old one is kept.
        let (path, old_path) = match (entry.head_to_index(), entry.index_to_workdir()) {
            (Some(d), _) if s.is_index_renamed() => (
                path_of(d.new_file().path()),
                Some(path_of(d.old_file().path())),
            ),
            (_, Some(d)) if s.is_wt_renamed() => (
                path_of(d.new_file().path()),
                Some(path_of(d.old_file().path())),
            ),
            _ => (
                String::from_utf8_lossy(entry.path_bytes()).into_owned(),
                None,
            ),
        };
        if conflicted {
            counts.conflicted += 1;
        } else {
            if staged.is_some() {
                counts.staged += 1;
            }
            match unstaged {
                Some(ChangeKind::Untracked) => counts.untracked += 1,
                Some(_) => counts.unstaged += 1,
                None => {}
            }
        }
        if files.len() < MAX_ENTRIES {
            files.push(FileChange {
                path,
                old_path,
                staged: if conflicted { None } else { staged },
                unstaged: if conflicted { None } else { unstaged },
                conflicted,
            });
        }
    }
    let truncated = statuses.len() > files.len() && files.len() == MAX_ENTRIES;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Changes {
        branch: crate::repos::detect::branch(&repo),
        files,
        counts,
        truncated,
    })
}

fn path_of(p: Option<&Path>) -> String {
    p.map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn staged_kind(s: Status) -> Option<ChangeKind> {
    if s.is_index_new() {
        Some(ChangeKind::Added)
    } else if s.is_index_renamed() {
        Some(ChangeKind::Renamed)
    } else if s.is_index_deleted() {
        Some(ChangeKind::Deleted)
    } else if s.is_index_typechange() {
        Some(ChangeKind::TypeChanged)
    } else if s.is_index_modified() {
        Some(ChangeKind::Modified)
    } else {
        None
    }
}

fn unstaged_kind(s: Status) -> Option<ChangeKind> {
    if s.is_wt_new() {
        Some(ChangeKind::Untracked)
    } else if s.is_wt_renamed() {
        Some(ChangeKind::Renamed)
    } else if s.is_wt_deleted() {
        Some(ChangeKind::Deleted)
    } else if s.is_wt_typechange() {
        Some(ChangeKind::TypeChanged)
    } else if s.is_wt_modified() {
        Some(ChangeKind::Modified)
    } else {
        None
    }
}
