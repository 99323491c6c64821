//! The `#[tauri::command]` functions: take state, run the domain call off the
//! main thread, map the error. Names are `ai_desktop_api::commands`.

use super::AppState;
use crate::error::Result;
use ai_desktop_api::repos::{NewRepository, RepoInspection, Repository, RepositoryPatch};
use ai_desktop_api::system::AppInfo;
use ai_desktop_api::{ApiError, ErrorCode};
use tauri::State;

pub(crate) type CmdResult<T> = std::result::Result<T, ApiError>;

/// Runs blocking domain work (SQLite, the file system, git2) on the blocking
/// pool so that the window's event loop never waits for it.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Failed, format!("Internal error: {e}")))?
        .map_err(ApiError::from)
}

#[tauri::command]
pub async fn repos_list(state: State<'_, AppState>) -> CmdResult<Vec<Repository>> {
    let repos = state.repos.clone();
    blocking(move || repos.list()).await
}

#[tauri::command]
pub async fn repos_create(
    state: State<'_, AppState>,
    input: NewRepository,
) -> CmdResult<Repository> {
    let repos = state.repos.clone();
    blocking(move || repos.create(input)).await
}

#[tauri::command]
pub async fn repos_update(
    state: State<'_, AppState>,
    id: i64,
    input: RepositoryPatch,
) -> CmdResult<Repository> {
    let repos = state.repos.clone();
    blocking(move || repos.update(id, input)).await
}

#[tauri::command]
pub async fn repos_delete(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    // Its code-server goes first, so no instance outlives its repository.
    state.repos.get(id).map_err(ApiError::from)?;
    state.vscode.release(id).await.map_err(ApiError::from)?;
    if state.changes.watched() == Some(id) {
        let _ = state.changes.watch(None);
    }
    let repos = state.repos.clone();
    blocking(move || repos.delete(id)).await
}

#[tauri::command]
pub async fn repos_refresh_git(state: State<'_, AppState>, id: i64) -> CmdResult<Repository> {
    let repos = state.repos.clone();
    blocking(move || repos.refresh_git(id)).await
}

#[tauri::command]
pub async fn repos_inspect(state: State<'_, AppState>, path: String) -> CmdResult<RepoInspection> {
    let repos = state.repos.clone();
    blocking(move || repos.inspect(&path)).await
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: state.data_dir.display().to_string(),
        database: state.store.path().display().to_string(),
        schema_version: state.store.schema_version(),
    }
}

/// The UI's first frame is on screen: logged once, as "first paint after
/// N ms" (what `benches/app.rs` waits for and what a slow start shows in the
/// log).
#[tauri::command]
pub fn app_painted(page_ms: f64) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        log::info!(
            "first paint after {} ms ({page_ms:.0} ms after the page began loading)",
            crate::since_start().as_millis()
        )
    });
}

/// Page messages kept per minute; more are counted and dropped, so a page
/// stuck in an error loop cannot fill the disk through the log.
const PAGE_LOG_PER_MINUTE: u32 = 60;

/// Writes what the page's console reported (see `APP_LOG`).
#[tauri::command]
pub fn app_log(level: String, message: String) {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    static WINDOW: Mutex<Option<(Instant, u32)>> = Mutex::new(None);
    let mut window = WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let (start, count) = window.get_or_insert((Instant::now(), 0));
    if start.elapsed() >= Duration::from_secs(60) {
        if *count > PAGE_LOG_PER_MINUTE {
            log::warn!(
                target: "page",
                "{} more page messages were dropped",
                *count - PAGE_LOG_PER_MINUTE
            );
        }
        *start = Instant::now();
        *count = 0;
    }
    *count += 1;
    if *count > PAGE_LOG_PER_MINUTE {
        return;
    }
    drop(window);
    let mut text: String = message
        .chars()
        .take(4096)
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    if message.len() > text.len() {
        text.push_str(" …");
    }
    match level.as_str() {
        "warn" => log::warn!(target: "page", "{text}"),
        _ => log::error!(target: "page", "{text}"),
    }
}

#[tauri::command]
pub async fn doctor_report(
    state: State<'_, AppState>,
) -> CmdResult<ai_desktop_api::system::DoctorReport> {
    let code_server = state
        .store
        .setting::<String>(crate::store::settings::CODE_SERVER_BINARY)?
        .map(std::path::PathBuf::from);
    let input = crate::doctor::DoctorInput::from_env(code_server);
    Ok(ai_desktop_api::system::DoctorReport {
        tools: crate::doctor::report(&input).await,
        log_dir: state.log_dir.as_ref().map(|d| d.display().to_string()),
    })
}

/// Opens the log folder in the desktop's file manager.
#[tauri::command]
pub async fn app_open_logs(app: tauri::AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    let Some(dir) = state.log_dir.clone() else {
        return Err(crate::error::Error::Unavailable(
            "The app has no log file (its folder could not be created); it logs to standard error only.".into(),
        )
        .into());
    };
    super::navigation::open_external(&app, &dir.display().to_string()).map_err(|mut e| {
        e.message = format!("{} The logs are in {}.", e.message, dir.display());
        e
    })
}

/// What Quit does with managed processes: `stop`, `leave`, or `None` (ask).
#[tauri::command]
pub async fn app_quit_choice(state: State<'_, AppState>) -> CmdResult<Option<String>> {
    Ok(state.store.setting::<String>(super::tray::QUIT_SETTING)?)
}

#[tauri::command]
pub async fn app_set_quit_choice(
    state: State<'_, AppState>,
    choice: Option<String>,
) -> CmdResult<Option<String>> {
    if let Some(c) = choice.as_deref() {
        if c != "stop" && c != "leave" {
            return Err(crate::error::Error::InvalidInput(format!(
                "\"{c}\" is not a quit choice (stop, leave, or none to ask)."
            ))
            .into());
        }
    }
    state
        .store
        .set_setting(super::tray::QUIT_SETTING, choice.as_ref())?;
    Ok(choice)
}

fn autostart() -> Result<crate::autostart::Autostart, ApiError> {
    crate::autostart::Autostart::from_env().ok_or_else(|| {
        crate::error::Error::Unavailable(
            "Neither XDG_CONFIG_HOME nor HOME is set, so there is no autostart folder.".into(),
        )
        .into()
    })
}

/// Whether the app starts at login (an XDG autostart entry exists).
#[tauri::command]
pub async fn app_autostart() -> CmdResult<bool> {
    Ok(autostart()?.enabled())
}

#[tauri::command]
pub async fn app_set_autostart(enabled: bool) -> CmdResult<bool> {
    Ok(autostart()?.set(enabled)?)
}
