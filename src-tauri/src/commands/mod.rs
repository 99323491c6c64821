//! The `#[tauri::command]` functions, one file per command prefix (the
//! names are `ai_desktop_api::commands`). Each is a thin wrapper: take the
//! state, call the core (plain `fn`s through [`crate::state::blocking`]),
//! map the error to `ApiError`. No domain logic lives here.

pub mod app;
pub mod deployments;
pub mod doctor;
pub mod files;
pub mod flow;
pub mod gateway;
pub mod git;
pub mod hosts;
pub mod mcp;
pub mod pm2;
pub mod repos;
pub mod services;
pub mod ssh;
pub mod stack;
pub mod system;
pub mod terminals;
pub mod vscode;
pub mod workspaces;

#[cfg(test)]
mod capability;
