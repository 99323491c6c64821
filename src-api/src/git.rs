//! Git identity and SSH keys (the Git page's settings).

use crate::repos::Repository;
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

/// How one side (index or working tree) of a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    TypeChanged,
    Untracked,
}

/// A changed file. `staged` is HEAD → index, `unstaged` index → working tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    pub staged: Option<ChangeKind>,
    pub unstaged: Option<ChangeKind>,
    pub conflicted: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub staged: u32,
    pub unstaged: u32,
    pub untracked: u32,
    pub conflicted: u32,
}

/// Payload of `git:changes` and result of `git_changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoChanges {
    pub repository_id: i64,
    pub branch: Option<String>,
    pub files: Vec<FileChange>,
    pub counts: ChangeCounts,
    /// The list stopped at this many entries (a huge untracked tree).
    pub truncated: bool,
}

/// Which two versions of a file to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffSide {
    /// Index → working tree (what `git diff` shows).
    Unstaged,
    /// HEAD → index (what `git diff --cached` shows).
    Staged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffLineKind {
    Context,
    Added,
    Removed,
    /// "\ No newline at end of file".
    NoNewline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: DiffLineKind,
    pub old_line: Option<u32>,
    pub new_line: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunk {
    /// `@@ -a,b +c,d @@ context`
    pub header: String,
    pub lines: Vec<DiffLine>,
}

/// A unified diff of one file, or a summary where text would not help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    pub path: String,
    pub old_path: Option<String>,
    pub side: DiffSide,
    pub binary: bool,
    /// Too large to show; `additions`/`deletions` still count it.
    pub too_large: bool,
    pub additions: u32,
    pub deletions: u32,
    pub hunks: Vec<DiffHunk>,
}

crate::command! {
    /// The repository's changed files (staged, unstaged, untracked, conflicted).
    Changes = "git_changes" { repository_id: i64 } -> RepoChanges;
    /// Which repository's changes are pushed live as `git:changes` (one at a time; None
    /// stops watching).
    Watch = "git_watch" { repository_id: Option<i64> } -> ();
    /// One file's unified diff (index or working tree side).
    Diff = "git_diff" { repository_id: i64, path: String, side: DiffSide } -> FileDiff;
    /// `git_identity`.
    Identity = "git_identity" {} -> GitIdentity;
    /// Global config
    SetIdentity = "git_set_identity" { name: String, email: String } -> GitIdentity;
    /// The key pairs in ~/.ssh
    SshKeys = "ssh_keys" {} -> Vec<SshKey>;
    /// Ed25519; never overwrites a file
    SshGenerate = "ssh_generate" { input: NewSshKey } -> SshKey;
    /// `ssh -T`, 15 s at most
    SshTest = "ssh_test" { host: String, key: Option<String> } -> SshTestResult;
    /// Paths relative to the repository
    Stage = "git_stage" { repository_id: i64, paths: Vec<String> } -> ();
    /// `git_unstage`.
    Unstage = "git_unstage" { repository_id: i64, paths: Vec<String> } -> ();
    /// What is staged, as the Git page's identity
    Commit = "git_commit" { repository_id: i64, message: String } -> CommitInfo;
    /// Newest first, from HEAD
    Log = "git_log" { repository_id: i64, limit: u32 } -> Vec<CommitInfo>;
    /// `git_branches`.
    Branches = "git_branches" { repository_id: i64 } -> Vec<BranchInfo>;
    /// From HEAD
    CreateBranch = "git_create_branch" { repository_id: i64, name: String, checkout: bool } -> Vec<BranchInfo>;
    /// Refuses to overwrite local changes
    SwitchBranch = "git_switch_branch" { repository_id: i64, name: String } -> Vec<BranchInfo>;
    /// Not the current one, only if merged
    DeleteBranch = "git_delete_branch" { repository_id: i64, name: String } -> Vec<BranchInfo>;
    /// A merge or rebase under way, conflicted files
    State = "git_state" { repository_id: i64 } -> WorkTreeState;
    /// `git_stashes`.
    Stashes = "git_stashes" { repository_id: i64 } -> Vec<StashInfo>;
    /// `git_stash_push`.
    StashPush = "git_stash_push" { repository_id: i64, message: String, include_untracked: bool } -> Vec<StashInfo>;
    /// Refuses to overwrite local changes
    StashApply = "git_stash_apply" { repository_id: i64, index: usize, pop: bool } -> Vec<StashInfo>;
    /// `git_stash_drop`.
    StashDrop = "git_stash_drop" { repository_id: i64, index: usize } -> Vec<StashInfo>;
    /// `git_tags`.
    Tags = "git_tags" { repository_id: i64 } -> Vec<TagInfo>;
    /// HEAD; annotated if a message
    CreateTag = "git_create_tag" { repository_id: i64, name: String, message: String } -> Vec<TagInfo>;
    /// `git_delete_tag`.
    DeleteTag = "git_delete_tag" { repository_id: i64, name: String } -> Vec<TagInfo>;
    /// `git_remotes`.
    Remotes = "git_remotes" { repository_id: i64 } -> Vec<RemoteInfo>;
    /// `git_add_remote`.
    AddRemote = "git_add_remote" { repository_id: i64, name: String, url: String } -> Vec<RemoteInfo>;
    /// `git_remove_remote`.
    RemoveRemote = "git_remove_remote" { repository_id: i64, name: String } -> Vec<RemoteInfo>;
    /// Message and diff
    Show = "git_show" { repository_id: i64, id: String } -> CommitDetail;
    /// The UI confirms first
    Reset = "git_reset" { repository_id: i64, id: String, mode: ResetMode } -> Vec<CommitInfo>;
    /// `git_fetch`. Streams `GitProgress` frames over the Channel under `onProgress`.
    Fetch = "git_fetch" { repository_id: i64, remote: Option<String> } -> SyncResult, streams GitProgress as "onProgress";
    /// `git_pull`. Streams `GitProgress` frames over the Channel under `onProgress`.
    Pull = "git_pull" { repository_id: i64, mode: PullMode } -> SyncResult, streams GitProgress as "onProgress";
    /// `git_push`. Streams `GitProgress` frames over the Channel under `onProgress`.
    Push = "git_push" { repository_id: i64, remote: Option<String> } -> SyncResult, streams GitProgress as "onProgress";
    /// May stop with conflicts
    Merge = "git_merge" { repository_id: i64, branch: String } -> SyncResult;
    /// May stop with conflicts
    Rebase = "git_rebase" { repository_id: i64, onto: String } -> SyncResult;
    /// Aborts the merge or rebase under way
    Abort = "git_abort" { repository_id: i64 } -> RepoState;
    /// `git_continue_rebase`.
    ContinueRebase = "git_continue_rebase" { repository_id: i64 } -> SyncResult;
    /// Registered Streams `GitProgress` frames over the Channel under `onProgress`.
    CloneRepo = "git_clone" { request: CloneRequest } -> Repository, streams GitProgress as "onProgress";
}
