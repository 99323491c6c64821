//! `app_*`: the app itself — version and data, the page's first paint and
//! console, logs, the quit choice, starting at login.

use crate::state::{blocking, AppState, Out, Req};
use ai_desktop_api::app;
use ai_desktop_api::system::AppInfo;
use ai_desktop_api::ApiError;
use ai_desktop_core::error::Result;
use tauri::State;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>, _req: Req<app::Info>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: state.config.data_dir.display().to_string(),
        database: state.store.path().display().to_string(),
        schema_version: state.store.schema_version(),
    }
}

/// The UI's first frame is on screen: logged once, as "first paint after
/// N ms" (what `benches/app.rs` waits for and what a slow start shows in the
/// log).
#[tauri::command]
pub fn app_painted(app: tauri::AppHandle, req: Req<app::Painted>) {
    let app::Painted {
        page_ms,
        ready_ms,
        mounted_ms,
    } = req.0;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        log::info!(
            "first paint after {} ms ({page_ms:.0} ms after the page began loading; \
             its code ran at {ready_ms:.0} ms, mounted at {mounted_ms:.0} ms)",
            crate::since_start().as_millis()
        )
    });
    // The window is on screen: now the tray icon (see `tray::ensure`).
    crate::tray::ensure(&app);
}

/// Page messages kept per minute; more are counted and dropped, so a page
/// stuck in an error loop cannot fill the disk through the log.
const PAGE_LOG_PER_MINUTE: u32 = 60;

/// Writes what the page's console reported (see `APP_LOG`).
#[tauri::command]
pub fn app_log(req: Req<app::Log>) {
    let app::Log { level, message } = req.0;
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

/// Opens the log folder in the desktop's file manager.
#[tauri::command]
pub async fn app_open_logs(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    _req: Req<app::OpenLogs>,
) -> Out<app::OpenLogs> {
    let Some(dir) = state.config.log_dir.clone() else {
        return Err(ai_desktop_core::error::Error::Unavailable(
            "The app has no log file (its folder could not be created); it logs to standard error only.".into(),
        )
        .into());
    };
    crate::navigation::open_external(&app, &dir.display().to_string()).map_err(|mut e| {
        e.message = format!("{} The logs are in {}.", e.message, dir.display());
        e
    })
}

/// What Quit does with managed processes: `stop`, `leave`, or `None` (ask).
#[tauri::command]
pub async fn app_quit_choice(
    state: State<'_, AppState>,
    _req: Req<app::QuitChoice>,
) -> Out<app::QuitChoice> {
    let app = state.app.clone();
    blocking(move || app.quit_choice()).await
}

#[tauri::command]
pub async fn app_set_quit_choice(
    state: State<'_, AppState>,
    req: Req<app::SetQuitChoice>,
) -> Out<app::SetQuitChoice> {
    let app::SetQuitChoice { choice } = req.0;
    let app = state.app.clone();
    blocking(move || app.set_quit_choice(choice.as_deref()).map(|()| choice)).await
}

fn autostart() -> Result<ai_desktop_core::autostart::Autostart, ApiError> {
    ai_desktop_core::autostart::Autostart::from_env().ok_or_else(|| {
        ai_desktop_core::error::Error::Unavailable(
            "Neither XDG_CONFIG_HOME nor HOME is set, so there is no autostart folder.".into(),
        )
        .into()
    })
}

/// Whether the app starts at login (an XDG autostart entry exists).
#[tauri::command]
pub async fn app_autostart(_req: Req<app::Autostart>) -> Out<app::Autostart> {
    Ok(autostart()?.enabled())
}

#[tauri::command]
pub async fn app_set_autostart(req: Req<app::SetAutostart>) -> Out<app::SetAutostart> {
    let app::SetAutostart { enabled } = req.0;
    Ok(autostart()?.set(enabled)?)
}
