//! `vscode_*`: the VS Code Manager — code-server instances, their logs,
//! the changes and diffs of the watched repository, opening an instance.

use crate::state::AppState;
use crate::state::{blocking, Out, Req};
use ai_desktop_api::vscode;
use tauri::{AppHandle, State};

#[tauri::command]
pub async fn vscode_status(
    state: State<'_, AppState>,
    _req: Req<vscode::Status>,
) -> Out<vscode::Status> {
    let vscode = state.vscode.clone();
    blocking(move || vscode.status()).await
}

#[tauri::command]
pub async fn vscode_set_binary(
    state: State<'_, AppState>,
    req: Req<vscode::SetBinary>,
) -> Out<vscode::SetBinary> {
    let vscode::SetBinary { path } = req.0;
    let vscode = state.vscode.clone();
    blocking(move || vscode.set_binary(path)).await
}

#[tauri::command]
pub async fn vscode_list(state: State<'_, AppState>, _req: Req<vscode::List>) -> Out<vscode::List> {
    let vscode = state.vscode.clone();
    blocking(move || vscode.list()).await
}

#[tauri::command]
pub async fn vscode_start(
    state: State<'_, AppState>,
    req: Req<vscode::Start>,
) -> Out<vscode::Start> {
    let vscode::Start { repository_id } = req.0;
    Ok(state.vscode.start(repository_id).await?)
}

#[tauri::command]
pub async fn vscode_stop(state: State<'_, AppState>, req: Req<vscode::Stop>) -> Out<vscode::Stop> {
    let vscode::Stop { repository_id } = req.0;
    Ok(state.vscode.stop(repository_id).await?)
}

#[tauri::command]
pub async fn vscode_restart(
    state: State<'_, AppState>,
    req: Req<vscode::Restart>,
) -> Out<vscode::Restart> {
    let vscode::Restart { repository_id } = req.0;
    Ok(state.vscode.restart(repository_id).await?)
}

#[tauri::command]
pub async fn vscode_stop_all(
    state: State<'_, AppState>,
    _req: Req<vscode::StopAll>,
) -> Out<vscode::StopAll> {
    Ok(state.vscode.stop_all().await?)
}

#[tauri::command]
pub async fn vscode_cleanup(
    state: State<'_, AppState>,
    _req: Req<vscode::Cleanup>,
) -> Out<vscode::Cleanup> {
    Ok(state.vscode.cleanup().await?)
}

#[tauri::command]
pub async fn vscode_open(
    app: AppHandle,
    state: State<'_, AppState>,
    req: Req<vscode::Open>,
) -> Out<vscode::Open> {
    let vscode::Open {
        repository_id,
        target,
    } = req.0;
    let plan = state.vscode.open(repository_id).await?;
    crate::navigation::show_editor(&app, &plan, target)
}

#[tauri::command]
pub async fn vscode_open_file(
    app: AppHandle,
    state: State<'_, AppState>,
    req: Req<vscode::OpenFile>,
) -> Out<vscode::OpenFile> {
    let vscode::OpenFile {
        repository_id,
        path,
        line,
    } = req.0;
    let plan = state
        .vscode
        .open_at(repository_id, Some((path.as_str(), line)))
        .await?;
    crate::navigation::show_editor(&app, &plan, vscode::OpenTarget::AppWindow)
}

#[tauri::command]
pub async fn vscode_logs(state: State<'_, AppState>, req: Req<vscode::Logs>) -> Out<vscode::Logs> {
    let vscode::Logs {
        repository_id,
        from,
    } = req.0;
    let vscode = state.vscode.clone();
    let buffer = blocking(move || vscode.logs(repository_id)).await?;
    Ok(crate::logs::read(buffer, from).await)
}
