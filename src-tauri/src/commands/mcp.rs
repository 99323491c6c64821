//! MCP Hub commands.

use crate::state::AppState;
use crate::state::{blocking, CmdResult};
use ai_desktop_api::logs::LogFrame;
use ai_desktop_api::mcp::{
    ImportReport, McpCall, McpPrompt, McpResource, McpServer, McpServerInput, McpTool,
    ResourceContents,
};
use tauri::State;

#[tauri::command]
pub async fn mcp_list(state: State<'_, AppState>) -> CmdResult<Vec<McpServer>> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.list()).await
}

#[tauri::command]
pub async fn mcp_create(state: State<'_, AppState>, input: McpServerInput) -> CmdResult<McpServer> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.create(input)).await
}

#[tauri::command]
pub async fn mcp_update(
    state: State<'_, AppState>,
    id: i64,
    input: McpServerInput,
) -> CmdResult<McpServer> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.update(id, input)).await
}

#[tauri::command]
pub async fn mcp_delete(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    Ok(state.mcp.delete(id).await?)
}

#[tauri::command]
pub async fn mcp_reveal(
    state: State<'_, AppState>,
    id: i64,
    part: ai_desktop_api::secrets::SecretPart,
    key: String,
) -> CmdResult<String> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.reveal(id, part, &key)).await
}

#[tauri::command]
pub async fn mcp_duplicate(state: State<'_, AppState>, id: i64) -> CmdResult<McpServer> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.duplicate(id)).await
}

#[tauri::command]
pub async fn mcp_import(state: State<'_, AppState>, json: String) -> CmdResult<ImportReport> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.import(&json)).await
}

#[tauri::command]
pub async fn mcp_start(state: State<'_, AppState>, id: i64) -> CmdResult<McpServer> {
    Ok(state.mcp.start(id).await?)
}

#[tauri::command]
pub async fn mcp_stop(state: State<'_, AppState>, id: i64) -> CmdResult<McpServer> {
    Ok(state.mcp.stop(id).await?)
}

#[tauri::command]
pub async fn mcp_restart(state: State<'_, AppState>, id: i64) -> CmdResult<McpServer> {
    Ok(state.mcp.restart(id).await?)
}

#[tauri::command]
pub async fn mcp_tools(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<McpTool>> {
    Ok(state.mcp.tools(id).await?)
}

#[tauri::command]
pub async fn mcp_resources(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<McpResource>> {
    Ok(state.mcp.resources(id).await?)
}

#[tauri::command]
pub async fn mcp_read_resource(
    state: State<'_, AppState>,
    id: i64,
    uri: String,
) -> CmdResult<ResourceContents> {
    Ok(state.mcp.read_resource(id, &uri).await?)
}

#[tauri::command]
pub async fn mcp_prompts(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<McpPrompt>> {
    Ok(state.mcp.prompts(id).await?)
}

#[tauri::command]
pub async fn mcp_call_tool(
    state: State<'_, AppState>,
    id: i64,
    tool: String,
    arguments: serde_json::Value,
) -> CmdResult<McpCall> {
    Ok(state.mcp.call_tool(id, &tool, arguments).await?)
}

#[tauri::command]
pub async fn mcp_history(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<McpCall>> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.history(id)).await
}

#[tauri::command]
pub async fn mcp_clear_history(state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.clear_history(id)).await
}

#[tauri::command]
pub async fn mcp_logs(
    state: State<'_, AppState>,
    id: i64,
    from: Option<u64>,
) -> CmdResult<LogFrame> {
    let mcp = state.mcp.clone();
    let buffer = blocking(move || mcp.logs(id)).await?;
    Ok(crate::logs::read(Some(buffer), from).await)
}
