//! `doctor_*`: which tools this machine has, with versions and install hints.

use crate::state::{AppState, Out, Req};
use ai_desktop_api::app;
use tauri::State;

#[tauri::command]
pub async fn doctor_report(state: State<'_, AppState>, _req: Req<app::Doctor>) -> Out<app::Doctor> {
    let code_server = state
        .store
        .setting::<String>(ai_desktop_core::store::settings::CODE_SERVER_BINARY)?
        .map(std::path::PathBuf::from);
    let input = ai_desktop_core::doctor::DoctorInput::from_env(code_server);
    Ok(ai_desktop_api::system::DoctorReport {
        tools: ai_desktop_core::doctor::report(&input).await,
        log_dir: state
            .config
            .log_dir
            .as_ref()
            .map(|d| d.display().to_string()),
    })
}
