//! VS Code Manager: one code-server per repository, and the repository's
//! working-tree changes and diffs.

use serde::{Deserialize, Serialize};

/// Where an instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    /// Not running.
    Stopped,
    /// Spawned, not yet answering on its port.
    Starting,
    /// Answering on its port.
    Running,
    /// Asked to stop, not yet gone.
    Stopping,
    /// Did not become ready, or exited on its own; `error` says why.
    Failed,
}

/// The code-server of one repository (every repository has one, stopped or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeServerInstance {
    /// The repository it serves.
    pub repository_id: i64,
    /// Where it is in its life.
    pub state: InstanceState,
    /// The port it listens on (127.0.0.1 only) while starting or running.
    pub port: Option<u16>,
    /// Its process id while it runs.
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
    /// Whether a code-server that runs was found.
    pub installed: bool,
    /// The binary that will be run (from Settings, else PATH).
    pub binary: Option<String>,
    /// The version it reported.
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

crate::command! {
    /// Whether code-server can be run, and how to get it.
    Status = "vscode_status" {} -> CodeServerStatus;
    /// One per repository
    List = "vscode_list" {} -> Vec<CodeServerInstance>;
    /// Returns once ready, or fails
    Start = "vscode_start" { repository_id: i64 } -> CodeServerInstance;
    /// Stops the repository's code-server.
    Stop = "vscode_stop" { repository_id: i64 } -> CodeServerInstance;
    /// Stops it and starts it again.
    Restart = "vscode_restart" { repository_id: i64 } -> CodeServerInstance;
    /// Stops every code-server that runs.
    StopAll = "vscode_stop_all" {} -> Vec<CodeServerInstance>;
    /// Removes folders of deleted repositories and ends code-servers nothing tracks.
    Cleanup = "vscode_cleanup" {} -> CleanupReport;
    /// Starts it if needed
    Open = "vscode_open" { repository_id: i64, target: OpenTarget } -> ();
    /// Opens the repository's VS Code (started if needed) in an app window showing `path`
    /// (relative to the repository) at `line`
    OpenFile = "vscode_open_file" { repository_id: i64, path: String, line: Option<u32> } -> ();
    /// A log read (see `deployments::Logs`); an empty frame after 2 s while no instance runs.
    Logs = "vscode_logs" { repository_id: i64, from: Option<u64> } -> LogFrame;
    /// The binary to use; None = PATH
    SetBinary = "vscode_set_binary" { path: Option<String> } -> CodeServerStatus;
}
