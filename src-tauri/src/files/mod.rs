//! The file browser over registered repositories. Every path from the UI is
//! relative to a repository the app knows (by id), checked name by name, and
//! resolved with symlinks followed: anything that ends up outside the
//! repository — `..`, an absolute path, a symlink pointing out — is refused.
//! Deleting goes to the desktop trash (freedesktop.org spec), never straight
//! to oblivion; the repository's own folder cannot be deleted or renamed.

use crate::error::{Error, Result};
use crate::repos::RepoRegistry;
use crate::workspace::Workspaces;
use ai_desktop_api::files::{EntryKind, FileEntry, FileRoot, FileText, Listing};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

/// Text files larger than this are not opened in the editor.
pub const MAX_TEXT: u64 = 1024 * 1024;

pub struct FileBrowser {
    repos: Arc<RepoRegistry>,
    workspaces: Arc<Workspaces>,
    /// `~/.local/share/Trash` (tests give their own).
    trash: PathBuf,
}

fn mtime(meta: &std::fs::Metadata) -> Option<u64> {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
}

/// One name: not empty, no `/`, not `.` or `..`, no control characters.
pub fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.len() > 255
        || name.chars().any(|c| c.is_control())
    {
        return Err(Error::InvalidInput(format!(
            "{name:?} is not a usable name: one name without '/', line breaks or control characters."
        )));
    }
    Ok(())
}

/// A relative path made only of usable names.
pub fn check_relative(rel: &str) -> Result<PathBuf> {
    let p = Path::new(rel);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => {
                let n = n
                    .to_str()
                    .ok_or_else(|| Error::InvalidInput("Paths must be valid UTF-8.".into()))?;
                check_name(n)?;
                out.push(n);
            }
            Component::CurDir => {}
            _ => {
                return Err(Error::Forbidden(format!(
                    "{rel:?} leaves the repository; give a path inside it."
                )))
            }
        }
    }
    Ok(out)
}

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

    fn root(&self, root: &FileRoot) -> Result<PathBuf> {
        match root {
            FileRoot::Repository { id } => {
                let repo = self.repos.get(*id)?;
                std::fs::canonicalize(&repo.path).map_err(|e| {
                    Error::NotFound(format!("The folder of {} is gone ({e}).", repo.name))
                })
            }
            FileRoot::Workspace { path } => self.workspaces.resolve(path),
        }
    }

    /// An existing path inside the repository, symlinks resolved.
    fn existing(&self, root: &Path, rel: &str) -> Result<PathBuf> {
        let rel = check_relative(rel)?;
        let full = std::fs::canonicalize(root.join(&rel))
            .map_err(|_| Error::NotFound(format!("{} does not exist.", rel.display())))?;
        if !full.starts_with(root) {
            return Err(Error::Forbidden(format!(
                "{} points outside the repository.",
                rel.display()
            )));
        }
        Ok(full)
    }

    /// A path that may not exist yet: its parent must exist inside the repository.
    fn new_path(&self, root: &Path, rel: &str) -> Result<PathBuf> {
        let relp = check_relative(rel)?;
        let name = relp
            .file_name()
            .ok_or_else(|| Error::InvalidInput("A name is needed.".into()))?
            .to_owned();
        let parent = relp
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = self.existing(root, &parent)?;
        if !dir.is_dir() {
            return Err(Error::InvalidInput(format!("{parent} is not a folder.")));
        }
        Ok(dir.join(name))
    }

    fn rel_of(root: &Path, full: &Path) -> String {
        full.strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    }

    pub fn list(&self, root_id: &FileRoot, rel: &str) -> Result<Listing> {
        let root = self.root(root_id)?;
        let dir = self.existing(&root, rel)?;
        if !dir.is_dir() {
            return Err(Error::InvalidInput(format!("{rel} is not a folder.")));
        }
        let here = Self::rel_of(&root, &dir);
        // Git's view of what is under this folder (libgit2: no hooks, no fsmonitor).
        let mut git: HashMap<String, &'static str> = HashMap::new();
        if let Ok(repo) = git2::Repository::open(&root) {
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
        for e in std::fs::read_dir(&dir)
            .map_err(|e| Error::failed(format!("{} cannot be read.", dir.display()), e))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if name == ".git" {
                continue;
            }
            let Ok(meta) = e.path().symlink_metadata() else {
                continue;
            };
            let kind = if meta.file_type().is_symlink() {
                EntryKind::Symlink
            } else if meta.is_dir() {
                EntryKind::Dir
            } else {
                EntryKind::File
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
                    meta.len()
                } else {
                    0
                },
                modified: mtime(&meta),
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
        let rel = if rel_dir.is_empty() {
            name.to_string()
        } else {
            format!("{rel_dir}/{name}")
        };
        let target = self.new_path(&root, &rel)?;
        std::fs::create_dir(&target).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Conflict(format!("{name} already exists.")),
            _ => Error::failed(format!("{name} cannot be created."), e),
        })?;
        self.list(root_id, rel_dir)
    }

    /// Renames or moves `from` to `to` (both relative, inside the
    /// repository); never replaces an existing file.
    pub fn rename(&self, root_id: &FileRoot, from: &str, to: &str) -> Result<()> {
        let root = self.root(root_id)?;
        let source = self.existing(&root, from)?;
        if source == root {
            return Err(Error::Forbidden(
                "The repository's own folder cannot be renamed here.".into(),
            ));
        }
        let target = self.new_path(&root, to)?;
        if target.symlink_metadata().is_ok() {
            return Err(Error::Conflict(format!("{to} already exists.")));
        }
        if target.starts_with(&source) {
            return Err(Error::InvalidInput(
                "A folder cannot be moved into itself.".into(),
            ));
        }
        std::fs::rename(&source, &target)
            .map_err(|e| Error::failed(format!("{from} cannot be moved to {to}."), e))
    }

    /// Moves `rel` to the trash (`files/` + a `.trashinfo`), so it can be restored.
    pub fn trash(&self, root_id: &FileRoot, rel: &str) -> Result<()> {
        let root = self.root(root_id)?;
        let source = self.existing(&root, rel)?;
        if source == root {
            return Err(Error::Forbidden(
                "The repository's own folder cannot be deleted here.".into(),
            ));
        }
        let files = self.trash.join("files");
        let info = self.trash.join("info");
        std::fs::create_dir_all(&files)
            .and_then(|_| std::fs::create_dir_all(&info))
            .map_err(|e| Error::failed("The trash folder cannot be created.", e))?;
        let base = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "item".into());
        // A free name in the trash, reserved by creating its info file.
        let mut n = 1;
        let (name, mut info_file) = loop {
            let candidate = if n == 1 {
                base.clone()
            } else {
                format!("{base}.{n}")
            };
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(info.join(format!("{candidate}.trashinfo")))
            {
                Ok(f) if !files.join(&candidate).exists() => break (candidate, f),
                Ok(_) => {
                    let _ = std::fs::remove_file(info.join(format!("{candidate}.trashinfo")));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::failed("The trash cannot be written.", e)),
            }
            n += 1;
            if n > 10_000 {
                return Err(Error::failed("The trash is full of that name.", base));
            }
        };
        let when = crate::store::now_rfc3339();
        let encoded: String = source
            .to_string_lossy()
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let _ = writeln!(
            info_file,
            "[Trash Info]\nPath={encoded}\nDeletionDate={}",
            when.trim_end_matches('Z')
                .split('.')
                .next()
                .unwrap_or(&when)
        );
        if let Err(e) = std::fs::rename(&source, files.join(&name)) {
            let _ = std::fs::remove_file(info.join(format!("{name}.trashinfo")));
            return Err(if e.raw_os_error() == Some(libc::EXDEV) {
                Error::Failed {
                    message: format!(
                        "{rel} is on another disk than the trash ({}); it was left in place.",
                        self.trash.display()
                    ),
                    detail: None,
                }
            } else {
                Error::failed(format!("{rel} cannot be moved to the trash."), e)
            });
        }
        Ok(())
    }

    pub fn read(&self, root_id: &FileRoot, rel: &str) -> Result<FileText> {
        let root = self.root(root_id)?;
        let full = self.existing(&root, rel)?;
        let meta = std::fs::metadata(&full).map_err(|e| Error::failed("Cannot read it.", e))?;
        if !meta.is_file() {
            return Err(Error::InvalidInput(format!("{rel} is not a file.")));
        }
        if meta.len() > MAX_TEXT {
            return Err(Error::InvalidInput(format!(
                "{rel} is {} KB; files over {} KB are not opened here (open it in VS Code).",
                meta.len() / 1024,
                MAX_TEXT / 1024
            )));
        }
        let bytes = std::fs::read(&full).map_err(|e| Error::failed("Cannot read it.", e))?;
        if bytes.contains(&0) {
            return Err(Error::InvalidInput(format!("{rel} is a binary file.")));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::InvalidInput(format!("{rel} is not UTF-8 text.")))?;
        Ok(FileText {
            path: Self::rel_of(&root, &full),
            text,
            modified: mtime(&meta),
        })
    }

    /// Saves `text` over an existing text file, atomically (temp + rename,
    /// permissions kept). `modified` is what `read` said: if the file changed
    /// since, nothing is written.
    pub fn write(
        &self,
        root_id: &FileRoot,
        rel: &str,
        text: &str,
        modified: Option<u64>,
    ) -> Result<FileText> {
        if text.len() as u64 > MAX_TEXT {
            return Err(Error::InvalidInput(
                "Texts over 1 MB are not saved here.".into(),
            ));
        }
        let current = self.read(root_id, rel)?;
        if modified.is_some() && current.modified != modified {
            return Err(Error::Conflict(format!(
                "{rel} changed on disk since it was opened; reopen it to see the change."
            )));
        }
        let root = self.root(root_id)?;
        let full = self.existing(&root, rel)?;
        let perms = std::fs::metadata(&full).map(|m| m.permissions()).ok();
        let dir = full.parent().unwrap_or(&root);
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| Error::failed("Cannot write next to it.", e))?;
        tmp.write_all(text.as_bytes())
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| Error::failed("Cannot write it.", e))?;
        if let Some(p) = perms {
            let _ = tmp.as_file().set_permissions(p);
        }
        tmp.persist(&full)
            .map_err(|e| Error::failed("Cannot save it.", e.error))?;
        self.read(root_id, rel)
    }
}
