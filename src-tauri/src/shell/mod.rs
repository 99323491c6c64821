//! Everything that imports tauri: the commands (thin wrappers over the
//! domain), the event bridge, and the tray. No domain logic lives here.

pub mod commands;
pub mod events;
pub mod tray;

use crate::repos::RepoRegistry;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// What the commands share, managed by Tauri.
pub struct AppState {
    pub store: Arc<Store>,
    pub repos: Arc<RepoRegistry>,
    pub data_dir: PathBuf,
}
