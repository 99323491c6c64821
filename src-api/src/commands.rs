//! Command names, one constant per `#[tauri::command]`, so that the UI never
//! spells a command by hand. Arguments are named in the doc of each constant
//! (Tauri passes them as a JSON object keyed by argument name).

/// `() -> Vec<Repository>`
pub const REPOS_LIST: &str = "repos_list";
/// `{ input: NewRepository } -> Repository`
pub const REPOS_CREATE: &str = "repos_create";
/// `{ id: i64, input: RepositoryPatch } -> Repository`
pub const REPOS_UPDATE: &str = "repos_update";
/// `{ id: i64 } -> ()`
pub const REPOS_DELETE: &str = "repos_delete";
/// `{ id: i64 } -> Repository` (re-reads git remote and branch)
pub const REPOS_REFRESH_GIT: &str = "repos_refresh_git";
/// `{ path: String } -> RepoInspection` (what the add dialog pre-fills)
pub const REPOS_INSPECT: &str = "repos_inspect";
/// `() -> AppInfo`
pub const APP_INFO: &str = "app_info";

/// `() -> CodeServerStatus`
pub const VSCODE_STATUS: &str = "vscode_status";
/// `() -> Vec<CodeServerInstance>` (one per repository)
pub const VSCODE_LIST: &str = "vscode_list";
/// `{ repositoryId: i64 } -> CodeServerInstance` (returns once ready, or fails)
pub const VSCODE_START: &str = "vscode_start";
/// `{ repositoryId: i64 } -> CodeServerInstance`
pub const VSCODE_STOP: &str = "vscode_stop";
/// `{ repositoryId: i64 } -> CodeServerInstance`
pub const VSCODE_RESTART: &str = "vscode_restart";
/// `() -> Vec<CodeServerInstance>`
pub const VSCODE_STOP_ALL: &str = "vscode_stop_all";
/// `() -> CleanupReport`
pub const VSCODE_CLEANUP: &str = "vscode_cleanup";
/// `{ repositoryId: i64, target: OpenTarget } -> ()` (starts it if needed)
pub const VSCODE_OPEN: &str = "vscode_open";
/// `{ repositoryId: i64, onFrame: Channel<LogFrame> } -> ()`: the kept lines,
/// then new ones in batches until the instance stops or the view goes.
pub const VSCODE_LOGS: &str = "vscode_logs";
/// `{ path: Option<String> } -> CodeServerStatus` (the binary to use; None = PATH)
pub const VSCODE_SET_BINARY: &str = "vscode_set_binary";
/// `{ repositoryId: i64 } -> RepoChanges`
pub const VSCODE_CHANGES: &str = "vscode_changes";
/// `{ repositoryId: Option<i64> } -> ()`: which repository's changes are
/// pushed live as `vscode:changes` (one at a time; None stops watching).
pub const VSCODE_WATCH: &str = "vscode_watch";
/// `{ repositoryId: i64, path: String, side: DiffSide } -> FileDiff`
pub const VSCODE_DIFF: &str = "vscode_diff";

/// Every command the shell registers. `build.rs` turns this list into the
/// app's permission manifest, so a command missing here cannot be called.
pub const ALL: &[&str] = &[
    REPOS_LIST,
    REPOS_CREATE,
    REPOS_UPDATE,
    REPOS_DELETE,
    REPOS_REFRESH_GIT,
    REPOS_INSPECT,
    APP_INFO,
    VSCODE_STATUS,
    VSCODE_LIST,
    VSCODE_START,
    VSCODE_STOP,
    VSCODE_RESTART,
    VSCODE_STOP_ALL,
    VSCODE_CLEANUP,
    VSCODE_OPEN,
    VSCODE_LOGS,
    VSCODE_SET_BINARY,
    VSCODE_CHANGES,
    VSCODE_WATCH,
    VSCODE_DIFF,
];
