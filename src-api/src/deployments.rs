//! Deployments: repositories' apps run under PM2, and the Docker services
//! they can connect to.

use crate::logs::LogFrame;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// PM2's execution mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployMode {
    #[default]
    Fork,
    /// Node's cluster module: several instances share the port (Node.js
    /// files only).
    Cluster,
}

impl DeployMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DeployMode::Fork => "fork",
            DeployMode::Cluster => "cluster",
        }
    }

    pub fn parse(s: &str) -> Option<DeployMode> {
        match s {
            "fork" => Some(DeployMode::Fork),
            "cluster" => Some(DeployMode::Cluster),
            _ => None,
        }
    }
}

/// What PM2 says about the deployment's process(es).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentStatus {
    /// Not in PM2's list (never started, or deleted from PM2).
    #[default]
    Stopped,
    Launching,
    Online,
    Stopping,
    /// PM2 gave up on it (it crashed too often) or it could not start.
    Errored,
}

/// A deployment and its live state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: i64,
    pub repository_id: i64,
    pub repository_name: String,
    pub name: String,
    /// The PM2 process name: `deploy-{id}-{name}` (the name reduced to
    /// letters, digits, `-` and `_`).
    pub pm2_name: String,
    pub domain: Option<String>,
    pub port: u16,
    pub mode: DeployMode,
    pub instances: u32,
    /// Extra environment (PORT is always set from `port`). Values cross
    /// IPC as `secrets::MASKED` (see `DEPLOYMENTS_REVEAL`).
    pub env: BTreeMap<String, String>,
    /// What runs, e.g. `npm run start` or `node server.js` (split into
    /// arguments, never given to a shell).
    pub start_command: String,
    pub status: DeploymentStatus,
    pub pids: Vec<u32>,
    /// Percent of one core, summed over instances.
    pub cpu: f64,
    /// Resident memory in bytes, summed over instances.
    pub memory: u64,
    /// When PM2 last (re)started it, RFC 3339.
    pub started_at: Option<String>,
    pub restarts: u32,
    /// Why it is errored: its last stderr lines.
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What the create/edit dialog sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentInput {
    pub repository_id: i64,
    pub name: String,
    /// None: the next free port from 3000.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub mode: DeployMode,
    #[serde(default = "one")]
    pub instances: u32,
    /// A value of `secrets::MASKED` keeps the stored value of that name.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// None or empty: detected from the repository.
    #[serde(default)]
    pub start_command: Option<String>,
}

fn one() -> u32 {
    1
}

/// The start command the app would use for a repository, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartSuggestion {
    pub command: Option<String>,
    /// Where it came from, e.g. "package.json scripts.start, run with pnpm
    /// (pnpm-lock.yaml)".
    pub source: String,
    /// A guess (Rust, Python …) the user must confirm by sending it as the
    /// start command; detected Node commands are used as they are.
    pub needs_confirmation: bool,
}

/// Whether PM2 can be used, and how to get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pm2Status {
    pub installed: bool,
    pub version: Option<String>,
    pub binary: Option<String>,
    /// The PM2_HOME in use (its daemon, dump and logs).
    pub pm2_home: String,
    pub install_hint: String,
}

/// A database the app's Docker services (or any container with the app's
/// labels) offer, with what an app needs to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredService {
    pub container: String,
    /// postgresql, mysql, mongodb, redis
    pub kind: String,
    pub running: bool,
    pub host_port: Option<u16>,
    pub connection_string: Option<String>,
    /// The variable apps conventionally read it from: DATABASE_URL,
    /// MONGODB_URI, REDIS_URL.
    pub env_var: String,
}

/// Docker's answer, or why there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDiscovery {
    pub docker_available: bool,
    /// Why Docker is not available, and what to do.
    pub message: Option<String>,
    pub services: Vec<DiscoveredService>,
}

crate::command! {
    /// `deployments_status`.
    Status = "deployments_status" {} -> Pm2Status;
    /// `deployments_list`.
    List = "deployments_list" {} -> Vec<Deployment>;
    /// `deployments_suggest`.
    Suggest = "deployments_suggest" { repository_id: i64 } -> StartSuggestion;
    /// Created stopped
    Create = "deployments_create" { input: DeploymentInput } -> Deployment;
    /// Applies at the next start
    Update = "deployments_update" { id: i64, input: DeploymentInput } -> Deployment;
    /// One env value in clear (lists and events carry `secrets::MASKED`).
    Reveal = "deployments_reveal" { id: i64, key: String } -> String;
    /// Returns once PM2 has it; status follows in events
    Start = "deployments_start" { id: i64 } -> Deployment;
    /// `deployments_stop`.
    Stop = "deployments_stop" { id: i64 } -> Deployment;
    /// `deployments_restart`.
    Restart = "deployments_restart" { id: i64 } -> Deployment;
    /// Removes the PM2 process and its files
    Delete = "deployments_delete" { id: i64 } -> ();
    /// `deployments_stop_all`.
    StopAll = "deployments_stop_all" {} -> Vec<Deployment>;
    /// A log read. The lines from `from` on (None: the kept tail of its out and err logs), at
    /// most 1,000 (the newest; the rest counted in `skipped`), waiting up to 20 s for one; the
    /// view reads again from the frame's `next`.
    Logs = "deployments_logs" { id: i64, from: Option<u64> } -> LogFrame;
    /// Empties its log files
    ClearLogs = "deployments_clear_logs" { id: i64 } -> ();
    /// `deployments_services`.
    Services = "deployments_services" {} -> ServiceDiscovery;
    /// None: PATH / ~/.pm2
    Configure = "deployments_configure" { binary: Option<String>, home: Option<String> } -> Pm2Status;
}
