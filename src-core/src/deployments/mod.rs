//! Deployments: a repository's app run under PM2.
//!
//! Each deployment is one PM2 app named `deploy-{id}-{name}`, described by an
//! ecosystem file the app writes into `<data>/deployments/<id>/` (with its out
//! and err logs next to it). PM2 is the source of truth for status. The app
//! subscribes to its daemon's event socket and asks it for the process list
//! over its RPC socket ([`axon`]) when a process starts, exits or is given
//! up on, and after each of its own actions; nothing is asked while nothing
//! happens. CPU and memory of the process trees are read from `/proc` once a
//! second, only while the Deployments page is on screen ([`Presence`]). The
//! `pm2` CLI (for actions) always runs with an allow-listed environment and
//! the configured `PM2_HOME`, with argument lists and never a shell.

mod autodeploy;
pub mod axon;
mod deploy;
pub mod detect;
pub mod health;
mod logcap;
pub mod pm2;
pub mod proxy;
pub mod release;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::presence::{Looking, Presence};
use crate::procs::{FileChanges, FileFollower, LogBuffer};
use crate::repos::{self, RepoRegistry};
use crate::store::deployments::DeploymentRecord;
use crate::store::{self, Store};
use crate::util::lock;
use ai_desktop_api::deployments::{
    DeployMode, Deployment, DeploymentInput, DeploymentMetrics, DeploymentStatus, HealthReport,
    MetricsFrame, Pm2Status, ServiceDiscovery, StartSuggestion,
};
use ai_desktop_api::system::{Pm2Action, Pm2ProcessInfo};
use pm2::{Pm2Client, Pm2Process};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Settings key of a configured pm2 binary (JSON string).
pub const PM2_BINARY: &str = "pm2.binary";
/// Settings key of a configured PM2_HOME (JSON string).
pub const PM2_HOME: &str = "pm2.home";
/// First port offered to a new deployment.
pub const FIRST_APP_PORT: u16 = 3000;
/// Lines of log kept per deployment.
const LOG_LINES: usize = 2000;
/// Where change notifications are not available, whether PM2's daemon has
/// started is looked at this often.
const DAEMON_POLL: Duration = Duration::from_secs(15);
/// Events that come together (an exit, then the restart) are read as one.
const EVENT_SETTLE: Duration = Duration::from_millis(50);
/// CPU and memory of known pids from /proc this often (while on screen).
const SAMPLE_INTERVAL: Duration = Duration::from_secs(1);
const MAX_INSTANCES: u32 = 32;

pub struct DeploymentsConfig {
    /// `<data dir>/deployments`.
    pub root: PathBuf,
    /// The environment pm2 (and so its daemon and apps) starts from.
    pub env: Vec<(String, String)>,
    /// PM2_HOME when none is configured: the user's own `~/.pm2`.
    pub default_pm2_home: PathBuf,
    /// Docker's socket, for service discovery.
    pub docker_socket: String,
    /// Crashes within 10 s of a start after which PM2 gives up (errored).
    pub max_restarts: u32,
}

pub struct DeploymentManager {
    store: Arc<Store>,
    repos: Arc<RepoRegistry>,
    events: Arc<dyn EventSink>,
    config: DeploymentsConfig,
    live: Mutex<HashMap<i64, Live>>,
    op_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    logs: Mutex<HashMap<i64, FileFollower>>,
    /// CPU samples per pid (ticks, when).
    sampling: Mutex<Sampling>,
    presence: Arc<Presence>,
    /// Wakes the monitor: a deployment was created, PM2 was configured or
    /// asked to do something (its daemon may have started).
    kick: tokio::sync::Notify,
    /// Bumped when sampled CPU or memory changed; pages pull the figures
    /// ([`DeploymentManager::metrics`]) rather than having events pushed.
    metrics_version: tokio::sync::watch::Sender<u64>,
    /// The last health check answer of each deployment that has a check
    /// and runs.
    health: Mutex<HashMap<i64, HealthReport>>,
    /// Wakes the health checker: a status or a check changed.
    health_kick: tokio::sync::Notify,
    /// The `*.localhost` proxy, while a deployment has such a domain.
    proxy: tokio::sync::Mutex<Option<proxy::LocalProxy>>,
    /// Its port while it listens (read by every list).
    proxy_port: Mutex<Option<u16>>,
    /// Wakes the proxy's keeper: domains changed.
    proxy_kick: tokio::sync::Notify,
    /// Wakes the keeper of the branch followers: a branch to follow changed.
    auto_kick: tokio::sync::Notify,
    /// Wakes the keeper of the log caps: a cap changed.
    cap_kick: tokio::sync::Notify,
}

#[derive(Default)]
struct Sampling {
    cpu: HashMap<u32, (u64, Instant)>,
}

/// What PM2 (and /proc) last said about a deployment.
#[derive(Debug, Clone, Default, PartialEq)]
struct Live {
    status: DeploymentStatus,
    pids: Vec<u32>,
    cpu: f64,
    memory: u64,
    started_at: Option<String>,
    restarts: u32,
    error: Option<String>,
}

impl DeploymentManager {
    pub fn new(
        store: Arc<Store>,
        repos: Arc<RepoRegistry>,
        events: Arc<dyn EventSink>,
        config: DeploymentsConfig,
        presence: Arc<Presence>,
    ) -> Arc<Self> {
        Arc::new(DeploymentManager {
            store,
            repos,
            events,
            config,
            live: Mutex::new(HashMap::new()),
            op_locks: Mutex::new(HashMap::new()),
            logs: Mutex::new(HashMap::new()),
            sampling: Mutex::new(Sampling::default()),
            presence,
            kick: tokio::sync::Notify::new(),
            // Starts at 1: a first read (since 0) answers at once.
            metrics_version: tokio::sync::watch::Sender::new(1),
            health: Mutex::new(HashMap::new()),
            health_kick: tokio::sync::Notify::new(),
            proxy: tokio::sync::Mutex::new(None),
            proxy_port: Mutex::new(None),
            proxy_kick: tokio::sync::Notify::new(),
            auto_kick: tokio::sync::Notify::new(),
            cap_kick: tokio::sync::Notify::new(),
        })
    }

    fn dir(&self, id: i64) -> PathBuf {
        self.config.root.join(id.to_string())
    }

    fn op_lock(&self, id: i64) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.op_locks).entry(id).or_default().clone()
    }

    fn pm2_home(&self) -> PathBuf {
        self.store
            .setting::<String>(PM2_HOME)
            .ok()
            .flatten()
            .map(PathBuf::from)
            .unwrap_or_else(|| self.config.default_pm2_home.clone())
    }

    fn client(&self) -> Result<Pm2Client> {
        let configured = self.store.setting::<String>(PM2_BINARY).ok().flatten();
        let path_var = self
            .config
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let binary = pm2::locate(configured.as_deref(), &path_var).ok_or_else(|| {
            Error::Unavailable(format!(
                "PM2 is not installed (or not on PATH). Install it with: {}",
                pm2::INSTALL_HINT
            ))
        })?;
        Ok(Pm2Client::new(
            binary,
            self.pm2_home(),
            self.config.env.clone(),
        ))
    }

    pub async fn status(&self) -> Pm2Status {
        let home = self.pm2_home().display().to_string();
        match self.client() {
            Ok(client) => {
                let version = client.version();
                Pm2Status {
                    installed: version.is_some(),
                    version,
                    binary: Some(client.binary.display().to_string()),
                    pm2_home: home,
                    install_hint: pm2::INSTALL_HINT.into(),
                }
            }
            Err(_) => Pm2Status {
                installed: false,
                version: None,
                binary: None,
                pm2_home: home,
                install_hint: pm2::INSTALL_HINT.into(),
            },
        }
    }

    /// Sets (or with None clears) the pm2 binary and PM2_HOME to use.
    pub async fn configure(
        &self,
        binary: Option<String>,
        home: Option<String>,
    ) -> Result<Pm2Status> {
        let binary = binary
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty());
        let home = home.map(|h| h.trim().to_string()).filter(|h| !h.is_empty());
        if let Some(b) = &binary {
            if pm2::locate(Some(b), "").is_none() {
                return Err(Error::InvalidInput(format!(
                    "{b} is not an executable file."
                )));
            }
        }
        if let Some(h) = &home {
            if !Path::new(h).is_absolute() {
                return Err(Error::InvalidInput(
                    "PM2_HOME must be an absolute path.".into(),
                ));
            }
        }
        self.store.set_setting(PM2_BINARY, binary.as_ref())?;
        self.store.set_setting(PM2_HOME, home.as_ref())?;
        lock(&self.live).clear();
        self.kick.notify_one();
        Ok(self.status().await)
    }

    fn with_live(&self, mut d: Deployment) -> Deployment {
        if let Some(live) = lock(&self.live).get(&d.id) {
            d.status = live.status;
            d.pids = live.pids.clone();
            d.cpu = live.cpu;
            d.memory = live.memory;
            d.started_at = live.started_at.clone();
            d.restarts = live.restarts;
            d.error = live.error.clone();
        }
        d.health = lock(&self.health).get(&d.id).cloned();
        d.url = match (d.domain.as_deref(), *lock(&self.proxy_port)) {
            (Some(domain), Some(port)) if proxy::served(domain) => {
                Some(format!("http://{}:{port}/", domain.to_ascii_lowercase()))
            }
            _ => None,
        };
        d
    }

    fn row(&self, id: i64) -> Result<Deployment> {
        self.store
            .with(|c| store::deployments::get(c, id))?
            .ok_or_else(|| Error::NotFound(format!("There is no deployment with id {id}.")))
    }

    /// The deployment as the page may see it: env values masked.
    pub fn get(&self, id: i64) -> Result<Deployment> {
        Ok(masked(self.with_live(self.row(id)?)))
    }

    /// Every deployment with what PM2 last said about it (env values masked).
    pub fn list(&self) -> Result<Vec<Deployment>> {
        let rows = self.store.with(|c| store::deployments::list(c))?;
        Ok(rows
            .into_iter()
            .map(|d| masked(self.with_live(d)))
            .collect())
    }

    /// The URL its local domain is served at, or why there is none.
    pub fn url(&self, id: i64) -> Result<String> {
        let d = self.get(id)?;
        if let Some(url) = d.url {
            return Ok(url);
        }
        Err(match d.domain {
            None => Error::InvalidInput(format!(
                "{} has no domain; give it one like {}.localhost.",
                d.name,
                store::deployments::pm2_name(0, &d.name.to_lowercase())
                    .trim_start_matches("deploy-0-")
            )),
            Some(domain) if !proxy::served(&domain) => Error::InvalidInput(format!(
                "{domain} is only noted: the app serves *.localhost names (e.g. {}.localhost).",
                domain.split('.').next().unwrap_or("app")
            )),
            Some(_) => Error::Unavailable(format!(
                "The local domains proxy is not listening (its port, setting {}, may be taken); \
                 see the app's log.",
                proxy::PORT_SETTING
            )),
        })
    }

    /// Every deployment with its live state and its env values in clear,
    /// for the app's own use (never for the page).
    pub(crate) fn list_in_clear(&self) -> Result<Vec<Deployment>> {
        let rows = self.store.with(|c| store::deployments::list(c))?;
        Ok(rows.into_iter().map(|d| self.with_live(d)).collect())
    }

    /// One env value in clear, asked for by the user.
    pub fn reveal(&self, id: i64, key: &str) -> Result<String> {
        let d = self.row(id)?;
        d.env
            .get(key)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("{} has no variable named {key}.", d.name)))
    }

    fn emit(&self, id: i64) {
        match self.get(id) {
            Ok(d) => self
                .events
                .emit(DomainEvent::DeploymentUpdated(Box::new(d))),
            Err(e) => log::warn!("deployment {id}: {}", e.with_detail_text()),
        }
    }

    pub fn suggest(&self, repository_id: i64) -> Result<StartSuggestion> {
        let repo = self.repos.get(repository_id)?;
        Ok(detect::suggest(Path::new(&repo.path)))
    }

    /// Checks an input and turns it into what is stored.
    fn record(&self, input: DeploymentInput, id: Option<i64>) -> Result<DeploymentRecord> {
        let repo = self.repos.get(input.repository_id)?;
        let name = input.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::InvalidInput("Give the deployment a name.".into()));
        }
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(Error::InvalidInput(
                "The name must be at most 100 characters, without control characters.".into(),
            ));
        }
        if input.instances == 0 || input.instances > MAX_INSTANCES {
            return Err(Error::InvalidInput(format!(
                "Instances must be between 1 and {MAX_INSTANCES}."
            )));
        }
        let instances = match input.mode {
            DeployMode::Fork => 1,
            DeployMode::Cluster => input.instances,
        };
        for (key, value) in &input.env {
            crate::procs::check_env_name(key)?;
            if key == "PORT" {
                return Err(Error::InvalidInput(
                    "PORT is set from the deployment's port; change the port instead.".into(),
                ));
            }
            if value.contains('\0') {
                return Err(Error::InvalidInput(format!(
                    "The value of {key} cannot contain a NUL character."
                )));
            }
        }
        let repo_dir = Path::new(&repo.path);
        let start_command = match input.start_command.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => c.to_string(),
            _ => {
                let suggestion = detect::suggest(repo_dir);
                match suggestion.command {
                    Some(c) if !suggestion.needs_confirmation => c,
                    Some(c) => {
                        return Err(Error::InvalidInput(format!(
                            "No start command given. For {} the app suggests `{c}` ({}); confirm it by \
                             entering it as the start command.",
                            repo.name, suggestion.source
                        )))
                    }
                    None => {
                        return Err(Error::InvalidInput(format!(
                            "No start command given, and none could be detected in {}: {}. Enter \
                             the command that starts the app.",
                            repo.name, suggestion.source
                        )))
                    }
                }
            }
        };
        // Parses, and checks that it stays in the repository.
        detect::launch(&start_command, repo_dir, input.mode == DeployMode::Cluster)?;
        let domain = input
            .domain
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        if let Some(d) = &domain {
            if d.len() > 253
                || !d
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            {
                return Err(Error::InvalidInput(format!("`{d}` is not a domain name.")));
            }
            let others = self.store.with(|c| store::deployments::list(c))?;
            if let Some(other) = others.iter().find(|o| {
                Some(o.id) != id
                    && o.domain
                        .as_deref()
                        .is_some_and(|od| od.eq_ignore_ascii_case(d))
            }) {
                return Err(Error::Conflict(format!(
                    "{} already has the domain {d}.",
                    other.name
                )));
            }
        }
        let build_command = input
            .build_command
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        if let Some(b) = &build_command {
            if b.len() > 4000 {
                return Err(Error::InvalidInput(
                    "The build step is longer than 4,000 characters.".into(),
                ));
            }
            detect::build_steps(b, repo_dir)?;
        }
        let health_check = input.health_check.as_ref().map(health::check).transpose()?;
        let pm2_options = check_options(&input.pm2_options)?;
        let depends_on = self.check_depends_on(&input.depends_on, repo.id, id)?;
        let auto_deploy_branch = input
            .auto_deploy_branch
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(|b| release::check_local_branch(repo_dir, b))
            .transpose()?;
        let taken = self.store.with(|c| store::deployments::ports(c, id))?;
        let port = match input.port {
            Some(0) => return Err(Error::InvalidInput("Port 0 is not a port.".into())),
            Some(p) => {
                if taken.contains(&p) {
                    return Err(Error::Conflict(format!(
                        "Port {p} belongs to another deployment."
                    )));
                }
                let unchanged = id
                    .and_then(|id| self.row(id).ok())
                    .is_some_and(|d| d.port == p);
                if !unchanged && !repos::port_is_free(p) {
                    return Err(Error::Conflict(format!(
                        "Port {p} is in use by another program; pick another or leave it empty."
                    )));
                }
                p
            }
            None => (FIRST_APP_PORT..=u16::MAX)
                .find(|p| !taken.contains(p) && repos::port_is_free(*p))
                .ok_or_else(|| Error::Conflict("No free port is left.".into()))?,
        };
        Ok(DeploymentRecord {
            repository_id: repo.id,
            name,
            domain,
            port,
            mode: input.mode,
            instances,
            env: input.env,
            start_command,
            build_command,
            health_check,
            depends_on,
            pm2_options,
            auto_deploy_branch,
        })
    }

    /// Deployments it may wait for: of the same repository, not itself, and
    /// no loop (a waiting for b waiting for a).
    fn check_depends_on(
        &self,
        wanted: &[i64],
        repository_id: i64,
        id: Option<i64>,
    ) -> Result<Vec<i64>> {
        let mut out: Vec<i64> = Vec::new();
        if wanted.is_empty() {
            return Ok(out);
        }
        let all = self.store.with(|c| store::deployments::list(c))?;
        for w in wanted {
            if Some(*w) == id {
                return Err(Error::InvalidInput(
                    "A deployment cannot wait for itself.".into(),
                ));
            }
            let Some(other) = all.iter().find(|d| d.id == *w) else {
                return Err(Error::NotFound(format!(
                    "There is no deployment with id {w}."
                )));
            };
            if other.repository_id != repository_id {
                return Err(Error::InvalidInput(format!(
                    "{} belongs to another repository; a deployment can only wait for its own \
                     repository's deployments.",
                    other.name
                )));
            }
            if !out.contains(w) {
                out.push(*w);
            }
        }
        if let Some(id) = id {
            // Would any of them (transitively) wait for this one?
            let mut todo = out.clone();
            let mut seen = Vec::new();
            while let Some(next) = todo.pop() {
                if next == id {
                    return Err(Error::InvalidInput(
                        "That would make deployments wait for each other in a loop.".into(),
                    ));
                }
                if seen.contains(&next) {
                    continue;
                }
                seen.push(next);
                if let Some(d) = all.iter().find(|d| d.id == next) {
                    todo.extend(&d.depends_on);
                }
            }
        }
        Ok(out)
    }

    pub fn create(&self, input: DeploymentInput) -> Result<Deployment> {
        let record = self.record(keep_stored(input, None)?, None)?;
        let d = self.store.with(|c| {
            if store::deployments::name_taken(c, &record.name, None)? {
                return Err(Error::Conflict(format!(
                    "Another deployment is already named \"{}\".",
                    record.name
                )));
            }
            store::deployments::insert(c, &record)
        })?;
        let d = masked(d);
        self.events
            .emit(DomainEvent::DeploymentUpdated(Box::new(d.clone())));
        self.kick.notify_one();
        self.proxy_kick.notify_one();
        self.auto_kick.notify_one();
        self.cap_kick.notify_one();
        Ok(d)
    }

    /// Saves new settings; a running deployment gets them at its next (re)start.
    pub fn update(&self, id: i64, input: DeploymentInput) -> Result<Deployment> {
        let stored = self.row(id)?;
        let record = self.record(keep_stored(input, Some(&stored))?, Some(id))?;
        self.store.with(|c| {
            if store::deployments::name_taken(c, &record.name, Some(id))? {
                return Err(Error::Conflict(format!(
                    "Another deployment is already named \"{}\".",
                    record.name
                )));
            }
            store::deployments::update(c, id, &record)?
                .ok_or_else(|| Error::NotFound(format!("There is no deployment with id {id}.")))
        })?;
        // Its health check, domain and followed branch may have changed.
        self.health_kick.notify_one();
        self.proxy_kick.notify_one();
        self.auto_kick.notify_one();
        self.cap_kick.notify_one();
        let d = self.get(id)?;
        self.events
            .emit(DomainEvent::DeploymentUpdated(Box::new(d.clone())));
        Ok(d)
    }

    /// Sets one environment variable of every deployment of a repository
    /// (applied at each one's next start); returns their names.
    pub fn set_env_of_repository(
        &self,
        repository_id: i64,
        key: &str,
        value: &str,
    ) -> Result<Vec<String>> {
        crate::procs::check_env_name(key)?;
        let rows: Vec<Deployment> = self
            .store
            .with(|c| store::deployments::list(c))?
            .into_iter()
            .filter(|d| d.repository_id == repository_id)
            .collect();
        let mut names = Vec::new();
        for d in rows {
            let mut input = DeploymentInput::from(&d);
            input.env.insert(key.to_string(), value.to_string());
            self.update(d.id, input)?;
            names.push(d.name);
        }
        Ok(names)
    }

    /// Writes the deployment's ecosystem file (running it in `repo_dir`);
    /// returns its path.
    /// With it, what PM2 keeps across restarts (all but the environment),
    /// to tell whether a restart would run what the file now says.
    fn write_ecosystem(&self, d: &Deployment, repo_dir: &Path) -> Result<(PathBuf, String)> {
        let launch = detect::launch(&d.start_command, repo_dir, d.mode == DeployMode::Cluster)?;
        let dir = self.dir(d.id);
        crate::secrets::private_dir(&dir)
            .map_err(|e| Error::failed(format!("Could not create {}.", dir.display()), e))?;
        // PM2 appends to these; made private first, as they carry the app's output.
        for log in ["out.log", "err.log"] {
            crate::secrets::create_private_file(&dir.join(log), false)
                .map_err(|e| Error::failed(format!("Could not create {}.", dir.display()), e))?;
        }
        for value in d.env.values() {
            crate::logging::scrub(value);
        }
        let mut env: BTreeMap<String, String> = d.env.clone();
        env.insert("PORT".into(), d.port.to_string());
        let mut app = serde_json::json!({
            "name": d.pm2_name,
            "script": launch.script,
            "args": launch.args,
            "cwd": repo_dir,
            "env": env,
            "exec_mode": d.mode.as_str(),
            "instances": d.instances,
            "out_file": dir.join("out.log"),
            "error_file": dir.join("err.log"),
            "merge_logs": true,
            // Each line dated (taken off again when read: the log view and
            // the repository's timeline get it as the line's time).
            "log_date_format": crate::procs::logs::PM2_DATE_FORMAT,
            "autorestart": true,
            // A crash within 10 s counts toward giving up (PM2's own
            // crash-loop guard). No restart_delay / exp_backoff_restart_delay:
            // with either, PM2 7.0.4 gives up (its log says "errored") but
            // jlist keeps saying "waiting restart" forever.
            "min_uptime": 10_000,
            "max_restarts": self.config.max_restarts,
        });
        if let Some(interpreter) = launch.interpreter {
            app["interpreter"] = interpreter.into();
        }
        let o = &d.pm2_options;
        if o.watch {
            let mut ignored = vec!["node_modules".to_string(), ".git".to_string()];
            ignored.extend(o.ignore_watch.iter().cloned());
            app["watch"] = true.into();
            app["ignore_watch"] = ignored.into();
            app["watch_delay"] = 500.into();
        }
        if let Some(mb) = o.max_memory_mb {
            app["max_memory_restart"] = format!("{mb}M").into();
        }
        if let Some(cron) = &o.cron_restart {
            app["cron_restart"] = cron.clone().into();
        }
        // With a delay or backoff, PM2 (7.0.4) says "waiting restart" rather
        // than "errored" once it gives up on a crashing app (see above): the
        // form says so where they are chosen.
        if let Some(ms) = o.restart_delay_ms {
            app["restart_delay"] = ms.into();
        }
        if o.exp_backoff {
            app["exp_backoff_restart_delay"] = 100.into();
        }
        let mut kept = app.clone();
        if let Some(o) = kept.as_object_mut() {
            o.remove("env");
        }
        let fingerprint = kept.to_string();
        let file = dir.join("ecosystem.json");
        let text = serde_json::to_vec_pretty(&serde_json::json!({ "apps": [app] }))
            .map_err(|e| Error::failed("Could not write the ecosystem file.", e))?;
        // It holds the deployment's whole environment.
        crate::secrets::write_private(&file, &text)
            .map_err(|e| Error::failed(format!("Could not write {}.", file.display()), e))?;
        Ok((file, fingerprint))
    }

    /// Starts it under PM2 (or restarts it with its current settings if PM2
    /// already has it).
    pub async fn start(&self, id: i64) -> Result<Deployment> {
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        let d = self.row(id)?;
        let dir = self.source_dir(&d)?;
        log::info!("deployment {id}: starting under PM2");
        let asked = Instant::now();
        self.launch(&d, &dir).await?;
        let now = self.get(id)?;
        log::info!(
            "deployment {id}: PM2 says {:?} after {} ms",
            now.status,
            asked.elapsed().as_millis()
        );
        Ok(now)
    }

    pub async fn restart(&self, id: i64) -> Result<Deployment> {
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        let d = self.row(id)?;
        let dir = self.source_dir(&d)?;
        self.launch(&d, &dir).await?;
        self.get(id)
    }

    /// Reloads a cluster-mode deployment without downtime.
    pub async fn reload(&self, id: i64) -> Result<Deployment> {
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        let d = self.row(id)?;
        if d.mode != DeployMode::Cluster {
            return Err(Error::InvalidInput(format!(
                "{} runs in fork mode (one process): a reload without downtime needs cluster \
                 mode. Restart it instead.",
                d.name
            )));
        }
        let client = self.client()?;
        let running = client.jlist().await?.iter().any(|p| {
            p.name == d.pm2_name && matches!(p.pm2_env.status.as_str(), "online" | "launching")
        });
        if !running {
            return Err(Error::Conflict(format!(
                "{} is not running; start it.",
                d.name
            )));
        }
        let dir = self.source_dir(&d)?;
        let (file, fingerprint) = self.write_ecosystem(&d, &dir)?;
        let stamp = self.dir(d.id).join("launched.json");
        if !std::fs::read_to_string(&stamp).is_ok_and(|s| s == fingerprint) {
            return Err(Error::Conflict(format!(
                "{}'s program, folder or options changed since it started; a reload keeps the \
                 old ones, so restart it to apply them.",
                d.name
            )));
        }
        client.reload(&file).await?;
        self.refresh().await?;
        self.get(id)
    }

    /// The folder it runs in: the commit it is pinned to (its release
    /// folder), or the repository's working tree.
    fn source_dir(&self, d: &Deployment) -> Result<PathBuf> {
        let repo = self.repos.get(d.repository_id)?;
        if let Some(commit) = &d.release_commit {
            let dir = self.dir(d.id).join("releases").join(commit);
            if dir.is_dir() {
                return Ok(dir);
            }
            log::warn!(
                "deployment {}: the release folder of {commit} is gone; running the working tree",
                d.id
            );
        }
        Ok(PathBuf::from(repo.path))
    }

    /// Starts it from `dir` under PM2: a fresh start when PM2 does not have
    /// it or has it with another program, folder or mode (which a restart
    /// would keep), else a restart with the file's new environment.
    async fn launch(&self, d: &Deployment, dir: &Path) -> Result<()> {
        let client = self.client()?;
        let processes = client.jlist().await?;
        let mine: Vec<&Pm2Process> = processes.iter().filter(|p| p.name == d.pm2_name).collect();
        // Asked of PM2 itself, not of what this run of the app has seen: after
        // an app restart the deployment may be running already (on its port).
        let running = matches!(
            live_of(&mine).status,
            DeploymentStatus::Online | DeploymentStatus::Launching
        );
        if !running && !repos::port_is_free(d.port) {
            return Err(Error::Conflict(format!(
                "Port {} is in use by another program, so {} cannot listen on it. Stop that \
                 program or change the deployment's port.",
                d.port, d.name
            )));
        }
        let (file, fingerprint) = self.write_ecosystem(d, dir)?;
        self.follow_logs(d.id);
        // PM2's restart takes a new environment but keeps the program, its
        // arguments, folder and mode it was first started with.
        let stamp = self.dir(d.id).join("launched.json");
        let same = std::fs::read_to_string(&stamp).is_ok_and(|s| s == fingerprint);
        let mut present = !mine.is_empty();
        if present && !same {
            client.delete(&d.pm2_name).await?;
            present = false;
        }
        client.start(&file, present).await?;
        if !present {
            if let Err(e) = crate::secrets::write_private(&stamp, fingerprint.as_bytes()) {
                log::warn!("deployment {}: could not record its launch: {e}", d.id);
            }
        }
        self.refresh().await
    }

    pub async fn stop(&self, id: i64) -> Result<Deployment> {
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        let d = self.row(id)?;
        let client = self.client()?;
        if client.jlist().await?.iter().any(|p| p.name == d.pm2_name) {
            client.stop(&d.pm2_name).await?;
        }
        self.refresh().await?;
        self.get(id)
    }

    /// Stops every deployment PM2 runs (not other PM2 processes).
    pub async fn stop_all(&self) -> Result<Vec<Deployment>> {
        // Nothing deployed: PM2 is not asked at all (a `pm2` call starts its
        // daemon when none runs, which "stop everything" must not do).
        if !self.store.with(|c| store::deployments::any(c))? {
            return Ok(Vec::new());
        }
        // What PM2 runs now, not what was last seen.
        self.refresh().await?;
        let running: Vec<i64> = lock(&self.live)
            .iter()
            .filter(|(_, l)| {
                matches!(
                    l.status,
                    DeploymentStatus::Online
                        | DeploymentStatus::Launching
                        | DeploymentStatus::Errored
                )
            })
            .map(|(id, _)| *id)
            .collect();
        let mut stopped = Vec::new();
        for id in running {
            stopped.push(self.stop(id).await?);
        }
        Ok(stopped)
    }

    /// Removes it from PM2, its files, and the list.
    pub async fn delete(&self, id: i64) -> Result<()> {
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        let d = self.row(id)?;
        if let Ok(client) = self.client() {
            if client.jlist().await?.iter().any(|p| p.name == d.pm2_name) {
                client.delete(&d.pm2_name).await?;
            }
        }
        lock(&self.logs).remove(&id);
        let dir = self.dir(id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::failed(format!("Could not remove {}.", dir.display()), e))?;
        }
        self.store.with(|c| store::deployments::delete(c, id))?;
        lock(&self.live).remove(&id);
        lock(&self.health).remove(&id);
        self.auto_kick.notify_one();
        self.cap_kick.notify_one();
        lock(&self.op_locks).remove(&id);
        self.proxy_kick.notify_one();
        self.events.emit(DomainEvent::DeploymentDeleted(id));
        Ok(())
    }

    fn follow_logs(&self, id: i64) -> Arc<LogBuffer> {
        let dir = self.dir(id);
        lock(&self.logs)
            .entry(id)
            .or_insert_with(|| {
                FileFollower::new(&dir.join("out.log"), &dir.join("err.log"), LOG_LINES)
            })
            .logs()
    }

    /// Its output files as PM2 writes them (out, err), each line dated.
    pub fn log_files(&self, id: i64) -> [PathBuf; 2] {
        let dir = self.dir(id);
        [dir.join("out.log"), dir.join("err.log")]
    }

    /// The tail of its out and err logs, followed.
    pub fn logs(&self, id: i64) -> Result<Arc<LogBuffer>> {
        self.row(id)?;
        Ok(self.follow_logs(id))
    }

    /// Empties its log files (PM2 keeps appending to them).
    pub fn clear_logs(&self, id: i64) -> Result<()> {
        self.row(id)?;
        let dir = self.dir(id);
        for name in ["out.log", "err.log"] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_len(0))
                    .map_err(|e| {
                        Error::failed(format!("Could not clear {}.", path.display()), e)
                    })?;
            }
        }
        if let Some(f) = lock(&self.logs).get(&id) {
            f.logs().clear();
        }
        Ok(())
    }

    /// The services the app installed (recorded by container id), with
    /// their connection strings.
    pub async fn services(&self) -> ServiceDiscovery {
        let recorded: Vec<String> = self
            .store
            .with(|c| store::services::containers(c, store::services::LOCAL))
            .map(|list| list.into_iter().map(|s| s.container_id).collect())
            .unwrap_or_default();
        crate::services::discovery::discover(&self.config.docker_socket, &recorded).await
    }

    /// Every process of this PM2 (the user's too), with the deployment each
    /// of the app's belongs to.
    pub async fn pm2_processes(&self) -> Result<Vec<Pm2ProcessInfo>> {
        let processes = self.client()?.jlist().await?;
        let rows = self.store.with(|c| store::deployments::list(c))?;
        let mut list: Vec<Pm2ProcessInfo> = processes
            .into_iter()
            .map(|p| Pm2ProcessInfo {
                deployment_id: rows.iter().find(|d| d.pm2_name == p.name).map(|d| d.id),
                pm_id: p.pm_id,
                status: p.pm2_env.status,
                pid: (p.pid != 0).then_some(p.pid),
                cpu: p.monit.cpu,
                memory: p.monit.memory,
                restarts: p.pm2_env.restart_time,
                started_at: p.pm2_env.pm_uptime,
                exec_mode: p.pm2_env.exec_mode,
                cwd: p.pm2_env.pm_cwd,
                script: p.pm2_env.pm_exec_path,
                name: p.name,
            })
            .collect();
        list.sort_by_key(|p| p.pm_id);
        Ok(list)
    }

    /// Starts, stops, restarts, reloads or deletes a PM2 process by id. The
    /// app's own deployments are deleted from the Deployments page (which
    /// also removes their files), not here.
    pub async fn pm2_act(&self, pm_id: u32, action: Pm2Action) -> Result<Vec<Pm2ProcessInfo>> {
        let list = self.pm2_processes().await?;
        let process = list
            .iter()
            .find(|p| p.pm_id == pm_id)
            .ok_or_else(|| Error::NotFound(format!("PM2 has no process with id {pm_id}.")))?;
        if action == Pm2Action::Delete && process.deployment_id.is_some() {
            return Err(Error::Forbidden(format!(
                "{} is one of the app's deployments: delete it on the Deployments page, which also removes its files.",
                process.name
            )));
        }
        self.client()?.act(action, pm_id).await?;
        if process.deployment_id.is_some() {
            // The deployment's row shows the change now, not at the next poll.
            if let Err(e) = self.refresh().await {
                log::warn!("deployments refresh after a PM2 action: {e}");
            }
        }
        self.pm2_processes().await
    }

    /// Asks PM2 for its list and updates every deployment; emits what changed.
    pub async fn refresh(&self) -> Result<()> {
        let client = self.client()?;
        let processes = client.jlist().await?;
        // PM2 was asked: its daemon may have just started.
        self.kick.notify_one();
        let rows = self.store.with(|c| store::deployments::list(c))?;
        let mut changed = Vec::new();
        for d in rows {
            let mine: Vec<&Pm2Process> =
                processes.iter().filter(|p| p.name == d.pm2_name).collect();
            let mut next = live_of(&mine);
            if next.status == DeploymentStatus::Errored {
                next.error = self.last_errors(d.id);
            }
            let mut live = lock(&self.live);
            let before = live.get(&d.id).cloned().unwrap_or_default();
            // PM2's own figures cover the main pid only (npm, not the node it
            // runs); keep the process-tree figures of `sample` while the pids
            // stay the same.
            if before.pids == next.pids && !next.pids.is_empty() {
                next.cpu = before.cpu;
                next.memory = before.memory;
            }
            if before != next {
                live.insert(d.id, next);
                changed.push(d.id);
            }
        }
        if !changed.is_empty() {
            // Checks start with a deployment going online and end with it stopping.
            self.health_kick.notify_one();
        }
        for id in changed {
            self.emit(id);
        }
        Ok(())
    }

    /// The last lines of its err log, read from the file itself: the log
    /// follower may not have caught up yet when PM2 already says errored.
    fn last_errors(&self, id: i64) -> Option<String> {
        let lines = crate::procs::last_lines(&self.dir(id).join("err.log"), 12);
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    /// CPU and memory of the pids PM2 last reported and their children, from
    /// /proc. True when one of those pids is gone (PM2 should be asked).
    fn sample(&self) -> bool {
        let pids: Vec<(i64, Vec<u32>)> = lock(&self.live)
            .iter()
            .filter(|(_, l)| !l.pids.is_empty())
            .map(|(id, l)| (*id, l.pids.clone()))
            .collect();
        if pids.is_empty() {
            return false;
        }
        let mut changed = Vec::new();
        let mut vanished = false;
        let mut sampling = lock(&self.sampling);
        let now = Instant::now();
        let mut seen = Vec::new();
        for (id, pids) in pids {
            let mut cpu = 0.0;
            let mut memory = 0;
            vanished |= pids.iter().any(|p| proc_usage(*p).is_none());
            for pid in process_tree(&pids) {
                seen.push(pid);
                let Some((ticks, rss)) = proc_usage(pid) else {
                    continue;
                };
                memory += rss;
                if let Some((before, at)) = sampling.cpu.insert(pid, (ticks, now)) {
                    let secs = now.duration_since(at).as_secs_f64();
                    if secs > 0.0 {
                        cpu += (ticks.saturating_sub(before)) as f64 / clock_ticks() / secs * 100.0;
                    }
                }
            }
            let mut live = lock(&self.live);
            if let Some(l) = live.get_mut(&id) {
                let moved = (l.cpu - cpu).abs() >= 0.5
                    || (l.memory as f64 - memory as f64).abs() > l.memory as f64 * 0.01;
                if moved {
                    l.cpu = (cpu * 10.0).round() / 10.0;
                    l.memory = memory;
                    changed.push(id);
                }
            }
        }
        sampling.cpu.retain(|pid, _| seen.contains(pid));
        drop(sampling);
        if !changed.is_empty() {
            self.metrics_version.send_modify(|v| *v += 1);
        }
        vanished
    }

    /// Every deployment's CPU and memory once they changed after `since`
    /// (at once if they did), or after `wait` as they are.
    pub async fn metrics(&self, since: u64, wait: Duration) -> MetricsFrame {
        let mut rx = self.metrics_version.subscribe();
        let _ = tokio::time::timeout(wait, rx.wait_for(|v| *v != since)).await;
        let version = *rx.borrow();
        let mut items: Vec<DeploymentMetrics> = lock(&self.live)
            .iter()
            .map(|(id, l)| DeploymentMetrics {
                id: *id,
                cpu: l.cpu,
                memory: l.memory,
            })
            .collect();
        items.sort_by_key(|m| m.id);
        MetricsFrame { version, items }
    }

    /// Keeps status current while deployments exist, from PM2's own events:
    /// subscribed to its daemon's event socket, the process list is read
    /// again when a process starts, exits or is given up on. While no daemon
    /// runs, this waits for its socket to appear (or for the app to ask PM2
    /// for something); with no deployments, for one to be created. CPU and
    /// memory are sampled apart, only while someone looks.
    pub async fn run_monitor(self: Arc<Self>) {
        tokio::spawn(self.clone().run_sampler());
        tokio::spawn(self.clone().run_health());
        tokio::spawn(self.clone().run_proxy());
        tokio::spawn(self.clone().run_auto_deploy());
        tokio::spawn(self.clone().run_log_caps());
        loop {
            let any = self
                .store
                .with(|c| store::deployments::any(c))
                .unwrap_or(false);
            let Some(client) = any.then(|| self.client().ok()).flatten() else {
                // Nothing to follow (no deployments, or no pm2) until that changes.
                self.kick.notified().await;
                continue;
            };
            let home = client.home.clone();
            let socket = home.join("pub.sock");
            let bus = match axon::Bus::connect(&socket).await {
                Ok(bus) => bus,
                Err(_) => {
                    // No daemon: its socket appearing, or the app starting
                    // one, wakes this.
                    match FileChanges::watch(&socket) {
                        Some(appears) => tokio::select! {
                            _ = appears.changed() => {}
                            _ = self.kick.notified() => {}
                        },
                        None => tokio::select! {
                            _ = tokio::time::sleep(DAEMON_POLL) => {}
                            _ = self.kick.notified() => {}
                        },
                    }
                    continue;
                }
            };
            log::info!("deployments: following PM2's events in {}", home.display());
            let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
            // Reading a frame is not cancel-safe: one task reads, this one selects.
            let reader = tokio::spawn(async move {
                let mut bus = bus;
                while let Ok(event) = bus.next_process_event().await {
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            });
            if let Err(e) = self.refresh().await {
                log::debug!("deployments: {}", e.with_detail_text());
            }
            loop {
                tokio::select! {
                    event = events.recv() => {
                        let Some(event) = event else {
                            break; // the daemon went away
                        };
                        log::debug!("pm2: {:?} {:?}", event.event, event.process);
                        tokio::time::sleep(EVENT_SETTLE).await;
                        while events.try_recv().is_ok() {}
                        if let Err(e) = self.refresh().await {
                            log::debug!("deployments: {}", e.with_detail_text());
                        }
                    }
                    _ = self.kick.notified() => {
                        let still = self.pm2_home() == home
                            && self.store.with(|c| store::deployments::any(c)).unwrap_or(false);
                        if !still {
                            break;
                        }
                    }
                }
            }
            reader.abort();
            // What that daemon ran is gone with it (or belongs to another PM2_HOME).
            if let Err(e) = self.refresh().await {
                log::debug!("deployments: {}", e.with_detail_text());
            }
        }
    }

    /// Keeps the `*.localhost` proxy listening while a deployment has such
    /// a domain (and its routes current), and closed while none has.
    async fn run_proxy(self: Arc<Self>) {
        loop {
            self.sync_proxy().await;
            self.proxy_kick.notified().await;
        }
    }

    /// Starts, updates or stops the proxy to match the deployments' domains.
    pub async fn sync_proxy(&self) {
        let routes: Vec<(String, u16, String)> = self
            .store
            .with(|c| store::deployments::list(c))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| {
                let domain = d.domain.filter(|x| proxy::served(x))?;
                Some((domain, d.port, d.name))
            })
            .collect();
        let mut running = self.proxy.lock().await;
        if routes.is_empty() {
            if running.take().is_some() {
                log::info!("local domains: none left; the proxy stopped");
            }
            *lock(&self.proxy_port) = None;
            return;
        }
        if running.is_none() {
            let port = self
                .store
                .setting::<u16>(proxy::PORT_SETTING)
                .ok()
                .flatten()
                .unwrap_or(proxy::DEFAULT_PORT);
            match proxy::LocalProxy::start(port).await {
                Ok(p) => *running = Some(p),
                Err(e) => {
                    log::warn!(
                        "local domains: cannot listen on 127.0.0.1:{port} ({e}); set \
                         {} to another port",
                        proxy::PORT_SETTING
                    );
                    *lock(&self.proxy_port) = None;
                    return;
                }
            }
        }
        if let Some(p) = running.as_ref() {
            p.set_routes(routes);
            let before = lock(&self.proxy_port).replace(p.port);
            if before != Some(p.port) {
                drop(running);
                // The lists' URLs appear.
                let ids: Vec<i64> = self
                    .store
                    .with(|c| store::deployments::list(c))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|d| d.domain.is_some())
                    .map(|d| d.id)
                    .collect();
                for id in ids {
                    self.emit(id);
                }
            }
        }
    }

    /// CPU and memory every second while the Deployments page is on screen;
    /// a pid that vanished between PM2's events has PM2 asked at once.
    async fn run_sampler(self: Arc<Self>) {
        loop {
            self.presence.until(Looking::at_deployments).await;
            tokio::time::sleep(SAMPLE_INTERVAL).await;
            if self.presence.now().at_deployments() && self.sample() {
                if let Err(e) = self.refresh().await {
                    log::debug!("deployments: {}", e.with_detail_text());
                }
            }
        }
    }
}

/// The deployment with its env values replaced by `MASKED`.
fn masked(mut d: Deployment) -> Deployment {
    d.env = ai_desktop_api::secrets::masked(&d.env);
    d
}

/// PM2 options as the form sent them, checked (globs trimmed, empty ones dropped).
fn check_options(
    o: &ai_desktop_api::deployments::Pm2Options,
) -> Result<ai_desktop_api::deployments::Pm2Options> {
    let mut out = o.clone();
    out.ignore_watch = o
        .ignore_watch
        .iter()
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    if out.ignore_watch.len() > 50
        || out
            .ignore_watch
            .iter()
            .any(|g| g.len() > 200 || g.chars().any(char::is_control))
    {
        return Err(Error::InvalidInput(
            "Give at most 50 globs to ignore, each a line of at most 200 characters.".into(),
        ));
    }
    if let Some(mb) = o.max_memory_mb {
        if !(16..=65536).contains(&mb) {
            return Err(Error::InvalidInput(
                "Restart on memory takes a number of MB from 16 to 65536.".into(),
            ));
        }
    }
    out.cron_restart = o
        .cron_restart
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    if let Some(cron) = &out.cron_restart {
        let fields: Vec<&str> = cron.split_whitespace().collect();
        let ok = matches!(fields.len(), 5 | 6)
            && fields.iter().all(|f| {
                f.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '*' | '/' | ',' | '-'))
            });
        if !ok {
            return Err(Error::InvalidInput(format!(
                "\"{cron}\" is not a cron schedule: 5 fields (minute hour day month weekday), \
                 or 6 with seconds first, of digits and * / , -; e.g. 0 3 * * * for 03:00 daily."
            )));
        }
    }
    if let Some(ms) = o.restart_delay_ms {
        if ms > 600_000 {
            return Err(Error::InvalidInput(
                "A restart delay is at most 600000 ms (10 minutes).".into(),
            ));
        }
        if o.exp_backoff {
            return Err(Error::InvalidInput(
                "Choose a fixed restart delay or a growing backoff, not both.".into(),
            ));
        }
    }
    if let Some(mb) = o.log_max_mb {
        if !(1..=10_240).contains(&mb) {
            return Err(Error::InvalidInput(
                "A log file's cap is a number of MB from 1 to 10240.".into(),
            ));
        }
    }
    Ok(out)
}

/// `input` with each env value the page sent as `MASKED` (kept, not
/// retyped) replaced by the stored one of that name.
fn keep_stored(mut input: DeploymentInput, stored: Option<&Deployment>) -> Result<DeploymentInput> {
    for (key, value) in input.env.iter_mut() {
        if value != ai_desktop_api::secrets::MASKED {
            continue;
        }
        *value = stored
            .and_then(|d| d.env.get(key))
            .cloned()
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "Enter the value of the environment variable {key}."
                ))
            })?;
    }
    Ok(input)
}

fn live_of(processes: &[&Pm2Process]) -> Live {
    let Some(first) = processes.first() else {
        return Live::default();
    };
    let status_of = |s: &str| match s {
        "online" => DeploymentStatus::Online,
        "launching" | "waiting restart" => DeploymentStatus::Launching,
        "stopping" => DeploymentStatus::Stopping,
        "errored" | "one-launch-status" => DeploymentStatus::Errored,
        _ => DeploymentStatus::Stopped,
    };
    // The worst instance speaks for the deployment.
    let status = processes
        .iter()
        .map(|p| status_of(&p.pm2_env.status))
        .max_by_key(|s| match s {
            DeploymentStatus::Errored => 4,
            DeploymentStatus::Launching => 3,
            DeploymentStatus::Stopping => 2,
            DeploymentStatus::Online => 1,
            DeploymentStatus::Stopped => 0,
        })
        .unwrap_or_default();
    let running = matches!(
        status,
        DeploymentStatus::Online | DeploymentStatus::Launching
    );
    Live {
        status,
        pids: processes.iter().map(|p| p.pid).filter(|p| *p > 0).collect(),
        cpu: processes.iter().map(|p| p.monit.cpu).sum(),
        memory: processes.iter().map(|p| p.monit.memory).sum(),
        started_at: running
            .then_some(first.pm2_env.pm_uptime)
            .flatten()
            .map(|ms| crate::store::rfc3339(ms / 1000)),
        restarts: processes.iter().map(|p| p.pm2_env.restart_time).sum(),
        error: None,
    }
}

/// `roots` and all their descendants (an app started through npm is npm
/// plus the node it runs), from the kernel's per-thread children lists:
/// a few small reads per process instead of a pass over all of /proc.
fn process_tree(roots: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut todo: Vec<u32> = roots.to_vec();
    while let Some(pid) = todo.pop() {
        if out.contains(&pid) {
            continue;
        }
        out.push(pid);
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            if let Ok(children) = std::fs::read_to_string(task.path().join("children")) {
                todo.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
        }
    }
    out
}

/// (utime + stime ticks, RSS bytes) of a process.
fn proc_usage(pid: u32) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    // After the name: state(0) ppid … utime is field 14 → index 11, stime 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let rss_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some((utime + stime, rss_pages * page_size()))
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

fn page_size() -> u64 {
    // SAFETY: as above.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as u64
    } else {
        4096
    }
}
