//! `vscode_*`: the VS Code Manager — code-server instances, their logs,
//! the changes and diffs of the watched repository, opening an instance.

use crate::state::AppState;
use crate::state::{blocking, CmdResult};
use ai_desktop_api::vscode::{
    CleanupReport, CodeServerInstance, CodeServerStatus, DiffSide, FileDiff, LogFrame, OpenTarget,
    RepoChanges,
};
use tauri::{AppHandle, State};

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
    crate::navigation::show_editor(&app, &plan, target)
}

#[tauri::command]
pub async fn vscode_logs(
    state: State<'_, AppState>,
    repository_id: i64,
    from: Option<u64>,
) -> CmdResult<LogFrame> {
    let vscode = state.vscode.clone();
    let buffer = blocking(move || vscode.logs(repository_id)).await?;
    Ok(crate::logs::read(buffer, from).await)
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
    // Watching walks the repository's folders: off the event loop.
    let changes = state.changes.clone();
    blocking(move || changes.watch(repository_id)).await
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
