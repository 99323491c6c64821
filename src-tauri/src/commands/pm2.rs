//! `pm2_*`: the System page's list of every PM2 process, and acting on one.

use crate::state::AppState;
use crate::state::CmdResult;
use ai_desktop_api::system::{Pm2Action, Pm2ProcessInfo};
use tauri::State;

#[tauri::command]
pub async fn pm2_processes(state: State<'_, AppState>) -> CmdResult<Vec<Pm2ProcessInfo>> {
    Ok(state.deployments.pm2_processes().await?)
}

#[tauri::command]
pub async fn pm2_act(
    state: State<'_, AppState>,
    pm_id: u32,
    action: Pm2Action,
) -> CmdResult<Vec<Pm2ProcessInfo>> {
    Ok(state.deployments.pm2_act(pm_id, action).await?)
}
