//! Git identity and SSH key commands.

use super::commands::{blocking, CmdResult};
use super::AppState;
use ai_desktop_api::git::{BranchInfo, CommitInfo, GitIdentity, NewSshKey, SshKey, SshTestResult};
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

#[tauri::command]
pub async fn git_stage(
    state: State<'_, AppState>,
    repository_id: i64,
    paths: Vec<String>,
) -> CmdResult<()> {
    let ops = state.git_ops.clone();
    blocking(move || ops.stage(repository_id, &paths)).await
}

#[tauri::command]
pub async fn git_unstage(
    state: State<'_, AppState>,
    repository_id: i64,
    paths: Vec<String>,
) -> CmdResult<()> {
    let ops = state.git_ops.clone();
    blocking(move || ops.unstage(repository_id, &paths)).await
}

#[tauri::command]
pub async fn git_commit(
    state: State<'_, AppState>,
    repository_id: i64,
    message: String,
) -> CmdResult<CommitInfo> {
    let ops = state.git_ops.clone();
    blocking(move || ops.commit(repository_id, &message)).await
}

#[tauri::command]
pub async fn git_log(
    state: State<'_, AppState>,
    repository_id: i64,
    limit: u32,
) -> CmdResult<Vec<CommitInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.log(repository_id, limit)).await
}

#[tauri::command]
pub async fn git_branches(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<Vec<BranchInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.branches(repository_id)).await
}

#[tauri::command]
pub async fn git_create_branch(
    state: State<'_, AppState>,
    repository_id: i64,
    name: String,
    checkout: bool,
) -> CmdResult<Vec<BranchInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.create_branch(repository_id, &name, checkout)).await
}

#[tauri::command]
pub async fn git_switch_branch(
    state: State<'_, AppState>,
    repository_id: i64,
    name: String,
) -> CmdResult<Vec<BranchInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.switch_branch(repository_id, &name)).await
}

#[tauri::command]
pub async fn git_delete_branch(
    state: State<'_, AppState>,
    repository_id: i64,
    name: String,
) -> CmdResult<Vec<BranchInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.delete_branch(repository_id, &name)).await
}
