//! Services commands.

use crate::state::AppState;
use crate::state::{Frames, Out, Req};
use ai_desktop_api::services;
use tauri::State;

#[tauri::command]
pub async fn services_catalog(
    state: State<'_, AppState>,
    _req: Req<services::Catalog>,
) -> Out<services::Catalog> {
    Ok(state.services.catalog())
}

#[tauri::command]
pub async fn services_overview(
    state: State<'_, AppState>,
    req: Req<services::Overview>,
) -> Out<services::Overview> {
    Ok(match req.0.host {
        None => state.services.overview().await,
        Some(host) => state.host_engines.overview(host).await?,
    })
}

#[tauri::command]
pub async fn services_install(
    state: State<'_, AppState>,
    on_progress: Frames<services::Install>,
    req: Req<services::Install>,
) -> Out<services::Install> {
    let services::Install { request, host } = req.0;
    Ok(state
        .services_for(host)
        .await?
        .install(request, |line| {
            let _ = on_progress.send(line);
        })
        .await?)
}

#[tauri::command]
pub async fn services_start(
    state: State<'_, AppState>,
    req: Req<services::Start>,
) -> Out<services::Start> {
    let services::Start { id, host } = req.0;
    Ok(state.services_for(host).await?.start(&id).await?)
}

#[tauri::command]
pub async fn services_stop(
    state: State<'_, AppState>,
    req: Req<services::Stop>,
) -> Out<services::Stop> {
    let services::Stop { id, host } = req.0;
    Ok(state.services_for(host).await?.stop(&id).await?)
}

#[tauri::command]
pub async fn services_restart(
    state: State<'_, AppState>,
    req: Req<services::Restart>,
) -> Out<services::Restart> {
    let services::Restart { id, host } = req.0;
    Ok(state.services_for(host).await?.restart(&id).await?)
}

#[tauri::command]
pub async fn services_uninstall(
    state: State<'_, AppState>,
    req: Req<services::Uninstall>,
) -> Out<services::Uninstall> {
    let services::Uninstall {
        id,
        delete_data,
        host,
    } = req.0;
    Ok(state
        .services_for(host)
        .await?
        .uninstall(&id, delete_data)
        .await?)
}

#[tauri::command]
pub async fn services_logs(
    state: State<'_, AppState>,
    req: Req<services::Logs>,
) -> Out<services::Logs> {
    let services::Logs { id, from, host } = req.0;
    let buffer = state.services_for(host).await?.logs(&id).await?;
    Ok(crate::logs::read(Some(buffer), from).await)
}

#[tauri::command]
pub async fn services_clone(
    state: State<'_, AppState>,
    req: Req<services::Clone>,
) -> Out<services::Clone> {
    let services::Clone { id, name, host } = req.0;
    Ok(state
        .services_for(host)
        .await?
        .clone_instance(&id, name)
        .await?)
}

#[tauri::command]
pub async fn services_backup(
    state: State<'_, AppState>,
    on_progress: Frames<services::Backup>,
    req: Req<services::Backup>,
) -> Out<services::Backup> {
    let services::Backup {
        id,
        path,
        database,
        host,
    } = req.0;
    Ok(state
        .services_for(host)
        .await?
        .backup_with(&id, std::path::Path::new(&path), database, move |p| {
            let _ = on_progress.send(p);
        })
        .await?)
}

#[tauri::command]
pub async fn services_restore(
    state: State<'_, AppState>,
    on_progress: Frames<services::Restore>,
    req: Req<services::Restore>,
) -> Out<services::Restore> {
    let services::Restore {
        id,
        path,
        mode,
        database,
        name,
        host,
    } = req.0;
    Ok(state
        .services_for(host)
        .await?
        .restore_with(
            &id,
            std::path::Path::new(&path),
            mode,
            database,
            name,
            move |p| {
                let _ = on_progress.send(p);
            },
        )
        .await?)
}

#[tauri::command]
pub async fn services_forward(
    state: State<'_, AppState>,
    req: Req<services::Forward>,
) -> Out<services::Forward> {
    let services::Forward { host, id } = req.0;
    Ok(state.services_for(Some(host)).await?.forward(&id).await?)
}

#[tauri::command]
pub async fn services_databases(
    state: State<'_, AppState>,
    req: Req<services::Databases>,
) -> Out<services::Databases> {
    let services::Databases { id, host } = req.0;
    Ok(state.services_for(host).await?.databases(&id).await?)
}

#[tauri::command]
pub async fn services_terminal(
    state: State<'_, AppState>,
    req: Req<services::Terminal>,
) -> Out<services::Terminal> {
    let services::Terminal {
        id,
        shell,
        cols,
        rows,
    } = req.0;
    let info = state.open_service_terminal(&id, shell, cols, rows).await?;
    Ok(super::terminals::to_api(info))
}

#[tauri::command]
pub async fn services_create_database(
    state: State<'_, AppState>,
    req: Req<services::CreateDatabase>,
) -> Out<services::CreateDatabase> {
    let services::CreateDatabase {
        id,
        repository_id,
        use_it,
    } = req.0;
    Ok(state
        .create_repository_database(&id, repository_id, use_it)
        .await?)
}

#[tauri::command]
pub async fn services_repo_databases(
    state: State<'_, AppState>,
    _req: Req<services::RepoDatabases>,
) -> Out<services::RepoDatabases> {
    Ok(state.services.repo_databases().await?)
}

#[tauri::command]
pub async fn services_stats(
    state: State<'_, AppState>,
    req: Req<services::Stats>,
) -> Out<services::Stats> {
    let services::Stats { id, host } = req.0;
    Ok(state.services_for(host).await?.stats(&id).await?)
}

#[tauri::command]
pub async fn services_compose_plan(
    state: State<'_, AppState>,
    req: Req<services::ReadCompose>,
) -> Out<services::ReadCompose> {
    Ok(state.compose_plan(req.0.repository_id).await?)
}

#[tauri::command]
pub async fn services_compose_import(
    state: State<'_, AppState>,
    req: Req<services::ImportCompose>,
) -> Out<services::ImportCompose> {
    let services::ImportCompose {
        repository_id,
        names,
    } = req.0;
    Ok(state.compose_import(repository_id, &names).await?)
}
