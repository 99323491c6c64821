//! File browser commands: paths are relative to a registered repository.

use super::commands::{blocking, CmdResult};
use super::AppState;
use ai_desktop_api::files::{FileText, Listing};
use tauri::State;

#[tauri::command]
pub async fn files_list(
    state: State<'_, AppState>,
    repository_id: i64,
    path: String,
) -> CmdResult<Listing> {
    let files = state.files.clone();
    blocking(move || files.list(repository_id, &path)).await
}

#[tauri::command]
pub async fn files_mkdir(
    state: State<'_, AppState>,
    repository_id: i64,
    path: String,
    name: String,
) -> CmdResult<Listing> {
    let files = state.files.clone();
    blocking(move || files.mkdir(repository_id, &path, &name)).await
}

#[tauri::command]
pub async fn files_rename(
    state: State<'_, AppState>,
    repository_id: i64,
    from: String,
    to: String,
) -> CmdResult<()> {
    let files = state.files.clone();
    blocking(move || files.rename(repository_id, &from, &to)).await
}

#[tauri::command]
pub async fn files_trash(
    state: State<'_, AppState>,
    repository_id: i64,
    path: String,
) -> CmdResult<()> {
    let files = state.files.clone();
    blocking(move || files.trash(repository_id, &path)).await
}

#[tauri::command]
pub async fn files_read(
    state: State<'_, AppState>,
    repository_id: i64,
    path: String,
) -> CmdResult<FileText> {
    let files = state.files.clone();
    blocking(move || files.read(repository_id, &path)).await
}

#[tauri::command]
pub async fn files_write(
    state: State<'_, AppState>,
    repository_id: i64,
    path: String,
    text: String,
    modified: Option<u64>,
) -> CmdResult<FileText> {
    let files = state.files.clone();
    blocking(move || files.write(repository_id, &path, &text, modified)).await
}
