//! Deployments: repositories' apps run under PM2, and the Docker services
//! they can connect to.

use crate::logs::LogFrame;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// PM2's execution mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployMode {
    /// One process.
    #[default]
    Fork,
    /// Node's cluster module: several instances share the port (Node.js
    /// files only).
    Cluster,
}

impl DeployMode {
    /// The wire and database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DeployMode::Fork => "fork",
            DeployMode::Cluster => "cluster",
        }
    }

    /// The mode of its wire spelling, if it is one.
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
    /// PM2 is starting it.
    Launching,
    /// Running.
    Online,
    /// PM2 is stopping it.
    Stopping,
    /// PM2 gave up on it (it crashed too often) or it could not start.
    Errored,
}

/// A deployment and its live state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    /// The app's id for it.
    pub id: i64,
    /// The repository whose app it runs.
    pub repository_id: i64,
    /// That repository's name, for display.
    pub repository_name: String,
    /// Its name, unique among deployments.
    pub name: String,
    /// The PM2 process name: `deploy-{id}-{name}` (the name reduced to
    /// letters, digits, `-` and `_`).
    pub pm2_name: String,
    /// Its local domain: a `*.localhost` name is served by the app's proxy
    /// (see `url`); other names are only noted.
    pub domain: Option<String>,
    /// `http://<domain>:<proxy port>/` while the app's proxy serves its
    /// `*.localhost` domain.
    #[serde(default)]
    pub url: Option<String>,
    /// The port it is given in `PORT`.
    pub port: u16,
    /// Fork or cluster.
    pub mode: DeployMode,
    /// How many processes in cluster mode (1 in fork mode).
    pub instances: u32,
    /// Extra environment (PORT is always set from `port`). Values cross
    /// IPC as `secrets::MASKED` (see `deployments::Reveal`).
    pub env: BTreeMap<String, String>,
    /// What runs, e.g. `npm run start` or `node server.js` (split into
    /// arguments, never given to a shell).
    pub start_command: String,
    /// What PM2 says about it now.
    pub status: DeploymentStatus,
    /// Its processes' ids while it runs.
    pub pids: Vec<u32>,
    /// Percent of one core, summed over instances.
    pub cpu: f64,
    /// Resident memory in bytes, summed over instances.
    pub memory: u64,
    /// When PM2 last (re)started it, RFC 3339.
    pub started_at: Option<String>,
    /// Restarts PM2 counted since it was started.
    pub restarts: u32,
    /// Why it is errored: its last stderr lines.
    pub error: Option<String>,
    /// Run in its source folder before each deploy (split like the start
    /// command, never given to a shell), e.g. `npm ci`.
    #[serde(default)]
    pub build_command: Option<String>,
    /// How the app checks that it serves.
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
    /// The last check's answer while it runs (None: no check, or stopped).
    #[serde(default)]
    pub health: Option<HealthReport>,
    /// Deployments of the same repository that must be healthy before this
    /// one starts in the repository's stack.
    #[serde(default)]
    pub depends_on: Vec<i64>,
    /// The commit it runs from a clean checkout in the data folder (a
    /// rollback or a chosen commit); None: the repository's working tree.
    #[serde(default)]
    pub release_commit: Option<String>,
    /// PM2's own restart options.
    #[serde(default)]
    pub pm2_options: Pm2Options,
    /// A local branch whose new commits are deployed as they come (each from
    /// a clean checkout of the commit); None: off.
    #[serde(default)]
    pub auto_deploy_branch: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC: the last change of its settings.
    pub updated_at: String,
}

/// What the create/edit dialog sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentInput {
    /// The repository whose app it runs.
    pub repository_id: i64,
    /// Its name, unique among deployments.
    pub name: String,
    /// None: the next free port from 3000.
    #[serde(default)]
    pub port: Option<u16>,
    /// Its local domain (`shop.localhost` is served by the app's proxy).
    #[serde(default)]
    pub domain: Option<String>,
    /// Fork (the default) or cluster.
    #[serde(default)]
    pub mode: DeployMode,
    /// How many processes in cluster mode (1 by default).
    #[serde(default = "one")]
    pub instances: u32,
    /// A value of `secrets::MASKED` keeps the stored value of that name.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// None or empty: detected from the repository.
    #[serde(default)]
    pub start_command: Option<String>,
    /// None or empty: no build step.
    #[serde(default)]
    pub build_command: Option<String>,
    /// None: no health check.
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
    /// Deployments of the same repository it waits for in the stack.
    #[serde(default)]
    pub depends_on: Vec<i64>,
    /// PM2's own restart options.
    #[serde(default)]
    pub pm2_options: Pm2Options,
    /// Deploy new commits of this local branch as they come; None or empty: off.
    #[serde(default)]
    pub auto_deploy_branch: Option<String>,
}

/// PM2's options users expect to set (each applied by PM2 itself).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pm2Options {
    /// Restart when a file of its folder changes.
    #[serde(default)]
    pub watch: bool,
    /// Globs (relative to its folder) watching ignores; `node_modules` and
    /// `.git` always are.
    #[serde(default)]
    pub ignore_watch: Vec<String>,
    /// Restart when its memory passes this many MB (16–65536).
    #[serde(default)]
    pub max_memory_mb: Option<u32>,
    /// Restart on this schedule: cron with 5 fields, or 6 with seconds first.
    #[serde(default)]
    pub cron_restart: Option<String>,
    /// Wait this long before restarting after a crash (ms, up to 600000).
    #[serde(default)]
    pub restart_delay_ms: Option<u32>,
    /// Wait longer after each crash in a row (from 100 ms, up to 15 s).
    #[serde(default)]
    pub exp_backoff: bool,
    /// Cap each of its log files at this many MB (1–10240; the older half is
    /// kept as `out.log.1` / `err.log.1`); None: the app's default, 50 MB.
    #[serde(default)]
    pub log_max_mb: Option<u32>,
}

/// What a health check asks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthKind {
    /// A GET of `path` on 127.0.0.1:port answering `expect_status`.
    #[default]
    Http,
    /// A TCP connection to 127.0.0.1:port accepted.
    Tcp,
}

/// A deployment's health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// HTTP or TCP.
    #[serde(default)]
    pub kind: HealthKind,
    /// HTTP: the path asked for, starting with `/`.
    #[serde(default = "root_path")]
    pub path: String,
    /// HTTP: the status that means healthy.
    #[serde(default = "ok_status")]
    pub expect_status: u16,
    /// Seconds between checks while it runs (2–3600).
    #[serde(default = "ten")]
    pub interval_secs: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            kind: HealthKind::Http,
            path: root_path(),
            expect_status: ok_status(),
            interval_secs: ten(),
        }
    }
}

fn root_path() -> String {
    "/".into()
}
fn ok_status() -> u16 {
    200
}
fn ten() -> u32 {
    10
}

/// The last answer of a deployment's health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    /// Whether it answered as expected.
    pub healthy: bool,
    /// What it answered (`200 OK in 3 ms`) or why not (`connection refused`).
    pub detail: String,
    /// RFC 3339, UTC.
    pub checked_at: String,
}

/// Where a deploy took its code from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploySource {
    /// The repository's working tree, as it is.
    #[default]
    WorkingTree,
    /// A commit checked out cleanly in the data folder.
    Commit,
}

/// How a deploy ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployOutcome {
    /// Building or starting now.
    #[default]
    Running,
    /// Started and healthy (or online where it has no health check).
    Online,
    /// The build step failed; what ran before kept running.
    BuildFailed,
    /// PM2 could not start it, or it crashed.
    StartFailed,
    /// Started, but its health check did not pass in time.
    Unhealthy,
}

/// One deploy of a deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployRun {
    /// The app's id for it.
    pub id: i64,
    /// The deployment.
    pub deployment_id: i64,
    /// The commit built (HEAD of the working tree, or the chosen one).
    pub commit_id: Option<String>,
    /// Its first line.
    pub commit_summary: Option<String>,
    /// The branch checked out, if any.
    pub branch: Option<String>,
    /// Working tree or a clean checkout of the commit.
    pub source: DeploySource,
    /// What started it.
    pub start_command: String,
    /// What built it.
    pub build_command: Option<String>,
    /// The environment's variable names (values are never recorded).
    pub env_names: Vec<String>,
    /// How it ended.
    pub outcome: DeployOutcome,
    /// Why it failed (the build's last lines, the health check's answer).
    pub message: Option<String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// RFC 3339, UTC.
    pub finished_at: Option<String>,
}

impl From<&Deployment> for DeploymentInput {
    /// Its settings as the form would send them again (env values as they
    /// are: masked ones are kept by `deployments_update`).
    fn from(d: &Deployment) -> DeploymentInput {
        DeploymentInput {
            repository_id: d.repository_id,
            name: d.name.clone(),
            port: Some(d.port),
            domain: d.domain.clone(),
            mode: d.mode,
            instances: d.instances,
            env: d.env.clone(),
            start_command: Some(d.start_command.clone()),
            build_command: d.build_command.clone(),
            health_check: d.health_check.clone(),
            depends_on: d.depends_on.clone(),
            pm2_options: d.pm2_options.clone(),
            auto_deploy_branch: d.auto_deploy_branch.clone(),
        }
    }
}

fn one() -> u32 {
    1
}

/// The start command the app would use for a repository, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartSuggestion {
    /// The command, if one was found or guessed.
    pub command: Option<String>,
    /// Where it came from, e.g. "package.json scripts.start, run with pnpm
    /// (pnpm-lock.yaml)".
    pub source: String,
    /// A guess (Rust, Python …) the user must confirm by sending it as the
    /// start command; detected Node commands are used as they are.
    pub needs_confirmation: bool,
    /// The build step the repository suggests (`npm ci`, `cargo build
    /// --release` …), offered in the form, never used unless saved.
    #[serde(default)]
    pub build_command: Option<String>,
}

/// Whether PM2 can be used, and how to get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pm2Status {
    /// Whether a PM2 that runs was found.
    pub installed: bool,
    /// The version it reported.
    pub version: Option<String>,
    /// The `pm2` program the app runs.
    pub binary: Option<String>,
    /// The PM2_HOME in use (its daemon, dump and logs).
    pub pm2_home: String,
    /// What to run to install it, shown when it is missing.
    pub install_hint: String,
}

/// A database the app's Docker services (or any container with the app's
/// labels) offer, with what an app needs to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredService {
    /// The container's name.
    pub container: String,
    /// postgresql, mysql, mongodb, redis
    pub kind: String,
    /// Whether the container runs.
    pub running: bool,
    /// The port it is published on (127.0.0.1).
    pub host_port: Option<u16>,
    /// How an app on this machine reaches it, password included.
    pub connection_string: Option<String>,
    /// The variable apps conventionally read it from: DATABASE_URL,
    /// MONGODB_URI, REDIS_URL.
    pub env_var: String,
}

/// Docker's answer, or why there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDiscovery {
    /// Whether Docker answered.
    pub docker_available: bool,
    /// Why Docker is not available, and what to do.
    pub message: Option<String>,
    /// What it offers.
    pub services: Vec<DiscoveredService>,
}

/// CPU and memory of one deployment's processes, as last sampled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentMetrics {
    /// The deployment.
    pub id: i64,
    /// CPU of its process trees, in % of one core.
    pub cpu: f64,
    /// Resident memory of its process trees, in bytes.
    pub memory: u64,
}

/// One read of `deployments_metrics`: every deployment's figures, and the
/// version to read on from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsFrame {
    /// Pass it back as `since` to wait for the next change.
    pub version: u64,
    /// Every deployment PM2 runs or ran.
    pub items: Vec<DeploymentMetrics>,
}

crate::command! {
    /// Whether PM2 can be used, and how to get it.
    Status = "deployments_status" {} -> Pm2Status;
    /// Every deployment with PM2's live figures, by name.
    List = "deployments_list" {} -> Vec<Deployment>;
    /// The start command the app would use for the repository, and why.
    Suggest = "deployments_suggest" { repository_id: i64 } -> StartSuggestion;
    /// Created stopped
    Create = "deployments_create" { input: DeploymentInput } -> Deployment;
    /// Applies at the next start
    Update = "deployments_update" { id: i64, input: DeploymentInput } -> Deployment;
    /// One env value in clear (lists and events carry `secrets::MASKED`).
    Reveal = "deployments_reveal" { id: i64, key: String } -> String;
    /// Returns once PM2 has it; status follows in events
    Start = "deployments_start" { id: i64 } -> Deployment;
    /// Stops its process(es) (`pm2 stop`: PM2 keeps them in its list).
    Stop = "deployments_stop" { id: i64 } -> Deployment;
    /// Stops and starts it again (with its current settings).
    Restart = "deployments_restart" { id: i64 } -> Deployment;
    /// Removes the PM2 process and its files
    Delete = "deployments_delete" { id: i64 } -> ();
    /// Stops every deployment that runs.
    StopAll = "deployments_stop_all" {} -> Vec<Deployment>;
    /// A log read. The lines from `from` on (None: the kept tail of its out and err logs), at
    /// most 1,000 (the newest; the rest counted in `skipped`), waiting up to 20 s for one; the
    /// view reads again from the frame's `next`.
    Logs = "deployments_logs" { id: i64, from: Option<u64> } -> LogFrame;
    /// Empties its log files
    ClearLogs = "deployments_clear_logs" { id: i64 } -> ();
    /// The databases on Docker an app could use, with connection strings.
    Services = "deployments_services" {} -> ServiceDiscovery;
    /// A Deployments page opened (`true`) or closed (each open is matched by a close): CPU and
    /// memory are sampled only while one is open and the window shown; status comes from PM2's
    /// events either way.
    Watch = "deployments_watch" { active: bool } -> ();
    /// CPU and memory once they changed after `since` (at once for 0), waiting up to 20 s:
    /// the page pulls them instead of having them pushed as events (each pushed event is a
    /// script evaluated in the page, whose memory WebKit keeps).
    Metrics = "deployments_metrics" { since: u64 } -> MetricsFrame;
    /// Builds (its build step, output into its log) and then starts or restarts it, waiting for
    /// its health check. `commit`: deploy that commit from a clean checkout in the data folder
    /// (a rollback); None: the working tree (and it leaves any pinned commit). A failed build
    /// leaves what ran running. Returns the run recorded in its history.
    Deploy = "deployments_deploy" { id: i64, commit: Option<String> } -> DeployRun;
    /// Reloads a cluster-mode deployment without downtime (PM2 replaces its instances one at a
    /// time, with the saved environment).
    Reload = "deployments_reload" { id: i64 } -> Deployment;
    /// Opens its local domain's URL in the web browser; returns the URL.
    OpenUrl = "deployments_open_url" { id: i64 } -> String;
    /// Its deploys, newest first (at most 100 kept).
    Runs = "deployments_runs" { id: i64 } -> Vec<DeployRun>;
    /// None: PATH / ~/.pm2
    Configure = "deployments_configure" { binary: Option<String>, home: Option<String> } -> Pm2Status;
}
