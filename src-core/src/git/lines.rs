//! Staging, unstaging and discarding picked lines of a file's diff (a hunk
//! is all of its changed lines): the file's new version is rebuilt from the
//! diff the viewer showed, line by line, and written to the index or to the
//! working tree. Nothing runs a program (no `git apply`, no filters beyond
//! libgit2's own).
//!
//! A pick names removed lines by their number in the old version and added
//! lines by their number in the new one, together with the fingerprint of
//! the two versions the diff compared: if either changed since, nothing is
//! written and the viewer is asked to look again.

use crate::error::{Error, Result};
use ai_desktop_api::git::{DiffSide, LineAction, LinePick};
use git2::{Oid, Patch, Repository};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

const MODE_LINK: u32 = 0o120000;
const MODE_GITLINK: u32 = 0o160000;

/// One version of a file: its blob id, bytes and git mode.
pub(crate) struct Version {
    pub id: Oid,
    pub bytes: Vec<u8>,
    pub mode: u32,
}

/// The two versions a diff side compares (None: the file is not there).
pub(crate) struct Versions {
    pub old: Option<Version>,
    pub new: Option<Version>,
}

impl Versions {
    /// Names both versions: a pick made on one pair of versions is refused
    /// on another.
    pub fn fingerprint(&self) -> String {
        let id = |v: &Option<Version>| v.as_ref().map_or(Oid::ZERO_SHA1, |v| v.id).to_string();
        format!("{}:{}", id(&self.old), id(&self.new))
    }
}

fn blob(repo: &Repository, id: Oid, mode: u32) -> Result<Version> {
    let bytes = if mode == MODE_GITLINK {
        Vec::new()
    } else {
        repo.find_blob(id)?.content().to_vec()
    };
    Ok(Version { id, bytes, mode })
}

fn head_version(repo: &Repository, rel: &Path) -> Result<Option<Version>> {
    let Some(tree) = repo.head().ok().and_then(|h| h.peel_to_tree().ok()) else {
        return Ok(None);
    };
    match tree.get_path(rel) {
        Ok(e) => blob(repo, e.id(), e.filemode() as u32).map(Some),
        Err(_) => Ok(None),
    }
}

fn index_version(repo: &Repository, rel: &Path) -> Result<Option<Version>> {
    let index = repo.index()?;
    match index.get_path(rel, 0) {
        Some(e) => blob(repo, e.id, e.mode).map(Some),
        None => Ok(None),
    }
}

fn workdir_version(repo: &Repository, rel: &Path) -> Result<Option<Version>> {
    let Some(root) = repo.workdir() else {
        return Ok(None);
    };
    let path = root.join(rel);
    let Ok(meta) = path.symlink_metadata() else {
        return Ok(None);
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&path)
            .map_err(|e| Error::failed(format!("Cannot read the link {}.", rel.display()), e))?;
        let bytes = target.as_os_str().as_encoded_bytes().to_vec();
        let id = Oid::hash_object(git2::ObjectType::Blob, &bytes)?;
        return Ok(Some(Version {
            id,
            bytes,
            mode: MODE_LINK,
        }));
    }
    if !meta.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| Error::failed(format!("Cannot read {}.", rel.display()), e))?;
    let id = Oid::hash_object(git2::ObjectType::Blob, &bytes)?;
    use std::os::unix::fs::PermissionsExt;
    let mode = if meta.permissions().mode() & 0o111 != 0 {
        0o100755
    } else {
        0o100644
    };
    Ok(Some(Version { id, bytes, mode }))
}

/// The versions `side` compares for `rel`.
pub(crate) fn versions(repo: &Repository, rel: &Path, side: DiffSide) -> Result<Versions> {
    Ok(match side {
        DiffSide::Unstaged => Versions {
            old: index_version(repo, rel)?,
            new: workdir_version(repo, rel)?,
        },
        DiffSide::Staged => Versions {
            old: head_version(repo, rel)?,
            new: index_version(repo, rel)?,
        },
    })
}

/// [`Versions::fingerprint`] without reading the blobs (for every diff shown).
pub(crate) fn fingerprint(repo: &Repository, rel: &Path, side: DiffSide) -> Result<String> {
    let head = || -> Option<Oid> {
        let tree = repo.head().ok()?.peel_to_tree().ok()?;
        tree.get_path(rel).ok().map(|e| e.id())
    };
    let index = || -> Result<Option<Oid>> { Ok(repo.index()?.get_path(rel, 0).map(|e| e.id)) };
    let workdir = || -> Result<Option<Oid>> {
        let Some(root) = repo.workdir() else {
            return Ok(None);
        };
        let path = root.join(rel);
        match path.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&path).map_err(|e| {
                    Error::failed(format!("Cannot read the link {}.", rel.display()), e)
                })?;
                let bytes = target.as_os_str().as_encoded_bytes();
                Ok(Some(Oid::hash_object(git2::ObjectType::Blob, bytes)?))
            }
            Ok(m) if m.is_file() => Ok(Some(Oid::hash_file(git2::ObjectType::Blob, &path)?)),
            _ => Ok(None),
        }
    };
    let (old, new) = match side {
        DiffSide::Unstaged => (index()?, workdir()?),
        DiffSide::Staged => (head(), index()?),
    };
    let id = |v: Option<Oid>| v.unwrap_or(Oid::ZERO_SHA1).to_string();
    Ok(format!("{}:{}", id(old), id(new)))
}

/// Which way the picked changes go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    /// Into the old version (staging: the index gains them).
    Apply,
    /// Out of the new version (unstaging, discarding).
    Revert,
}

fn changed() -> Error {
    Error::Conflict(
        "The file changed since its diff was shown; look at the new diff and pick the lines again."
            .into(),
    )
}

/// Adds `line` to `out`, ending a kept last line that had no newline when
/// more follows it.
fn push_line(out: &mut Vec<u8>, line: &[u8]) {
    if out.last().is_some_and(|b| *b != b'\n') {
        out.push(b'\n');
    }
    out.extend_from_slice(line);
}

/// The version `base` (the old one to apply to, the new one to revert
/// from) with the picked lines of `patch` applied or reverted.
fn rebuild(
    base: &[u8],
    patch: &Patch<'_>,
    direction: Direction,
    old_picked: &BTreeSet<u32>,
    new_picked: &BTreeSet<u32>,
) -> Result<Vec<u8>> {
    let lines: Vec<&[u8]> = base.split_inclusive(|b| *b == b'\n').collect();
    let mut out = Vec::with_capacity(base.len());
    let mut pos = 0usize;
    let mut used = 0usize;
    let base_line = |pos: usize| lines.get(pos).copied().ok_or_else(changed);
    for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h)?;
        let (start, len) = match direction {
            Direction::Apply => (hunk.old_start(), hunk.old_lines()),
            Direction::Revert => (hunk.new_start(), hunk.new_lines()),
        };
        // `@@ -5,0 …` inserts after line 5; `@@ -5,2 …` starts at line 5.
        let first = if len == 0 {
            start
        } else {
            start.saturating_sub(1)
        } as usize;
        if first < pos {
            return Err(changed());
        }
        while pos < first {
            push_line(&mut out, base_line(pos)?);
            pos += 1;
        }
        for l in 0..count {
            let line = patch.line_in_hunk(h, l)?;
            // The side the base version has ('-' lines of the old one when
            // applying, '+' lines of the new one when reverting) and the
            // side that comes in only where picked.
            let (in_base, incoming) = match direction {
                Direction::Apply => ('-', '+'),
                Direction::Revert => ('+', '-'),
            };
            let picked = match line.origin() {
                '-' => line.old_lineno().is_some_and(|n| old_picked.contains(&n)),
                '+' => line.new_lineno().is_some_and(|n| new_picked.contains(&n)),
                _ => false,
            };
            match line.origin() {
                ' ' => {
                    push_line(&mut out, base_line(pos)?);
                    pos += 1;
                }
                // A base line: a picked one is taken out.
                o if o == in_base => {
                    if picked {
                        used += 1;
                    } else {
                        push_line(&mut out, base_line(pos)?);
                    }
                    pos += 1;
                }
                // A line the base lacks: a picked one is put in.
                o if o == incoming && picked => {
                    used += 1;
                    push_line(&mut out, line.content());
                }
                // Unpicked incoming lines stay out; "\ No newline at end of
                // file": the bytes say it already.
                _ => {}
            }
        }
    }
    while pos < lines.len() {
        push_line(&mut out, lines[pos]);
        pos += 1;
    }
    // Every picked number must have been a changed line of this diff.
    if used != old_picked.len() + new_picked.len() {
        return Err(changed());
    }
    Ok(out)
}

/// Writes `bytes` over `path` (or creates it with `mode`) through a file
/// next to it and a rename, so a crash leaves the old or the new version.
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = path
        .parent()
        .ok_or_else(|| Error::InvalidInput("That is not a file of the repository.".into()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let perm = std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(if mode == 0o100755 { 0o755 } else { 0o644 });
    let tmp = dir.join(format!(
        ".{name}.aidesktop-{}",
        crate::secrets::random_hex(6)?
    ));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(perm)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.set_permissions(std::fs::Permissions::from_mode(perm))?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::failed(
            format!("Cannot write {}.", path.display()),
            e,
        ));
    }
    Ok(())
}

/// Gives `path` execute bits where it has read bits (or takes them away),
/// leaving the rest of its permissions as they are.
fn set_executable(path: &Path, executable: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Error::failed(format!("Cannot read {}.", path.display()), e))?
        .permissions()
        .mode()
        & 0o7777;
    let wanted = if executable {
        mode | ((mode & 0o444) >> 2)
    } else {
        mode & !0o111
    };
    if wanted != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted))
            .map_err(|e| Error::failed(format!("Cannot set the mode of {}.", path.display()), e))?;
    }
    Ok(())
}

/// Writes a conflict's resolution over `path`, keeping its mode.
pub(crate) fn write_resolved(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file(path, bytes, 0o100644)
}

/// Puts `bytes` in the index as `rel`, keeping its entry's mode (or `mode`
/// for a file the index does not have yet).
fn write_index(repo: &Repository, rel: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut index = repo.index()?;
    let path = rel.as_os_str().as_encoded_bytes().to_vec();
    let entry = match index.get_path(rel, 0) {
        Some(e) => e,
        None => git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: Oid::ZERO_SHA1,
            flags: path.len().min(0xfff) as u16,
            flags_extended: 0,
            path,
        },
    };
    index.add_frombuffer(&entry, bytes)?;
    index.write()?;
    Ok(())
}

/// What a line action did to the working file, for the page's undo.
#[derive(Default)]
pub struct Applied {
    /// The working file's blob before (written to the repository's object
    /// store, so the bytes outlive the discard), None: no file.
    pub before: Option<Oid>,
    /// Its blob after (None: removed).
    pub after: Option<Oid>,
    /// Its git mode.
    pub mode: u32,
}

/// Applies `action` to the lines `pick` names in `rel`'s diff, if the
/// versions still have `fingerprint`.
pub(crate) fn apply(
    repo: &Repository,
    rel: &Path,
    action: LineAction,
    pick: &LinePick,
    fingerprint: &str,
) -> Result<Applied> {
    let old_picked: BTreeSet<u32> = pick.old_lines.iter().copied().collect();
    let new_picked: BTreeSet<u32> = pick.new_lines.iter().copied().collect();
    if old_picked.is_empty() && new_picked.is_empty() {
        return Err(Error::InvalidInput("No lines were picked.".into()));
    }
    let side = match action {
        LineAction::Stage | LineAction::Discard => DiffSide::Unstaged,
        LineAction::Unstage => DiffSide::Staged,
    };
    let versions = versions(repo, rel, side)?;
    if versions.fingerprint() != fingerprint {
        return Err(changed());
    }
    let modes = [&versions.old, &versions.new].map(|v| v.as_ref().map(|v| v.mode));
    if modes
        .iter()
        .flatten()
        .any(|m| *m == MODE_LINK || *m == MODE_GITLINK)
    {
        return Err(Error::InvalidInput(
            "Links and submodules are staged as a whole, not by line.".into(),
        ));
    }
    let diff = super::diff::diff_paths(repo, &[rel], side, false)?;
    let index = (0..diff.deltas().len())
        .find(|i| {
            diff.get_delta(*i)
                .and_then(|d| d.new_file().path().map(|p| p == rel))
                .unwrap_or(false)
        })
        .ok_or_else(changed)?;
    let patch = match Patch::from_diff(&diff, index)? {
        Some(p) if !p.delta().flags().is_binary() => p,
        _ => {
            return Err(Error::InvalidInput(
                "A binary file is staged as a whole, not by line.".into(),
            ))
        }
    };
    let bytes = |v: &Option<Version>| v.as_ref().map(|v| v.bytes.clone()).unwrap_or_default();
    let root = repo
        .workdir()
        .ok_or_else(|| Error::InvalidInput("A bare repository has no files.".into()))?;
    match action {
        LineAction::Stage | LineAction::Unstage => {
            // Staging applies the picks to the index's version; unstaging
            // takes them out of it. Either way the index gets the result,
            // or loses the file when nothing is left of a file the other
            // side does not have (a deletion staged, an addition unstaged).
            let (base, direction, absent) = match action {
                LineAction::Stage => (&versions.old, Direction::Apply, versions.new.is_none()),
                _ => (&versions.new, Direction::Revert, versions.old.is_none()),
            };
            let result = rebuild(&bytes(base), &patch, direction, &old_picked, &new_picked)?;
            if result.is_empty() && absent {
                let mut index = repo.index()?;
                index.remove_path(rel)?;
                index.write()?;
            } else {
                let mode = versions
                    .new
                    .as_ref()
                    .or(versions.old.as_ref())
                    .map_or(0o100644, |v| v.mode);
                write_index(repo, rel, &result, mode)?;
            }
            Ok(Applied::default())
        }
        LineAction::Discard => {
            let kept = rebuild(
                &bytes(&versions.new),
                &patch,
                Direction::Revert,
                &old_picked,
                &new_picked,
            )?;
            // The working file before, kept where undo can find it.
            let before = match &versions.new {
                Some(v) => Some(repo.blob(&v.bytes)?),
                None => None,
            };
            let path = root.join(rel);
            let mode = versions
                .new
                .as_ref()
                .or(versions.old.as_ref())
                .map_or(0o100644, |v| v.mode);
            let after = if kept.is_empty() && versions.old.is_none() {
                // Every line of an untracked file: the file goes.
                std::fs::remove_file(&path)
                    .map_err(|e| Error::failed(format!("Cannot remove {}.", rel.display()), e))?;
                None
            } else {
                write_file(&path, &kept, mode)?;
                Some(Oid::hash_object(git2::ObjectType::Blob, &kept)?)
            };
            Ok(Applied {
                before,
                after,
                mode,
            })
        }
    }
}

/// Throws away the unstaged changes of `rel`: the working file becomes the
/// index's version (an untracked file is removed). Its bytes before are
/// kept as a blob for undo.
pub(crate) fn discard_file(repo: &Repository, rel: &Path) -> Result<Applied> {
    let versions = versions(repo, rel, DiffSide::Unstaged)?;
    let modes = [&versions.old, &versions.new].map(|v| v.as_ref().map(|v| v.mode));
    if modes
        .iter()
        .flatten()
        .any(|m| *m == MODE_LINK || *m == MODE_GITLINK)
    {
        return Err(Error::InvalidInput(
            "Links and submodules are not discarded here; use a terminal.".into(),
        ));
    }
    if versions.old.as_ref().map(|v| (v.id, v.mode))
        == versions.new.as_ref().map(|v| (v.id, v.mode))
    {
        return Err(Error::InvalidInput(format!(
            "{} has no unstaged changes.",
            rel.display()
        )));
    }
    let root = repo
        .workdir()
        .ok_or_else(|| Error::InvalidInput("A bare repository has no files.".into()))?;
    let path = root.join(rel);
    let before = match &versions.new {
        Some(v) => Some(repo.blob(&v.bytes)?),
        None => None,
    };
    // Undo gives the file back its own mode.
    let mode = versions
        .new
        .as_ref()
        .or(versions.old.as_ref())
        .map_or(0o100644, |v| v.mode);
    let after = match &versions.old {
        Some(old) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::failed(
                        format!("Cannot recreate the folder of {}.", rel.display()),
                        e,
                    )
                })?;
            }
            write_file(&path, &old.bytes, old.mode)?;
            // The index's mode, as `git restore` would leave it.
            set_executable(&path, old.mode == 0o100755)?;
            Some(old.id)
        }
        None => {
            std::fs::remove_file(&path)
                .map_err(|e| Error::failed(format!("Cannot remove {}.", rel.display()), e))?;
            None
        }
    };
    Ok(Applied {
        before,
        after,
        mode,
    })
}

/// Puts the working file `rel` back to blob `before` (None: no file) if it
/// is still blob `after` (None: absent); refused, changing nothing, if not.
pub(crate) fn restore(
    repo: &Repository,
    rel: &Path,
    before: Option<Oid>,
    after: Option<Oid>,
    mode: u32,
) -> Result<()> {
    let now = workdir_version(repo, rel)?.map(|v| v.id);
    if now != after {
        return Err(Error::Conflict(format!(
            "{} changed since; undoing would overwrite that change, so it was left as it is.",
            rel.display()
        )));
    }
    let root = repo
        .workdir()
        .ok_or_else(|| Error::InvalidInput("A bare repository has no files.".into()))?;
    let path = root.join(rel);
    match before {
        Some(id) => {
            let blob = repo.find_blob(id).map_err(|_| {
                Error::NotFound(format!(
                    "The saved copy of {} is gone from the repository (git gc?).",
                    rel.display()
                ))
            })?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::failed(
                        format!("Cannot recreate the folder of {}.", rel.display()),
                        e,
                    )
                })?;
            }
            write_file(&path, blob.content(), mode)?;
            set_executable(&path, mode == 0o100755)
        }
        None => std::fs::remove_file(&path)
            .map_err(|e| Error::failed(format!("Cannot remove {}.", rel.display()), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::push_line;

    #[test]
    fn a_kept_last_line_without_newline_gets_one_when_more_follows() {
        let mut out = Vec::new();
        push_line(&mut out, b"a");
        push_line(&mut out, b"b\n");
        push_line(&mut out, b"c");
        assert_eq!(out, b"a\nb\nc");
    }
}
