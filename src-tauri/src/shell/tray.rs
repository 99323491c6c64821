//! The tray icon: "Open in VS Code ▸" (each repository, with its running
//! instances marked), Show/Hide window and Quit. Rebuilt when repositories
//! or instances change.

use super::AppState;
use ai_desktop_api::vscode::{InstanceState, OpenTarget};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const TRAY_ID: &str = "main";
const TOGGLE: &str = "toggle-window";
const QUIT: &str = "quit";
const OPEN_REPO_PREFIX: &str = "vscode-open-";

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let menu = menu(app)?;
    let icon = Image::from_bytes(include_bytes!("../../../icons/tray.png"))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .tooltip("AI Desktop")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            TOGGLE => toggle_main_window(app),
            QUIT => app.exit(0),
            id => {
                if let Some(repo) = id
                    .strip_prefix(OPEN_REPO_PREFIX)
                    .and_then(|n| n.parse::<i64>().ok())
                {
                    open_repository(app, repo);
                }
            }
        })
        .build(app)?;
    Ok(())
}

/// Rebuilds the menu from the current state (no-op without a tray).
pub fn refresh(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match menu(app) {
        Ok(menu) => {
            let _ = tray.set_menu(Some(menu));
        }
        Err(e) => log::warn!("could not rebuild the tray menu: {e}"),
    }
}

fn menu(app: &AppHandle) -> tauri::Result<Menu<tauri::Wry>> {
    let toggle = MenuItem::with_id(app, TOGGLE, "Show/Hide window", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit AI Desktop", true, None::<&str>)?;
    let vscode = Submenu::with_id(app, "vscode", "Open in VS Code", true)?;
    let state = app.try_state::<AppState>();
    let repos = state
        .as_ref()
        .and_then(|s| s.repos.list().ok())
        .unwrap_or_default();
    let instances = state
        .as_ref()
        .and_then(|s| s.vscode.list().ok())
        .unwrap_or_default();
    if repos.is_empty() {
        vscode.append(&MenuItem::new(
            app,
            "No repositories yet",
            false,
            None::<&str>,
        )?)?;
    }
    for repo in &repos {
        let running = instances
            .iter()
            .find(|i| i.repository_id == repo.id)
            .filter(|i| i.state == InstanceState::Running)
            .and_then(|i| i.port);
        let label = match running {
            Some(port) => format!("● {}  (:{port})", repo.name),
            None => format!("○ {}", repo.name),
        };
        vscode.append(&MenuItem::with_id(
            app,
            format!("{OPEN_REPO_PREFIX}{}", repo.id),
            label,
            true,
            None::<&str>,
        )?)?;
    }
    Menu::with_items(
        app,
        &[
            &vscode,
            &PredefinedMenuItem::separator(app)?,
            &toggle,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )
}

fn open_repository(app: &AppHandle, repository_id: i64) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let result = match state.vscode.open(repository_id).await {
            Ok(plan) => {
                super::vscode::show(&app, &plan, OpenTarget::AppWindow).map_err(|e| e.message)
            }
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            log::warn!("tray: could not open repository {repository_id}: {e}");
        }
    });
}

/// Whether a tray icon can actually be shown. On Linux the icon goes through
/// AppIndicator over the D-Bus session bus; without one the icon is silently
/// missing, and a window hidden to the tray could never be brought back.
pub fn can_show_tray() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists())
}

pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn toggle_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        if window.is_visible().unwrap_or(false) {
            let _ = window.hide();
        } else {
            show_main_window(app);
        }
    }
}
