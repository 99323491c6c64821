//! `hosts_*`: remote hosts over SSH.

use crate::state::{AppState, Out, Req};
use ai_desktop_api::hosts;
use tauri::{AppHandle, State};

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
    app: AppHandle,
    state: State<'_, AppState>,
    req: Req<hosts::Delete>,
) -> Out<hosts::Delete> {
    state.host_editors.delete_host(req.0.id).await?;
    // Its services keep running there; the forwards to them end.
    state.host_engines.delete_host(req.0.id).await?;
    state.host_deploys.delete_host(req.0.id);
    // Its repositories leave the tray's "Open in VS Code".
    crate::tray::refresh(&app, false);
    Ok(())
}

#[tauri::command]
pub async fn hosts_repositories(
    state: State<'_, AppState>,
    req: Req<hosts::Repositories>,
) -> Out<hosts::Repositories> {
    Ok(state.hosts.repositories(req.0.host_id)?)
}

#[tauri::command]
pub async fn hosts_add_repository(
    app: AppHandle,
    state: State<'_, AppState>,
    req: Req<hosts::AddRepository>,
) -> Out<hosts::AddRepository> {
    let hosts::AddRepository { host_id, path } = req.0;
    let added = state.hosts.add_repository(host_id, &path).await?;
    crate::tray::refresh(&app, false);
    Ok(added)
}

#[tauri::command]
pub async fn hosts_remove_repository(
    app: AppHandle,
    state: State<'_, AppState>,
    req: Req<hosts::RemoveRepository>,
) -> Out<hosts::RemoveRepository> {
    state.host_editors.remove_repository(req.0.id).await?;
    crate::tray::refresh(&app, false);
    Ok(())
}

#[tauri::command]
pub async fn hosts_changes(
    state: State<'_, AppState>,
    req: Req<hosts::Changes>,
) -> Out<hosts::Changes> {
    Ok(state.hosts.changes(req.0.id).await?)
}

#[tauri::command]
pub async fn hosts_diff(state: State<'_, AppState>, req: Req<hosts::Diff>) -> Out<hosts::Diff> {
    let hosts::Diff { id, path, staged } = req.0;
    Ok(state.hosts.diff(id, &path, staged).await?)
}

#[tauri::command]
pub async fn hosts_log(state: State<'_, AppState>, req: Req<hosts::Log>) -> Out<hosts::Log> {
    Ok(state.hosts.log(req.0.id).await?)
}

#[tauri::command]
pub async fn hosts_files(state: State<'_, AppState>, req: Req<hosts::Files>) -> Out<hosts::Files> {
    let hosts::Files { id, path } = req.0;
    Ok(state.hosts.files(id, &path).await?)
}

#[tauri::command]
pub async fn hosts_read_file(
    state: State<'_, AppState>,
    req: Req<hosts::ReadFile>,
) -> Out<hosts::ReadFile> {
    let hosts::ReadFile { id, path } = req.0;
    Ok(state.hosts.read_file(id, &path).await?)
}

#[tauri::command]
pub async fn hosts_editors(
    state: State<'_, AppState>,
    req: Req<hosts::Editors>,
) -> Out<hosts::Editors> {
    Ok(state.host_editors.list(req.0.host_id)?)
}

#[tauri::command]
pub async fn hosts_open_editor(
    app: AppHandle,
    state: State<'_, AppState>,
    req: Req<hosts::OpenEditor>,
) -> Out<hosts::OpenEditor> {
    let hosts::OpenEditor { id, target } = req.0;
    let plan = state.host_editors.open(id).await?;
    crate::navigation::show_editor(&app, &plan, target)
}

#[tauri::command]
pub async fn hosts_stop_editor(
    state: State<'_, AppState>,
    req: Req<hosts::StopEditor>,
) -> Out<hosts::StopEditor> {
    Ok(state.host_editors.stop(req.0.id).await?)
}

#[tauri::command]
pub async fn hosts_install_code_server(
    state: State<'_, AppState>,
    req: Req<hosts::InstallCodeServer>,
) -> Out<hosts::InstallCodeServer> {
    Ok(state
        .host_editors
        .install_code_server(req.0.host_id)
        .await?)
}

#[tauri::command]
pub async fn hosts_deployments(
    state: State<'_, AppState>,
    req: Req<hosts::Deployments>,
) -> Out<hosts::Deployments> {
    Ok(state.host_deploys.list(req.0.host_id).await?)
}

#[tauri::command]
pub async fn hosts_deploy(
    state: State<'_, AppState>,
    req: Req<hosts::Deploy>,
) -> Out<hosts::Deploy> {
    Ok(state.host_deploys.deploy(req.0.input).await?)
}

#[tauri::command]
pub async fn hosts_deployment_act(
    state: State<'_, AppState>,
    req: Req<hosts::DeploymentAct>,
) -> Out<hosts::DeploymentAct> {
    Ok(state.host_deploys.act(req.0.id, req.0.action).await?)
}

#[tauri::command]
pub async fn hosts_deployment_delete(
    state: State<'_, AppState>,
    req: Req<hosts::DeploymentDelete>,
) -> Out<hosts::DeploymentDelete> {
    Ok(state.host_deploys.delete(req.0.id).await?)
}

#[tauri::command]
pub async fn hosts_deployment_logs(
    state: State<'_, AppState>,
    req: Req<hosts::DeploymentLogs>,
) -> Out<hosts::DeploymentLogs> {
    Ok(state.host_deploys.logs(req.0.id).await?)
}

#[tauri::command]
pub async fn hosts_deployment_forward(
    state: State<'_, AppState>,
    req: Req<hosts::DeploymentForward>,
) -> Out<hosts::DeploymentForward> {
    Ok(state.host_deploys.forward(req.0.id).await?)
}

#[tauri::command]
pub async fn hosts_stack_up(
    app: AppHandle,
    state: State<'_, AppState>,
    req: Req<hosts::StackUp>,
) -> Out<hosts::StackUp> {
    let hosts::StackUp { id, target } = req.0;
    let up = state.host_stack.up(id).await?;
    crate::navigation::show_editor(&app, &up.editor, target)?;
    Ok(hosts::HostStackReport {
        services: up.services,
        apps: up.apps,
    })
}

#[tauri::command]
pub async fn hosts_stack_down(
    state: State<'_, AppState>,
    req: Req<hosts::StackDown>,
) -> Out<hosts::StackDown> {
    Ok(state.host_stack.down(req.0.id).await?)
}
