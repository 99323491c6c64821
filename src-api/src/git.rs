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

/// A stash entry (0 is the newest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StashInfo {
    pub index: usize,
    pub message: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagInfo {
    pub name: String,
    /// The commit it points at.
    pub target: String,
    /// Annotated tags have a message (and a tagger).
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteInfo {
    pub name: String,
    /// Credentials in the URL are shown as `***`.
    pub url: String,
}

/// One file of a commit's diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitFile {
    pub path: String,
    /// added, modified, deleted, renamed, …
    pub status: String,
    /// Unified diff (cut at a limit; `binary` files have none).
    pub patch: String,
    pub binary: bool,
}

/// `git show`: a commit with its full message and diff against its first parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitDetail {
    pub commit: CommitInfo,
    pub message: String,
    pub files: Vec<CommitFile>,
    /// Files or lines were left out (very large commits).
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// Moves the branch; keeps the index and files.
    Soft,
    /// Moves the branch and resets the index; keeps files.
    Mixed,
    /// Moves the branch and discards every uncommitted change.
    Hard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullMode {
    /// Refuses when the branches have diverged.
    FastForwardOnly,
    /// Merges when they have diverged.
    Merge,
}

/// A progress frame of clone, fetch, pull or push.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitProgress {
    /// e.g. "Receiving objects", "Resolving deltas", "Writing objects".
    pub stage: String,
    pub current: u64,
    pub total: u64,
    pub bytes: u64,
    /// What the server said (sideband), if anything.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    UpToDate,
    FastForward,
    Merged,
    /// Stopped with conflicts; resolve and commit, or abort.
    Conflicts,
    Rebased,
    Pushed,
    Fetched,
}

/// What fetch, pull, push, merge or rebase did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResult {
    pub outcome: SyncOutcome,
    /// Files with conflicts (when `outcome` is `conflicts`).
    pub conflicted: Vec<String>,
    /// A sentence for the user.
    pub message: String,
}

/// What is under way in the work tree (a merge or rebase stopped on conflicts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepoState {
    Clean,
    Merge,
    Rebase,
    Other,
}

/// `git_state`: what is under way, and the files still in conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkTreeState {
    pub state: RepoState,
    pub conflicted: Vec<String>,
}

/// Input of `git_clone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloneRequest {
    pub url: String,
    /// One of the configured workspace folders.
    pub workspace: String,
    /// The new folder's name inside it (default: from the URL).
    #[serde(default)]
    pub name: Option<String>,
}
