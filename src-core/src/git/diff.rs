//! A unified diff of one file, through git2, shaped for the diff viewer.

use crate::error::{Error, Result};
use ai_desktop_api::git::{DiffHunk, DiffLine, DiffLineKind, DiffSide, FileDiff};
use git2::{DiffFindOptions, DiffOptions, Patch};
use std::path::{Component, Path};

/// Files larger than this are summarised, not diffed line by line.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Diffs with more changed lines than this are summarised.
pub const MAX_CHANGED_LINES: usize = 5000;

/// Checks a path from the UI: relative, inside the repository, no `..`.
pub fn relative_path(raw: &str) -> Result<&Path> {
    let path = Path::new(raw);
    let ok = !raw.is_empty()
        && !raw.contains('\0')
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if ok {
        Ok(path)
    } else {
        Err(Error::InvalidInput(format!(
            "\"{}\" is not a path inside the repository.",
            raw.escape_default()
        )))
    }
}

/// The diff of `paths` on one side, renames paired if `renames`.
pub(crate) fn diff_paths<'r>(
    repo: &'r git2::Repository,
    paths: &[&Path],
    side: DiffSide,
    renames: bool,
) -> Result<git2::Diff<'r>> {
    let mut opts = DiffOptions::new();
    opts.disable_pathspec_match(true)
        .context_lines(3)
        .max_size(MAX_FILE_BYTES as i64)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true);
    for p in paths {
        opts.pathspec(p);
    }
    let mut diff = match side {
        DiffSide::Unstaged => repo.diff_index_to_workdir(None, Some(&mut opts))?,
        DiffSide::Staged => {
            let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
            repo.diff_tree_to_index(head.as_ref(), None, Some(&mut opts))?
        }
    };
    if renames {
        diff.find_similar(Some(
            DiffFindOptions::new().renames(true).for_untracked(true),
        ))?;
    }
    Ok(diff)
}

/// The diff of `file` (and, for a rename, its old path) on one side.
pub fn file(repo_path: &Path, file: &str, side: DiffSide) -> Result<FileDiff> {
    let file_path = relative_path(file)?;
    let repo = super::open(repo_path)?;
    let mut diff = diff_paths(&repo, &[file_path], side, false)?;
    // A file that shows up as added may be the new side of a rename, which
    // git2 pairs only with both paths in the pathspec: only then is the
    // (whole-tree) status read to find the old path.
    let added = diff
        .deltas()
        .any(|d| matches!(d.status(), git2::Delta::Added | git2::Delta::Untracked));
    if added {
        let old_path = super::changes::read(repo_path)?
            .files
            .into_iter()
            .find(|f| f.path == file)
            .and_then(|f| f.old_path);
        if let Some(old) = &old_path {
            diff = diff_paths(&repo, &[file_path, relative_path(old)?], side, true)?;
        }
    }
    let fingerprint = super::lines::fingerprint(&repo, file_path, side)?;
    let mut out = FileDiff {
        path: file.to_string(),
        fingerprint,
        old_path: None,
        side,
        binary: false,
        too_large: false,
        additions: 0,
        deletions: 0,
        hunks: Vec::new(),
    };
    let index = (0..diff.deltas().len()).find(|i| {
        diff.get_delta(*i)
            .and_then(|d| d.new_file().path().map(|p| p == file_path))
            .unwrap_or(false)
    });
    let Some(index) = index else {
        // No change on this side.
        return Ok(out);
    };
    let delta = diff
        .get_delta(index)
        .ok_or_else(|| Error::failed("Git lost the file's change.", file))?;
    if delta.status() == git2::Delta::Renamed {
        out.old_path = delta
            .old_file()
            .path()
            .map(|p| p.to_string_lossy().into_owned());
    }
    let sizes = [delta.old_file().size(), delta.new_file().size()];
    let workdir_size = repo
        .workdir()
        .and_then(|w| std::fs::metadata(w.join(file_path)).ok())
        .map(|m| m.len())
        .unwrap_or(0);
    if sizes
        .iter()
        .chain([&workdir_size])
        .any(|s| *s > MAX_FILE_BYTES)
    {
        out.too_large = true;
    }
    let Some(patch) = Patch::from_diff(&diff, index)? else {
        out.binary = true;
        return Ok(out);
    };
    if patch.delta().flags().is_binary() {
        out.binary = true;
        return Ok(out);
    }
    let (_, additions, deletions) = patch.line_stats()?;
    out.additions = additions as u32;
    out.deletions = deletions as u32;
    if out.too_large || additions + deletions > MAX_CHANGED_LINES {
        out.too_large = true;
        return Ok(out);
    }
    for h in 0..patch.num_hunks() {
        let (hunk, lines) = patch.hunk(h)?;
        let mut shown = DiffHunk {
            header: String::from_utf8_lossy(hunk.header())
                .trim_end()
                .to_string(),
            lines: Vec::with_capacity(lines),
        };
        for l in 0..lines {
            let line = patch.line_in_hunk(h, l)?;
            let kind = match line.origin() {
                '+' => DiffLineKind::Added,
                '-' => DiffLineKind::Removed,
                '=' | '>' | '<' => DiffLineKind::NoNewline,
                _ => DiffLineKind::Context,
            };
            let text = if kind == DiffLineKind::NoNewline {
                "\\ No newline at end of file".to_string()
            } else {
                let content = String::from_utf8_lossy(line.content());
                content.strip_suffix('\n').unwrap_or(&content).to_string()
            };
            shown.lines.push(DiffLine {
                kind,
                old_line: line.old_lineno(),
                new_line: line.new_lineno(),
                text,
            });
        }
        out.hunks.push(shown);
    }
    Ok(out)
}
