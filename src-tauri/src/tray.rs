//! The tray icon, useful without opening the window: a status line
//! ("3 running · 1 failed"), "Open in VS Code ▸", "Deployments ▸",
//! "Services ▸" and "MCP servers ▸" with start/stop per item, "Stop
//! everything", "Show/Hide window" and "Quit". The menu is computed by
//! [`ai_desktop_core::traymodel`] and rebuilt, at most every 300 ms and only when it
//! changed, after the modules report a change.

use crate::state::AppState;
use ai_desktop_api::services::InstalledService;
use ai_desktop_api::vscode::OpenTarget;
use ai_desktop_core::traymodel::{self, TrayAction, TrayItem, TrayModel};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const TRAY_ID: &str = "main";

/// Wakes the refresher; `services` also re-reads Docker (slower).
struct Refresher {
    wake: tokio::sync::Notify,
    services_dirty: AtomicBool,
    last: Mutex<Option<TrayModel>>,
    services: Mutex<Option<Vec<InstalledService>>>,
}

/// Whether the tray icon is up (then closing the window hides it).
static UP: AtomicBool = AtomicBool::new(false);
/// Whether [`ensure`] ran (the tray is built at most once).
static BUILT: std::sync::Once = std::sync::Once::new();

/// Whether a tray icon is up to bring the window back from.
pub fn is_up() -> bool {
    UP.load(Ordering::Acquire)
}

/// Builds the tray icon once, on the main thread: at start-up after the
/// window's first frame is on screen (its first rebuild of the menu would
/// otherwise take the main thread while the new web process needs it), at
/// once when the window starts hidden, or a few seconds after start if the
/// page never paints.
pub fn ensure(app: &AppHandle) {
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || {
        ensure_here(&handle);
    });
}

/// [`ensure`] on the main thread, already there; whether the tray is up.
pub fn ensure_here(app: &AppHandle) -> bool {
    BUILT.call_once(|| {
        let began = std::time::Instant::now();
        if !can_show_tray() {
            log::warn!("no D-Bus session bus, so no tray icon; closing the window quits");
            return;
        }
        match build(app) {
            Ok(()) => {
                UP.store(true, Ordering::Release);
                log::info!("tray icon up ({} ms)", began.elapsed().as_millis());
            }
            Err(e) => log::warn!("no tray icon ({e}); closing the window quits"),
        }
    });
    is_up()
}

/// [`ensure`], unless it ran, after `after` (the page may never paint).
pub fn ensure_after(app: &AppHandle, after: Duration) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(after).await;
        if !BUILT.is_completed() {
            ensure(&handle);
        }
    });
}

fn build(app: &AppHandle) -> tauri::Result<()> {
    let model = TrayModel {
        status: "Starting…".into(),
        ..Default::default()
    };
    let menu = menu(app, &model)?;
    let icon = Image::from_bytes(include_bytes!("../../icons/tray.png"))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .tooltip("AI Desktop")
        .menu(&menu)
        .on_menu_event(|app, event| {
            if let Some(action) = TrayAction::parse(event.id().as_ref()) {
                act(app, action);
            }
        })
        .build(app)?;
    let refresher = Arc::new(Refresher {
        wake: tokio::sync::Notify::new(),
        services_dirty: AtomicBool::new(true),
        last: Mutex::new(None),
        services: Mutex::new(None),
    });
    app.manage(refresher.clone());
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            rebuild(&handle, &refresher).await;
            refresher.wake.notified().await;
            // Changes come in bursts (a start emits several): one rebuild.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    Ok(())
}

/// Asks for a rebuild (no-op without a tray).
pub fn refresh(app: &AppHandle, services_changed: bool) {
    if let Some(r) = app.try_state::<Arc<Refresher>>() {
        if services_changed {
            r.services_dirty.store(true, Ordering::Release);
        }
        r.wake.notify_one();
    }
}

async fn rebuild(app: &AppHandle, refresher: &Refresher) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    if refresher.services_dirty.swap(false, Ordering::AcqRel) {
        let list = state.services.list().await.ok();
        *refresher.services.lock().unwrap_or_else(|p| p.into_inner()) = list;
    }
    let services = refresher
        .services
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let mut model = traymodel::model(
        &state.repos.list().unwrap_or_default(),
        &state.vscode.list().unwrap_or_default(),
        &state.deployments.list().unwrap_or_default(),
        services.as_deref(),
        &state.mcp.list().unwrap_or_default(),
    );
    model.recipes = traymodel::recipe_items(&state.flow.recipes().unwrap_or_default());
    model.vscode = traymodel::with_hosted(model.vscode, &hosted(&state));
    {
        let mut last = refresher.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_ref() == Some(&model) {
            return;
        }
        *last = Some(model.clone());
    }
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match menu(app, &model) {
        Ok(menu) => {
            let _ = tray.set_menu(Some(menu));
            let _ = tray.set_tooltip(Some(format!("AI Desktop — {}", model.status)));
        }
        Err(e) => log::warn!("could not rebuild the tray menu: {e}"),
    }
}

fn submenu(
    app: &AppHandle,
    id: &str,
    title: &str,
    items: &[TrayItem],
) -> tauri::Result<Submenu<tauri::Wry>> {
    let sub = Submenu::with_id(app, id, title, true)?;
    for i in items {
        let entry = if i.id.is_empty() {
            MenuItem::new(app, &i.label, false, None::<&str>)?
        } else {
            MenuItem::with_id(app, &i.id, &i.label, i.enabled, None::<&str>)?
        };
        sub.append(&entry)?;
    }
    Ok(sub)
}

fn menu(app: &AppHandle, model: &TrayModel) -> tauri::Result<Menu<tauri::Wry>> {
    let status = MenuItem::new(app, &model.status, false, None::<&str>)?;
    let vscode = submenu(app, "vscode", "Open in VS Code", &model.vscode)?;
    let stacks = submenu(app, "stacks", "Stacks", &model.stacks)?;
    let deployments = submenu(app, "deployments", "Deployments", &model.deployments)?;
    let services = submenu(app, "services", "Services", &model.services)?;
    let mcp = submenu(app, "mcp", "MCP servers", &model.mcp)?;
    let recipes = submenu(app, "recipes", "Run recipe", &model.recipes)?;
    let stop = MenuItem::with_id(
        app,
        traymodel::STOP_EVERYTHING,
        "Stop everything",
        true,
        None::<&str>,
    )?;
    let toggle = MenuItem::with_id(
        app,
        traymodel::TOGGLE,
        "Show/Hide window",
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, traymodel::QUIT, "Quit AI Desktop", true, None::<&str>)?;
    let sep = || PredefinedMenuItem::separator(app);
    let (s1, s2, s3) = (sep()?, sep()?, sep()?);
    let items: [&dyn IsMenuItem<tauri::Wry>; 13] = [
        &status,
        &s1,
        &vscode,
        &stacks,
        &deployments,
        &services,
        &mcp,
        &recipes,
        &s2,
        &stop,
        &toggle,
        &s3,
        &quit,
    ];
    Menu::with_items(app, &items)
}

fn act(app: &AppHandle, action: TrayAction) {
    match action {
        TrayAction::ToggleWindow => return toggle_main_window(app),
        TrayAction::Quit => return quit(app),
        TrayAction::OpenRepository(id) => return open_repository(app, id),
        TrayAction::OpenHostRepository(id) => return open_host_repository(app, id),
        _ => {}
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let result = match action {
            TrayAction::StackUp(id) | TrayAction::StackDown(id) => {
                let run = if matches!(action, TrayAction::StackUp(_)) {
                    state.stack.up(id).await
                } else {
                    state.stack.down(id).await
                };
                match run {
                    // A step that failed is said like any error.
                    Ok(run) => match run.error {
                        Some(error) => Err(ai_desktop_core::error::Error::Failed {
                            message: format!("The stack of {}: {error}", run.repository_name),
                            detail: None,
                        }),
                        None => Ok(()),
                    },
                    Err(e) => Err(e),
                }
            }
            TrayAction::StartDeployment(id) => state.deployments.start(id).await.map(|_| ()),
            TrayAction::StopDeployment(id) => state.deployments.stop(id).await.map(|_| ()),
            TrayAction::StartService(ref id) => state.services.start(id).await.map(|_| ()),
            TrayAction::StopService(ref id) => state.services.stop(id).await.map(|_| ()),
            TrayAction::StartMcp(id) => state.mcp.start(id).await.map(|_| ()),
            TrayAction::StopMcp(id) => state.mcp.stop(id).await.map(|_| ()),
            // The run shows in the Flow Builder's list; the window comes up for it.
            TrayAction::RunRecipe(id) => state.flow.run_recipe(id, None, None).await.map(|s| {
                log::info!("tray: recipe {id} ran (session {})", s.id);
                show_main_window(&app);
            }),
            TrayAction::StopEverything => {
                state.stop_everything().await;
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            log::warn!("tray: {action:?}: {}", e.with_detail_text());
            notify(&app, "Not done", &e.to_string());
        }
        refresh(&app, true);
    });
}

/// A message in a dialog (the tray has no other place to say it).
fn notify(app: &AppHandle, title: &str, text: &str) {
    use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
    app.dialog()
        .message(text)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .show(|_| {});
}

/// What Quit does with managed processes: asked the first time (the answer
/// is remembered and can be changed in Settings), then applied.
pub fn quit(app: &AppHandle) {
    use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogResult};
    let app = app.clone();
    let Some(state) = app.try_state::<AppState>() else {
        return app.exit(0);
    };
    match state.quit_stops().ok().flatten() {
        Some(stop) => finish_quit(app, stop),
        None => {
            const STOP: &str = "Stop them";
            const LEAVE: &str = "Leave them running";
            let handle = app.clone();
            app.dialog()
                .message(
                    "Stop the code-servers, deployments, services and MCP servers AI Desktop manages, or leave them running?\n\nYour answer is remembered; change it in Settings.",
                )
                .title("Quit AI Desktop")
                .buttons(MessageDialogButtons::YesNoCancelCustom(
                    STOP.into(),
                    LEAVE.into(),
                    "Cancel".into(),
                ))
                .show_with_result(move |answer| {
                    let stop = match answer {
                        MessageDialogResult::Custom(label) if label == STOP => true,
                        MessageDialogResult::Yes => true,
                        MessageDialogResult::Custom(label) if label == LEAVE => false,
                        MessageDialogResult::No => false,
                        _ => return, // cancelled: keep running
                    };
                    let state = handle.state::<AppState>();
                    let value = if stop { "stop" } else { "leave" };
                    if let Err(e) = state.set_quit_choice(Some(value)) {
                        log::warn!("could not remember the quit choice: {e}");
                    }
                    finish_quit(handle.clone(), stop);
                });
        }
    }
}

fn finish_quit(app: AppHandle, stop: bool) {
    tauri::async_runtime::spawn(async move {
        if stop {
            let state = app.state::<AppState>();
            state.stop_everything().await;
        }
        app.exit(0);
    });
}

fn open_repository(app: &AppHandle, repository_id: i64) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let result = match state.vscode.open(repository_id).await {
            Ok(plan) => crate::navigation::show_editor(&app, &plan, OpenTarget::AppWindow)
                .map_err(|e| e.message),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            log::warn!("tray: could not open repository {repository_id}: {e}");
        }
    });
}

/// The repositories on every host with their editor's state (read from
/// the store and memory: no host is asked).
fn hosted(state: &AppState) -> Vec<traymodel::HostedRepo> {
    let mut out = Vec::new();
    for host in state.hosts.list().unwrap_or_default() {
        let editors = state.host_editors.list(host.id).unwrap_or_default();
        for repo in state.hosts.repositories(host.id).unwrap_or_default() {
            let Some(editor) = editors.iter().find(|e| e.id == repo.id) else {
                continue;
            };
            out.push(traymodel::HostedRepo {
                id: repo.id,
                name: repo.name,
                host: host.name.clone(),
                state: editor.state,
            });
        }
    }
    out
}

fn open_host_repository(app: &AppHandle, id: i64) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let result = match state.host_editors.open(id).await {
            Ok(plan) => crate::navigation::show_editor(&app, &plan, OpenTarget::AppWindow)
                .map_err(|e| e.message),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            log::warn!("tray: could not open host repository {id}: {e}");
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
        crate::state::main_window_shown(app, true);
    }
}

fn toggle_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        if window.is_visible().unwrap_or(false) {
            let _ = window.hide();
            crate::state::main_window_shown(app, false);
        } else {
            show_main_window(app);
        }
    }
}
