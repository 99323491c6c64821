//! Git identity and SSH key commands.

use super::commands::{blocking, CmdResult};
use super::AppState;
use ai_desktop_api::git::{GitIdentity, NewSshKey, SshKey, SshTestResult};
use tauri::State;

#[tauri::command]
pub async fn git_identity(state: State<'_, AppState>) -> CmdResult<GitIdentity> {
    let id = state.identity.clone();
    blocking(move || id.get()).await
}

#[tauri::command]
pub async fn git_set_identity(
    state: State<'_, AppState>,
    name: String,
    email: String,
) -> CmdResult<GitIdentity> {
    let id = state.identity.clone();
    blocking(move || id.set(&name, &email)).await
}

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
        .test(&host, key.as_deref(), &crate::procs::user_env())
        .await?)
}
