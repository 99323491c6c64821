//! `git_*`: the identity git commits with, local operations (git2) and
//! remote operations with progress over a Channel.

use crate::state::AppState;
use crate::state::{blocking, CmdResult};
use ai_desktop_api::git::{
    BranchInfo, CloneRequest, CommitDetail, CommitInfo, GitIdentity, GitProgress, PullMode,
    RemoteInfo, RepoState, ResetMode, StashInfo, SyncResult, TagInfo, WorkTreeState,
};
use ai_desktop_api::repos::Repository;
use std::sync::Arc;
use tauri::ipc::Channel;
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

#[tauri::command]
pub async fn git_state(state: State<'_, AppState>, repository_id: i64) -> CmdResult<WorkTreeState> {
    let ops = state.git_ops.clone();
    blocking(move || ops.state(repository_id)).await
}

#[tauri::command]
pub async fn git_stashes(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<Vec<StashInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.stashes(repository_id)).await
}

#[tauri::command]
pub async fn git_stash_push(
    state: State<'_, AppState>,
    repository_id: i64,
    message: String,
    include_untracked: bool,
) -> CmdResult<Vec<StashInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.stash_push(repository_id, &message, include_untracked)).await
}

#[tauri::command]
pub async fn git_stash_apply(
    state: State<'_, AppState>,
    repository_id: i64,
    index: usize,
    pop: bool,
) -> CmdResult<Vec<StashInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.stash_apply(repository_id, index, pop)).await
}

#[tauri::command]
pub async fn git_stash_drop(
    state: State<'_, AppState>,
    repository_id: i64,
    index: usize,
) -> CmdResult<Vec<StashInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.stash_drop(repository_id, index)).await
}

#[tauri::command]
pub async fn git_tags(state: State<'_, AppState>, repository_id: i64) -> CmdResult<Vec<TagInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.tags(repository_id)).await
}

#[tauri::command]
pub async fn git_create_tag(
    state: State<'_, AppState>,
    repository_id: i64,
    name: String,
    message: String,
) -> CmdResult<Vec<TagInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.create_tag(repository_id, &name, &message)).await
}

#[tauri::command]
pub async fn git_delete_tag(
    state: State<'_, AppState>,
    repository_id: i64,
    name: String,
) -> CmdResult<Vec<TagInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.delete_tag(repository_id, &name)).await
}

#[tauri::command]
pub async fn git_remotes(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<Vec<RemoteInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.remotes(repository_id)).await
}

#[tauri::command]
pub async fn git_add_remote(
    state: State<'_, AppState>,
    repository_id: i64,
    name: String,
    url: String,
) -> CmdResult<Vec<RemoteInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.add_remote(repository_id, &name, &url)).await
}

#[tauri::command]
pub async fn git_remove_remote(
    state: State<'_, AppState>,
    repository_id: i64,
    name: String,
) -> CmdResult<Vec<RemoteInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.remove_remote(repository_id, &name)).await
}

#[tauri::command]
pub async fn git_show(
    state: State<'_, AppState>,
    repository_id: i64,
    id: String,
) -> CmdResult<CommitDetail> {
    let ops = state.git_ops.clone();
    blocking(move || ops.show(repository_id, &id)).await
}

#[tauri::command]
pub async fn git_reset(
    state: State<'_, AppState>,
    repository_id: i64,
    id: String,
    mode: ResetMode,
) -> CmdResult<Vec<CommitInfo>> {
    let ops = state.git_ops.clone();
    blocking(move || ops.reset(repository_id, &id, mode)).await
}

/// Progress frames of a remote operation go to the page's channel.
fn reporter(channel: Channel<GitProgress>) -> ai_desktop_core::git::sync::Report {
    Arc::new(move |p| {
        let _ = channel.send(p);
    })
}

#[tauri::command]
pub async fn git_fetch(
    state: State<'_, AppState>,
    repository_id: i64,
    remote: Option<String>,
    on_progress: Channel<GitProgress>,
) -> CmdResult<SyncResult> {
    Ok(state
        .git_sync
        .fetch(repository_id, remote, reporter(on_progress))
        .await?)
}

#[tauri::command]
pub async fn git_pull(
    state: State<'_, AppState>,
    repository_id: i64,
    mode: PullMode,
    on_progress: Channel<GitProgress>,
) -> CmdResult<SyncResult> {
    Ok(state
        .git_sync
        .pull(repository_id, mode, reporter(on_progress))
        .await?)
}

#[tauri::command]
pub async fn git_push(
    state: State<'_, AppState>,
    repository_id: i64,
    remote: Option<String>,
    on_progress: Channel<GitProgress>,
) -> CmdResult<SyncResult> {
    Ok(state
        .git_sync
        .push(repository_id, remote, reporter(on_progress))
        .await?)
}

#[tauri::command]
pub async fn git_merge(
    state: State<'_, AppState>,
    repository_id: i64,
    branch: String,
) -> CmdResult<SyncResult> {
    Ok(state.git_sync.merge(repository_id, &branch).await?)
}

#[tauri::command]
pub async fn git_rebase(
    state: State<'_, AppState>,
    repository_id: i64,
    onto: String,
) -> CmdResult<SyncResult> {
    Ok(state.git_sync.rebase(repository_id, &onto).await?)
}

#[tauri::command]
pub async fn git_abort(state: State<'_, AppState>, repository_id: i64) -> CmdResult<RepoState> {
    Ok(state.git_sync.abort(repository_id).await?)
}

#[tauri::command]
pub async fn git_continue_rebase(
    state: State<'_, AppState>,
    repository_id: i64,
) -> CmdResult<SyncResult> {
    Ok(state.git_sync.continue_rebase(repository_id).await?)
}

#[tauri::command]
pub async fn git_clone(
    state: State<'_, AppState>,
    request: CloneRequest,
    on_progress: Channel<GitProgress>,
) -> CmdResult<Repository> {
    Ok(state
        .git_sync
        .clone_repo(
            &request.url,
            &request.workspace,
            request.name.as_deref(),
            reporter(on_progress),
        )
        .await?)
}
