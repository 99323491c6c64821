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

crate::command! {
    /// `vscode_status`.
    Status = "vscode_status" {} -> CodeServerStatus;
    /// One per repository
    List = "vscode_list" {} -> Vec<CodeServerInstance>;
    /// Returns once ready, or fails
    Start = "vscode_start" { repository_id: i64 } -> CodeServerInstance;
    /// `vscode_stop`.
    Stop = "vscode_stop" { repository_id: i64 } -> CodeServerInstance;
    /// `vscode_restart`.
    Restart = "vscode_restart" { repository_id: i64 } -> CodeServerInstance;
    /// `vscode_stop_all`.
    StopAll = "vscode_stop_all" {} -> Vec<CodeServerInstance>;
    /// `vscode_cleanup`.
    Cleanup = "vscode_cleanup" {} -> CleanupReport;
    /// Starts it if needed
    Open = "vscode_open" { repository_id: i64, target: OpenTarget } -> ();
    /// A log read (see `DEPLOYMENTS_LOGS`); an empty frame after 2 s while no instance runs.
    Logs = "vscode_logs" { repository_id: i64, from: Option<u64> } -> LogFrame;
    /// The binary to use; None = PATH
    SetBinary = "vscode_set_binary" { path: Option<String> } -> CodeServerStatus;
}
