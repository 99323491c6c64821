//! MCP Hub commands.

use crate::state::AppState;
use crate::state::{blocking, Out, Req};
use ai_desktop_api::mcp;
use tauri::State;

#[tauri::command]
pub async fn mcp_list(state: State<'_, AppState>, _req: Req<mcp::List>) -> Out<mcp::List> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.list()).await
}

#[tauri::command]
pub async fn mcp_create(state: State<'_, AppState>, req: Req<mcp::Create>) -> Out<mcp::Create> {
    let mcp::Create { input } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.create(input)).await
}

#[tauri::command]
pub async fn mcp_update(state: State<'_, AppState>, req: Req<mcp::Update>) -> Out<mcp::Update> {
    let mcp::Update { id, input } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.update(id, input)).await
}

#[tauri::command]
pub async fn mcp_delete(state: State<'_, AppState>, req: Req<mcp::Delete>) -> Out<mcp::Delete> {
    let mcp::Delete { id } = req.0;
    Ok(state.mcp.delete(id).await?)
}

#[tauri::command]
pub async fn mcp_reveal(state: State<'_, AppState>, req: Req<mcp::Reveal>) -> Out<mcp::Reveal> {
    let mcp::Reveal { id, part, key } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.reveal(id, part, &key)).await
}

#[tauri::command]
pub async fn mcp_duplicate(
    state: State<'_, AppState>,
    req: Req<mcp::Duplicate>,
) -> Out<mcp::Duplicate> {
    let mcp::Duplicate { id } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.duplicate(id)).await
}

#[tauri::command]
pub async fn mcp_import(state: State<'_, AppState>, req: Req<mcp::Import>) -> Out<mcp::Import> {
    let mcp::Import { json } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.import(&json)).await
}

#[tauri::command]
pub async fn mcp_start(state: State<'_, AppState>, req: Req<mcp::Start>) -> Out<mcp::Start> {
    let mcp::Start { id } = req.0;
    Ok(state.mcp.start(id).await?)
}

#[tauri::command]
pub async fn mcp_stop(state: State<'_, AppState>, req: Req<mcp::Stop>) -> Out<mcp::Stop> {
    let mcp::Stop { id } = req.0;
    Ok(state.mcp.stop(id).await?)
}

#[tauri::command]
pub async fn mcp_restart(state: State<'_, AppState>, req: Req<mcp::Restart>) -> Out<mcp::Restart> {
    let mcp::Restart { id } = req.0;
    Ok(state.mcp.restart(id).await?)
}

#[tauri::command]
pub async fn mcp_tools(state: State<'_, AppState>, req: Req<mcp::Tools>) -> Out<mcp::Tools> {
    let mcp::Tools { id } = req.0;
    Ok(state.mcp.tools(id).await?)
}

#[tauri::command]
pub async fn mcp_resources(
    state: State<'_, AppState>,
    req: Req<mcp::Resources>,
) -> Out<mcp::Resources> {
    let mcp::Resources { id } = req.0;
    Ok(state.mcp.resources(id).await?)
}

#[tauri::command]
pub async fn mcp_read_resource(
    state: State<'_, AppState>,
    req: Req<mcp::ReadResource>,
) -> Out<mcp::ReadResource> {
    let mcp::ReadResource { id, uri } = req.0;
    Ok(state.mcp.read_resource(id, &uri).await?)
}

#[tauri::command]
pub async fn mcp_prompts(state: State<'_, AppState>, req: Req<mcp::Prompts>) -> Out<mcp::Prompts> {
    let mcp::Prompts { id } = req.0;
    Ok(state.mcp.prompts(id).await?)
}

#[tauri::command]
pub async fn mcp_call_tool(
    state: State<'_, AppState>,
    req: Req<mcp::CallTool>,
) -> Out<mcp::CallTool> {
    let mcp::CallTool {
        id,
        tool,
        arguments,
    } = req.0;
    Ok(state.mcp.call_tool(id, &tool, arguments).await?)
}

#[tauri::command]
pub async fn mcp_history(state: State<'_, AppState>, req: Req<mcp::History>) -> Out<mcp::History> {
    let mcp::History { id } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.history(id)).await
}

#[tauri::command]
pub async fn mcp_clear_history(
    state: State<'_, AppState>,
    req: Req<mcp::ClearHistory>,
) -> Out<mcp::ClearHistory> {
    let mcp::ClearHistory { id } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.clear_history(id)).await
}

#[tauri::command]
pub async fn mcp_set_tool_enabled(
    state: State<'_, AppState>,
    req: Req<mcp::SetToolEnabled>,
) -> Out<mcp::SetToolEnabled> {
    let mcp::SetToolEnabled { id, tool, enabled } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.set_tool_enabled(id, &tool, enabled)).await
}

#[tauri::command]
pub async fn mcp_get_prompt(
    state: State<'_, AppState>,
    req: Req<mcp::GetPrompt>,
) -> Out<mcp::GetPrompt> {
    let mcp::GetPrompt {
        id,
        name,
        arguments,
    } = req.0;
    Ok(state.mcp.get_prompt(id, &name, arguments).await?)
}

#[tauri::command]
pub async fn mcp_export(state: State<'_, AppState>, req: Req<mcp::Export>) -> Out<mcp::Export> {
    let mcp::Export { with_secrets } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.export(with_secrets)).await
}

#[tauri::command]
pub async fn mcp_wire(state: State<'_, AppState>, req: Req<mcp::Wire>) -> Out<mcp::Wire> {
    let mcp::Wire { id, from } = req.0;
    Ok(state.mcp.wire(id, from)?)
}

#[tauri::command]
pub async fn mcp_resource_templates(
    state: State<'_, AppState>,
    req: Req<mcp::ResourceTemplates>,
) -> Out<mcp::ResourceTemplates> {
    let mcp::ResourceTemplates { id } = req.0;
    Ok(state.mcp.resource_templates(id).await?)
}

#[tauri::command]
pub async fn mcp_read_template(
    state: State<'_, AppState>,
    req: Req<mcp::ReadTemplate>,
) -> Out<mcp::ReadTemplate> {
    let mcp::ReadTemplate {
        id,
        uri_template,
        values,
    } = req.0;
    Ok(state.mcp.read_template(id, &uri_template, &values).await?)
}

#[tauri::command]
pub async fn mcp_subscribe(
    state: State<'_, AppState>,
    req: Req<mcp::Subscribe>,
) -> Out<mcp::Subscribe> {
    let mcp::Subscribe { id, uri, subscribe } = req.0;
    Ok(state.mcp.subscribe(id, &uri, subscribe).await?)
}

#[tauri::command]
pub async fn mcp_send_request(
    state: State<'_, AppState>,
    req: Req<mcp::SendRequest>,
) -> Out<mcp::SendRequest> {
    let mcp::SendRequest { id, method, params } = req.0;
    Ok(state.mcp.send_request(id, &method, &params).await?)
}

#[tauri::command]
pub async fn mcp_saved_requests(
    state: State<'_, AppState>,
    req: Req<mcp::SavedRequests>,
) -> Out<mcp::SavedRequests> {
    let mcp::SavedRequests { id } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.saved_requests(id)).await
}

#[tauri::command]
pub async fn mcp_save_request(
    state: State<'_, AppState>,
    req: Req<mcp::SaveRequest>,
) -> Out<mcp::SaveRequest> {
    let mcp::SaveRequest {
        id,
        request,
        remove,
    } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.save_request(id, request, remove)).await
}

#[tauri::command]
pub async fn mcp_profiles(
    state: State<'_, AppState>,
    _req: Req<mcp::Profiles>,
) -> Out<mcp::Profiles> {
    let mcp = state.mcp.clone();
    blocking(move || mcp.profiles()).await
}

#[tauri::command]
pub async fn mcp_save_profile(
    state: State<'_, AppState>,
    req: Req<mcp::SaveProfile>,
) -> Out<mcp::SaveProfile> {
    let mcp::SaveProfile { profile, remove } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.save_profile(profile, remove)).await
}

#[tauri::command]
pub async fn mcp_sign_out(state: State<'_, AppState>, req: Req<mcp::SignOut>) -> Out<mcp::SignOut> {
    let mcp::SignOut { id } = req.0;
    let mcp = state.mcp.clone();
    blocking(move || mcp.sign_out(id)).await
}

#[tauri::command]
pub async fn mcp_elicitations(
    state: State<'_, AppState>,
    _req: Req<mcp::Elicitations>,
) -> Out<mcp::Elicitations> {
    Ok(state.mcp.elicitations())
}

#[tauri::command]
pub async fn mcp_answer_elicitation(
    state: State<'_, AppState>,
    req: Req<mcp::AnswerElicitation>,
) -> Out<mcp::AnswerElicitation> {
    let mcp::AnswerElicitation {
        id,
        action,
        content,
    } = req.0;
    Ok(state.mcp.answer_elicitation(id, action, content)?)
}

#[tauri::command]
pub async fn mcp_logs(state: State<'_, AppState>, req: Req<mcp::Logs>) -> Out<mcp::Logs> {
    let mcp::Logs { id, from } = req.0;
    let mcp = state.mcp.clone();
    let buffer = blocking(move || mcp.logs(id)).await?;
    Ok(crate::logs::read(Some(buffer), from).await)
}
