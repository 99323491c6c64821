//! `git_*`: the identity git commits with, local operations (git2) and
//! remote operations with progress over a Channel.

use crate::state::AppState;
use crate::state::{blocking, Frames, Out, Req};
use ai_desktop_api::git;
use ai_desktop_api::git::GitProgress;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
pub async fn git_identity(
    state: State<'_, AppState>,
    _req: Req<git::Identity>,
) -> Out<git::Identity> {
    let id = state.identity.clone();
    blocking(move || id.get()).await
}

#[tauri::command]
pub async fn git_set_identity(
    state: State<'_, AppState>,
    req: Req<git::SetIdentity>,
) -> Out<git::SetIdentity> {
    let git::SetIdentity { name, email } = req.0;
    let id = state.identity.clone();
    blocking(move || id.set(&name, &email)).await
}

#[tauri::command]
pub async fn git_stage(state: State<'_, AppState>, req: Req<git::Stage>) -> Out<git::Stage> {
    let git::Stage {
        repository_id,
        paths,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.stage(repository_id, &paths)).await
}

#[tauri::command]
pub async fn git_apply_lines(
    state: State<'_, AppState>,
    req: Req<git::ApplyLines>,
) -> Out<git::ApplyLines> {
    let git::ApplyLines {
        repository_id,
        path,
        action,
        lines,
        fingerprint,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.apply_lines(repository_id, &path, action, &lines, &fingerprint)).await
}

#[tauri::command]
pub async fn git_discard_file(
    state: State<'_, AppState>,
    req: Req<git::DiscardFile>,
) -> Out<git::DiscardFile> {
    let git::DiscardFile {
        repository_id,
        path,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.discard_file(repository_id, &path)).await
}

#[tauri::command]
pub async fn git_amend(state: State<'_, AppState>, req: Req<git::Amend>) -> Out<git::Amend> {
    let git::Amend {
        repository_id,
        message,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.amend(repository_id, &message)).await
}

#[tauri::command]
pub async fn git_graph(state: State<'_, AppState>, req: Req<git::Graph>) -> Out<git::Graph> {
    let git::Graph {
        repository_id,
        offset,
        limit,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.graph(repository_id, offset, limit)).await
}

#[tauri::command]
pub async fn git_rename_branch(
    state: State<'_, AppState>,
    req: Req<git::RenameBranch>,
) -> Out<git::RenameBranch> {
    let git::RenameBranch {
        repository_id,
        name,
        new_name,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.rename_branch(repository_id, &name, &new_name)).await
}

#[tauri::command]
pub async fn git_blame(
    state: State<'_, AppState>,
    req: Req<git::BlameFile>,
) -> Out<git::BlameFile> {
    let git::BlameFile {
        repository_id,
        path,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.blame(repository_id, &path)).await
}

#[tauri::command]
pub async fn git_file_history(
    state: State<'_, AppState>,
    req: Req<git::FileHistory>,
) -> Out<git::FileHistory> {
    let git::FileHistory {
        repository_id,
        path,
        limit,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.file_history(repository_id, &path, limit)).await
}

#[tauri::command]
pub async fn git_worktrees(
    state: State<'_, AppState>,
    req: Req<git::Worktrees>,
) -> Out<git::Worktrees> {
    let git::Worktrees { repository_id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.worktrees(repository_id)).await
}

#[tauri::command]
pub async fn git_add_worktree(
    state: State<'_, AppState>,
    req: Req<git::AddWorktree>,
) -> Out<git::AddWorktree> {
    let git::AddWorktree {
        repository_id,
        branch,
        create,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.add_worktree(repository_id, &branch, create)).await
}

#[tauri::command]
pub async fn git_remove_worktree(
    state: State<'_, AppState>,
    req: Req<git::RemoveWorktree>,
) -> Out<git::RemoveWorktree> {
    let git::RemoveWorktree {
        repository_id,
        name,
    } = req.0;
    Ok(state.remove_worktree(repository_id, &name).await?)
}

#[tauri::command]
pub async fn git_conflict(
    state: State<'_, AppState>,
    req: Req<git::Conflict>,
) -> Out<git::Conflict> {
    let git::Conflict {
        repository_id,
        path,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.conflict(repository_id, &path)).await
}

#[tauri::command]
pub async fn git_resolve(state: State<'_, AppState>, req: Req<git::Resolve>) -> Out<git::Resolve> {
    let git::Resolve {
        repository_id,
        path,
        text,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.resolve(repository_id, &path, &text)).await
}

#[tauri::command]
pub async fn git_search_history(
    state: State<'_, AppState>,
    req: Req<git::SearchHistory>,
) -> Out<git::SearchHistory> {
    let git::SearchHistory {
        repository_id,
        query,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.search_history(repository_id, &query)).await
}

#[tauri::command]
pub async fn git_summaries(
    state: State<'_, AppState>,
    req: Req<git::Summaries>,
) -> Out<git::Summaries> {
    let git::Summaries { ids } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.summaries(&ids)).await
}

#[tauri::command]
pub async fn git_draft_message(
    state: State<'_, AppState>,
    req: Req<git::DraftMessage>,
) -> Out<git::DraftMessage> {
    Ok(state.draft_commit_message(req.0.repository_id).await?)
}

#[tauri::command]
pub async fn git_last_undo(
    state: State<'_, AppState>,
    req: Req<git::LastUndo>,
) -> Out<git::LastUndo> {
    let git::LastUndo { repository_id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.last_undo(repository_id)).await
}

#[tauri::command]
pub async fn git_undo(state: State<'_, AppState>, req: Req<git::Undo>) -> Out<git::Undo> {
    let git::Undo { repository_id, id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.undo(repository_id, id)).await
}

#[tauri::command]
pub async fn git_unstage(state: State<'_, AppState>, req: Req<git::Unstage>) -> Out<git::Unstage> {
    let git::Unstage {
        repository_id,
        paths,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.unstage(repository_id, &paths)).await
}

#[tauri::command]
pub async fn git_commit(state: State<'_, AppState>, req: Req<git::Commit>) -> Out<git::Commit> {
    let git::Commit {
        repository_id,
        message,
        skip_hooks,
    } = req.0;
    let ops = state.git_ops.clone();
    let trusted = state.repos.get(repository_id)?.trusted;
    blocking(move || {
        if trusted {
            ops.commit_trusted(repository_id, &message, skip_hooks)
        } else {
            ops.commit(repository_id, &message)
        }
    })
    .await
}

#[tauri::command]
pub async fn git_signature(
    state: State<'_, AppState>,
    req: Req<git::Signature>,
) -> Out<git::Signature> {
    let git::Signature { repository_id, id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.signature_status(repository_id, &id)).await
}

#[tauri::command]
pub async fn git_log(state: State<'_, AppState>, req: Req<git::Log>) -> Out<git::Log> {
    let git::Log {
        repository_id,
        limit,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.log(repository_id, limit)).await
}

#[tauri::command]
pub async fn git_branches(
    state: State<'_, AppState>,
    req: Req<git::Branches>,
) -> Out<git::Branches> {
    let git::Branches { repository_id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.branches(repository_id)).await
}

#[tauri::command]
pub async fn git_create_branch(
    state: State<'_, AppState>,
    req: Req<git::CreateBranch>,
) -> Out<git::CreateBranch> {
    let git::CreateBranch {
        repository_id,
        name,
        checkout,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.create_branch(repository_id, &name, checkout)).await
}

#[tauri::command]
pub async fn git_switch_branch(
    state: State<'_, AppState>,
    req: Req<git::SwitchBranch>,
) -> Out<git::SwitchBranch> {
    let git::SwitchBranch {
        repository_id,
        name,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.switch_branch(repository_id, &name)).await
}

#[tauri::command]
pub async fn git_delete_branch(
    state: State<'_, AppState>,
    req: Req<git::DeleteBranch>,
) -> Out<git::DeleteBranch> {
    let git::DeleteBranch {
        repository_id,
        name,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.delete_branch(repository_id, &name)).await
}

#[tauri::command]
pub async fn git_state(state: State<'_, AppState>, req: Req<git::State>) -> Out<git::State> {
    let git::State { repository_id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.state(repository_id)).await
}

#[tauri::command]
pub async fn git_stashes(state: State<'_, AppState>, req: Req<git::Stashes>) -> Out<git::Stashes> {
    let git::Stashes { repository_id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.stashes(repository_id)).await
}

#[tauri::command]
pub async fn git_stash_push(
    state: State<'_, AppState>,
    req: Req<git::StashPush>,
) -> Out<git::StashPush> {
    let git::StashPush {
        repository_id,
        message,
        include_untracked,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.stash_push(repository_id, &message, include_untracked)).await
}

#[tauri::command]
pub async fn git_stash_apply(
    state: State<'_, AppState>,
    req: Req<git::StashApply>,
) -> Out<git::StashApply> {
    let git::StashApply {
        repository_id,
        index,
        pop,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.stash_apply(repository_id, index, pop)).await
}

#[tauri::command]
pub async fn git_stash_drop(
    state: State<'_, AppState>,
    req: Req<git::StashDrop>,
) -> Out<git::StashDrop> {
    let git::StashDrop {
        repository_id,
        index,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.stash_drop(repository_id, index)).await
}

#[tauri::command]
pub async fn git_tags(state: State<'_, AppState>, req: Req<git::Tags>) -> Out<git::Tags> {
    let git::Tags { repository_id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.tags(repository_id)).await
}

#[tauri::command]
pub async fn git_create_tag(
    state: State<'_, AppState>,
    req: Req<git::CreateTag>,
) -> Out<git::CreateTag> {
    let git::CreateTag {
        repository_id,
        name,
        message,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.create_tag(repository_id, &name, &message)).await
}

#[tauri::command]
pub async fn git_delete_tag(
    state: State<'_, AppState>,
    req: Req<git::DeleteTag>,
) -> Out<git::DeleteTag> {
    let git::DeleteTag {
        repository_id,
        name,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.delete_tag(repository_id, &name)).await
}

#[tauri::command]
pub async fn git_remotes(state: State<'_, AppState>, req: Req<git::Remotes>) -> Out<git::Remotes> {
    let git::Remotes { repository_id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.remotes(repository_id)).await
}

#[tauri::command]
pub async fn git_add_remote(
    state: State<'_, AppState>,
    req: Req<git::AddRemote>,
) -> Out<git::AddRemote> {
    let git::AddRemote {
        repository_id,
        name,
        url,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.add_remote(repository_id, &name, &url)).await
}

#[tauri::command]
pub async fn git_remove_remote(
    state: State<'_, AppState>,
    req: Req<git::RemoveRemote>,
) -> Out<git::RemoveRemote> {
    let git::RemoveRemote {
        repository_id,
        name,
    } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.remove_remote(repository_id, &name)).await
}

#[tauri::command]
pub async fn git_show(state: State<'_, AppState>, req: Req<git::Show>) -> Out<git::Show> {
    let git::Show { repository_id, id } = req.0;
    let ops = state.git_ops.clone();
    blocking(move || ops.show(repository_id, &id)).await
}

#[tauri::command]
pub async fn git_reset(state: State<'_, AppState>, req: Req<git::Reset>) -> Out<git::Reset> {
    let git::Reset {
        repository_id,
        id,
        mode,
    } = req.0;
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
    on_progress: Frames<git::Fetch>,
    req: Req<git::Fetch>,
) -> Out<git::Fetch> {
    let git::Fetch {
        repository_id,
        remote,
    } = req.0;
    Ok(state
        .git_sync
        .fetch(repository_id, remote, reporter(on_progress))
        .await?)
}

#[tauri::command]
pub async fn git_pull(
    state: State<'_, AppState>,
    on_progress: Frames<git::Pull>,
    req: Req<git::Pull>,
) -> Out<git::Pull> {
    let git::Pull {
        repository_id,
        mode,
    } = req.0;
    Ok(state
        .git_sync
        .pull(repository_id, mode, reporter(on_progress))
        .await?)
}

#[tauri::command]
pub async fn git_push(
    state: State<'_, AppState>,
    on_progress: Frames<git::Push>,
    req: Req<git::Push>,
) -> Out<git::Push> {
    let git::Push {
        repository_id,
        remote,
    } = req.0;
    Ok(state
        .app
        .push(repository_id, remote, reporter(on_progress))
        .await?)
}

#[tauri::command]
pub async fn git_merge(state: State<'_, AppState>, req: Req<git::Merge>) -> Out<git::Merge> {
    let git::Merge {
        repository_id,
        branch,
    } = req.0;
    Ok(state.git_sync.merge(repository_id, &branch).await?)
}

#[tauri::command]
pub async fn git_cherry_pick(
    state: State<'_, AppState>,
    req: Req<git::CherryPick>,
) -> Out<git::CherryPick> {
    let git::CherryPick { repository_id, id } = req.0;
    Ok(state.git_sync.cherry_pick(repository_id, &id).await?)
}

#[tauri::command]
pub async fn git_revert(state: State<'_, AppState>, req: Req<git::Revert>) -> Out<git::Revert> {
    let git::Revert { repository_id, id } = req.0;
    Ok(state.git_sync.revert(repository_id, &id).await?)
}

#[tauri::command]
pub async fn git_rebase_commits(
    state: State<'_, AppState>,
    req: Req<git::RebaseCommits>,
) -> Out<git::RebaseCommits> {
    let git::RebaseCommits {
        repository_id,
        base,
    } = req.0;
    let sync = state.git_sync.clone();
    blocking(move || sync.rebase_commits(repository_id, &base)).await
}

#[tauri::command]
pub async fn git_rebase_interactive(
    state: State<'_, AppState>,
    req: Req<git::RebaseInteractive>,
) -> Out<git::RebaseInteractive> {
    let git::RebaseInteractive {
        repository_id,
        base,
        plan,
    } = req.0;
    Ok(state
        .git_sync
        .rebase_interactive(repository_id, &base, &plan)
        .await?)
}

#[tauri::command]
pub async fn git_rebase(state: State<'_, AppState>, req: Req<git::Rebase>) -> Out<git::Rebase> {
    let git::Rebase {
        repository_id,
        onto,
    } = req.0;
    Ok(state.git_sync.rebase(repository_id, &onto).await?)
}

#[tauri::command]
pub async fn git_abort(state: State<'_, AppState>, req: Req<git::Abort>) -> Out<git::Abort> {
    let git::Abort { repository_id } = req.0;
    Ok(state.git_sync.abort(repository_id).await?)
}

#[tauri::command]
pub async fn git_continue_rebase(
    state: State<'_, AppState>,
    req: Req<git::ContinueRebase>,
) -> Out<git::ContinueRebase> {
    let git::ContinueRebase { repository_id } = req.0;
    Ok(state.git_sync.continue_rebase(repository_id).await?)
}

#[tauri::command]
pub async fn git_clone(
    state: State<'_, AppState>,
    on_progress: Frames<git::CloneRepo>,
    req: Req<git::CloneRepo>,
) -> Out<git::CloneRepo> {
    let git::CloneRepo { request } = req.0;
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

#[tauri::command]
pub async fn git_changes(state: State<'_, AppState>, req: Req<git::Changes>) -> Out<git::Changes> {
    let git::Changes { repository_id } = req.0;
    let changes = state.changes.clone();
    blocking(move || changes.changes(repository_id)).await
}

#[tauri::command]
pub async fn git_watch(state: State<'_, AppState>, req: Req<git::Watch>) -> Out<git::Watch> {
    let git::Watch { repository_id } = req.0;
    if repository_id.is_none() {
        // Nobody looks at a history any more: its layout is let go.
        state.git_ops.forget_graph();
    }
    // Watching walks the repository's folders: off the event loop.
    let changes = state.changes.clone();
    blocking(move || changes.watch(repository_id)).await
}

#[tauri::command]
pub async fn git_diff(state: State<'_, AppState>, req: Req<git::Diff>) -> Out<git::Diff> {
    let git::Diff {
        repository_id,
        path,
        side,
    } = req.0;
    let changes = state.changes.clone();
    blocking(move || changes.diff(repository_id, &path, side)).await
}
