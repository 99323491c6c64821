//! Services commands.

use crate::state::AppState;
use crate::state::CmdResult;
use ai_desktop_api::logs::LogFrame;
use ai_desktop_api::services::{
    CatalogEntry, InstallRequest, InstalledService, ServiceKind, ServicesOverview,
};
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
pub async fn services_catalog(state: State<'_, AppState>) -> CmdResult<Vec<CatalogEntry>> {
    Ok(state.services.catalog())
}

#[tauri::command]
pub async fn services_overview(state: State<'_, AppState>) -> CmdResult<ServicesOverview> {
    Ok(state.services.overview().await)
}

#[tauri::command]
pub async fn services_install(
    state: State<'_, AppState>,
    request: InstallRequest,
    on_progress: Channel<String>,
) -> CmdResult<InstalledService> {
    Ok(state
        .services
        .install(request, |line| {
            let _ = on_progress.send(line);
        })
        .await?)
}

#[tauri::command]
pub async fn services_start(
    state: State<'_, AppState>,
    kind: ServiceKind,
) -> CmdResult<InstalledService> {
    Ok(state.services.start(kind).await?)
}

#[tauri::command]
pub async fn services_stop(
    state: State<'_, AppState>,
    kind: ServiceKind,
) -> CmdResult<InstalledService> {
    Ok(state.services.stop(kind).await?)
}

#[tauri::command]
pub async fn services_restart(
    state: State<'_, AppState>,
    kind: ServiceKind,
) -> CmdResult<InstalledService> {
    Ok(state.services.restart(kind).await?)
}

#[tauri::command]
pub async fn services_uninstall(
    state: State<'_, AppState>,
    kind: ServiceKind,
    delete_data: bool,
) -> CmdResult<()> {
    Ok(state.services.uninstall(kind, delete_data).await?)
}

#[tauri::command]
pub async fn services_logs(
    state: State<'_, AppState>,
    kind: ServiceKind,
    from: Option<u64>,
) -> CmdResult<LogFrame> {
    let buffer = state.services.logs(kind).await?;
    Ok(crate::logs::read(Some(buffer), from).await)
}
