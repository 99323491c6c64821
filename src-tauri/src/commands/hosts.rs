//! `hosts_*`: remote hosts over SSH.

use crate::state::{AppState, Out, Req};
use ai_desktop_api::hosts;
use tauri::State;

#[tauri::command]
pub async fn hosts_list(state: State<'_, AppState>, _req: Req<hosts::List>) -> Out<hosts::List> {
    Ok(state.hosts.list()?)
}

#[tauri::command]
pub async fn hosts_scan(state: State<'_, AppState>, req: Req<hosts::Scan>) -> Out<hosts::Scan> {
    let hosts::Scan { destination, port } = req.0;
    Ok(state.hosts.scan(&destination, port).await?)
}

#[tauri::command]
pub async fn hosts_add(state: State<'_, AppState>, req: Req<hosts::Add>) -> Out<hosts::Add> {
    Ok(state.hosts.add(req.0.input).await?)
}

#[tauri::command]
pub async fn hosts_check(state: State<'_, AppState>, req: Req<hosts::Check>) -> Out<hosts::Check> {
    Ok(state.hosts.check(req.0.id).await?)
}

#[tauri::command]
pub async fn hosts_delete(
    state: State<'_, AppState>,
    req: Req<hosts::Delete>,
) -> Out<hosts::Delete> {
    Ok(state.hosts.delete(req.0.id).await?)
}
