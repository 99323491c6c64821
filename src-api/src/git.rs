//! Git identity and SSH keys (the Git page's settings).

use serde::{Deserialize, Serialize};

/// The global `user.name` / `user.email` (from `~/.gitconfig`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitIdentity {
    pub name: Option<String>,
    pub email: Option<String>,
    /// The file read and written.
    pub config_file: String,
}

/// A key pair in `~/.ssh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKey {
    /// The file name without `.pub`, e.g. `id_ed25519`.
    pub name: String,
    /// e.g. `ssh-ed25519`.
    pub algorithm: String,
    /// `SHA256:…`
    pub fingerprint: String,
    pub comment: String,
    /// The whole public key line, to paste into a git host.
    pub public_key: String,
    /// The private half is next to it.
    pub has_private: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSshKey {
    /// A file name in `~/.ssh` (letters, digits, `.`, `_`, `-`).
    pub name: String,
    pub comment: String,
    /// Empty or None: no passphrase.
    pub passphrase: Option<String>,
}

/// What `ssh -T` said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshTestResult {
    /// The server let the key in (git hosts then refuse a shell and say who you are).
    pub authenticated: bool,
    pub output: String,
    pub exit_code: Option<i32>,
}

/// A commit of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub id: String,
    pub short_id: String,
    pub summary: String,
    pub author: String,
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// Parent ids (two or more for a merge): what a graph is drawn from.
    pub parents: Vec<String>,
}

/// A local branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchInfo {
    pub name: String,
    pub current: bool,
    /// e.g. `origin/main`.
    pub upstream: Option<String>,
    pub ahead: usize,
    pub behind: usize,
    pub tip: String,
}
