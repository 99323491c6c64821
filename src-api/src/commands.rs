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
];
