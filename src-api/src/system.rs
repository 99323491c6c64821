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

/// One sample of the machine, pushed every second while the System page is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemSnapshot {
    /// Milliseconds since the epoch.
    pub taken_at: u64,
    pub hostname: Option<String>,
    pub uptime_secs: u64,
    /// 0–100, over all cores.
    pub cpu_total: f32,
    /// 0–100 per logical core.
    pub cpus: Vec<f32>,
    /// 1, 5 and 15 minutes.
    pub load: [f64; 3],
    pub memory_total: u64,
    pub memory_used: u64,
    pub memory_available: u64,
    pub swap_total: u64,
    pub swap_used: u64,
    pub disks: Vec<DiskUsage>,
    pub networks: Vec<NetworkRate>,
    /// The busiest processes by CPU, then memory.
    pub top: Vec<ProcessUsage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiskUsage {
    pub mount_point: String,
    pub file_system: String,
    pub total: u64,
    pub available: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkRate {
    pub interface: String,
    /// Bytes per second since the previous sample.
    pub rx_per_sec: f64,
    pub tx_per_sec: f64,
    pub rx_total: u64,
    pub tx_total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessUsage {
    pub pid: u32,
    pub name: String,
    /// Percent of one core (can exceed 100 for multi-threaded processes).
    pub cpu: f32,
    pub memory: u64,
}

/// A PM2 process, whoever started it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pm2ProcessInfo {
    pub pm_id: u32,
    pub name: String,
    pub status: String,
    pub pid: Option<u32>,
    pub cpu: f64,
    pub memory: u64,
    pub restarts: u32,
    /// Milliseconds since the epoch of the last (re)start.
    pub started_at: Option<u64>,
    pub exec_mode: String,
    pub cwd: Option<String>,
    pub script: Option<String>,
    /// The deployment this process belongs to, when it is one of the app's.
    pub deployment_id: Option<i64>,
}

/// What can be done to a PM2 process from the System page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pm2Action {
    Start,
    Stop,
    Restart,
    Reload,
    Delete,
}

impl Pm2Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Pm2Action::Start => "start",
            Pm2Action::Stop => "stop",
            Pm2Action::Restart => "restart",
            Pm2Action::Reload => "reload",
            Pm2Action::Delete => "delete",
        }
    }
}

/// One program the app relies on, as the Doctor found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCheck {
    /// e.g. `git`, `docker daemon`.
    pub name: String,
    pub found: bool,
    pub version: Option<String>,
    /// Where it was found (a program path, a socket).
    pub path: Option<String>,
    /// Why it is not usable, when it is not.
    pub detail: Option<String>,
    /// The parts of the app that need it.
    pub needed_by: Vec<String>,
    /// The command that installs or starts it.
    pub install: String,
}

/// What `doctor_report` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorReport {
    pub tools: Vec<ToolCheck>,
    /// The folder of the app's own log files, if it could be opened.
    pub log_dir: Option<String>,
}

crate::command! {
    /// A sample every second while active (the System page is open); `false` stops it Streams
    /// `SystemSnapshot` frames over the Channel under `onFrame`.
    Watch = "system_watch" { active: bool } -> (), streams SystemSnapshot as "onFrame";
    /// One sample now
    Snapshot = "system_snapshot" {} -> SystemSnapshot;
    /// Every process of the PM2 the app uses, not only deployments
    Pm2Processes = "pm2_processes" {} -> Vec<Pm2ProcessInfo>;
    /// `pm2_act`.
    Pm2Act = "pm2_act" { pm_id: u32, action: Pm2Action } -> Vec<Pm2ProcessInfo>;
}
