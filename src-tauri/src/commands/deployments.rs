//! Deployments commands.

use crate::state::AppState;
use crate::state::{blocking, CmdResult};
use ai_desktop_api::deployments::{
    Deployment, DeploymentInput, Pm2Status, ServiceDiscovery, StartSuggestion,
};
use ai_desktop_api::logs::LogFrame;
use tauri::State;

#[tauri::command]
pub async fn deployments_status(state: State<'_, AppState>) -> CmdResult<Pm2Status> {
    Ok(state.deployments.status().await)
}

#[tauri::command]
pub async fn deployments_configure(
    state: State<'_, AppState>,
    binary: Option<String>,
    home: Option<String>,
) -> CmdResult<Pm2Status> {
    Ok(state.deployments.configure(binary, home).await?)
}

#[tauri::command]
pub async fn deployments_list(state: State<'_, AppState>) -> CmdResult<Vec<Deployment>> {
    let d = state.deployments.clone();
    blocking(move || d.list()).await
}

#[tauri::command]
pub async fn deployments_suggest(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<StartSuggestion> {
    let d = state.deployments.clone();
    blocking(move || d.suggest(repository_id)).await
}

#[tauri::command]
pub async fn deployments_create(
    state: State<'_, AppState>,
    input: DeploymentInput,
) -> CmdResult<Deployment> {
    let d = state.deployments.clone();
    blocking(move || d.create(input)).await
}

#[tauri::command]
pub async fn deployments_update(
    state: State<'_, AppState>,
    id: i64,
    input: DeploymentInput,
) -> CmdResult<Deployment> {
    let d = state.deployments.clone();
    blocking(move || d.update(id, input)).await
}

#[tauri::command]
pub async fn deployments_reveal(
    state: State<'_, AppState>,
    id: i64,
    key: String,
) -> CmdResult<String> {
    let d = state.deployments.clone();
    blocking(move || d.reveal(id, &key)).await
}

#[tauri::command]
pub async fn deployments_start(state: State<'_, AppState>, id: i64) -> CmdResult<Deployment> {
    Ok(state.deployments.start(id).await?)
}

#[tauri::command]
pub async fn deployments_stop(state: State<'_, AppState>, id: i64) -> CmdResult<Deployment> {
    Ok(state.deployments.stop(id).await?)
}

#[tauri::command]
pub async fn deployments_restart(state: State<'_, AppState>, id: i64) -> CmdResult<Deployment> {
    Ok(state.deployments.restart(id).await?)
}

#[tauri::command]
pub async fn deployments_delete(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    Ok(state.deployments.delete(id).await?)
}

#[tauri::command]
pub async fn deployments_stop_all(state: State<'_, AppState>) -> CmdResult<Vec<Deployment>> {
    Ok(state.deployments.stop_all().await?)
}

#[tauri::command]
pub async fn deployments_logs(
    state: State<'_, AppState>,
    id: i64,
    from: Option<u64>,
) -> CmdResult<LogFrame> {
    let deployments = state.deployments.clone();
    let buffer = blocking(move || deployments.logs(id)).await?;
    Ok(crate::logs::read(Some(buffer), from).await)
}

#[tauri::command]
pub async fn deployments_clear_logs(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    let d = state.deployments.clone();
    blocking(move || d.clear_logs(id)).await
}

#[tauri::command]
pub async fn deployments_services(state: State<'_, AppState>) -> CmdResult<ServiceDiscovery> {
    Ok(state.deployments.services().await)
}
