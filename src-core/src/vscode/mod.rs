//! VS Code Manager: one code-server per repository.
//!
//! An instance runs through [`crate::procs`] in its own process group, bound
//! to 127.0.0.1 on the repository's port (or the next free one), with
//! `--config /dev/null`, its own user-data and extensions dirs, and password
//! auth with a generated secret kept in a 0600 file and passed in the
//! environment (never argv). Its output goes to files so it can outlive the
//! app; pid + start time are recorded in SQLite, and [`VsCodeManager::reconcile`]
//! re-adopts survivors at start-up. The user reaches it through a one-shot
//! login hand-off page, after the app has checked that the port's listener is
//! the instance's own process.

pub mod binary;
pub mod net;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::procs::{self, LogBuffer, Output, ProcessIdentity, ProcessSpec, Supervised};
use crate::repos::{self, RepoRegistry};
use crate::secrets;
use crate::store::settings::CODE_SERVER_BINARY;
use crate::store::Store;
use crate::util::lock;
use ai_desktop_api::vscode::{CleanupReport, CodeServerInstance, CodeServerStatus, InstanceState};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `supervised_processes.kind` of code-server instances.
pub const PROCESS_KIND: &str = "code-server";
/// Lines of output kept per instance.
const LOG_LINES: usize = 2000;
/// How long code-server gets to answer `/healthz` after it is spawned.
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a stop waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// Other ports tried when code-server finds its port taken at bind time
/// (several instances starting at once race for the same free port).
const PORT_RETRIES: usize = 5;
/// How often a running instance is checked for having exited.
const MONITOR_INTERVAL: Duration = Duration::from_millis(500);
/// An instance that exits on its own is started again after 1 s, 2 s; the
/// third exit within 10 s of its start leaves it failed.
const RESTART: procs::RestartPolicy = procs::RestartPolicy {
    min_uptime: Duration::from_secs(10),
    max_quick_crashes: 3,
    first_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(30),
};
/// Variables that would change code-server's port, password, config or
/// branding, or inject code into node, are never passed on.
const DENIED_ENV_PREFIXES: &[&str] = &["CODE_SERVER_", "VSCODE_", "ELECTRON_", "WEBKIT_"];
const DENIED_ENV: &[&str] = &[
    "PORT",
    "PASSWORD",
    "HASHED_PASSWORD",
    "GITHUB_TOKEN",
    "COOKIE_SUFFIX",
    "NODE_OPTIONS",
    "NODE_PATH",
    "CS_DISABLE_FILE_DOWNLOADS",
    "CS_DISABLE_GETTING_STARTED_OVERRIDE",
    "CS_DISABLE_PROXY",
    "APPDIR",
];

/// The environment code-server gets: the app's own, less [`DENIED_ENV`] and
/// [`DENIED_ENV_PREFIXES`] (the integrated terminal should feel like the
/// user's shell, so PATH, HOME, LANG, SSH_AUTH_SOCK … pass).
pub fn inherited_env() -> Vec<(String, String)> {
    filter_env(std::env::vars())
}

pub fn filter_env(vars: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    vars.into_iter()
        .filter(|(k, _)| {
            !DENIED_ENV.contains(&k.as_str())
                && !DENIED_ENV_PREFIXES.iter().any(|p| k.starts_with(p))
        })
        .collect()
}

/// Where instances keep their files, and what environment they start from.
pub struct VsCodeConfig {
    /// `<data dir>/vscode`; each repository gets `<root>/<id>/`.
    pub root: PathBuf,
    pub env: Vec<(String, String)>,
}

pub struct VsCodeManager {
    store: Arc<Store>,
    repos: Arc<RepoRegistry>,
    events: Arc<dyn EventSink>,
    config: VsCodeConfig,
    slots: Mutex<HashMap<i64, Slot>>,
    /// One start/stop at a time per repository.
    op_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    binary: Mutex<Option<binary::CodeServerBinary>>,
    prelaunch: Mutex<Option<Prelaunch>>,
}

/// Runs before an instance of a repository starts (the MCP gateway writes
/// its entry into the instance's `User/mcp.json`).
pub type Prelaunch = Arc<dyn Fn(i64) + Send + Sync>;

#[derive(Default)]
struct Slot {
    state: Option<InstanceState>,
    port: Option<u16>,
    started_at: Option<String>,
    adopted: bool,
    error: Option<String>,
    process: Option<Arc<tokio::sync::Mutex<Supervised>>>,
    identity: Option<ProcessIdentity>,
    logs: Option<Arc<LogBuffer>>,
    /// Bumped on every start, so a monitor of an older process stays quiet.
    generation: u64,
    /// When this run's process was spawned (none for a re-adopted one).
    launched: Option<Instant>,
    /// Exits within `RESTART.min_uptime` in a row; a start by the user resets it.
    quick_crashes: u32,
}

/// The label of the app's window on a repository's instance. The window
/// lives only as long as the run it signed in to: every run has a new
/// password, so the shell closes it when the instance stops.
pub fn window_label(repository_id: i64) -> String {
    format!("vscode-{repository_id}")
}

/// What the window side needs to show an instance to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPlan {
    pub repository_id: i64,
    pub repository_name: String,
    /// The label of its window in the app (one window per instance).
    pub window_label: String,
    /// The one-shot sign-in page; it forwards to the instance.
    pub handoff_url: String,
    /// Where the instance answers (`http://127.0.0.1:PORT/`): the only
    /// origin, with the sign-in page's, its window may show.
    pub instance_url: String,
    /// A cookie jar of its own for an in-app window.
    pub webview_data_dir: PathBuf,
    /// What the editor shows once signed in (the instance's URL, with a
    /// file to open when one was asked for): where an editor window that
    /// is already signed in goes.
    pub target_url: String,
}

impl VsCodeManager {
    pub fn new(
        store: Arc<Store>,
        repos: Arc<RepoRegistry>,
        events: Arc<dyn EventSink>,
        config: VsCodeConfig,
    ) -> Self {
        VsCodeManager {
            store,
            repos,
            events,
            config,
            slots: Mutex::new(HashMap::new()),
            op_locks: Mutex::new(HashMap::new()),
            binary: Mutex::new(None),
            prelaunch: Mutex::new(None),
        }
    }

    /// What runs before each instance starts.
    pub fn set_prelaunch(&self, hook: Prelaunch) {
        *lock(&self.prelaunch) = Some(hook);
    }

    /// The instance's VS Code user-data folder (settings, `User/mcp.json`).
    pub fn user_data_dir(&self, repository_id: i64) -> PathBuf {
        self.instance_dir(repository_id).join("user-data")
    }

    fn instance_dir(&self, repository_id: i64) -> PathBuf {
        self.config.root.join(repository_id.to_string())
    }

    fn output(&self, repository_id: i64) -> Output {
        let logs = self.instance_dir(repository_id).join("logs");
        Output::Files {
            stdout: logs.join("stdout.log"),
            stderr: logs.join("stderr.log"),
        }
    }

    fn op_lock(&self, repository_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.op_locks)
            .entry(repository_id)
            .or_default()
            .clone()
    }

    // ---- the binary ------------------------------------------------------

    fn configured_binary(&self) -> Result<Option<PathBuf>> {
        Ok(self
            .store
            .setting::<String>(CODE_SERVER_BINARY)?
            .map(PathBuf::from))
    }

    /// Finds and probes the binary (cached until the setting changes).
    fn binary(&self) -> Result<binary::CodeServerBinary> {
        let configured = self.configured_binary()?;
        let path_var = self
            .config
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_str());
        let Some(path) = binary::locate(configured.as_deref(), path_var) else {
            return Err(Error::Unavailable(match configured {
                Some(p) => format!(
                    "code-server is not installed at {} (set in Settings). Install it: {}",
                    p.display(),
                    binary::INSTALL_HINT
                ),
                None => format!(
                    "code-server is not installed (not found on PATH). Install it: {}",
                    binary::INSTALL_HINT
                ),
            }));
        };
        if let Some(cached) = lock(&self.binary).as_ref().filter(|b| b.path == path) {
            return Ok(cached.clone());
        }
        let probed = binary::probe(&path, &self.probe_env()).ok_or_else(|| {
            Error::Unavailable(format!(
                "{} did not run (`--version` failed); reinstall it: {}",
                path.display(),
                binary::INSTALL_HINT
            ))
        })?;
        *lock(&self.binary) = Some(probed.clone());
        Ok(probed)
    }

    /// The probe runs with HOME pointed into our dir: code-server writes a
    /// default config.yaml into HOME on every run, even for `--version`.
    fn probe_env(&self) -> Vec<(String, String)> {
        let mut env: Vec<_> = self
            .config
            .env
            .iter()
            .filter(|(k, _)| k == "PATH")
            .cloned()
            .collect();
        env.push((
            "HOME".into(),
            self.config.root.join("probe-home").display().to_string(),
        ));
        env
    }

    pub fn status(&self) -> Result<CodeServerStatus> {
        let configured = self.configured_binary()?;
        let found = self.binary();
        Ok(CodeServerStatus {
            installed: found.is_ok(),
            binary: found.as_ref().ok().map(|b| b.path.display().to_string()),
            version: found.as_ref().ok().map(|b| b.version.clone()),
            cookie_suffix: found.as_ref().is_ok_and(|b| b.cookie_suffix),
            install_hint: binary::INSTALL_HINT.to_string(),
            configured_path: configured.map(|p| p.display().to_string()),
        })
    }

    /// Sets (or with `None` clears) the binary to use instead of PATH's.
    pub fn set_binary(&self, path: Option<String>) -> Result<CodeServerStatus> {
        let path = path.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
        if let Some(p) = &path {
            let candidate = Path::new(p);
            if !candidate.is_absolute() {
                return Err(Error::InvalidInput(format!(
                    "\"{p}\" is not an absolute path; give the full path to the code-server program."
                )));
            }
            if binary::locate(Some(candidate), None).is_none() {
                return Err(Error::InvalidInput(format!(
                    "{p} is not an executable file."
                )));
            }
            if binary::probe(candidate, &self.probe_env()).is_none() {
                return Err(Error::InvalidInput(format!(
                    "{p} does not answer `--version` like code-server does."
                )));
            }
        }
        self.store.set_setting(CODE_SERVER_BINARY, path.as_ref())?;
        *lock(&self.binary) = None;
        self.status()
    }

    // ---- state -----------------------------------------------------------

    fn snapshot(&self, repository_id: i64) -> CodeServerInstance {
        let slots = lock(&self.slots);
        match slots.get(&repository_id) {
            Some(slot) => to_instance(repository_id, slot),
            None => stopped(repository_id),
        }
    }

    fn publish(&self, repository_id: i64) -> CodeServerInstance {
        let instance = self.snapshot(repository_id);
        self.events
            .emit(DomainEvent::VsCodeUpdated(instance.clone()));
        instance
    }

    /// Every repository's instance, stopped ones included.
    pub fn list(&self) -> Result<Vec<CodeServerInstance>> {
        let repos = self.repos.list()?;
        Ok(repos.iter().map(|r| self.snapshot(r.id)).collect())
    }

    pub fn get(&self, repository_id: i64) -> Result<CodeServerInstance> {
        self.repos.get(repository_id)?;
        Ok(self.snapshot(repository_id))
    }

    /// The kept output lines of an instance (empty for one never started).
    pub fn logs(&self, repository_id: i64) -> Result<Option<Arc<LogBuffer>>> {
        self.repos.get(repository_id)?;
        Ok(lock(&self.slots)
            .get(&repository_id)
            .and_then(|s| s.logs.clone()))
    }

    /// The identity of the running process of an instance.
    pub fn identity(&self, repository_id: i64) -> Option<ProcessIdentity> {
        lock(&self.slots)
            .get(&repository_id)
            .filter(|s| s.state == Some(InstanceState::Running))
            .and_then(|s| s.identity)
    }

    fn ports_in_use(&self, except: i64) -> Vec<u16> {
        lock(&self.slots)
            .iter()
            .filter(|(id, s)| **id != except && s.process.is_some())
            .filter_map(|(_, s)| s.port)
            .collect()
    }

    // ---- lifecycle -------------------------------------------------------

    /// Starts the repository's code-server and returns once `/healthz`
    /// answers; fails with code-server's own error lines if it exits or
    /// does not become ready. Starting a running instance returns it as is.
    pub async fn start(self: &Arc<Self>, repository_id: i64) -> Result<CodeServerInstance> {
        let op = self.op_lock(repository_id);
        let _op = op.lock().await;
        if let Some(slot) = lock(&self.slots).get_mut(&repository_id) {
            slot.quick_crashes = 0;
        }
        self.start_locked(repository_id).await
    }

    async fn start_locked(self: &Arc<Self>, repository_id: i64) -> Result<CodeServerInstance> {
        let repo = self.repos.get(repository_id)?;
        if self.snapshot(repository_id).state == InstanceState::Running {
            return Ok(self.snapshot(repository_id));
        }
        let binary = self.binary()?;
        let folder = PathBuf::from(&repo.path);
        if !folder.is_dir() {
            return Err(Error::NotFound(format!(
                "The folder {} is gone; move it back or change the repository's path.",
                repo.path
            )));
        }
        // The port is probed, but another program can take it before
        // code-server binds: then the next free one is tried.
        let mut refused_ports = Vec::new();
        loop {
            let port = self.choose_port(repository_id, repo.port, &refused_ports)?;
            match self.launch(&repo, &binary, &folder, port).await {
                Err(e) if refused_ports.len() < PORT_RETRIES && mentions_port_in_use(&e) => {
                    log::warn!("port {port} was taken before code-server bound it; trying another");
                    refused_ports.push(port);
                }
                Err(e) => return Err(self.fail(repository_id, e)),
                Ok(instance) => return Ok(instance),
            }
        }
    }

    /// Spawns code-server on `port` and waits until it is ready. On failure
    /// the process is gone and its record forgotten; the caller reports it.
    async fn launch(
        self: &Arc<Self>,
        repo: &ai_desktop_api::repos::Repository,
        binary: &binary::CodeServerBinary,
        folder: &Path,
        port: u16,
    ) -> Result<CodeServerInstance> {
        let repository_id = repo.id;
        let dir = self.instance_dir(repository_id);
        // A new password for every run of the process: a session cookie of an
        // earlier run (derived from the password) signs nobody in any more.
        let password = secrets::rotate(&dir.join("password"))?;
        let mut args = vec![
            "--config".to_string(),
            "/dev/null".into(),
            "--bind-addr".into(),
            format!("127.0.0.1:{port}"),
            "--auth".into(),
            "password".into(),
            "--user-data-dir".into(),
            dir.join("user-data").display().to_string(),
            "--extensions-dir".into(),
            dir.join("extensions").display().to_string(),
            "--disable-telemetry".into(),
            "--disable-update-check".into(),
            "--app-name".into(),
            format!("{} · AI Desktop", repo.name),
        ];
        if binary.cookie_suffix {
            args.push("--cookie-suffix".into());
            args.push(format!("aidesktop-{repository_id}"));
        }
        // The folder last: canonical and absolute, so never taken for a flag.
        args.push(folder.display().to_string());
        let hook = lock(&self.prelaunch).clone();
        if let Some(hook) = hook {
            hook(repository_id);
        }
        let mut env = self.config.env.clone();
        env.push(("PASSWORD".into(), password));
        let spec = ProcessSpec {
            program: binary.path.clone(),
            args,
            cwd: folder.to_path_buf(),
            env,
            output: self.output(repository_id),
        };

        let generation = {
            let mut slots = lock(&self.slots);
            let slot = slots.entry(repository_id).or_default();
            slot.generation += 1;
            slot.state = Some(InstanceState::Starting);
            slot.port = Some(port);
            slot.error = None;
            slot.adopted = false;
            slot.started_at = Some(crate::store::now_rfc3339());
            slot.launched = Some(Instant::now());
            slot.generation
        };
        self.publish(repository_id);
        let started = Instant::now();
        let process = procs::spawn(&spec, LOG_LINES)?;
        let identity = process.identity();
        let logs = process.logs();
        let process = Arc::new(tokio::sync::Mutex::new(process));
        {
            let mut slots = lock(&self.slots);
            let slot = slots.entry(repository_id).or_default();
            slot.process = Some(process.clone());
            slot.identity = Some(identity);
            slot.logs = Some(logs.clone());
        }
        if let Err(e) =
            self.store
                .record_process(PROCESS_KIND, repository_id, identity.into(), Some(port))
        {
            let _ = process.lock().await.stop(STOP_GRACE).await;
            return Err(e);
        }

        if let Err(e) = wait_ready(&process, port, &logs).await {
            let _ = process.lock().await.stop(STOP_GRACE).await;
            let _ = self
                .store
                .forget_process(PROCESS_KIND, repository_id, identity.into());
            return Err(e);
        }
        log::info!(
            "code-server for repository {repository_id} ready on 127.0.0.1:{port} in {} ms",
            started.elapsed().as_millis()
        );
        if let Some(slot) = lock(&self.slots).get_mut(&repository_id) {
            slot.state = Some(InstanceState::Running);
        }
        self.spawn_monitor(repository_id, generation, process, identity);
        Ok(self.publish(repository_id))
    }

    /// The repository's own port if it is free, else the lowest free one
    /// from 8100 that no repository holds and no instance uses.
    fn choose_port(&self, repository_id: i64, own: u16, refused: &[u16]) -> Result<u16> {
        let mut in_use = self.ports_in_use(repository_id);
        in_use.extend_from_slice(refused);
        if !in_use.contains(&own) && repos::port_is_free(own) {
            return Ok(own);
        }
        let reserved: Vec<u16> = self
            .repos
            .list()?
            .iter()
            .map(|r| r.port)
            .chain(in_use)
            .collect();
        repos::next_free_port(&reserved)
    }

    fn fail(&self, repository_id: i64, e: Error) -> Error {
        if let Some(slot) = lock(&self.slots).get_mut(&repository_id) {
            slot.state = Some(InstanceState::Failed);
            slot.error = Some(e.with_detail_text());
            slot.process = None;
            slot.identity = None;
        }
        self.publish(repository_id);
        e
    }

    /// Watches a running instance. One that exits on its own is restarted
    /// (after 1 s, then 2 s after a second quick crash); the third exit
    /// within `RESTART.min_uptime` of a start leaves it failed, with how it ended.
    fn spawn_monitor(
        self: &Arc<Self>,
        repository_id: i64,
        generation: u64,
        process: Arc<tokio::sync::Mutex<Supervised>>,
        identity: ProcessIdentity,
    ) {
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            // Told by the kernel when it exits; polled only where it cannot tell.
            let watch = process.lock().await.exit_watch();
            loop {
                let told = match &watch {
                    Some(w) => w.exited().await,
                    None => false,
                };
                if !told {
                    tokio::time::sleep(MONITOR_INTERVAL).await;
                }
                let Some(this) = this.upgrade() else {
                    return;
                };
                let current = || {
                    lock(&this.slots)
                        .get(&repository_id)
                        .is_some_and(|s| s.generation == generation && s.process.is_some())
                };
                if !current() {
                    return;
                }
                // A stop in progress holds the lock and reports by itself:
                // once the exit is told, wait for it to finish.
                let mut guard = if told {
                    let guard = process.lock().await;
                    if !current() {
                        return;
                    }
                    guard
                } else {
                    let Ok(guard) = process.try_lock() else {
                        continue;
                    };
                    guard
                };
                let Some(exit) = guard.try_exit() else {
                    drop(guard);
                    if told {
                        // Exited but not yet reaped by its parent: look again soon.
                        tokio::time::sleep(MONITOR_INTERVAL).await;
                    }
                    continue;
                };
                drop(guard);
                log::warn!("code-server for repository {repository_id} exited: {exit:?}");
                let _ = this
                    .store
                    .forget_process(PROCESS_KIND, repository_id, identity.into());
                // As supervisors do: restart it, later after each quick
                // crash, and after `RESTART.max_quick_crashes` leave it failed.
                let retry = {
                    let mut slots = lock(&this.slots);
                    let Some(slot) = slots.get_mut(&repository_id) else {
                        return;
                    };
                    if slot.generation != generation {
                        return;
                    }
                    let delay = RESTART
                        .after_exit(slot.launched.map(|t| t.elapsed()), &mut slot.quick_crashes);
                    slot.process = None;
                    slot.identity = None;
                    let how = describe_exit(exit);
                    match delay {
                        None => {
                            slot.state = Some(InstanceState::Failed);
                            slot.error = Some(format!(
                                "code-server exited on its own ({how}). It crashed {} times within {} s of starting, so it was left stopped; start it again once the cause is fixed (its last output is in the logs).",
                                slot.quick_crashes,
                                RESTART.min_uptime.as_secs()
                            ));
                        }
                        Some(delay) => {
                            slot.state = Some(InstanceState::Stopped);
                            slot.error = Some(format!(
                                "code-server exited on its own ({how}); restarting in {} s.",
                                delay.as_secs()
                            ));
                        }
                    }
                    delay
                };
                this.publish(repository_id);
                let Some(delay) = retry else {
                    return;
                };
                tokio::time::sleep(delay).await;
                let op = this.op_lock(repository_id);
                let _op = op.lock().await;
                // A start or stop by the user meanwhile wins.
                let still = lock(&this.slots)
                    .get(&repository_id)
                    .is_some_and(|s| s.generation == generation && s.process.is_none());
                if !still {
                    return;
                }
                if let Err(e) = this.start_locked(repository_id).await {
                    log::warn!(
                        "code-server for repository {repository_id} did not come back: {}",
                        e.with_detail_text()
                    );
                }
                return;
            }
        });
    }

    pub async fn stop(&self, repository_id: i64) -> Result<CodeServerInstance> {
        self.repos.get(repository_id)?;
        let op = self.op_lock(repository_id);
        let _op = op.lock().await;
        self.stop_locked(repository_id).await
    }

    async fn stop_locked(&self, repository_id: i64) -> Result<CodeServerInstance> {
        let taken = {
            let mut slots = lock(&self.slots);
            match slots.get_mut(&repository_id) {
                Some(slot) if slot.process.is_some() => {
                    slot.state = Some(InstanceState::Stopping);
                    slot.process.take().zip(slot.identity.take())
                }
                _ => None,
            }
        };
        let Some((process, identity)) = taken else {
            return Ok(self.snapshot(repository_id));
        };
        self.publish(repository_id);
        let result = process.lock().await.stop(STOP_GRACE).await;
        self.store
            .forget_process(PROCESS_KIND, repository_id, identity.into())?;
        if let Some(slot) = lock(&self.slots).get_mut(&repository_id) {
            slot.state = Some(InstanceState::Stopped);
            slot.error = result.as_ref().err().map(|e| e.with_detail_text());
        }
        log::info!("code-server for repository {repository_id} stopped");
        Ok(self.publish(repository_id))
    }

    pub async fn restart(self: &Arc<Self>, repository_id: i64) -> Result<CodeServerInstance> {
        self.repos.get(repository_id)?;
        let op = self.op_lock(repository_id);
        let _op = op.lock().await;
        self.stop_locked(repository_id).await?;
        self.start_locked(repository_id).await
    }

    /// Stops every running instance.
    pub async fn stop_all(&self) -> Result<Vec<CodeServerInstance>> {
        let running: Vec<i64> = lock(&self.slots)
            .iter()
            .filter(|(_, s)| s.process.is_some())
            .map(|(id, _)| *id)
            .collect();
        let mut stopped = Vec::new();
        for id in running {
            let op = self.op_lock(id);
            let _op = op.lock().await;
            stopped.push(self.stop_locked(id).await?);
        }
        Ok(stopped)
    }

    /// Stops a repository's instance and forgets it, before the repository
    /// itself is deleted.
    pub async fn release(&self, repository_id: i64) -> Result<()> {
        let op = self.op_lock(repository_id);
        let _op = op.lock().await;
        self.stop_locked(repository_id).await?;
        lock(&self.slots).remove(&repository_id);
        Ok(())
    }

    /// At app start: re-adopts recorded instances that still run (same pid
    /// and start time), forgets the ones that are gone.
    pub fn reconcile(self: &Arc<Self>) -> Result<Vec<CodeServerInstance>> {
        let mut adopted = Vec::new();
        for record in self.store.recorded_processes(PROCESS_KIND)? {
            let id = record.owner_id;
            let output = self.output(id);
            match procs::adopt(ProcessIdentity::from(record.process), &output, LOG_LINES) {
                Some(process) => {
                    log::info!(
                        "re-adopted code-server for repository {id} (pid {})",
                        ProcessIdentity::from(record.process).pid
                    );
                    let logs = process.logs();
                    let process = Arc::new(tokio::sync::Mutex::new(process));
                    let generation = {
                        let mut slots = lock(&self.slots);
                        let slot = slots.entry(id).or_default();
                        slot.generation += 1;
                        slot.state = Some(InstanceState::Running);
                        slot.port = record.port;
                        slot.started_at = Some(record.started_at.clone());
                        slot.adopted = true;
                        slot.error = None;
                        slot.process = Some(process.clone());
                        slot.identity = Some(ProcessIdentity::from(record.process));
                        slot.logs = Some(logs);
                        slot.generation
                    };
                    self.spawn_monitor(
                        id,
                        generation,
                        process,
                        ProcessIdentity::from(record.process),
                    );
                    adopted.push(self.publish(id));
                }
                None => {
                    log::info!("recorded code-server for repository {id} is gone");
                    self.store
                        .forget_process(PROCESS_KIND, id, record.process)?;
                }
            }
        }
        Ok(adopted)
    }

    /// Prepares opening an instance (starting it if needed): checks that the
    /// listener on its port is its own process, then serves the sign-in
    /// hand-off page.
    pub async fn open(self: &Arc<Self>, repository_id: i64) -> Result<OpenPlan> {
        self.open_at(repository_id, None).await
    }

    /// As [`VsCodeManager::open`], with the editor showing `file` (a path
    /// inside the repository, relative to it) at `line` once it loads.
    pub async fn open_at(
        self: &Arc<Self>,
        repository_id: i64,
        file: Option<(&str, Option<u32>)>,
    ) -> Result<OpenPlan> {
        let repo = self.repos.get(repository_id)?;
        let target = match file {
            None => None,
            Some((path, line)) => Some(net::file_in_repository(Path::new(&repo.path), path, line)?),
        };
        let instance = self.start(repository_id).await?;
        let (Some(port), Some(identity)) = (instance.port, self.identity(repository_id)) else {
            return Err(Error::Conflict(
                "The instance stopped before it could be opened; start it again.".into(),
            ));
        };
        if !net::port_is_served_by_group(port, identity.pid) {
            return Err(Error::Forbidden(format!(
                "Port {port} is answered by another program, not this repository's code-server; \
                 it was not opened. Stop that program or restart the instance."
            )));
        }
        let password = secrets::read_private(&self.instance_dir(repository_id).join("password"))?
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                Error::Conflict(
                    "The instance's password file is gone; restart the instance to make a new one."
                        .into(),
                )
            })?;
        let to = match &target {
            Some(file) => net::open_file_path(port, &repo.path, file),
            None => "/".to_string(),
        };
        let handoff_url = net::serve_login_handoff(port, password, &to)
            .await
            .map_err(|e| Error::failed("Could not prepare the sign-in page.", e))?;
        Ok(OpenPlan {
            window_label: window_label(repository_id),
            repository_id,
            repository_name: repo.name,
            handoff_url,
            instance_url: format!("http://127.0.0.1:{port}/"),
            target_url: format!("http://127.0.0.1:{port}{to}"),
            webview_data_dir: self.instance_dir(repository_id).join("webview"),
        })
    }

    /// Removes the folders of repositories that no longer exist, forgets
    /// records of processes that are gone, and stops code-server instances
    /// of ours that nothing tracks (see [`our_code_server_processes`] for
    /// how one is told from a process that only mentions our folder).
    pub async fn cleanup(&self) -> Result<CleanupReport> {
        let mut report = CleanupReport::default();
        for record in self.store.recorded_processes(PROCESS_KIND)? {
            if !ProcessIdentity::from(record.process).is_alive() {
                self.store
                    .forget_process(PROCESS_KIND, record.owner_id, record.process)?;
                report.forgotten_records += 1;
            }
        }
        let tracked: Vec<u32> = lock(&self.slots)
            .values()
            .filter_map(|s| s.identity.map(|i| i.pid))
            .collect();
        for leader in our_code_server_processes(&self.config.root) {
            if tracked.contains(&leader) {
                continue;
            }
            // By identity (pid + start time): a leader that exits meanwhile
            // and whose pid is reused is not stopped.
            let Some(identity) = ProcessIdentity::of(leader) else {
                continue;
            };
            if procs::stop_adopted(identity, STOP_GRACE).await {
                log::info!("cleanup stopped untracked code-server group {leader}");
                report.killed_pids.push(leader);
            }
        }
        let known: Vec<i64> = self.repos.list()?.iter().map(|r| r.id).collect();
        if let Ok(entries) = std::fs::read_dir(&self.config.root) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(id) = name.to_str().and_then(|n| n.parse::<i64>().ok()) else {
                    continue;
                };
                let busy = lock(&self.slots)
                    .get(&id)
                    .is_some_and(|s| s.process.is_some());
                if known.contains(&id) || busy {
                    continue;
                }
                std::fs::remove_dir_all(entry.path()).map_err(|e| {
                    Error::failed(format!("Could not remove {}.", entry.path().display()), e)
                })?;
                report.removed_dirs.push(entry.path().display().to_string());
            }
        }
        Ok(report)
    }
}

/// Polls `/healthz` until it answers 200 from the instance's own process
/// group; fails early with the process's last lines if it exits.
///
/// The owner check matters: if another program took the port between the
/// free-port probe and code-server's bind, that program may answer
/// `/healthz` while our process is failing with EADDRINUSE.
async fn wait_ready(
    process: &tokio::sync::Mutex<Supervised>,
    port: u16,
    logs: &LogBuffer,
) -> Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let pgid = process.lock().await.identity().pid;
    loop {
        if let Some(exit) = process.lock().await.try_exit() {
            // Let the tailers catch the last lines.
            tokio::time::sleep(Duration::from_millis(250)).await;
            return Err(Error::Failed {
                message: format!(
                    "code-server exited during start-up ({}).",
                    describe_exit(exit)
                ),
                detail: last_lines(logs, 12),
            });
        }
        if net::http_status(port, "/healthz").await == Some(200)
            && net::port_is_served_by_group(port, pgid)
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Error::Failed {
                message: format!(
                    "code-server did not answer on port {port} within {} s.",
                    READY_TIMEOUT.as_secs()
                ),
                detail: last_lines(logs, 12),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether code-server failed because its port was taken.
fn mentions_port_in_use(e: &Error) -> bool {
    matches!(e, Error::Failed { detail: Some(d), .. } if d.contains("EADDRINUSE"))
}

fn last_lines(logs: &LogBuffer, n: usize) -> Option<String> {
    let lines = logs.since(0);
    let start = lines.len().saturating_sub(n);
    let text = lines[start..]
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    (!text.trim().is_empty()).then_some(text)
}

fn describe_exit(exit: procs::Exit) -> String {
    match exit {
        procs::Exit::Code(c) => format!("exit code {c}"),
        procs::Exit::Signal(s) => format!("signal {s}"),
        procs::Exit::Unknown => "stopped outside the app".into(),
    }
}

/// Group leaders that are code-server instances of ours, as this app starts
/// them: the process leads its own group, runs as this user, its program is
/// node (code-server's launcher execs it), and its arguments are the ones
/// [`VsCodeManager::launch`] gives, with the user-data and extensions dirs
/// of one repository's folder under `root`. A process that merely mentions
/// the path (a `grep` in someone's pipeline, an editor with the folder open)
/// is none of that, and its group is left alone.
fn our_code_server_processes(root: &Path) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    // SAFETY: getuid(2) cannot fail and touches no memory.
    let uid = unsafe { libc::getuid() };
    let mut found = Vec::new();
    for pid in dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()) {
        if procs::process_group(pid) != Some(pid) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(format!("/proc/{pid}")) else {
            continue;
        };
        if std::os::unix::fs::MetadataExt::uid(&meta) != uid {
            continue;
        }
        let runs_node = std::fs::read_link(format!("/proc/{pid}/exe"))
            .ok()
            .and_then(|exe| exe.file_name().map(|n| n.to_string_lossy().into_owned()))
            .is_some_and(|name| name.starts_with("node"));
        if !runs_node {
            continue;
        }
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if is_our_instance_command(&args, root) {
            found.push(pid);
        }
    }
    found
}

/// Whether `args` are the command line [`VsCodeManager::launch`] gives an
/// instance whose folder is `<root>/<id>`.
fn is_our_instance_command(args: &[String], root: &Path) -> bool {
    let value = |flag: &str| {
        args.windows(2)
            .find(|w| w[0] == flag)
            .map(|w| PathBuf::from(&w[1]))
    };
    let Some(user_data) = value("--user-data-dir") else {
        return false;
    };
    let Some(instance) = user_data
        .strip_prefix(root)
        .ok()
        .filter(|rest| {
            let parts: Vec<_> = rest.components().collect();
            parts.len() == 2
                && parts[0]
                    .as_os_str()
                    .to_str()
                    .is_some_and(|id| id.parse::<i64>().is_ok())
                && parts[1].as_os_str() == "user-data"
        })
        .map(|_| user_data.parent().unwrap_or(root).to_path_buf())
    else {
        return false;
    };
    value("--config") == Some(PathBuf::from("/dev/null"))
        && value("--auth") == Some(PathBuf::from("password"))
        && value("--extensions-dir") == Some(instance.join("extensions"))
        && value("--bind-addr").is_some_and(|a| a.to_string_lossy().starts_with("127.0.0.1:"))
}

fn to_instance(repository_id: i64, slot: &Slot) -> CodeServerInstance {
    let state = slot.state.unwrap_or(InstanceState::Stopped);
    let live = matches!(
        state,
        InstanceState::Starting | InstanceState::Running | InstanceState::Stopping
    );
    CodeServerInstance {
        repository_id,
        state,
        port: if live { slot.port } else { None },
        pid: if live {
            slot.identity.map(|i| i.pid)
        } else {
            None
        },
        started_at: if live { slot.started_at.clone() } else { None },
        adopted: live && slot.adopted,
        error: slot.error.clone(),
    }
}

fn stopped(repository_id: i64) -> CodeServerInstance {
    CodeServerInstance {
        repository_id,
        state: InstanceState::Stopped,
        port: None,
        pid: None,
        started_at: None,
        adopted: false,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_instance_command_lines_are_ours() {
        let root = Path::new("/data/vscode");
        let ours: Vec<String> = [
            "node",
            "/x/code-server/out/node/entry.js",
            "--config",
            "/dev/null",
            "--bind-addr",
            "127.0.0.1:8100",
            "--auth",
            "password",
            "--user-data-dir",
            "/data/vscode/3/user-data",
            "--extensions-dir",
            "/data/vscode/3/extensions",
            "/home/u/shop",
        ]
        .map(String::from)
        .to_vec();
        assert!(is_our_instance_command(&ours, root));
        // grep in someone's pipeline, naming our folder.
        let grep: Vec<String> = ["grep", "--", "--user-data-dir", "/data/vscode/3/user-data"]
            .map(String::from)
            .to_vec();
        assert!(!is_our_instance_command(&grep, root));
        // Close, but another folder's extensions, or not under our root.
        let mut other = ours.clone();
        other[11] = "/data/vscode/4/extensions".into();
        assert!(!is_our_instance_command(&other, root));
        let mut outside = ours.clone();
        outside[9] = "/elsewhere/3/user-data".into();
        assert!(!is_our_instance_command(&outside, root));
        let mut public = ours;
        public[5] = "0.0.0.0:8100".into();
        assert!(!is_our_instance_command(&public, root));
    }

    #[test]
    fn the_environment_loses_what_would_reconfigure_code_server() {
        let env = filter_env(
            [
                ("PATH", "/usr/bin"),
                ("PORT", "1"),
                ("CODE_SERVER_CONFIG", "/x"),
                ("VSCODE_PROXY_URI", "x"),
                ("PASSWORD", "p"),
                ("NODE_OPTIONS", "--require /tmp/evil.js"),
                ("HOME", "/home/u"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let keys: Vec<_> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["PATH", "HOME"]);
    }
}
