//! The file browser over registered repositories and workspace folders.
//!
//! Every path from the UI is relative to a root the app knows (a repository
//! by id, or a configured workspace folder), checked name by name, and
//! **resolved relative to the opened root directory** with `openat2`
//! (`RESOLVE_BENEATH`): symlinks inside the root are followed, but nothing —
//! `..`, an absolute symlink, a link pointing out, a folder swapped for a
//! link between a check and its use — can make the kernel leave the root.
//! Operations then act through the opened parent folder on the last name:
//! rename and trash act on a symlink itself, never on what it points to;
//! rename never replaces (`RENAME_NOREPLACE`); reads go through the opened
//! file with a size cap; a save is refused when the file's version (device,
//! inode, size and modification time to the nanosecond) moved since it was
//! read. Deleting goes to the desktop trash (see [`trash`]).

pub mod trash;

use crate::error::{Error, Result};
use crate::repos::RepoRegistry;
use crate::workspace::Workspaces;
use ai_desktop_api::files::{EntryKind, FileEntry, FileRoot, FileText, Listing};
use rustix::fs::{AtFlags, Mode, OFlags, RenameFlags, ResolveFlags};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Text files larger than this are not opened in the editor.
pub const MAX_TEXT: u64 = 1024 * 1024;

pub struct FileBrowser {
    repos: Arc<RepoRegistry>,
    workspaces: Arc<Workspaces>,
    /// `~/.local/share/Trash` (tests give their own).
    trash: PathBuf,
}

use crate::util::{check_name, check_relative};

fn git_word(s: git2::Status) -> Option<&'static str> {
    if s.is_conflicted() {
        Some("conflicted")
    } else if s.is_ignored() {
        Some("ignored")
    } else if s.is_wt_new() {
        Some("untracked")
    } else if s.is_index_new() {
        Some("added")
    } else if s.is_wt_deleted() || s.is_index_deleted() {
        Some("deleted")
    } else if s.is_index_renamed() || s.is_wt_renamed() {
        Some("renamed")
    } else if s.is_wt_modified()
        || s.is_index_modified()
        || s.is_wt_typechange()
        || s.is_index_typechange()
    {
        Some("modified")
    } else {
        None
    }
}

/// An opened root folder and its canonical path.
struct Root {
    fd: OwnedFd,
    path: PathBuf,
}

/// Why a path could not be resolved inside the root, in words.
fn resolve_error(rel: &Path, e: rustix::io::Errno) -> Error {
    match e {
        // EXDEV: the path (or a link on it) leads out of the root.
        rustix::io::Errno::XDEV | rustix::io::Errno::LOOP => Error::Forbidden(format!(
            "{} points outside the folder; only what is inside can be used here.",
            rel.display()
        )),
        rustix::io::Errno::NOENT => Error::NotFound(format!("{} does not exist.", rel.display())),
        rustix::io::Errno::NOTDIR => {
            Error::InvalidInput(format!("{} is not a folder.", rel.display()))
        }
        other => Error::failed(format!("{} cannot be opened.", rel.display()), other),
    }
}

/// The path an open descriptor refers to (its canonical location).
fn fd_path(fd: impl AsFd) -> Result<PathBuf> {
    use std::os::fd::AsRawFd;
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd()))
        .map_err(|e| Error::failed("The file's location cannot be read.", e))
}

/// What a save compares: device, inode, size and modification time to the
/// nanosecond. Two edits in the same second no longer look the same.
fn version(st: &rustix::fs::Stat) -> String {
    format!(
        "{}:{}:{}:{}.{:09}",
        st.st_dev, st.st_ino, st.st_size, st.st_mtime, st.st_mtime_nsec
    )
}

fn secs(st: &rustix::fs::Stat) -> Option<u64> {
    u64::try_from(st.st_mtime).ok()
}

impl Root {
    /// Opens `rel` (which must resolve inside the root) with `flags`.
    fn open(&self, rel: &Path, flags: OFlags) -> Result<OwnedFd> {
        let path = if rel.as_os_str().is_empty() {
            Path::new(".")
        } else {
            rel
        };
        rustix::fs::openat2(
            &self.fd,
            path,
            flags | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        )
        .map_err(|e| resolve_error(rel, e))
    }

    /// The folder `rel`, for listing.
    fn dir(&self, rel: &Path) -> Result<OwnedFd> {
        self.open(rel, OFlags::RDONLY | OFlags::DIRECTORY)
    }

    /// The opened parent folder of `rel` and its last name (never the root itself).
    fn parent_and_name(&self, rel: &str) -> Result<(OwnedFd, String, PathBuf)> {
        let relp = check_relative(rel)?;
        let Some(name) = relp
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            return Err(Error::Forbidden(
                "The folder itself cannot be renamed, moved or deleted here.".into(),
            ));
        };
        let parent = relp.parent().unwrap_or(Path::new("")).to_path_buf();
        let fd = self.open(&parent, OFlags::PATH | OFlags::DIRECTORY)?;
        let real = fd_path(&fd)?;
        Ok((fd, name, real))
    }

    /// `full` relative to the root, with `/`.
    fn rel_of(&self, full: &Path) -> String {
        full.strip_prefix(&self.path)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    }
}

impl FileBrowser {
    pub fn new(
        repos: Arc<RepoRegistry>,
        workspaces: Arc<Workspaces>,
        trash: PathBuf,
    ) -> FileBrowser {
        FileBrowser {
            repos,
            workspaces,
            trash,
        }
    }

    fn root(&self, root: &FileRoot) -> Result<Root> {
        let path = match root {
            FileRoot::Repository { id } => {
                let repo = self.repos.get(*id)?;
                std::fs::canonicalize(&repo.path).map_err(|e| {
                    Error::NotFound(format!("The folder of {} is gone ({e}).", repo.name))
                })?
            }
            FileRoot::Workspace { path } => self.workspaces.resolve(path)?,
        };
        let fd = rustix::fs::open(
            &path,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| Error::failed(format!("{} cannot be opened.", path.display()), e))?;
        Ok(Root { fd, path })
    }

    pub fn list(&self, root_id: &FileRoot, rel: &str) -> Result<Listing> {
        let root = self.root(root_id)?;
        let relp = check_relative(rel)?;
        let dir = root.dir(&relp)?;
        let real = fd_path(&dir)?;
        if !real.starts_with(&root.path) {
            return Err(Error::Forbidden(format!(
                "{rel} points outside the folder; only what is inside can be used here."
            )));
        }
        let here = root.rel_of(&real);
        // Git's view of what is under this folder (libgit2: no hooks, no fsmonitor).
        let mut git: HashMap<String, &'static str> = HashMap::new();
        if let Ok(repo) = git2::Repository::open(&root.path) {
            let mut opts = git2::StatusOptions::new();
            opts.include_untracked(true)
                .recurse_untracked_dirs(false)
                .include_ignored(true)
                .recurse_ignored_dirs(false);
            if let Ok(statuses) = repo.statuses(Some(&mut opts)) {
                for s in statuses.iter() {
                    let (Some(path), Some(word)) = (s.path().ok(), git_word(s.status())) else {
                        continue;
                    };
                    let path = path.trim_end_matches('/');
                    let inside = if here.is_empty() {
                        Some(path)
                    } else {
                        path.strip_prefix(&format!("{here}/"))
                    };
                    let Some(inside) = inside else { continue };
                    match inside.split_once('/') {
                        None => {
                            git.insert(inside.to_string(), word);
                        }
                        // Something inside a sub-folder changed.
                        Some((first, _)) if word != "ignored" => {
                            git.entry(first.to_string()).or_insert("modified");
                        }
                        _ => {}
                    }
                }
            }
        }
        let mut entries = Vec::new();
        let reader = rustix::fs::Dir::read_from(&dir)
            .map_err(|e| Error::failed(format!("{} cannot be read.", relp.display()), e))?;
        for entry in reader.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if matches!(name.as_str(), "." | ".." | ".git") {
                continue;
            }
            let Ok(st) = rustix::fs::statat(&dir, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW)
            else {
                continue;
            };
            let kind = match rustix::fs::FileType::from_raw_mode(st.st_mode) {
                rustix::fs::FileType::Symlink => EntryKind::Symlink,
                rustix::fs::FileType::Directory => EntryKind::Dir,
                _ => EntryKind::File,
            };
            entries.push(FileEntry {
                path: if here.is_empty() {
                    name.clone()
                } else {
                    format!("{here}/{name}")
                },
                git: git.get(&name).map(|w| w.to_string()),
                name,
                kind,
                size: if kind == EntryKind::File {
                    u64::try_from(st.st_size).unwrap_or(0)
                } else {
                    0
                },
                modified: secs(&st),
            });
        }
        entries.sort_by(|a, b| {
            (a.kind != EntryKind::Dir)
                .cmp(&(b.kind != EntryKind::Dir))
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        Ok(Listing {
            root: root_id.clone(),
            path: here,
            entries,
        })
    }

    pub fn mkdir(&self, root_id: &FileRoot, rel_dir: &str, name: &str) -> Result<Listing> {
        check_name(name)?;
        let root = self.root(root_id)?;
        let parent = root.open(&check_relative(rel_dir)?, OFlags::PATH | OFlags::DIRECTORY)?;
        rustix::fs::mkdirat(&parent, name, Mode::from_raw_mode(0o755)).map_err(|e| match e {
            rustix::io::Errno::EXIST => Error::Conflict(format!("{name} already exists.")),
            other => Error::failed(format!("{name} cannot be created."), other),
        })?;
        self.list(root_id, rel_dir)
    }

    /// Renames or moves `from` to `to` (both relative, inside the root).
    /// A symlink is renamed itself; nothing is ever replaced.
    pub fn rename(&self, root_id: &FileRoot, from: &str, to: &str) -> Result<()> {
        let root = self.root(root_id)?;
        let (from_dir, from_name, from_real) = root.parent_and_name(from)?;
        let (to_dir, to_name, to_real) = root.parent_and_name(to)?;
        // Moving a folder into itself: the target folder lies under it.
        if to_real.starts_with(from_real.join(&from_name)) {
            return Err(Error::InvalidInput(
                "A folder cannot be moved into itself.".into(),
            ));
        }
        rustix::fs::renameat_with(
            &from_dir,
            from_name.as_str(),
            &to_dir,
            to_name.as_str(),
            RenameFlags::NOREPLACE,
        )
        .map_err(|e| match e {
            rustix::io::Errno::EXIST => Error::Conflict(format!("{to} already exists.")),
            rustix::io::Errno::NOENT => Error::NotFound(format!("{from} does not exist.")),
            other => Error::failed(format!("{from} cannot be moved to {to}."), other),
        })
    }

    /// Moves `rel` to the desktop trash, restorable (a symlink is trashed
    /// itself, not what it points to).
    pub fn trash(&self, root_id: &FileRoot, rel: &str) -> Result<()> {
        let root = self.root(root_id)?;
        let (dir, name, real_parent) = root.parent_and_name(rel)?;
        trash::move_to_trash(&dir, &name, &real_parent.join(&name), &self.trash)
            .map(|_| ())
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(format!("{rel} does not exist.")),
                other => other,
            })
    }

    pub fn read(&self, root_id: &FileRoot, rel: &str) -> Result<FileText> {
        let root = self.root(root_id)?;
        let relp = check_relative(rel)?;
        let file = root.open(&relp, OFlags::RDONLY | OFlags::NONBLOCK)?;
        let st = rustix::fs::fstat(&file).map_err(|e| Error::failed("Cannot read it.", e))?;
        if rustix::fs::FileType::from_raw_mode(st.st_mode) != rustix::fs::FileType::RegularFile {
            return Err(Error::InvalidInput(format!("{rel} is not a file.")));
        }
        let size = u64::try_from(st.st_size).unwrap_or(u64::MAX);
        if size > MAX_TEXT {
            return Err(Error::InvalidInput(format!(
                "{rel} is {} KB; files over {} KB are not opened here (open it in VS Code).",
                size / 1024,
                MAX_TEXT / 1024
            )));
        }
        let mut bytes = Vec::new();
        std::fs::File::from(file)
            .take(MAX_TEXT + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::failed("Cannot read it.", e))?;
        if bytes.len() as u64 > MAX_TEXT {
            return Err(Error::InvalidInput(format!(
                "{rel} grew over {} KB while it was read.",
                MAX_TEXT / 1024
            )));
        }
        if bytes.contains(&0) {
            return Err(Error::InvalidInput(format!("{rel} is a binary file.")));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::InvalidInput(format!("{rel} is not UTF-8 text.")))?;
        let real = self
            .real_path(&root, &relp)
            .unwrap_or_else(|_| root.path.join(&relp));
        Ok(FileText {
            path: root.rel_of(&real),
            text,
            modified: secs(&st),
            version: version(&st),
        })
    }

    /// Makes a new text file `rel` (its folder must exist; nothing is ever
    /// replaced: an existing file, folder or link there is refused).
    pub fn create(&self, root_id: &FileRoot, rel: &str, text: &str) -> Result<FileText> {
        if text.len() as u64 > MAX_TEXT {
            return Err(Error::InvalidInput(
                "Texts over 1 MB are not saved here.".into(),
            ));
        }
        let root = self.root(root_id)?;
        let (dir, name, _) = root.parent_and_name(rel).map_err(|e| match e {
            Error::NotFound(_) => Error::NotFound(format!(
                "The folder of {rel} does not exist; files are made only in existing folders."
            )),
            other => other,
        })?;
        let fd = rustix::fs::openat(
            &dir,
            name.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )
        .map_err(|e| match e {
            rustix::io::Errno::EXIST => Error::Conflict(format!("{rel} already exists.")),
            other => Error::failed(format!("{rel} cannot be created."), other),
        })?;
        let mut file = std::fs::File::from(fd);
        if let Err(e) = file
            .write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
        {
            let _ = rustix::fs::unlinkat(&dir, name.as_str(), AtFlags::empty());
            return Err(Error::failed(format!("{rel} cannot be written."), e));
        }
        self.read(root_id, rel)
    }

    /// Deletes the file `rel` for good (not to the trash) if it is still
    /// what `read` said (`version`): for undoing a file the app made.
    pub fn remove_file(&self, root_id: &FileRoot, rel: &str, version: &str) -> Result<()> {
        let current = self.read(root_id, rel)?;
        if current.version != version {
            return Err(Error::Conflict(format!("{rel} changed on disk.")));
        }
        let root = self.root(root_id)?;
        let (dir, name, _) = root.parent_and_name(rel)?;
        rustix::fs::unlinkat(&dir, name.as_str(), AtFlags::empty())
            .map_err(|e| Error::failed(format!("{rel} cannot be removed."), e))
    }

    /// Where `rel` really is (a link inside the root resolved).
    fn real_path(&self, root: &Root, rel: &Path) -> Result<PathBuf> {
        fd_path(root.open(rel, OFlags::PATH)?)
    }

    /// Saves `text` over an existing text file, atomically (a new file next
    /// to it, then a rename; permissions kept). `version` is what `read`
    /// said: if the file changed since, nothing is written.
    pub fn write(
        &self,
        root_id: &FileRoot,
        rel: &str,
        text: &str,
        version: Option<&str>,
    ) -> Result<FileText> {
        if text.len() as u64 > MAX_TEXT {
            return Err(Error::InvalidInput(
                "Texts over 1 MB are not saved here.".into(),
            ));
        }
        let current = self.read(root_id, rel)?;
        if version.is_some_and(|v| v != current.version) {
            return Err(Error::Conflict(format!(
                "{rel} changed on disk since it was opened; reopen it to see the change."
            )));
        }
        let root = self.root(root_id)?;
        // The file's real place (a link inside the root saves its target).
        let real = self.real_path(&root, &check_relative(rel)?)?;
        let real_rel = root.rel_of(&real);
        let (dir, name, _) = root.parent_and_name(&real_rel)?;
        let st = rustix::fs::statat(&dir, name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| Error::failed("Cannot save it.", e))?;
        let tmp_name = format!(".{name}.aidesktop-{}", crate::secrets::random_hex(6)?);
        let tmp = rustix::fs::openat(
            &dir,
            tmp_name.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(st.st_mode & 0o7777),
        )
        .map_err(|e| Error::failed("Cannot write next to it.", e))?;
        let mut file = std::fs::File::from(tmp);
        let written = file
            .write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::failed("Cannot write it.", e))
            .and_then(|_| {
                // umask may have cut the mode: the file keeps its own.
                rustix::fs::fchmod(&file, Mode::from_raw_mode(st.st_mode & 0o7777))
                    .map_err(|e| Error::failed("Cannot keep its permissions.", e))
            })
            .and_then(|_| {
                // Last check, then the swap: a change that lands in between
                // is the only one that can still be overwritten.
                let now = rustix::fs::statat(&dir, name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
                    .map_err(|e| Error::failed("Cannot save it.", e))?;
                if self::version(&now) != current.version {
                    return Err(Error::Conflict(format!(
                        "{rel} changed on disk while it was being saved; reopen it to see the change."
                    )));
                }
                rustix::fs::renameat(&dir, tmp_name.as_str(), &dir, name.as_str())
                    .map_err(|e| Error::failed("Cannot save it.", e))
            });
        if let Err(e) = written {
            let _ = rustix::fs::unlinkat(&dir, tmp_name.as_str(), AtFlags::empty());
            return Err(e);
        }
        self.read(root_id, rel)
    }
}
