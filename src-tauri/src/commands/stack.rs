//! A repository's stack commands.

use crate::state::AppState;
use crate::state::{Out, Req};
use ai_desktop_api::stack;
use tauri::State;

#[tauri::command]
pub async fn stack_plan(state: State<'_, AppState>, req: Req<stack::Plan>) -> Out<stack::Plan> {
    let stack::Plan { repository_id } = req.0;
    Ok(state.stack.plan(repository_id).await?)
}

#[tauri::command]
pub async fn stack_up(state: State<'_, AppState>, req: Req<stack::Up>) -> Out<stack::Up> {
    let stack::Up { repository_id } = req.0;
    Ok(state.stack.up(repository_id).await?)
}

#[tauri::command]
pub async fn stack_down(state: State<'_, AppState>, req: Req<stack::Down>) -> Out<stack::Down> {
    let stack::Down { repository_id } = req.0;
    Ok(state.stack.down(repository_id).await?)
}

#[tauri::command]
pub async fn stack_runs(state: State<'_, AppState>, _req: Req<stack::Runs>) -> Out<stack::Runs> {
    Ok(state.stack.runs())
}

#[tauri::command]
pub async fn stack_services(
    state: State<'_, AppState>,
    req: Req<stack::Services>,
) -> Out<stack::Services> {
    let stack::Services { repository_id } = req.0;
    Ok(state.stack.services_of(repository_id).await?)
}

#[tauri::command]
pub async fn stack_set_services(
    state: State<'_, AppState>,
    req: Req<stack::SetServices>,
) -> Out<stack::SetServices> {
    let stack::SetServices {
        repository_id,
        services,
    } = req.0;
    Ok(state.stack.set_services(repository_id, services).await?)
}

#[tauri::command]
pub async fn stack_timeline(
    state: State<'_, AppState>,
    req: Req<stack::Timeline>,
) -> Out<stack::Timeline> {
    let stack::Timeline {
        repository_id,
        query,
    } = req.0;
    Ok(state.stack.timeline(repository_id, query).await?)
}
