//! `ssh_*`: the user's SSH keys (listed, generated) and testing a host.

use crate::state::AppState;
use crate::state::{blocking, Out, Req};
use ai_desktop_api::git;
use tauri::State;

#[tauri::command]
pub async fn ssh_keys(state: State<'_, AppState>, _req: Req<git::SshKeys>) -> Out<git::SshKeys> {
    let id = state.identity.clone();
    blocking(move || id.keys()).await
}

#[tauri::command]
pub async fn ssh_generate(
    state: State<'_, AppState>,
    req: Req<git::SshGenerate>,
) -> Out<git::SshGenerate> {
    let git::SshGenerate { input } = req.0;
    let id = state.identity.clone();
    blocking(move || id.generate(&input)).await
}

#[tauri::command]
pub async fn ssh_test(state: State<'_, AppState>, req: Req<git::SshTest>) -> Out<git::SshTest> {
    let git::SshTest { host, key } = req.0;
    Ok(state
        .identity
        .test(&host, key.as_deref(), &ai_desktop_core::procs::user_env())
        .await?)
}
