//! The file browser: folders of registered repositories and workspace folders.

use serde::{Deserialize, Serialize};

/// What a path is relative to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileRoot {
    /// A registered repository, by id.
    Repository {
        /// The repository's id.
        id: i64,
    },
    /// A configured workspace folder, by its path (exactly as listed).
    Workspace {
        /// The folder's absolute path.
        path: String,
    },
}

impl FileRoot {
    /// The root of the registered repository `id`.
    pub fn repository(id: i64) -> FileRoot {
        FileRoot::Repository { id }
    }
}

/// What an entry of a folder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link (not followed).
    Symlink,
}

/// An entry of a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Its name in the folder.
    pub name: String,
    /// Relative to the repository, with `/`.
    pub path: String,
    /// File, folder or link.
    pub kind: EntryKind,
    /// Bytes (0 for folders).
    pub size: u64,
    /// Seconds since the epoch.
    pub modified: Option<u64>,
    /// Git's word for it: `modified`, `added`, `untracked`, `ignored`,
    /// `conflicted`, `deleted`, `renamed`; for a folder, `modified` when
    /// something inside changed.
    pub git: Option<String>,
}

/// A folder's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The root the path is relative to.
    pub root: FileRoot,
    /// Relative folder shown ("" for the repository's top).
    pub path: String,
    /// Folders first, then files, each by name.
    pub entries: Vec<FileEntry>,
}

/// A text file, as read for viewing and editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileText {
    /// Relative to its root, with `/`.
    pub path: String,
    /// Its contents (UTF-8).
    pub text: String,
    /// Seconds since the epoch of its last change (for display).
    pub modified: Option<u64>,
    /// What it was when read — device, inode, size, modification time to
    /// the nanosecond — sent back on save, so a file changed meanwhile (even
    /// within the same second) is not overwritten.
    pub version: String,
}

crate::command! {
    /// Folders besides repositories: file-browser roots, clone targets
    WorkspaceFolders = "workspaces_folders" {} -> Vec<String>;
    /// Absolute, existing; not `/`
    WorkspaceAdd = "workspaces_add" { path: String } -> Vec<String>;
    /// Forgets it; nothing on disk changes
    WorkspaceRemove = "workspaces_remove" { path: String } -> Vec<String>;
    /// Path relative, "" = top
    List = "files_list" { root: FileRoot, path: String } -> Listing;
    /// A new folder in `path`
    Mkdir = "files_mkdir" { root: FileRoot, path: String, name: String } -> Listing;
    /// Rename or move inside the root
    Rename = "files_rename" { root: FileRoot, from: String, to: String } -> ();
    /// To the desktop trash
    Trash = "files_trash" { root: FileRoot, path: String } -> ();
    /// Text files up to 1 MB
    Read = "files_read" { root: FileRoot, path: String } -> FileText;
    /// `version` as `files_read` gave it: a file changed since is not overwritten
    Write = "files_write" { root: FileRoot, path: String, text: String, version: Option<String> } -> FileText;
}
