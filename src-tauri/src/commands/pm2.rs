//! `pm2_*`: the System page's list of every PM2 process, and acting on one.

use crate::state::AppState;
use crate::state::{Out, Req};
use ai_desktop_api::system;
use tauri::State;

#[tauri::command]
pub async fn pm2_processes(
    state: State<'_, AppState>,
    _req: Req<system::Pm2Processes>,
) -> Out<system::Pm2Processes> {
    Ok(state.deployments.pm2_processes().await?)
}

#[tauri::command]
pub async fn pm2_act(state: State<'_, AppState>, req: Req<system::Pm2Act>) -> Out<system::Pm2Act> {
    let system::Pm2Act { pm_id, action } = req.0;
    Ok(state.deployments.pm2_act(pm_id, action).await?)
}
