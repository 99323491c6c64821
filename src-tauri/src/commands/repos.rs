//! `repos_*`: the repositories registry.

use crate::state::{blocking, AppState, CmdResult};
use ai_desktop_api::repos::{NewRepository, RepoInspection, Repository, RepositoryPatch};
use tauri::State;

#[tauri::command]
pub async fn repos_list(state: State<'_, AppState>) -> CmdResult<Vec<Repository>> {
    let repos = state.repos.clone();
    blocking(move || repos.list()).await
}

#[tauri::command]
pub async fn repos_create(
    state: State<'_, AppState>,
    input: NewRepository,
) -> CmdResult<Repository> {
    let repos = state.repos.clone();
    blocking(move || repos.create(input)).await
}

#[tauri::command]
pub async fn repos_update(
    state: State<'_, AppState>,
    id: i64,
    input: RepositoryPatch,
) -> CmdResult<Repository> {
    let repos = state.repos.clone();
    blocking(move || repos.update(id, input)).await
}

/// Its code-server goes first, so no instance outlives its repository.
#[tauri::command]
pub async fn repos_delete(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    Ok(state.delete_repository(id).await?)
}

#[tauri::command]
pub async fn repos_refresh_git(state: State<'_, AppState>, id: i64) -> CmdResult<Repository> {
    let repos = state.repos.clone();
    blocking(move || repos.refresh_git(id)).await
}

#[tauri::command]
pub async fn repos_inspect(state: State<'_, AppState>, path: String) -> CmdResult<RepoInspection> {
    let repos = state.repos.clone();
    blocking(move || repos.inspect(&path)).await
}
