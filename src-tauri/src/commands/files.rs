//! `files_*`: the file browser, beneath a repository or a workspace folder.

use crate::state::AppState;
use crate::state::{blocking, Out, Req};
use ai_desktop_api::files;
use tauri::State;

#[tauri::command]
pub async fn files_list(state: State<'_, AppState>, req: Req<files::List>) -> Out<files::List> {
    let files::List { root, path } = req.0;
    let files = state.files.clone();
    blocking(move || files.list(&root, &path)).await
}

#[tauri::command]
pub async fn files_mkdir(state: State<'_, AppState>, req: Req<files::Mkdir>) -> Out<files::Mkdir> {
    let files::Mkdir { root, path, name } = req.0;
    let files = state.files.clone();
    blocking(move || files.mkdir(&root, &path, &name)).await
}

#[tauri::command]
pub async fn files_rename(
    state: State<'_, AppState>,
    req: Req<files::Rename>,
) -> Out<files::Rename> {
    let files::Rename { root, from, to } = req.0;
    let files = state.files.clone();
    blocking(move || files.rename(&root, &from, &to)).await
}

#[tauri::command]
pub async fn files_trash(state: State<'_, AppState>, req: Req<files::Trash>) -> Out<files::Trash> {
    let files::Trash { root, path } = req.0;
    let files = state.files.clone();
    blocking(move || files.trash(&root, &path)).await
}

#[tauri::command]
pub async fn files_read(state: State<'_, AppState>, req: Req<files::Read>) -> Out<files::Read> {
    let files::Read { root, path } = req.0;
    let files = state.files.clone();
    blocking(move || files.read(&root, &path)).await
}

#[tauri::command]
pub async fn files_write(state: State<'_, AppState>, req: Req<files::Write>) -> Out<files::Write> {
    let files::Write {
        root,
        path,
        text,
        version,
    } = req.0;
    let files = state.files.clone();
    blocking(move || files.write(&root, &path, &text, version.as_deref())).await
}
