//! The changed files of a working tree (`git status`): through git2, or for
//! a large tree through the git CLI's porcelain output (git stats files on
//! several threads; libgit2 on one, 1.4× slower at 50,000 files).

use crate::error::Result;
use ai_desktop_api::git::{ChangeCounts, ChangeKind, FileChange};
use git2::{Status, StatusOptions};
use std::path::Path;

/// Entries listed at most; a huge untracked tree is cut off, not sent whole.
pub const MAX_ENTRIES: usize = 5000;

/// An index file larger than this (about 10,000 tracked files) has its
/// status read by the git CLI; below it, git2 answers sooner than a process
/// could start.
pub const CLI_INDEX_BYTES: u64 = 800 * 1024;

pub struct Changes {
    pub branch: Option<String>,
    pub files: Vec<FileChange>,
    pub counts: ChangeCounts,
    pub truncated: bool,
}

pub fn read(path: &Path) -> Result<Changes> {
    let repo = super::open(path)?;
    let large =
        std::fs::metadata(repo.path().join("index")).is_ok_and(|m| m.len() > CLI_INDEX_BYTES);
    if large && !repo.is_bare() && crate::git::cli::program().is_ok() {
        let workdir = repo.workdir().unwrap_or(path);
        let out = super::cli::status(workdir)?;
        return Ok(from_porcelain(&out, crate::repos::detect::branch(&repo)));
    }
    read_with_git2(&repo)
}

/// The status through libgit2 (what [`read`] uses below [`CLI_INDEX_BYTES`]).
pub fn read_with_git2(repo: &git2::Repository) -> Result<Changes> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(true)
        .renames_index_to_workdir(true)
        .exclude_submodules(false);
    let statuses = repo.statuses(Some(&mut opts))?;
    let mut list = Listing::default();
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
        list.add(FileChange {
            path,
            old_path,
            staged: if conflicted { None } else { staged },
            unstaged: if conflicted { None } else { unstaged },
            conflicted,
        });
    }
    Ok(list.finish(crate::repos::detect::branch(repo)))
}

/// Counts every change and keeps the first [`MAX_ENTRIES`], sorted by path.
#[derive(Default)]
struct Listing {
    counts: ChangeCounts,
    files: Vec<FileChange>,
    total: usize,
}

impl Listing {
    fn add(&mut self, file: FileChange) {
        let counts = &mut self.counts;
        if file.conflicted {
            counts.conflicted += 1;
        } else {
            if file.staged.is_some() {
                counts.staged += 1;
            }
            match file.unstaged {
                Some(ChangeKind::Untracked) => counts.untracked += 1,
                Some(_) => counts.unstaged += 1,
                None => {}
            }
        }
        self.total += 1;
        if self.files.len() < MAX_ENTRIES {
            self.files.push(file);
        }
    }

    fn finish(mut self, branch: Option<String>) -> Changes {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        Changes {
            branch,
            truncated: self.total > self.files.len(),
            files: self.files,
            counts: self.counts,
        }
    }
}

/// [`Changes`] from `git status --porcelain=v2 -z` (records end in NUL; a
/// rename's record is followed by its old path).
pub fn from_porcelain(out: &[u8], branch: Option<String>) -> Changes {
    let mut list = Listing::default();
    let mut records = out.split(|b| *b == 0).filter(|r| !r.is_empty());
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    while let Some(record) = records.next() {
        // The fields before the path, by record type.
        let (before_path, kind) = match record.first() {
            Some(b'1') => (8, b'1'),
            Some(b'2') => (9, b'2'),
            Some(b'u') => (10, b'u'),
            Some(b'?') => (1, b'?'),
            _ => continue, // `!` (ignored) or a header line
        };
        let mut fields = record.splitn(before_path + 1, |b| *b == b' ');
        let xy = if kind == b'?' {
            &b"??"[..]
        } else {
            fields.nth(1).unwrap_or(b"..")
        };
        // The path is the last field (it may hold spaces: splitn keeps them).
        let Some(path) = fields.last().map(text) else {
            continue;
        };
        let old_path = (kind == b'2').then(|| records.next().map(text)).flatten();
        let side = |c: u8| match c {
            b'M' => Some(ChangeKind::Modified),
            b'T' => Some(ChangeKind::TypeChanged),
            b'A' | b'C' => Some(ChangeKind::Added),
            b'D' => Some(ChangeKind::Deleted),
            b'R' => Some(ChangeKind::Renamed),
            _ => None,
        };
        let conflicted = kind == b'u';
        let (staged, unstaged) = match kind {
            b'?' => (None, Some(ChangeKind::Untracked)),
            b'u' => (None, None),
            _ if xy.len() < 2 => continue,
            _ => (
                side(xy.first().copied().unwrap_or(b'.')),
                side(xy.get(1).copied().unwrap_or(b'.')),
            ),
        };
        list.add(FileChange {
            path,
            old_path,
            staged,
            unstaged,
            conflicted,
        });
    }
    list.finish(branch)
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
