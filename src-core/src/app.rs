//! The composition root: [`App::open`] opens the store and builds every
//! manager in one place — the desktop app, the crash test's writer, the
//! integration tests and the benches all build the app this way — and
//! [`App`] owns the use cases that span domains (deleting a repository,
//! stopping everything, the quit choice).
//!
//! **Threading rule.** A manager's plain `fn` that touches SQLite, git2,
//! the file system, a pty or waits for a process may block: callers on an
//! async runtime run it on the blocking pool (the desktop side's
//! `state::blocking`). Plain `fn`s that only read memory (log buffers,
//! terminal mailboxes, the services catalog) are called directly. `async
//! fn`s drive processes and the network; they never hold a
//! `std::sync::Mutex` across an `.await` (every lock is taken through
//! [`crate::util::lock`] for a few statements). Background loops are
//! started once, by [`App::start`], on the caller's tokio runtime.

use crate::deployments::{DeploymentManager, DeploymentsConfig};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::files::FileBrowser;
use crate::flow::FlowAgent;
use crate::gateway::{Gateway, GatewayParts};
use crate::git::identity::Identity;
use crate::git::ops::GitOps;
use crate::git::sync::GitSync;
use crate::git::ChangesFeed;
use crate::mcp::{McpConfig, McpHub};
use crate::presence::Presence;
use crate::repos::RepoRegistry;
use crate::services::ServiceManager;
use crate::stack::StackManager;
use crate::store::Store;
use crate::system::SystemMonitor;
use crate::terminal::TerminalManager;
use crate::vscode::{VsCodeConfig, VsCodeManager};
use crate::workspace::Workspaces;
use ai_desktop_api::services::ServiceState;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Overrides where the app keeps its data (tests use a temp dir).
pub const DATA_DIR_ENV: &str = "AI_DESKTOP_DATA_DIR";
/// Settings key of what Quit does with managed processes: `stop` or `leave`.
pub const QUIT_SETTING: &str = "app.on_quit";

/// The data dir: `$AI_DESKTOP_DATA_DIR` if set, else the platform's app data
/// dir (`$XDG_DATA_HOME/dev.aidesktop.desktop` on Linux).
pub fn data_dir(platform_default: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => platform_default(),
    }
}

/// Everything the app takes from its surroundings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Holds the database, secrets and per-process files.
    pub data_dir: PathBuf,
    /// The user's home (git identity, SSH keys, default PM2_HOME).
    pub home: PathBuf,
    /// The allow-listed environment programs run for the user start from
    /// (MCP servers, pm2 and its apps; see `procs::user_env`).
    pub user_env: Vec<(String, String)>,
    /// code-server's environment (the app's, less what would reconfigure it).
    pub code_server_env: Vec<(String, String)>,
    /// PM2_HOME when none is configured.
    pub default_pm2_home: PathBuf,
    /// Docker's socket (`unix://…`).
    pub docker_socket: String,
    /// Service containers and volumes are named `<prefix>-…` (tests give theirs).
    pub services_prefix: String,
    /// The desktop trash (`$XDG_DATA_HOME/Trash`).
    pub trash: PathBuf,
    /// Crashes within 10 s of a start after which PM2 gives up on a deployment.
    pub pm2_max_restarts: u32,
    /// The folder of the app's log files, if it has one.
    pub log_dir: Option<PathBuf>,
}

impl Config {
    /// What the running app uses: its environment (HOME, PM2_HOME,
    /// DOCKER_HOST, XDG_DATA_HOME, AI_DESKTOP_SERVICES_PREFIX), with its data in
    /// `data_dir`.
    pub fn from_env(data_dir: PathBuf, log_dir: Option<PathBuf>) -> Config {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        Config {
            user_env: crate::procs::user_env(),
            code_server_env: crate::vscode::inherited_env(),
            default_pm2_home: std::env::var_os("PM2_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(".pm2")),
            docker_socket: crate::services::discovery::socket_from_env(),
            services_prefix: std::env::var("AI_DESKTOP_SERVICES_PREFIX")
                .unwrap_or_else(|_| "aidesktop".into()),
            trash: std::env::var_os("XDG_DATA_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(".local/share"))
                .join("Trash"),
            pm2_max_restarts: 10,
            log_dir,
            data_dir,
            home,
        }
    }

    /// Everything inside `root` (tests): data in `root/data`, home in
    /// `root/home`, PM2_HOME `root/pm2`, the trash in `root/Trash`, Docker's
    /// default socket, services named `prefix-…`; programs start from the
    /// test's own PATH.
    pub fn isolated(root: &std::path::Path, services_prefix: &str) -> Config {
        let home = root.join("home");
        let _ = std::fs::create_dir_all(&home);
        let env = vec![
            (
                "PATH".to_string(),
                std::env::var("PATH").unwrap_or_default(),
            ),
            ("HOME".to_string(), home.display().to_string()),
            ("LANG".to_string(), "C.UTF-8".to_string()),
        ];
        Config {
            data_dir: root.join("data"),
            user_env: env.clone(),
            code_server_env: env,
            default_pm2_home: root.join("pm2"),
            docker_socket: "unix:///var/run/docker.sock".into(),
            services_prefix: services_prefix.into(),
            trash: root.join("Trash"),
            pm2_max_restarts: 2,
            log_dir: None,
            home,
        }
    }
}

/// The app: the store and every manager, built once.
pub struct App {
    pub config: Config,
    pub store: Arc<Store>,
    pub events: Arc<dyn EventSink>,
    pub repos: Arc<RepoRegistry>,
    pub vscode: Arc<VsCodeManager>,
    pub changes: Arc<ChangesFeed>,
    pub mcp: Arc<McpHub>,
    pub deployments: Arc<DeploymentManager>,
    pub services: Arc<ServiceManager>,
    pub flow: Arc<FlowAgent>,
    /// The MCP endpoint other clients on this machine use.
    pub gateway: Arc<Gateway>,
    /// Each repository's services, deployments, editor and MCP servers as one.
    pub stack: Arc<StackManager>,
    pub system: Arc<SystemMonitor>,
    pub terminals: Arc<TerminalManager>,
    pub identity: Arc<Identity>,
    /// Remote hosts reached over SSH.
    pub hosts: Arc<crate::hosts::Hosts>,
    /// code-server for host repositories, run there and forwarded here.
    pub host_editors: Arc<crate::hosts::editor::HostEditors>,
    /// Hosts' Docker engines, their sockets forwarded here.
    pub host_engines: Arc<crate::hosts::docker::HostEngines>,
    /// Host repositories' apps under their hosts' PM2.
    pub host_deploys: Arc<crate::hosts::deploy::HostDeploys>,
    /// A host repository's services, apps and editor as one.
    pub host_stack: crate::hosts::stack::HostStack,
    pub git_ops: Arc<GitOps>,
    pub git_sync: Arc<GitSync>,
    pub files: Arc<FileBrowser>,
    pub workspaces: Arc<Workspaces>,
    /// Whether the window is shown and what it shows (sampling follows it).
    pub presence: Arc<Presence>,
    /// Ids of deployments that just crashed, for the recipes they set off
    /// (taken by [`App::start`]).
    crashes: Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<i64>>>,
    /// When each (recipe, deployment) last ran on a crash: a deployment
    /// crashing again soon after does not start another run.
    recipe_runs: Mutex<HashMap<(i64, i64), std::time::Instant>>,
}

/// The user's Downloads folder: `XDG_DOWNLOAD_DIR` of
/// `~/.config/user-dirs.dirs` (`"$HOME/…"` or an absolute path), else
/// `~/Downloads`.
pub fn downloads_dir(home: &std::path::Path) -> PathBuf {
    let dirs = std::fs::read_to_string(home.join(".config/user-dirs.dirs")).unwrap_or_default();
    dirs.lines()
        .filter_map(|l| l.trim().strip_prefix("XDG_DOWNLOAD_DIR="))
        .map(|v| v.trim().trim_matches('"'))
        .filter_map(|v| match v.strip_prefix("$HOME") {
            Some(rest) => Some(home.join(rest.trim_start_matches('/'))),
            None => v.starts_with('/').then(|| PathBuf::from(v)),
        })
        // `$HOME` itself means no Downloads folder of its own.
        .find(|p| p != home)
        .unwrap_or_else(|| home.join("Downloads"))
}

/// How long after a crash-triggered run the same recipe is not run again
/// for the same deployment.
const RECIPE_COOLDOWN: std::time::Duration = std::time::Duration::from_secs(600);

impl App {
    /// Opens (creating or migrating) the store in `config.data_dir` and
    /// builds every manager; starts nothing (see [`App::start`]).
    pub fn open(config: Config, events: Arc<dyn EventSink>) -> Result<Arc<App>> {
        let (watch, crashes) = crate::flow::CrashWatch::new(events);
        let events: Arc<dyn EventSink> = watch;
        let store = Arc::new(Store::open_in(&config.data_dir)?);
        let dir = config.data_dir.clone();
        let repos = Arc::new(RepoRegistry::new(store.clone(), events.clone()));
        let presence = Arc::new(Presence::default());
        let vscode = Arc::new(VsCodeManager::new(
            store.clone(),
            repos.clone(),
            events.clone(),
            VsCodeConfig {
                root: dir.join("vscode"),
                env: config.code_server_env.clone(),
            },
        ));
        let changes = Arc::new(ChangesFeed::new(repos.clone(), events.clone()));
        let deployments = DeploymentManager::new(
            store.clone(),
            repos.clone(),
            events.clone(),
            DeploymentsConfig {
                root: dir.join("deployments"),
                env: config.user_env.clone(),
                default_pm2_home: config.default_pm2_home.clone(),
                docker_socket: config.docker_socket.clone(),
                max_restarts: config.pm2_max_restarts,
            },
            presence.clone(),
        );
        let services = Arc::new(ServiceManager::new(
            store.clone(),
            dir.clone(),
            config.docker_socket.clone(),
            &config.services_prefix,
            events.clone(),
        ));
        let mcp = McpHub::new(
            store.clone(),
            events.clone(),
            McpConfig::new(config.user_env.clone()),
        )?;
        let flow = FlowAgent::new(store.clone(), mcp.clone(), events.clone(), dir.clone());
        let gateway = Gateway::new(GatewayParts {
            store: store.clone(),
            events: events.clone(),
            mcp: mcp.clone(),
            repos: repos.clone(),
            changes: changes.clone(),
            deployments: deployments.clone(),
            services: services.clone(),
            vscode: vscode.clone(),
            data_dir: dir.clone(),
        });
        // Each code-server starts with the gateway in its mcp.json (if the
        // user offers it to editors).
        let weak = Arc::downgrade(&gateway);
        vscode.set_prelaunch(Arc::new(move |id| {
            if let Some(gateway) = weak.upgrade() {
                if let Err(e) = gateway.write_editor_config(id) {
                    log::warn!("gateway: {}", e.with_detail_text());
                }
            }
        }));
        let identity = Arc::new(Identity::new(config.home.clone()));
        let hosts = Arc::new(crate::hosts::Hosts::new(
            store.clone(),
            config.home.clone(),
            &config.data_dir,
        ));
        let host_editors = Arc::new(crate::hosts::editor::HostEditors::new(
            hosts.clone(),
            store.clone(),
            events.clone(),
            config.data_dir.join("hosts").join("editors"),
        ));
        let host_deploys = Arc::new(crate::hosts::deploy::HostDeploys::new(
            hosts.clone(),
            store.clone(),
            events.clone(),
            config.data_dir.join("hosts").join("deployments"),
        ));
        let host_engines = Arc::new(crate::hosts::docker::HostEngines::new(
            hosts.clone(),
            store.clone(),
            &config.data_dir,
            &config.services_prefix,
            events.clone(),
        ));
        let workspaces = Arc::new(Workspaces::new(store.clone()));
        let git_ops = Arc::new(GitOps::new(repos.clone(), identity.clone(), store.clone()));
        let stack = Arc::new(StackManager::new(
            store.clone(),
            repos.clone(),
            services.clone(),
            deployments.clone(),
            vscode.clone(),
            mcp.clone(),
            events.clone(),
        ));
        let files = Arc::new(FileBrowser::new(
            repos.clone(),
            workspaces.clone(),
            config.trash.clone(),
        ));
        let terminals = Arc::new(TerminalManager::new());
        terminals.set_events(events.clone());
        flow.set_repositories(crate::flow::repo_tools::RepoAccess {
            repos: repos.clone(),
            files: files.clone(),
            terminals: terminals.clone(),
            env: config.user_env.clone(),
            deployments: deployments.clone(),
            services: services.clone(),
            stack: stack.clone(),
            gateway: gateway.clone(),
        });
        let app = Arc::new(App {
            stack,
            git_ops: git_ops.clone(),
            git_sync: Arc::new(GitSync::new(
                repos.clone(),
                workspaces.clone(),
                config.home.clone(),
                git_ops,
            )),
            files,
            system: Arc::new(SystemMonitor::new()),
            terminals,
            identity,
            hosts,
            host_stack: crate::hosts::stack::HostStack {
                engines: host_engines.clone(),
                deploys: host_deploys.clone(),
                editors: host_editors.clone(),
            },
            host_editors,
            host_engines,
            host_deploys,
            workspaces,
            presence,
            crashes: Mutex::new(Some(crashes)),
            recipe_runs: Mutex::new(HashMap::new()),
            store,
            events,
            repos,
            vscode,
            changes,
            mcp,
            deployments,
            services,
            flow,
            gateway,
            config,
        });
        app.flow.set_app(Arc::downgrade(&app));
        Ok(app)
    }

    /// Takes back what an earlier run left and starts the background work,
    /// on the caller's tokio runtime: code-server instances are re-adopted
    /// (now), MCP servers an earlier run left are stopped and started afresh
    /// (in the background), Docker's events are watched and deployments'
    /// status followed while there are some.
    pub fn start(self: &Arc<Self>) {
        match self.vscode.reconcile() {
            Ok(list) if !list.is_empty() => {
                log::info!("re-adopted {} code-server instance(s)", list.len())
            }
            Ok(_) => {}
            Err(e) => log::warn!(
                "could not reconcile code-server instances: {}",
                e.with_detail_text()
            ),
        }
        tokio::spawn(self.services.clone().run_watch());
        tokio::spawn(self.deployments.clone().run_monitor());
        let mcp = self.mcp.clone();
        tokio::spawn(async move {
            match mcp.reconcile().await {
                Ok(ids) if !ids.is_empty() => {
                    log::info!("started {} MCP server(s) again", ids.len())
                }
                Ok(_) => {}
                Err(e) => log::warn!("could not reconcile MCP servers: {}", e.with_detail_text()),
            }
        });
        // Forwards to hosts' engines a killed app left: opened again when
        // those services are next used.
        self.host_engines.end_strays();
        self.host_deploys.end_strays();
        let host_editors = self.host_editors.clone();
        tokio::spawn(async move {
            match host_editors.reconcile().await {
                Ok(list) if !list.is_empty() => {
                    log::info!("took back {} editor(s) on hosts", list.len())
                }
                Ok(_) => {}
                Err(e) => log::warn!(
                    "could not reconcile editors on hosts: {}",
                    e.with_detail_text()
                ),
            }
        });
        let gateway = self.gateway.clone();
        tokio::spawn(async move { gateway.start_if_enabled().await });
        tokio::spawn(self.flow.clone().run_schedule());
        if let Some(mut crashes) = crate::util::lock(&self.crashes).take() {
            let app = Arc::downgrade(self);
            tokio::spawn(async move {
                while let Some(id) = crashes.recv().await {
                    let Some(app) = app.upgrade() else { break };
                    app.run_recipes_on_crash(id).await;
                }
            });
        }
    }

    /// Runs the recipes a crash of deployment `id` sets off, each told what
    /// crashed (as *Ask the agent* tells its session).
    async fn run_recipes_on_crash(&self, id: i64) {
        let Ok(d) = self.deployments.get(id) else {
            return;
        };
        let recipes = match self
            .store
            .with(|c| crate::store::recipes::on_crash(c, d.repository_id, id))
        {
            Ok(r) => r,
            Err(e) => return log::warn!("recipes: {}", e.with_detail_text()),
        };
        let due: Vec<_> = {
            let mut runs = crate::util::lock(&self.recipe_runs);
            recipes
                .into_iter()
                .filter(|r| {
                    let recent = runs
                        .get(&(r.id, id))
                        .is_some_and(|t| t.elapsed() < RECIPE_COOLDOWN);
                    if !recent {
                        runs.insert((r.id, id), std::time::Instant::now());
                    }
                    !recent
                })
                .collect()
        };
        if due.is_empty() {
            return;
        }
        let report = match self.crash_prompt(id).await {
            Ok((_, _, text)) => text,
            Err(e) => return log::warn!("recipes: {}", e.with_detail_text()),
        };
        for recipe in due {
            let title = format!("{} · {} crashed", recipe.name, d.name);
            match self
                .flow
                .run_recipe(recipe.id, Some(title), Some(&report))
                .await
            {
                Ok(s) => log::info!(
                    "recipe {} ran on the crash of {} (session {})",
                    recipe.name,
                    d.name,
                    s.id
                ),
                Err(e) => log::warn!(
                    "recipe {} could not run on the crash of {}: {}",
                    recipe.name,
                    d.name,
                    e.with_detail_text()
                ),
            }
        }
    }

    /// Pushes the current branch of `repository_id` (see
    /// [`crate::git::sync::GitSync::push`]); once pushed, the recipes that
    /// follow pushes of that branch run, each told what was pushed.
    pub async fn push(
        &self,
        repository_id: i64,
        remote: Option<String>,
        report: crate::git::sync::Report,
    ) -> Result<ai_desktop_api::git::SyncResult> {
        let repo = self.repos.get(repository_id)?;
        let (result, branch) = self
            .git_sync
            .push_branch(repository_id, remote, report)
            .await?;
        self.run_recipes_on_push(&repo, &branch, &result.message)
            .await;
        Ok(result)
    }

    async fn run_recipes_on_push(
        &self,
        repo: &ai_desktop_api::repos::Repository,
        branch: &str,
        what: &str,
    ) {
        let recipes = match self
            .store
            .with(|c| crate::store::recipes::on_push(c, repo.id, branch))
        {
            Ok(r) => r,
            Err(e) => return log::warn!("recipes: {}", e.with_detail_text()),
        };
        for recipe in recipes {
            let title = format!("{} · {branch} pushed", recipe.name);
            let context = format!(
                "AI Desktop just pushed the branch {branch} of the repository \"{}\" ({what}).",
                repo.name
            );
            match self
                .flow
                .run_recipe(recipe.id, Some(title), Some(&context))
                .await
            {
                Ok(s) => log::info!(
                    "recipe {} ran after a push of {branch} (session {})",
                    recipe.name,
                    s.id
                ),
                Err(e) => log::warn!(
                    "recipe {} could not run after a push of {branch}: {}",
                    recipe.name,
                    e.with_detail_text()
                ),
            }
        }
    }

    /// Deletes a repository from the registry: its code-server goes first
    /// (no instance outlives its repository), its changes stop being
    /// watched. Its folder is never touched. A Flow session's sandbox is
    /// refused: it goes by that session's Discard, with its branch and
    /// database copies.
    pub async fn delete_repository(&self, id: i64) -> Result<()> {
        let repo = self.repos.get(id)?;
        if let Some(title) = self
            .store
            .with(|c| crate::store::flow::sandbox_holder(c, id))?
        {
            return Err(Error::Conflict(format!(
                "{} is the sandbox of the Flow session \"{title}\": merge or discard it there (nothing was removed).",
                repo.name
            )));
        }
        self.unregister_repository(id).await
    }

    /// [`Self::delete_repository`] without the sandbox check (a sandbox's own Discard).
    pub(crate) async fn unregister_repository(&self, id: i64) -> Result<()> {
        self.repos.get(id)?;
        self.vscode.release(id).await?;
        if self.changes.watched() == Some(id) {
            let _ = self.changes.watch(None);
        }
        let repos = self.repos.clone();
        tokio::task::spawn_blocking(move || repos.delete(id))
            .await
            .map_err(|e| Error::failed("The delete did not finish.", e))?
    }

    /// A commit message for what is staged in `repository_id`, drafted by
    /// the Flow Builder's provider from the staged diff (the user edits it
    /// and commits; nothing is committed here).
    pub async fn draft_commit_message(&self, repository_id: i64) -> Result<String> {
        let ops = self.git_ops.clone();
        let patch = tokio::task::spawn_blocking(move || ops.staged_patch(repository_id, 24_000))
            .await
            .map_err(|e| Error::failed("Reading the staged diff did not finish.", e))??;
        if patch.trim().is_empty() {
            return Err(Error::InvalidInput(
                "Nothing is staged: stage the changes to describe first.".into(),
            ));
        }
        let answer = self
            .flow
            .draft(
                "You write git commit messages. Given a staged diff, answer with the commit message \
                 only: a summary line of at most 72 characters in the imperative mood, then a blank \
                 line and a short body saying why, if the diff shows it. No code fences, no quotes.",
                &patch,
            )
            .await?;
        let message = answer
            .trim()
            .trim_start_matches("```text")
            .trim_start_matches("```")
            .trim_end_matches("```")
            .trim()
            .to_string();
        if message.is_empty() {
            return Err(Error::failed("The agent answered with nothing.", "empty"));
        }
        Ok(message)
    }

    /// Removes worktree `name` of `repository_id`: refused with uncommitted
    /// changes; its code-server stops and it is unregistered first.
    pub async fn remove_worktree(
        &self,
        repository_id: i64,
        name: &str,
    ) -> Result<Vec<ai_desktop_api::git::WorktreeInfo>> {
        let ops = self.git_ops.clone();
        let n = name.to_string();
        let registered =
            tokio::task::spawn_blocking(move || ops.removable_worktree(repository_id, &n))
                .await
                .map_err(|e| Error::failed("The check did not finish.", e))??;
        if let Some(id) = registered {
            self.delete_repository(id).await?;
        }
        let ops = self.git_ops.clone();
        let n = name.to_string();
        tokio::task::spawn_blocking(move || {
            ops.prune_worktree(repository_id, &n)?;
            ops.worktrees(repository_id)
        })
        .await
        .map_err(|e| Error::failed("The removal did not finish.", e))?
    }

    /// What the agent is told about a crash of deployment `deployment_id`:
    /// its last errors, what changed since its last healthy start, its env
    /// names, its repository's services.
    async fn crash_prompt(
        &self,
        deployment_id: i64,
    ) -> Result<(
        ai_desktop_api::deployments::Deployment,
        ai_desktop_api::repos::Repository,
        String,
    )> {
        use crate::flow::crash;
        let deployment = self.deployments.get(deployment_id)?;
        let repo = self.repos.get(deployment.repository_id)?;
        let stderr = crate::procs::last_lines(
            &self.deployments.log_files(deployment_id)[1],
            crash::STDERR_LINES,
        );
        let healthy_commit = self
            .deployments
            .runs(deployment_id)?
            .into_iter()
            .filter(|r| r.outcome == ai_desktop_api::deployments::DeployOutcome::Online)
            .find_map(|r| r.commit_id);
        let dir = PathBuf::from(&repo.path);
        let since = healthy_commit.clone();
        let diff = tokio::task::spawn_blocking(move || {
            crate::git::cli::diff_since(&dir, since.as_deref())
                .map(|d| String::from_utf8_lossy(&d).into_owned())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| Error::failed("Reading the repository's changes stopped.", e))?;
        let wanted = self
            .store
            .with(|c| crate::store::repos::stack_services(c, repo.id))?
            .unwrap_or_default();
        let services = if wanted.is_empty() {
            Vec::new()
        } else {
            match self.services.list().await {
                Ok(list) => list
                    .into_iter()
                    .filter(|s| wanted.contains(&s.id))
                    .map(|s| (s.id, format!("{:?}", s.state).to_lowercase()))
                    .collect(),
                Err(e) => vec![("Docker".to_string(), format!("not reachable: {e}"))],
            }
        };
        let text = crash::prompt(&crash::CrashReport {
            deployment: deployment.clone(),
            stderr,
            healthy_commit,
            diff,
            services,
        });
        Ok((deployment, repo, text))
    }

    /// Writes a Flow conversation as Markdown or JSON into the user's
    /// Downloads folder (XDG's, else `~/Downloads`); the file's path.
    pub fn export_session(
        &self,
        session_id: i64,
        format: ai_desktop_api::flow::ExportFormat,
    ) -> Result<PathBuf> {
        self.flow
            .export_to(session_id, format, &downloads_dir(&self.config.home))
    }

    /// Crash → fix: a Flow session working in the deployment's repository,
    /// started with what crashed — its last error output, what changed since
    /// its last healthy start, its environment's variable names (never the
    /// values) and its repository's services. Refused, leaving nothing, when
    /// no model is set up.
    pub async fn ask_agent_about_crash(
        &self,
        deployment_id: i64,
    ) -> Result<ai_desktop_api::flow::FlowSession> {
        let (deployment, repo, text) = self.crash_prompt(deployment_id).await?;
        let session = self
            .flow
            .create_session(ai_desktop_api::flow::FlowSessionPatch {
                title: Some(format!("Fix {} ({})", deployment.name, repo.name)),
                repository_id: Some(repo.id),
                ..Default::default()
            })?;
        if let Err(e) = self.flow.send(session.id, &text) {
            let _ = self.flow.delete_session(session.id).await;
            return Err(e);
        }
        self.flow.session(session.id)
    }

    /// Opens a terminal running the user's shell in a registered
    /// repository's folder (looked up by id, never a path from the page), or
    /// in the home folder.
    pub fn open_terminal(
        &self,
        repository_id: Option<i64>,
        cols: u16,
        rows: u16,
    ) -> Result<crate::terminal::TerminalInfo> {
        let env = &self.config.user_env;
        let (cwd, title) = match repository_id {
            Some(id) => {
                let repo = self.repos.get(id)?;
                (PathBuf::from(repo.path), repo.name)
            }
            None => {
                let home = env
                    .iter()
                    .find(|(k, _)| k == "HOME")
                    .map(|(_, v)| PathBuf::from(v))
                    .ok_or_else(|| Error::Unavailable("HOME is not set.".into()))?;
                (home, "home".to_string())
            }
        };
        self.terminals.open(&cwd, &title, cols, rows, env)
    }

    /// A database and user for a repository in a PostgreSQL instance; with
    /// `use_it`, its URL becomes `DATABASE_URL` of the repository's
    /// deployments (applied at their next start).
    pub async fn create_repository_database(
        &self,
        id: &str,
        repository_id: i64,
        use_it: bool,
    ) -> Result<ai_desktop_api::services::RepoDatabase> {
        let repo = self.repos.get(repository_id)?;
        let mut made = self
            .services
            .create_repo_database(id, repository_id, &repo.name)
            .await?;
        if use_it {
            made.deployments_updated = self.deployments.set_env_of_repository(
                repository_id,
                "DATABASE_URL",
                &made.connection_string,
            )?;
        }
        Ok(made)
    }

    /// What the repository's compose file would import (see
    /// [`crate::services::compose`]).
    pub async fn compose_plan(
        &self,
        repository_id: i64,
    ) -> Result<ai_desktop_api::services::ComposePlan> {
        let repo = self.repos.get(repository_id)?;
        let installed = self.services.list().await?;
        crate::services::compose::plan(repository_id, std::path::Path::new(&repo.path), &installed)
    }

    /// Installs the compose file's services named in `names` (each started
    /// and answering) and adds them to the repository's stack services.
    /// Services that cannot be imported are skipped with why; one whose
    /// install fails stops there (those before stay installed and are added).
    pub async fn compose_import(
        &self,
        repository_id: i64,
        names: &[String],
    ) -> Result<ai_desktop_api::services::ComposeImport> {
        use ai_desktop_api::services::{ComposeImport, ComposeSkip, InstallRequest};
        let plan = self.compose_plan(repository_id).await?;
        if names.is_empty() {
            return Err(Error::InvalidInput(
                "Choose at least one service of the compose file to import.".into(),
            ));
        }
        // Every name checked before anything is installed.
        if let Some(name) = names
            .iter()
            .find(|n| !plan.services.iter().any(|s| &s.name == *n))
        {
            return Err(Error::NotFound(format!(
                "{} has no service named {name}.",
                plan.file
            )));
        }
        let mut result = ComposeImport::default();
        for name in names {
            let Some(service) = plan.services.iter().find(|s| &s.name == name) else {
                continue;
            };
            let (Some(kind), true) = (service.kind, service.importable) else {
                result.skipped.push(ComposeSkip {
                    name: name.clone(),
                    reason: service
                        .reason
                        .clone()
                        .unwrap_or_else(|| "It cannot be imported.".into()),
                });
                continue;
            };
            let request = InstallRequest {
                kind,
                version: service.version.clone(),
                port: None,
                name: service.instance.clone(),
            };
            match self.services.install(request, |_| {}).await {
                Ok(installed) => result.installed.push(installed),
                Err(e) => {
                    self.add_to_stack(repository_id, &result).await?;
                    return Err(Error::Failed {
                        message: format!(
                            "Importing {name} failed{}.",
                            if result.installed.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    " (installed before it: {})",
                                    result
                                        .installed
                                        .iter()
                                        .map(|s| s.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }
                        ),
                        detail: Some(e.to_string()),
                    });
                }
            }
        }
        self.add_to_stack(repository_id, &result).await?;
        Ok(result)
    }

    /// Makes what an import installed part of the repository's stack.
    async fn add_to_stack(
        &self,
        repository_id: i64,
        imported: &ai_desktop_api::services::ComposeImport,
    ) -> Result<()> {
        if imported.installed.is_empty() {
            return Ok(());
        }
        let now = self.stack.services_of(repository_id).await?;
        let mut chosen = now.chosen.unwrap_or(now.derived);
        chosen.extend(imported.installed.iter().map(|s| s.id.clone()));
        self.stack.set_services(repository_id, Some(chosen)).await?;
        Ok(())
    }

    /// A terminal tab running a service instance's client, signed in (or a
    /// shell inside its container), started in HOME.
    pub async fn open_service_terminal(
        &self,
        id: &str,
        shell: bool,
        cols: u16,
        rows: u16,
    ) -> Result<crate::terminal::TerminalInfo> {
        let env = &self.config.user_env;
        let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let command = self
            .services
            .client_command(id, shell, &var("PATH").unwrap_or_default())
            .await?;
        let home = var("HOME")
            .map(PathBuf::from)
            .ok_or_else(|| Error::Unavailable("HOME is not set.".into()))?;
        let mut env = env.clone();
        env.extend(command.env.iter().cloned());
        let terminals = self.terminals.clone();
        tokio::task::spawn_blocking(move || {
            terminals.open_program(
                &home,
                &command.title,
                cols,
                rows,
                &env,
                Some((&command.program, &command.args)),
            )
        })
        .await
        .map_err(|e| Error::failed("Opening the terminal stopped.", e))?
    }

    /// The services of this computer's engine (None) or of a host's,
    /// reached through its forwarded socket.
    pub async fn services_for(&self, host: Option<i64>) -> Result<Arc<ServiceManager>> {
        match host {
            None => Ok(self.services.clone()),
            Some(id) => self.host_engines.services(id).await,
        }
    }

    /// Stops every managed process: code-server instances, deployments,
    /// MCP servers and running services. What cannot be stopped is logged.
    pub async fn stop_everything(&self) {
        self.gateway.shutdown().await;
        if let Err(e) = self.vscode.stop_all().await {
            log::warn!("stop everything: code-server: {}", e.with_detail_text());
        }
        self.host_editors.stop_all().await;
        if let Err(e) = self.deployments.stop_all().await {
            log::warn!("stop everything: deployments: {}", e.with_detail_text());
        }
        self.mcp.stop_all().await;
        if let Ok(list) = self.services.list().await {
            for s in list {
                if matches!(s.state, ServiceState::Running | ServiceState::Starting) {
                    if let Err(e) = self.services.stop(&s.id).await {
                        log::warn!(
                            "stop everything: {}: {}",
                            s.kind.label(),
                            e.with_detail_text()
                        );
                    }
                }
            }
        }
    }

    /// What Quit does with managed processes: `Some(true)` stop them,
    /// `Some(false)` leave them running, `None` not chosen yet (ask).
    pub fn quit_stops(&self) -> Result<Option<bool>> {
        Ok(
            match self.store.setting::<String>(QUIT_SETTING)?.as_deref() {
                Some("stop") => Some(true),
                Some("leave") => Some(false),
                _ => None,
            },
        )
    }

    /// The remembered quit choice as stored (`stop`, `leave`).
    pub fn quit_choice(&self) -> Result<Option<String>> {
        self.store.setting::<String>(QUIT_SETTING)
    }

    /// Remembers (or with `None` forgets) what Quit does.
    pub fn set_quit_choice(&self, choice: Option<&str>) -> Result<()> {
        if let Some(c) = choice {
            if c != "stop" && c != "leave" {
                return Err(Error::InvalidInput(format!(
                    "\"{c}\" is not a quit choice (stop, leave, or none to ask)."
                )));
            }
        }
        self.store
            .set_setting(QUIT_SETTING, choice.map(str::to_string).as_ref())
    }
}
