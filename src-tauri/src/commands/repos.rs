//! `repos_*`: the repositories registry.

use crate::state::{blocking, AppState, Out, Req};
use ai_desktop_api::repos;
use tauri::State;

#[tauri::command]
pub async fn repos_list(state: State<'_, AppState>, _req: Req<repos::List>) -> Out<repos::List> {
    let repos = state.repos.clone();
    blocking(move || repos.list()).await
}

#[tauri::command]
pub async fn repos_create(
    state: State<'_, AppState>,
    req: Req<repos::Create>,
) -> Out<repos::Create> {
    let repos = state.repos.clone();
    blocking(move || repos.create(req.0.input)).await
}

#[tauri::command]
pub async fn repos_update(
    state: State<'_, AppState>,
    req: Req<repos::Update>,
) -> Out<repos::Update> {
    let repos::Update { id, input } = req.0;
    let repos = state.repos.clone();
    blocking(move || repos.update(id, input)).await
}

/// Its code-server goes first, so no instance outlives its repository.
#[tauri::command]
pub async fn repos_delete(
    state: State<'_, AppState>,
    req: Req<repos::Delete>,
) -> Out<repos::Delete> {
    Ok(state.delete_repository(req.0.id).await?)
}

#[tauri::command]
pub async fn repos_set_mcp_profile(
    state: State<'_, AppState>,
    req: Req<repos::SetMcpProfile>,
) -> Out<repos::SetMcpProfile> {
    let repos::SetMcpProfile { id, profile } = req.0;
    let repos = state.repos.clone();
    blocking(move || repos.set_mcp_profile(id, profile)).await
}

#[tauri::command]
pub async fn repos_set_trusted(
    state: State<'_, AppState>,
    req: Req<repos::SetTrusted>,
) -> Out<repos::SetTrusted> {
    let repos::SetTrusted { id, trusted } = req.0;
    let repos = state.repos.clone();
    blocking(move || repos.set_trusted(id, trusted)).await
}

#[tauri::command]
pub async fn repos_refresh_git(
    state: State<'_, AppState>,
    req: Req<repos::RefreshGit>,
) -> Out<repos::RefreshGit> {
    let repos = state.repos.clone();
    blocking(move || repos.refresh_git(req.0.id)).await
}

#[tauri::command]
pub async fn repos_inspect(
    state: State<'_, AppState>,
    req: Req<repos::Inspect>,
) -> Out<repos::Inspect> {
    let repos = state.repos.clone();
    blocking(move || repos.inspect(&req.0.path)).await
}
