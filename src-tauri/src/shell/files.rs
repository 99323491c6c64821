//! File browser commands: paths are relative to a root (a registered
//! repository or a workspace folder); and the workspace folders themselves.

use super::commands::{blocking, CmdResult};
use super::AppState;
use ai_desktop_api::files::{FileRoot, FileText, Listing};
use tauri::State;

#[tauri::command]
pub async fn files_list(
    state: State<'_, AppState>,
    root: FileRoot,
    path: String,
) -> CmdResult<Listing> {
    let files = state.files.clone();
    blocking(move || files.list(&root, &path)).await
}

#[tauri::command]
pub async fn files_mkdir(
    state: State<'_, AppState>,
    root: FileRoot,
    path: String,
    name: String,
) -> CmdResult<Listing> {
    let files = state.files.clone();
    blocking(move || files.mkdir(&root, &path, &name)).await
}

#[tauri::command]
pub async fn files_rename(
    state: State<'_, AppState>,
    root: FileRoot,
    from: String,
    to: String,
) -> CmdResult<()> {
    let files = state.files.clone();
    blocking(move || files.rename(&root, &from, &to)).await
}

#[tauri::command]
pub async fn files_trash(
    state: State<'_, AppState>,
    root: FileRoot,
    path: String,
) -> CmdResult<()> {
    let files = state.files.clone();
    blocking(move || files.trash(&root, &path)).await
}

#[tauri::command]
pub async fn files_read(
    state: State<'_, AppState>,
    root: FileRoot,
    path: String,
) -> CmdResult<FileText> {
    let files = state.files.clone();
    blocking(move || files.read(&root, &path)).await
}

#[tauri::command]
pub async fn files_write(
    state: State<'_, AppState>,
    root: FileRoot,
    path: String,
    text: String,
    version: Option<String>,
) -> CmdResult<FileText> {
    let files = state.files.clone();
    blocking(move || files.write(&root, &path, &text, version.as_deref())).await
}

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
