//! VS Code Manager commands, and showing an instance to the user.

use super::commands::{blocking, CmdResult};
use super::AppState;
use crate::vscode::OpenPlan;
use ai_desktop_api::vscode::{
    CleanupReport, CodeServerInstance, CodeServerStatus, DiffSide, FileDiff, LogFrame, OpenTarget,
    RepoChanges,
};
use ai_desktop_api::{ApiError, ErrorCode};
use tauri::{AppHandle, Manager, State, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_shell::ShellExt;

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
/// instance, no IPC: the capability covers only the main window) or in the
/// system browser (xdg-open, the URL as its one argument).
pub fn show(app: &AppHandle, plan: &OpenPlan, target: OpenTarget) -> CmdResult<()> {
    let url: tauri::Url = plan
        .handoff_url
        .parse()
        .map_err(|e| ApiError::new(ErrorCode::Failed, format!("Bad sign-in URL: {e}")))?;
    match target {
        OpenTarget::AppWindow => {
            let label = format!("vscode-{}", plan.repository_id);
            if let Some(window) = app.get_webview_window(&label) {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
                return Ok(());
            }
            WebviewWindowBuilder::new(app, label, WebviewUrl::External(url))
                .title(format!("{} — VS Code", plan.repository_name))
                .inner_size(1280.0, 820.0)
                .data_directory(plan.webview_data_dir.clone())
                .build()
                .map_err(|e| {
                    ApiError::new(ErrorCode::Failed, format!("Could not open a window: {e}"))
                })?;
        }
        OpenTarget::Browser => {
            #[allow(unused_must_use)]
            let child = app
                .shell()
                .command("xdg-open")
                .arg(url.as_str())
                .spawn()
                .map_err(|e| {
                    ApiError::new(
                        ErrorCode::Unavailable,
                        format!("Could not start the system browser (xdg-open): {e}"),
                    )
                })?;
            drop(child);
        }
    }
    Ok(())
}
