//! MCP gateway commands.

use crate::state::AppState;
use crate::state::{blocking, Out, Req};
use ai_desktop_api::gateway;
use tauri::State;

#[tauri::command]
pub async fn gateway_status(
    state: State<'_, AppState>,
    _req: Req<gateway::Status>,
) -> Out<gateway::Status> {
    Ok(state.gateway.status().await)
}

#[tauri::command]
pub async fn gateway_configure(
    state: State<'_, AppState>,
    req: Req<gateway::Configure>,
) -> Out<gateway::Configure> {
    let gateway::Configure { settings } = req.0;
    Ok(state.gateway.configure(settings).await?)
}

#[tauri::command]
pub async fn gateway_set_rule(
    state: State<'_, AppState>,
    req: Req<gateway::SetRule>,
) -> Out<gateway::SetRule> {
    let gateway::SetRule { name, rule } = req.0;
    Ok(state.gateway.set_rule(&name, rule).await?)
}

#[tauri::command]
pub async fn gateway_token(
    state: State<'_, AppState>,
    _req: Req<gateway::Token>,
) -> Out<gateway::Token> {
    let gateway = state.gateway.clone();
    blocking(move || gateway.token()).await
}

#[tauri::command]
pub async fn gateway_rotate_token(
    state: State<'_, AppState>,
    _req: Req<gateway::RotateToken>,
) -> Out<gateway::RotateToken> {
    let gateway = state.gateway.clone();
    blocking(move || gateway.rotate_token()).await
}

#[tauri::command]
pub async fn gateway_client_config(
    state: State<'_, AppState>,
    _req: Req<gateway::ClientConfig>,
) -> Out<gateway::ClientConfig> {
    Ok(state.gateway.client_config().await?)
}

#[tauri::command]
pub async fn gateway_approvals(
    state: State<'_, AppState>,
    _req: Req<gateway::Approvals>,
) -> Out<gateway::Approvals> {
    Ok(state.gateway.approvals())
}

#[tauri::command]
pub async fn gateway_answer(
    state: State<'_, AppState>,
    req: Req<gateway::Answer>,
) -> Out<gateway::Answer> {
    let gateway::Answer { id, decision } = req.0;
    Ok(state.gateway.answer(id, decision)?)
}

#[tauri::command]
pub async fn gateway_history(
    state: State<'_, AppState>,
    _req: Req<gateway::History>,
) -> Out<gateway::History> {
    let gateway = state.gateway.clone();
    blocking(move || gateway.history()).await
}

#[tauri::command]
pub async fn gateway_clear_history(
    state: State<'_, AppState>,
    _req: Req<gateway::ClearHistory>,
) -> Out<gateway::ClearHistory> {
    let gateway = state.gateway.clone();
    blocking(move || gateway.clear_history()).await
}
