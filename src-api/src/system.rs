//! Facts about the running app the UI shows (settings, about, troubleshooting).

use serde::{Deserialize, Serialize};

/// The app's version and where its data is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// The app's version (Cargo's).
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
    /// The machine's name, when the system tells it.
    pub hostname: Option<String>,
    /// Seconds since the machine booted.
    pub uptime_secs: u64,
    /// 0–100, over all cores.
    pub cpu_total: f32,
    /// 0–100 per logical core.
    pub cpus: Vec<f32>,
    /// 1, 5 and 15 minutes.
    pub load: [f64; 3],
    /// Bytes of RAM.
    pub memory_total: u64,
    /// Bytes of RAM in use.
    pub memory_used: u64,
    /// Bytes of RAM programs can still get (free plus reclaimable caches).
    pub memory_available: u64,
    /// Bytes of swap (0: none).
    pub swap_total: u64,
    /// Bytes of swap in use.
    pub swap_used: u64,
    /// Mounted file systems.
    pub disks: Vec<DiskUsage>,
    /// Network interfaces and their traffic.
    pub networks: Vec<NetworkRate>,
    /// The busiest processes by CPU, then memory.
    pub top: Vec<ProcessUsage>,
}

/// A mounted file system and its space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiskUsage {
    /// Where it is mounted, e.g. `/`.
    pub mount_point: String,
    /// Its type, e.g. `ext4`.
    pub file_system: String,
    /// Bytes in all.
    pub total: u64,
    /// Bytes free for the user.
    pub available: u64,
}

/// A network interface and its traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkRate {
    /// Its name, e.g. `eth0`.
    pub interface: String,
    /// Bytes per second since the previous sample.
    pub rx_per_sec: f64,
    /// Bytes sent per second since the previous sample.
    pub tx_per_sec: f64,
    /// Bytes received since boot.
    pub rx_total: u64,
    /// Bytes sent since boot.
    pub tx_total: u64,
}

/// A process among the busiest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessUsage {
    /// Its process id.
    pub pid: u32,
    /// Its program's name.
    pub name: String,
    /// Percent of one core (can exceed 100 for multi-threaded processes).
    pub cpu: f32,
    /// Bytes of RAM it uses (resident).
    pub memory: u64,
}

/// A PM2 process, whoever started it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pm2ProcessInfo {
    /// PM2's id for it.
    pub pm_id: u32,
    /// Its name in PM2.
    pub name: String,
    /// PM2's word for its state: `online`, `stopped`, `errored` …
    pub status: String,
    /// Its process id while it runs.
    pub pid: Option<u32>,
    /// Percent of one core, as PM2 measures it.
    pub cpu: f64,
    /// Bytes of RAM, as PM2 measures it.
    pub memory: u64,
    /// Restarts since it was started.
    pub restarts: u32,
    /// Milliseconds since the epoch of the last (re)start.
    pub started_at: Option<u64>,
    /// `fork_mode` or `cluster_mode`.
    pub exec_mode: String,
    /// The folder it runs in.
    pub cwd: Option<String>,
    /// The program or script PM2 runs.
    pub script: Option<String>,
    /// The deployment this process belongs to, when it is one of the app's.
    pub deployment_id: Option<i64>,
}

/// What can be done to a PM2 process from the System page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pm2Action {
    /// Start it (again).
    Start,
    /// Stop it; PM2 keeps it in its list.
    Stop,
    /// Stop it and start it again.
    Restart,
    /// Restart it without downtime (cluster mode; fork mode restarts).
    Reload,
    /// Stop it and remove it from PM2's list.
    Delete,
}

impl Pm2Action {
    /// PM2's own name for the action.
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
    /// Whether it was found and works.
    pub found: bool,
    /// The version it reported.
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
    /// Every program the app relies on.
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
