//! Facts about the running app the UI shows (settings, about, troubleshooting).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub version: String,
    /// Folder holding the SQLite store and other app data.
    pub data_dir: String,
    /// The SQLite file.
    pub database: String,
    /// Newest applied migration version.
    pub schema_version: i64,
}
