//! `workspace_*`: folders outside repositories the file browser may open.

use crate::state::AppState;
use crate::state::{blocking, CmdResult};
use tauri::State;

#[tauri::command]
pub async fn workspace_folders(state: State<'_, AppState>) -> CmdResult<Vec<String>> {
    let w = state.workspaces.clone();
    blocking(move || w.list()).await
}

#[tauri::command]
pub async fn workspace_add(state: State<'_, AppState>, path: String) -> CmdResult<Vec<String>> {
    let w = state.workspaces.clone();
    blocking(move || w.add(&path)).await
}

#[tauri::command]
pub async fn workspace_remove(state: State<'_, AppState>, path: String) -> CmdResult<Vec<String>> {
    let w = state.workspaces.clone();
    blocking(move || w.remove(&path)).await
}
