//! Flow Builder commands, and the batched stream of an answer's tokens.

use crate::state::AppState;
use crate::state::{blocking, Frames, Out, Req};
use ai_desktop_api::flow;
use ai_desktop_api::flow::{TokenFrame, TokenPiece};
use ai_desktop_core::flow::{FlowAgent, Token};
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::State;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// Tokens are gathered this long before a frame goes out.
const BATCH_INTERVAL: Duration = Duration::from_millis(16);
/// A frame's JSON stays under Tauri's 8 kB fast-path limit.
const FRAME_BUDGET: usize = 6 * 1024;

#[tauri::command]
pub async fn flow_settings(
    state: State<'_, AppState>,
    _req: Req<flow::Settings>,
) -> Out<flow::Settings> {
    let flow = state.flow.clone();
    blocking(move || flow.settings()).await
}

#[tauri::command]
pub async fn flow_save_settings(
    state: State<'_, AppState>,
    req: Req<flow::SaveSettings>,
) -> Out<flow::SaveSettings> {
    let flow::SaveSettings { input } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.save_settings(input)).await
}

#[tauri::command]
pub async fn flow_test_connection(
    state: State<'_, AppState>,
    req: Req<flow::TestConnection>,
) -> Out<flow::TestConnection> {
    let flow::TestConnection { input } = req.0;
    Ok(state.flow.test_connection(input).await?)
}

#[tauri::command]
pub async fn flow_models(state: State<'_, AppState>, _req: Req<flow::Models>) -> Out<flow::Models> {
    Ok(state.flow.models().await?)
}

#[tauri::command]
pub async fn flow_sessions(
    state: State<'_, AppState>,
    req: Req<flow::Sessions>,
) -> Out<flow::Sessions> {
    let flow::Sessions { archived, query } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.sessions(archived, query.as_deref())).await
}

#[tauri::command]
pub async fn flow_create_session(
    state: State<'_, AppState>,
    req: Req<flow::CreateSession>,
) -> Out<flow::CreateSession> {
    let flow::CreateSession { patch } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.create_session(patch)).await
}

#[tauri::command]
pub async fn flow_update_session(
    state: State<'_, AppState>,
    req: Req<flow::UpdateSession>,
) -> Out<flow::UpdateSession> {
    let flow::UpdateSession { id, patch } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.update_session(id, patch)).await
}

#[tauri::command]
pub async fn flow_archive_session(
    state: State<'_, AppState>,
    req: Req<flow::ArchiveSession>,
) -> Out<flow::ArchiveSession> {
    let flow::ArchiveSession { id, archived } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.archive_session(id, archived)).await
}

#[tauri::command]
pub async fn flow_delete_session(
    state: State<'_, AppState>,
    req: Req<flow::DeleteSession>,
) -> Out<flow::DeleteSession> {
    let flow::DeleteSession { id } = req.0;
    Ok(state.flow.delete_session(id).await?)
}

#[tauri::command]
pub async fn flow_messages(
    state: State<'_, AppState>,
    req: Req<flow::Messages>,
) -> Out<flow::Messages> {
    let flow::Messages { session_id } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.messages(session_id)).await
}

#[tauri::command]
pub async fn flow_send(state: State<'_, AppState>, req: Req<flow::Send>) -> Out<flow::Send> {
    let flow::Send {
        session_id,
        text,
        attachments,
    } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.send_with(session_id, &text, &attachments)).await
}

#[tauri::command]
pub async fn flow_attachment(
    state: State<'_, AppState>,
    req: Req<flow::Attachment>,
) -> Out<flow::Attachment> {
    let flow::Attachment { message_id, index } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.attachment(message_id, index)).await
}

#[tauri::command]
pub async fn flow_edit_message(
    state: State<'_, AppState>,
    req: Req<flow::EditMessage>,
) -> Out<flow::EditMessage> {
    let flow::EditMessage {
        session_id,
        message_id,
        text,
    } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.edit_message(session_id, message_id, &text)).await
}

#[tauri::command]
pub async fn flow_retry(state: State<'_, AppState>, req: Req<flow::Retry>) -> Out<flow::Retry> {
    let flow::Retry { session_id } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.retry(session_id)).await
}

#[tauri::command]
pub async fn flow_decide(state: State<'_, AppState>, req: Req<flow::Decide>) -> Out<flow::Decide> {
    let flow::Decide {
        session_id,
        message_id,
        call_id,
        decision,
    } = req.0;
    Ok(state
        .flow
        .decide(session_id, message_id, &call_id, decision)?)
}

#[tauri::command]
pub async fn flow_cancel(state: State<'_, AppState>, req: Req<flow::Cancel>) -> Out<flow::Cancel> {
    let flow::Cancel { session_id } = req.0;
    Ok(state.flow.cancel(session_id).await?)
}

#[tauri::command]
pub async fn flow_grants(state: State<'_, AppState>, req: Req<flow::Grants>) -> Out<flow::Grants> {
    let flow::Grants { session_id } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.grants(session_id)).await
}

#[tauri::command]
pub async fn flow_revoke_grant(
    state: State<'_, AppState>,
    req: Req<flow::RevokeGrant>,
) -> Out<flow::RevokeGrant> {
    let flow::RevokeGrant {
        session_id,
        server_id,
        tool,
    } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.revoke_grant(session_id, server_id, &tool)).await
}

#[tauri::command]
pub async fn flow_checkpoints(
    state: State<'_, AppState>,
    req: Req<flow::Checkpoints>,
) -> Out<flow::Checkpoints> {
    let flow::Checkpoints { session_id } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.checkpoints(session_id)).await
}

#[tauri::command]
pub async fn flow_undo_to(state: State<'_, AppState>, req: Req<flow::UndoTo>) -> Out<flow::UndoTo> {
    let flow::UndoTo {
        session_id,
        checkpoint_id,
    } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.undo_to(session_id, checkpoint_id)).await
}

#[tauri::command]
pub async fn flow_watch(
    state: State<'_, AppState>,
    on_frame: Frames<flow::Watch>,
    req: Req<flow::Watch>,
) -> Out<flow::Watch> {
    let flow::Watch { session_id } = req.0;
    let task = session_id.map(|id| stream_tokens(state.flow.clone(), id, on_frame));
    state.log_streams.replace_with("flow", task);
    Ok(())
}

/// Forwards the session's tokens in frames of at most [`FRAME_BUDGET`]
/// bytes, one every [`BATCH_INTERVAL`] at most. A view that lags misses
/// tokens, not the answer: the finished message is saved and sent whole.
async fn stream_tokens(agent: Arc<FlowAgent>, session_id: i64, channel: Channel<TokenFrame>) {
    let mut rx = agent.subscribe_tokens();
    // A throttle, not a debounce: a token after a quiet spell goes out at
    // once; while tokens flow, one frame per interval carries them all.
    let mut last_sent = std::time::Instant::now() - BATCH_INTERVAL;
    loop {
        let first = match rx.recv().await {
            Ok(t) => t,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let mut batch: Vec<Token> = vec![first];
        let wait = BATCH_INTERVAL.saturating_sub(last_sent.elapsed());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        loop {
            match rx.try_recv() {
                Ok(t) => batch.push(t),
                Err(TryRecvError::Lagged(_)) => {}
                Err(_) => break,
            }
        }
        let mut frame = TokenFrame {
            session_id,
            pieces: Vec::new(),
        };
        let mut size = 0;
        for t in batch.into_iter().filter(|t| t.session_id == session_id) {
            let cost = crate::logs::json_len(&t.text);
            if size + cost > FRAME_BUDGET && !frame.pieces.is_empty() {
                if channel.send(std::mem::take(&mut frame)).is_err() {
                    return;
                }
                frame.session_id = session_id;
                size = 0;
            }
            size += cost + 32;
            // Consecutive pieces of one message travel as one.
            match frame.pieces.last_mut() {
                Some(p) if p.message_id == t.message_id => p.text.push_str(&t.text),
                _ => frame.pieces.push(TokenPiece {
                    message_id: t.message_id,
                    text: t.text,
                }),
            }
        }
        if !frame.pieces.is_empty() {
            if channel.send(frame).is_err() {
                return;
            }
            last_sent = std::time::Instant::now();
        }
    }
}

#[tauri::command]
pub async fn flow_fix_crash(
    state: State<'_, AppState>,
    req: Req<flow::FixCrash>,
) -> Out<flow::FixCrash> {
    let flow::FixCrash { deployment_id } = req.0;
    Ok(state.app.ask_agent_about_crash(deployment_id).await?)
}

#[tauri::command]
pub async fn flow_recipes(
    state: State<'_, AppState>,
    _req: Req<flow::Recipes>,
) -> Out<flow::Recipes> {
    let flow = state.flow.clone();
    blocking(move || flow.recipes()).await
}

#[tauri::command]
pub async fn flow_save_recipe(
    state: State<'_, AppState>,
    req: Req<flow::SaveRecipe>,
) -> Out<flow::SaveRecipe> {
    let flow::SaveRecipe { id, input } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.save_recipe(id, input)).await
}

#[tauri::command]
pub async fn flow_delete_recipe(
    state: State<'_, AppState>,
    req: Req<flow::DeleteRecipe>,
) -> Out<flow::DeleteRecipe> {
    let flow::DeleteRecipe { id } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.delete_recipe(id)).await
}

#[tauri::command]
pub async fn flow_run_recipe(
    state: State<'_, AppState>,
    req: Req<flow::RunRecipe>,
) -> Out<flow::RunRecipe> {
    let flow::RunRecipe { id } = req.0;
    Ok(state.flow.run_recipe(id, None, None).await?)
}

#[tauri::command]
pub async fn flow_fork(state: State<'_, AppState>, req: Req<flow::Fork>) -> Out<flow::Fork> {
    let flow::Fork {
        session_id,
        message_id,
    } = req.0;
    let flow = state.flow.clone();
    blocking(move || flow.fork(session_id, message_id)).await
}

#[tauri::command]
pub async fn flow_export(state: State<'_, AppState>, req: Req<flow::Export>) -> Out<flow::Export> {
    let flow::Export { session_id, format } = req.0;
    let app = state.app.clone();
    blocking(move || {
        app.export_session(session_id, format)
            .map(|p| p.display().to_string())
    })
    .await
}

#[tauri::command]
pub async fn flow_make_sandbox(
    state: State<'_, AppState>,
    req: Req<flow::MakeSandbox>,
) -> Out<flow::MakeSandbox> {
    let flow::MakeSandbox {
        session_id,
        repository_id,
    } = req.0;
    Ok(state.app.make_sandbox(session_id, repository_id).await?)
}

#[tauri::command]
pub async fn flow_sandbox(
    state: State<'_, AppState>,
    req: Req<flow::Sandbox>,
) -> Out<flow::Sandbox> {
    let flow::Sandbox { session_id } = req.0;
    Ok(state.app.sandbox_status(session_id).await?)
}

#[tauri::command]
pub async fn flow_commit_sandbox(
    state: State<'_, AppState>,
    req: Req<flow::CommitSandbox>,
) -> Out<flow::CommitSandbox> {
    let flow::CommitSandbox {
        session_id,
        message,
    } = req.0;
    Ok(state.app.commit_sandbox(session_id, &message).await?)
}

#[tauri::command]
pub async fn flow_discard_sandbox(
    state: State<'_, AppState>,
    req: Req<flow::DiscardSandbox>,
) -> Out<flow::DiscardSandbox> {
    let flow::DiscardSandbox { session_id } = req.0;
    Ok(state.app.discard_sandbox(session_id).await?)
}
