//! Deployments commands.

use crate::state::AppState;
use crate::state::{blocking, Out, Req};
use ai_desktop_api::deployments;
use tauri::State;

#[tauri::command]
pub async fn deployments_status(
    state: State<'_, AppState>,
    _req: Req<deployments::Status>,
) -> Out<deployments::Status> {
    Ok(state.deployments.status().await)
}

#[tauri::command]
pub async fn deployments_configure(
    state: State<'_, AppState>,
    req: Req<deployments::Configure>,
) -> Out<deployments::Configure> {
    let deployments::Configure { binary, home } = req.0;
    Ok(state.deployments.configure(binary, home).await?)
}

#[tauri::command]
pub async fn deployments_watch(
    state: State<'_, AppState>,
    req: Req<deployments::Watch>,
) -> Out<deployments::Watch> {
    state.presence.set_deployments(req.0.active);
    Ok(())
}

#[tauri::command]
pub async fn deployments_metrics(
    state: State<'_, AppState>,
    req: Req<deployments::Metrics>,
) -> Out<deployments::Metrics> {
    let deployments::Metrics { since } = req.0;
    Ok(state
        .deployments
        .metrics(since, crate::logs::READ_WAIT)
        .await)
}

#[tauri::command]
pub async fn deployments_list(
    state: State<'_, AppState>,
    _req: Req<deployments::List>,
) -> Out<deployments::List> {
    let d = state.deployments.clone();
    blocking(move || d.list()).await
}

#[tauri::command]
pub async fn deployments_suggest(
    state: State<'_, AppState>,
    req: Req<deployments::Suggest>,
) -> Out<deployments::Suggest> {
    let deployments::Suggest { repository_id } = req.0;
    let d = state.deployments.clone();
    blocking(move || d.suggest(repository_id)).await
}

#[tauri::command]
pub async fn deployments_create(
    state: State<'_, AppState>,
    req: Req<deployments::Create>,
) -> Out<deployments::Create> {
    let deployments::Create { input } = req.0;
    let d = state.deployments.clone();
    blocking(move || d.create(input)).await
}

#[tauri::command]
pub async fn deployments_update(
    state: State<'_, AppState>,
    req: Req<deployments::Update>,
) -> Out<deployments::Update> {
    let deployments::Update { id, input } = req.0;
    let d = state.deployments.clone();
    blocking(move || d.update(id, input)).await
}

#[tauri::command]
pub async fn deployments_reveal(
    state: State<'_, AppState>,
    req: Req<deployments::Reveal>,
) -> Out<deployments::Reveal> {
    let deployments::Reveal { id, key } = req.0;
    let d = state.deployments.clone();
    blocking(move || d.reveal(id, &key)).await
}

#[tauri::command]
pub async fn deployments_start(
    state: State<'_, AppState>,
    req: Req<deployments::Start>,
) -> Out<deployments::Start> {
    let deployments::Start { id } = req.0;
    Ok(state.deployments.start(id).await?)
}

#[tauri::command]
pub async fn deployments_stop(
    state: State<'_, AppState>,
    req: Req<deployments::Stop>,
) -> Out<deployments::Stop> {
    let deployments::Stop { id } = req.0;
    Ok(state.deployments.stop(id).await?)
}

#[tauri::command]
pub async fn deployments_deploy(
    state: State<'_, AppState>,
    req: Req<deployments::Deploy>,
) -> Out<deployments::Deploy> {
    let deployments::Deploy { id, commit } = req.0;
    Ok(state.deployments.deploy(id, commit).await?)
}

#[tauri::command]
pub async fn deployments_reload(
    state: State<'_, AppState>,
    req: Req<deployments::Reload>,
) -> Out<deployments::Reload> {
    let deployments::Reload { id } = req.0;
    Ok(state.deployments.reload(id).await?)
}

#[tauri::command]
pub async fn deployments_open_url(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    req: Req<deployments::OpenUrl>,
) -> Out<deployments::OpenUrl> {
    let deployments::OpenUrl { id } = req.0;
    let url = state.deployments.url(id)?;
    crate::navigation::open_external(&app, &url)?;
    Ok(url)
}

#[tauri::command]
pub async fn deployments_runs(
    state: State<'_, AppState>,
    req: Req<deployments::Runs>,
) -> Out<deployments::Runs> {
    let deployments::Runs { id } = req.0;
    Ok(state.deployments.runs(id)?)
}

#[tauri::command]
pub async fn deployments_restart(
    state: State<'_, AppState>,
    req: Req<deployments::Restart>,
) -> Out<deployments::Restart> {
    let deployments::Restart { id } = req.0;
    Ok(state.deployments.restart(id).await?)
}

#[tauri::command]
pub async fn deployments_delete(
    state: State<'_, AppState>,
    req: Req<deployments::Delete>,
) -> Out<deployments::Delete> {
    let deployments::Delete { id } = req.0;
    Ok(state.deployments.delete(id).await?)
}

#[tauri::command]
pub async fn deployments_stop_all(
    state: State<'_, AppState>,
    _req: Req<deployments::StopAll>,
) -> Out<deployments::StopAll> {
    Ok(state.deployments.stop_all().await?)
}

#[tauri::command]
pub async fn deployments_logs(
    state: State<'_, AppState>,
    req: Req<deployments::Logs>,
) -> Out<deployments::Logs> {
    let deployments::Logs { id, from } = req.0;
    let deployments = state.deployments.clone();
    let buffer = blocking(move || deployments.logs(id)).await?;
    Ok(crate::logs::read(Some(buffer), from).await)
}

#[tauri::command]
pub async fn deployments_clear_logs(
    state: State<'_, AppState>,
    req: Req<deployments::ClearLogs>,
) -> Out<deployments::ClearLogs> {
    let deployments::ClearLogs { id } = req.0;
    let d = state.deployments.clone();
    blocking(move || d.clear_logs(id)).await
}

#[tauri::command]
pub async fn deployments_services(
    state: State<'_, AppState>,
    _req: Req<deployments::Services>,
) -> Out<deployments::Services> {
    Ok(state.deployments.services().await)
}
