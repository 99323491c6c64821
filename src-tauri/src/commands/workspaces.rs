//! `workspaces_*`: folders outside repositories the file browser may open.

use crate::state::AppState;
use crate::state::{blocking, Out, Req};
use ai_desktop_api::files;
use tauri::State;

#[tauri::command]
pub async fn workspaces_folders(
    state: State<'_, AppState>,
    _req: Req<files::WorkspaceFolders>,
) -> Out<files::WorkspaceFolders> {
    let w = state.workspaces.clone();
    blocking(move || w.list()).await
}

#[tauri::command]
pub async fn workspaces_add(
    state: State<'_, AppState>,
    req: Req<files::WorkspaceAdd>,
) -> Out<files::WorkspaceAdd> {
    let files::WorkspaceAdd { path } = req.0;
    let w = state.workspaces.clone();
    blocking(move || w.add(&path)).await
}

#[tauri::command]
pub async fn workspaces_remove(
    state: State<'_, AppState>,
    req: Req<files::WorkspaceRemove>,
) -> Out<files::WorkspaceRemove> {
    let files::WorkspaceRemove { path } = req.0;
    let w = state.workspaces.clone();
    blocking(move || w.remove(&path)).await
}
