//! VS Code Manager commands, and showing an instance to the user.

use super::commands::{blocking, CmdResult};
use super::navigation;
use super::AppState;
use crate::vscode::OpenPlan;
use ai_desktop_api::vscode::{
    CleanupReport, CodeServerInstance, CodeServerStatus, DiffSide, FileDiff, LogFrame, OpenTarget,
    RepoChanges,
};
use ai_desktop_api::{ApiError, ErrorCode};
use tauri::{AppHandle, Manager, State, WebviewUrl, WebviewWindowBuilder};

#[tauri::command]
pub async fn vscode_status(state: State<'_, AppState>) -> CmdResult<CodeServerStatus> {
    let vscode = state.vscode.clone();
    blocking(move || vscode.status()).await
}

#[tauri::command]
pub async fn vscode_set_binary(
    state: State<'_, AppState>,
    path: Option<String>,
) -> CmdResult<CodeServerStatus> {
    let vscode = state.vscode.clone();
    blocking(move || vscode.set_binary(path)).await
}

#[tauri::command]
pub async fn vscode_list(state: State<'_, AppState>) -> CmdResult<Vec<CodeServerInstance>> {
    let vscode = state.vscode.clone();
    blocking(move || vscode.list()).await
}

#[tauri::command]
pub async fn vscode_start(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<CodeServerInstance> {
    Ok(state.vscode.start(repository_id).await?)
}

#[tauri::command]
pub async fn vscode_stop(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<CodeServerInstance> {
    Ok(state.vscode.stop(repository_id).await?)
}

#[tauri::command]
pub async fn vscode_restart(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<CodeServerInstance> {
    Ok(state.vscode.restart(repository_id).await?)
}

#[tauri::command]
pub async fn vscode_stop_all(state: State<'_, AppState>) -> CmdResult<Vec<CodeServerInstance>> {
    Ok(state.vscode.stop_all().await?)
}

#[tauri::command]
pub async fn vscode_cleanup(state: State<'_, AppState>) -> CmdResult<CleanupReport> {
    Ok(state.vscode.cleanup().await?)
}

#[tauri::command]
pub async fn vscode_open(
    app: AppHandle,
    state: State<'_, AppState>,
    repository_id: i64,
    target: OpenTarget,
) -> CmdResult<()> {
    let plan = state.vscode.open(repository_id).await?;
    show(&app, &plan, target)
}

#[tauri::command]
pub async fn vscode_logs(
    state: State<'_, AppState>,
    repository_id: i64,
    from: Option<u64>,
) -> CmdResult<LogFrame> {
    let buffer = state.vscode.logs(repository_id)?;
    Ok(super::logs::read(buffer, from).await)
}

#[tauri::command]
pub async fn vscode_changes(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<RepoChanges> {
    let changes = state.changes.clone();
    blocking(move || changes.changes(repository_id)).await
}

#[tauri::command]
pub async fn vscode_watch(state: State<'_, AppState>, repository_id: Option<i64>) -> CmdResult<()> {
    Ok(state.changes.watch(repository_id)?)
}

#[tauri::command]
pub async fn vscode_diff(
    state: State<'_, AppState>,
    repository_id: i64,
    path: String,
    side: DiffSide,
) -> CmdResult<FileDiff> {
    let changes = state.changes.clone();
    blocking(move || changes.diff(repository_id, &path, side)).await
}

/// Opens the sign-in hand-off in a window of its own (one cookie jar per
/// instance, no IPC: the capability covers only the main window; held to
/// the instance and its sign-in page) or in the system browser (xdg-open,
/// the URL as its one argument).
pub fn show(app: &AppHandle, plan: &OpenPlan, target: OpenTarget) -> CmdResult<()> {
    let parse = |s: &str| {
        s.parse::<tauri::Url>()
            .map_err(|e| ApiError::new(ErrorCode::Failed, format!("Bad sign-in URL: {e}")))
    };
    let url = parse(&plan.handoff_url)?;
    let origins = vec![url.clone(), parse(&plan.instance_url)?];
    match target {
        OpenTarget::AppWindow => {
            let label = format!("vscode-{}", plan.repository_id);
            if let Some(window) = app.get_webview_window(&label) {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
                return Ok(());
            }
            let for_links = app.clone();
            let for_windows = app.clone();
            let from = format!("{label} window");
            let from2 = from.clone();
            WebviewWindowBuilder::new(app, label, WebviewUrl::External(url))
                .title(format!("{} — VS Code", plan.repository_name))
                .inner_size(1280.0, 820.0)
                .data_directory(plan.webview_data_dir.clone())
                .initialization_script(navigation::LINK_CLICKS)
                .on_navigation(move |to| {
                    let allowed = navigation::editor_allows(to, &origins);
                    if !allowed {
                        navigation::offer_in_browser(&for_links, to, &from);
                    }
                    allowed
                })
                .on_new_window(move |to, _| {
                    // The workbench opens docs and marketplace links this way.
                    navigation::offer_in_browser(&for_windows, &to, &from2);
                    tauri::webview::NewWindowResponse::Deny
                })
                .build()
                .map_err(|e| {
                    ApiError::new(ErrorCode::Failed, format!("Could not open a window: {e}"))
                })?;
        }
        OpenTarget::Browser => navigation::open_external(app, url.as_str())?,
    }
    Ok(())
}
