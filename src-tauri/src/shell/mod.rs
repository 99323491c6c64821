//! Everything that imports tauri: the commands (thin wrappers over the
//! domain), the event bridge, and the tray. No domain logic lives here.

pub mod commands;
pub mod deeplink;
pub mod deployments;
pub mod events;
pub mod files;
pub mod flow;
pub mod git;
pub mod logs;
pub mod mcp;
pub mod navigation;
pub mod services;
pub mod system;
pub mod terminal;
pub mod tray;
pub mod vscode;

use crate::deployments::DeploymentManager;
use crate::flow::FlowAgent;
use crate::git::ChangesFeed;
use crate::mcp::McpHub;
use crate::repos::RepoRegistry;
use crate::services::ServiceManager;
use crate::store::Store;
use crate::vscode::VsCodeManager;
use std::path::PathBuf;
use std::sync::Arc;

/// What the commands share, managed by Tauri.
pub struct AppState {
    pub store: Arc<Store>,
    pub repos: Arc<RepoRegistry>,
    pub vscode: Arc<VsCodeManager>,
    pub changes: Arc<ChangesFeed>,
    pub mcp: Arc<McpHub>,
    pub deployments: Arc<DeploymentManager>,
    pub services: Arc<ServiceManager>,
    pub flow: Arc<FlowAgent>,
    pub system: Arc<crate::system::SystemMonitor>,
    pub terminals: Arc<crate::terminal::TerminalManager>,
    pub identity: Arc<crate::git::identity::Identity>,
    pub git_ops: Arc<crate::git::ops::GitOps>,
    pub files: Arc<crate::files::FileBrowser>,
    pub git_sync: Arc<crate::git::sync::GitSync>,
    pub workspaces: Arc<crate::workspace::Workspaces>,
    /// The folder of the app's log files (none if it could not be opened).
    pub log_dir: Option<std::path::PathBuf>,
    pub log_streams: logs::LogStreams,
    pub data_dir: PathBuf,
}

/// Shows why the app cannot start, then quits when it is closed. The main
/// window is hidden: without its state the UI could only show errors.
pub fn fatal_dialog(app: &tauri::AppHandle, text: &str) {
    use tauri::Manager;
    use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
    for (_, window) in app.webview_windows() {
        let _ = window.hide();
    }
    let handle = app.clone();
    app.dialog()
        .message(text)
        .title("AI Desktop cannot start")
        .kind(MessageDialogKind::Error)
        .show(move |_| handle.exit(1));
}
