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
    pub log_streams: logs::LogStreams,
    pub data_dir: PathBuf,
}
