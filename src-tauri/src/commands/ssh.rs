//! `ssh_*`: the user's SSH keys (listed, generated) and testing a host.

use crate::state::AppState;
use crate::state::{blocking, CmdResult};
use ai_desktop_api::git::{NewSshKey, SshKey, SshTestResult};
use tauri::State;

#[tauri::command]
pub async fn ssh_keys(state: State<'_, AppState>) -> CmdResult<Vec<SshKey>> {
    let id = state.identity.clone();
    blocking(move || id.keys()).await
}

#[tauri::command]
pub async fn ssh_generate(state: State<'_, AppState>, input: NewSshKey) -> CmdResult<SshKey> {
    let id = state.identity.clone();
    blocking(move || id.generate(&input)).await
}

#[tauri::command]
pub async fn ssh_test(
    state: State<'_, AppState>,
    host: String,
    key: Option<String>,
) -> CmdResult<SshTestResult> {
    Ok(state
        .identity
        .test(&host, key.as_deref(), &ai_desktop_core::procs::user_env())
        .await?)
}
