//! VS Code Manager: one code-server per repository, and the repository's
//! working-tree changes and diffs.

use serde::{Deserialize, Serialize};

/// Where an instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    Stopped,
    Starting,
    Running,
    Stopping,
    /// Did not become ready, or exited on its own; `error` says why.
    Failed,
}

/// The code-server of one repository (every repository has one, stopped or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeServerInstance {
    pub repository_id: i64,
    pub state: InstanceState,
    /// The port it listens on (127.0.0.1 only) while starting or running.
    pub port: Option<u16>,
    pub pid: Option<u32>,
    /// RFC 3339, UTC.
    pub started_at: Option<String>,
    /// Started by an earlier run of the app and taken back at start-up.
    pub adopted: bool,
    /// Why it failed: code-server's own last error lines where it printed any.
    pub error: Option<String>,
}

/// Whether code-server can be run, and what to do if not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeServerStatus {
    pub installed: bool,
    /// The binary that will be run (from Settings, else PATH).
    pub binary: Option<String>,
    pub version: Option<String>,
    /// Per-instance cookie names (`--cookie-suffix`, code-server 4.107+).
    /// Without it, in-app windows are still isolated (one cookie jar each),
    /// but instances opened in the same browser sign each other out.
    pub cookie_suffix: bool,
    /// What to run to install it, shown when it is missing.
    pub install_hint: String,
    /// The path set in Settings, if any.
    pub configured_path: Option<String>,
}

/// Where to open an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenTarget {
    /// A window of the app with its own cookie jar.
    AppWindow,
    /// The system's default browser.
    Browser,
}

/// What the cleanup action did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupReport {
    /// Instance folders of repositories that no longer exist.
    pub removed_dirs: Vec<String>,
    /// Pids of code-server processes of ours that nothing tracked any more.
    pub killed_pids: Vec<u32>,
    /// Records of processes that were gone.
    pub forgotten_records: usize,
}

pub use crate::logs::{LogFrame, LogLine};

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

/// Payload of `vscode:changes` and result of `vscode_changes`.
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
    /// `vscode_status`.
    Status = "vscode_status" {  } -> CodeServerStatus;
    /// One per repository
    List = "vscode_list" {  } -> Vec<CodeServerInstance>;
    /// Returns once ready, or fails
    Start = "vscode_start" { repository_id: i64 } -> CodeServerInstance;
    /// `vscode_stop`.
    Stop = "vscode_stop" { repository_id: i64 } -> CodeServerInstance;
    /// `vscode_restart`.
    Restart = "vscode_restart" { repository_id: i64 } -> CodeServerInstance;
    /// `vscode_stop_all`.
    StopAll = "vscode_stop_all" {  } -> Vec<CodeServerInstance>;
    /// `vscode_cleanup`.
    Cleanup = "vscode_cleanup" {  } -> CleanupReport;
    /// Starts it if needed
    Open = "vscode_open" { repository_id: i64, target: OpenTarget } -> ();
    /// A log read (see `DEPLOYMENTS_LOGS`); an empty frame after 2 s while no instance runs.
    Logs = "vscode_logs" { repository_id: i64, from: Option<u64> } -> LogFrame;
    /// The binary to use; None = PATH
    SetBinary = "vscode_set_binary" { path: Option<String> } -> CodeServerStatus;
    /// `vscode_changes`.
    Changes = "vscode_changes" { repository_id: i64 } -> RepoChanges;
    /// Which repository's changes are pushed live as `vscode:changes` (one at a time; None
    /// stops watching).
    Watch = "vscode_watch" { repository_id: Option<i64> } -> ();
    /// `vscode_diff`.
    Diff = "vscode_diff" { repository_id: i64, path: String, side: DiffSide } -> FileDiff;
}
