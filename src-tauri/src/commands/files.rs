//! `files_*`: the file browser, beneath a repository or a workspace folder.

use crate::state::AppState;
use crate::state::{blocking, CmdResult};
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
