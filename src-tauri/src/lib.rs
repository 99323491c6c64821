//! AI Desktop's native side. `run` wires the domain modules into a Tauri app;
//! the modules themselves (`store`, `repos`, …) know nothing about Tauri and
//! are tested headless.

pub mod error;
pub mod events;
pub mod git;
pub mod procs;
pub mod repos;
pub mod shell;
pub mod store;
pub mod vscode;

use shell::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::Manager;

/// Overrides where the app keeps its data (tests use a temp dir).
pub const DATA_DIR_ENV: &str = "AI_DESKTOP_DATA_DIR";

/// The data dir: `$AI_DESKTOP_DATA_DIR` if set, else the platform's app data
/// dir (`$XDG_DATA_HOME/dev.aidesktop.desktop` on Linux).
pub fn data_dir(platform_default: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => platform_default(),
    }
}

pub fn run() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let handle = app.handle().clone();
            let dir = data_dir(|| handle.path().app_data_dir().ok())
                .ok_or("cannot find a folder for the app's data; set AI_DESKTOP_DATA_DIR")?;
            let store = Arc::new(store::Store::open_in(&dir).map_err(|e| e.with_detail_text())?);
            log::info!("data in {}", dir.display());
            let sink = Arc::new(shell::events::TauriEventSink::new(handle.clone()));
            let repos = Arc::new(repos::RepoRegistry::new(store.clone(), sink));
            app.manage(AppState {
                store,
                repos,
                data_dir: dir,
            });
            match shell::tray::build(&handle) {
                Ok(()) if shell::tray::can_show_tray() => {
                    // With a tray to bring it back, closing the window only hides it.
                    if let Some(window) = app.get_webview_window("main") {
                        let w = window.clone();
                        window.on_window_event(move |event| {
                            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                                api.prevent_close();
                                let _ = w.hide();
                            }
                        });
                    }
                }
                Ok(()) => {
                    log::warn!("no D-Bus session bus, so no tray icon; closing the window quits")
                }
                Err(e) => log::warn!("no tray icon ({e}); closing the window quits"),
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            shell::commands::repos_list,
            shell::commands::repos_create,
            shell::commands::repos_update,
            shell::commands::repos_delete,
            shell::commands::repos_refresh_git,
            shell::commands::repos_inspect,
            shell::commands::app_info,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        log::error!("AI Desktop could not start: {e}");
        eprintln!("AI Desktop could not start: {e}");
        std::process::exit(1);
    }
}
