//! The MCP gateway: one streamable-HTTP endpoint on loopback through which
//! other MCP clients on this machine (Claude Code, Cursor, a repository's
//! code-server …) use the tools of the Hub's servers the user shares and
//! AI Desktop's own workshop tools.
//!
//! **Who gets in.** The listener binds 127.0.0.1 only, and each request
//! must carry the bearer token kept in `<data>/gateway-token` (0600 in the
//! 0700 data folder, so only the user's own programs can read it; 192
//! random bits; rotated on request; compared in constant time). Host and
//! Origin are checked against loopback names (DNS rebinding).
//!
//! **What runs.** Each call goes through the user's rule for that tool
//! (ask, allow, deny; ask unless the user said otherwise): an asked call
//! waits, with a timeout, for Allow once / Allow for this client until the
//! gateway stops / Deny in the window, as a Flow agent's calls do. Calls of
//! the Hub's servers go through the Hub (schema checked, turned-off tools
//! refused, kept in that server's history); every call, run or refused,
//! is kept in the gateway's own history.

mod handler;
mod http;
pub mod workshop;

use crate::deployments::DeploymentManager;
use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::flow::{function_names, offered_of};
use crate::git::ChangesFeed;
use crate::mcp::McpHub;
use crate::repos::RepoRegistry;
use crate::services::ServiceManager;
use crate::store::{self, Store};
use crate::util::lock;
use crate::vscode::VsCodeManager;
use ai_desktop_api::gateway::{
    GatewayApproval, GatewayCall, GatewayDecision, GatewayRule, GatewaySettings, GatewayStatus,
    GatewayTool,
};
use ai_desktop_api::mcp::McpContent;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// Settings key of [`GatewaySettings`].
pub const SETTINGS: &str = "mcp.gateway";
/// Settings key of the per-tool rules (name → [`GatewayRule`]).
pub const RULES: &str = "mcp.gateway.rules";
/// The server name workshop tools are listed under.
pub const WORKSHOP: &str = "AI Desktop";
/// The path the endpoint answers on.
pub const PATH: &str = "/mcp";
/// The gateway's name in each repository's VS Code `mcp.json`.
pub const EDITOR_ENTRY: &str = "ai-desktop";
/// How long an asked call waits for the user before it is refused.
pub const APPROVAL_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest text of a result kept in the history's summary.
const SUMMARY_CHARS: usize = 240;
/// Longest arguments kept in the history (as JSON text).
const MAX_KEPT_ARGUMENTS: usize = 16 * 1024;

/// Opens a repository's editor at a file (and line): the desktop side's
/// window; none in a headless app.
pub type EditorOpener =
    Arc<dyn Fn(crate::vscode::OpenPlan) -> std::result::Result<(), String> + Send + Sync>;

/// What the gateway works with.
pub struct GatewayParts {
    pub store: Arc<Store>,
    pub events: Arc<dyn EventSink>,
    pub mcp: Arc<McpHub>,
    pub repos: Arc<RepoRegistry>,
    pub changes: Arc<ChangesFeed>,
    pub deployments: Arc<DeploymentManager>,
    pub services: Arc<ServiceManager>,
    pub vscode: Arc<VsCodeManager>,
    pub data_dir: PathBuf,
}

struct Listening {
    url: String,
    port: u16,
    stop: CancellationToken,
    accepting: tokio::task::JoinHandle<()>,
}

impl Listening {
    /// Stops accepting and serving; returns once the port is closed.
    async fn close(self) {
        self.stop.cancel();
        let _ = self.accepting.await;
    }
}

struct Pending {
    question: GatewayApproval,
    reply: oneshot::Sender<GatewayDecision>,
}

/// Whose token a request carries: the one clients are given, or the one
/// written into a repository's VS Code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    Client,
    Editor(i64),
}

/// Repository `repository_id`'s editor token, derived from `token`.
fn editor_token(token: &str, repository_id: i64) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"ai-desktop gateway editor ");
    h.update(repository_id.to_le_bytes());
    h.update(token.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal without telling how much of it was (no early exit).
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One tool the gateway offers, and where its calls go.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) server: String,
    pub(crate) description: String,
    pub(crate) schema: Value,
    pub(crate) read_only: bool,
    pub(crate) target: Target,
}

#[derive(Clone)]
pub(crate) enum Target {
    Workshop(workshop::Tool),
    Hub { server_id: i64, tool: String },
}

pub struct Gateway {
    parts: GatewayParts,
    listening: tokio::sync::Mutex<Option<Listening>>,
    error: Mutex<Option<String>>,
    next: AtomicI64,
    pending: Mutex<BTreeMap<i64, Pending>>,
    /// (client, tool) pairs allowed until the gateway stops.
    granted: Mutex<HashSet<(String, String)>>,
    approval_timeout: Mutex<Duration>,
    opener: Mutex<Option<EditorOpener>>,
    writer: Mutex<std::sync::mpsc::Sender<Job>>,
    /// The token as last read or made (every request compares with it).
    token: Mutex<Option<String>>,
}

/// Work for the history's writer thread.
enum Job {
    Record(Box<GatewayCall>),
    Flush(std::sync::mpsc::SyncSender<()>),
}

/// Writes history rows in call order, off the calls' path (one thread,
/// asleep while nothing is called).
fn history_writer(store: Arc<Store>, events: Arc<dyn EventSink>) -> std::sync::mpsc::Sender<Job> {
    let (queue, jobs) = std::sync::mpsc::channel::<Job>();
    let spawned = std::thread::Builder::new()
        .name("gateway-history".into())
        .spawn(move || {
            for job in jobs {
                match job {
                    Job::Record(call) => match store.with(|c| store::gateway::insert(c, &call)) {
                        Ok(call) => events.emit(DomainEvent::GatewayCall(Box::new(call))),
                        Err(e) => log::warn!("gateway history: {}", e.with_detail_text()),
                    },
                    Job::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
    if let Err(e) = spawned {
        log::warn!("gateway history: no writer thread ({e}); calls are not kept");
    }
    queue
}

impl Gateway {
    pub fn new(parts: GatewayParts) -> Arc<Gateway> {
        let writer = history_writer(parts.store.clone(), parts.events.clone());
        Arc::new(Gateway {
            writer: Mutex::new(writer),
            parts,
            listening: tokio::sync::Mutex::new(None),
            error: Mutex::new(None),
            next: AtomicI64::new(1),
            pending: Mutex::new(BTreeMap::new()),
            granted: Mutex::new(HashSet::new()),
            approval_timeout: Mutex::new(APPROVAL_TIMEOUT),
            opener: Mutex::new(None),
            token: Mutex::new(None),
        })
    }

    /// How long an asked call waits (tests shorten it).
    pub fn set_approval_timeout(&self, timeout: Duration) {
        *lock(&self.approval_timeout) = timeout;
    }

    /// The desktop side's way of showing an editor.
    pub fn set_editor_opener(&self, opener: EditorOpener) {
        *lock(&self.opener) = Some(opener);
    }

    /// Shows `path` of `repo` (at `line`) in the repository's editor window,
    /// starting its code-server if needed. A bad path is refused before
    /// anything starts. Answers what was done, for a tool's caller.
    pub(crate) async fn open_in_editor(
        &self,
        repo: &ai_desktop_api::repos::Repository,
        path: &str,
        line: Option<u32>,
    ) -> Result<String> {
        crate::vscode::net::file_in_repository(std::path::Path::new(&repo.path), path, line)?;
        let Some(opener) = lock(&self.opener).clone() else {
            return Err(Error::Unavailable(
                "AI Desktop has no window to open an editor in.".into(),
            ));
        };
        let plan = self
            .parts
            .vscode
            .open_at(repo.id, Some((path, line)))
            .await?;
        opener(plan).map_err(Error::Unavailable)?;
        Ok(match line {
            Some(l) => format!("Opened {path} at line {l} in {}'s VS Code.", repo.name),
            None => format!("Opened {path} in {}'s VS Code.", repo.name),
        })
    }

    fn token_file(&self) -> PathBuf {
        self.parts.data_dir.join("gateway-token")
    }

    /// The bearer token clients send (made on first use, then kept in
    /// memory: requests do not read the file).
    pub fn token(&self) -> Result<String> {
        let mut kept = lock(&self.token);
        if let Some(token) = kept.as_ref() {
            return Ok(token.clone());
        }
        let token = crate::secrets::load_or_create(&self.token_file())?;
        *kept = Some(token.clone());
        Ok(token)
    }

    /// The token written into repository `repository_id`'s VS Code: derived
    /// from the gateway's (a new one renews them all), so the gateway knows
    /// which repository's editor calls.
    pub fn editor_token(&self, repository_id: i64) -> Result<String> {
        Ok(editor_token(&self.token()?, repository_id))
    }

    /// Who `presented` (a request's bearer token) names, if anyone.
    pub(crate) fn caller(&self, presented: &str) -> Option<Caller> {
        let token = self.token().ok()?;
        if same(presented.as_bytes(), token.as_bytes()) {
            return Some(Caller::Client);
        }
        if presented.len() != 64 {
            return None;
        }
        self.parts.repos.list().ok()?.into_iter().find_map(|r| {
            let theirs = editor_token(&token, r.id);
            same(presented.as_bytes(), theirs.as_bytes()).then_some(Caller::Editor(r.id))
        })
    }

    /// A new token; the listener takes it from the next request on, and
    /// the repositories' VS Code entries get it.
    pub fn rotate_token(&self) -> Result<String> {
        let token = crate::secrets::rotate(&self.token_file())?;
        *lock(&self.token) = Some(token.clone());
        self.sync_editors();
        Ok(token)
    }

    pub fn settings(&self) -> Result<GatewaySettings> {
        Ok(self.parts.store.setting(SETTINGS)?.unwrap_or_default())
    }

    fn rules(&self) -> Result<BTreeMap<String, GatewayRule>> {
        Ok(self.parts.store.setting(RULES)?.unwrap_or_default())
    }

    fn rule(&self, name: &str) -> GatewayRule {
        self.rules()
            .ok()
            .and_then(|r| r.get(name).copied())
            .unwrap_or(GatewayRule::Ask)
    }

    /// Sets whether calls of `name` need the user.
    pub async fn set_rule(&self, name: &str, rule: GatewayRule) -> Result<GatewayStatus> {
        if name.trim().is_empty() || name.len() > 128 {
            return Err(Error::InvalidInput(
                "A tool name is 1 to 128 characters.".into(),
            ));
        }
        let mut rules = self.rules()?;
        if rule == GatewayRule::Ask {
            rules.remove(name);
        } else {
            rules.insert(name.to_string(), rule);
        }
        self.parts.store.set_setting(RULES, Some(&rules))?;
        let status = self.status().await;
        self.publish(&status);
        Ok(status)
    }

    /// The gateway's settings, state and tools.
    pub async fn status(&self) -> GatewayStatus {
        let settings = self.settings().unwrap_or_default();
        let (running, url) = match &*self.listening.lock().await {
            Some(l) => (true, Some(l.url.clone())),
            None => (false, None),
        };
        let rules = self.rules().unwrap_or_default();
        let tools = if running || settings.enabled {
            self.catalog(&settings).await
        } else {
            Vec::new()
        };
        GatewayStatus {
            running,
            url,
            error: lock(&self.error).clone(),
            tools: tools
                .into_iter()
                .map(|e| GatewayTool {
                    rule: rules.get(&e.name).copied().unwrap_or(GatewayRule::Ask),
                    name: e.name,
                    server: e.server,
                    description: e.description,
                    read_only: e.read_only,
                })
                .collect(),
            settings,
        }
    }

    fn publish(&self, status: &GatewayStatus) {
        self.parts
            .events
            .emit(DomainEvent::GatewayUpdated(Box::new(status.clone())));
    }

    /// Keeps `settings` and starts, restarts or stops the endpoint to
    /// match. Bad settings are refused before anything changes.
    pub async fn configure(self: &Arc<Self>, settings: GatewaySettings) -> Result<GatewayStatus> {
        if settings.port < 1024 {
            return Err(Error::InvalidInput(format!(
                "Port {} is reserved for the system; choose one from 1024 to 65535.",
                settings.port
            )));
        }
        for id in &settings.server_ids {
            self.parts.mcp.get(*id)?;
        }
        if let Some(name) = &settings.profile {
            if self.parts.mcp.profile(name)?.is_none() {
                return Err(Error::NotFound(format!(
                    "There is no profile named \"{name}\"."
                )));
            }
        }
        let previous = self.settings()?;
        self.parts.store.set_setting(SETTINGS, Some(&settings))?;
        if let Err(e) = self.apply().await {
            // Nothing changed for the user: the old settings come back.
            self.parts.store.set_setting(SETTINGS, Some(&previous))?;
            let _ = self.apply().await;
            return Err(e);
        }
        let gateway = self.clone();
        let _ = tokio::task::spawn_blocking(move || gateway.sync_editors()).await;
        let status = self.status().await;
        self.publish(&status);
        Ok(status)
    }

    /// Starts the endpoint if the settings say so (at app start).
    pub async fn start_if_enabled(self: &Arc<Self>) {
        if self.settings().map(|s| s.enabled).unwrap_or(false) {
            if let Err(e) = self.apply().await {
                log::warn!("the MCP gateway did not start: {}", e.with_detail_text());
                *lock(&self.error) = Some(e.to_string());
                let status = self.status().await;
                self.publish(&status);
            }
        }
    }

    /// Listens as the stored settings say: a changed port means a new
    /// listener; disabled means none.
    async fn apply(self: &Arc<Self>) -> Result<()> {
        let settings = self.settings()?;
        let mut listening = self.listening.lock().await;
        let same_port = listening.as_ref().is_some_and(|l| l.port == settings.port);
        if settings.enabled && same_port {
            return Ok(());
        }
        if let Some(old) = listening.take() {
            old.close().await;
            self.forget_clients();
        }
        *lock(&self.error) = None;
        if !settings.enabled {
            return Ok(());
        }
        self.token()?;
        let stop = CancellationToken::new();
        let (url, accepting) = http::listen(self.clone(), settings.port, stop.clone())
            .await
            .map_err(|e| {
                let message = if e.kind() == std::io::ErrorKind::AddrInUse {
                    format!(
                        "Port {} is in use by another program; choose another port.",
                        settings.port
                    )
                } else {
                    format!("Could not listen on 127.0.0.1:{}: {e}", settings.port)
                };
                Error::Conflict(message)
            })?;
        log::info!("MCP gateway listening on {url}");
        *listening = Some(Listening {
            url,
            port: settings.port,
            stop,
            accepting,
        });
        Ok(())
    }

    /// Stops listening (the app quits); the settings stay.
    pub async fn shutdown(&self) {
        if let Some(old) = self.listening.lock().await.take() {
            old.close().await;
        }
        self.forget_clients();
    }

    /// Grants end and waiting calls are refused when the gateway stops.
    fn forget_clients(&self) {
        lock(&self.granted).clear();
        let pending = std::mem::take(&mut *lock(&self.pending));
        for (id, p) in pending {
            let _ = p.reply.send(GatewayDecision::Deny);
            self.parts.events.emit(DomainEvent::GatewayApprovalDone(id));
        }
    }

    /// Writes (or, with the gateway off or not offered to editors, takes
    /// out) the gateway's entry in repository `repository_id`'s VS Code
    /// `User/mcp.json`, keeping every other entry there. A file that is not
    /// plain JSON (comments) is left alone.
    pub fn write_editor_config(&self, repository_id: i64) -> Result<()> {
        let settings = self.settings()?;
        let file = self
            .parts
            .vscode
            .user_data_dir(repository_id)
            .join("User/mcp.json");
        let existing = match std::fs::read_to_string(&file) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Error::failed(
                    format!("Could not read {}.", file.display()),
                    e,
                ))
            }
        };
        let want = settings.enabled && settings.editors;
        let mut doc = match existing.as_deref().map(serde_json::from_str::<Value>) {
            None => serde_json::json!({}),
            Some(Ok(v)) if v.is_object() => v,
            Some(_) if !want => return Ok(()),
            Some(_) => {
                return Err(Error::Conflict(format!(
                    "{} is not plain JSON (comments?); add the gateway there by hand.",
                    file.display()
                )))
            }
        };
        let had = doc.pointer(&format!("/servers/{EDITOR_ENTRY}")).is_some();
        if !want && !had {
            return Ok(());
        }
        let servers = doc
            .as_object_mut()
            .map(|o| o.entry("servers").or_insert_with(|| serde_json::json!({})));
        let Some(Value::Object(servers)) = servers else {
            return Err(Error::Conflict(format!(
                "{}: \"servers\" is not an object; left as it is.",
                file.display()
            )));
        };
        if want {
            servers.insert(
                EDITOR_ENTRY.to_string(),
                serde_json::json!({
                    "type": "http",
                    "url": format!("http://127.0.0.1:{}{PATH}", settings.port),
                    "headers": {
                        "Authorization": format!("Bearer {}", self.editor_token(repository_id)?)
                    }
                }),
            );
        } else {
            servers.remove(EDITOR_ENTRY);
        }
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        crate::secrets::write_private(&file, text.as_bytes())
            .map_err(|e| Error::failed(format!("Could not write {}.", file.display()), e))
    }

    /// [`Gateway::write_editor_config`] for every repository; a failure is
    /// logged and the others are still done.
    fn sync_editors(&self) {
        let Ok(repos) = self.parts.repos.list() else {
            return;
        };
        for r in repos {
            if let Err(e) = self.write_editor_config(r.id) {
                log::warn!("gateway: {}", e.with_detail_text());
            }
        }
    }

    /// The `mcpServers` entry other clients read, token included.
    pub async fn client_config(&self) -> Result<String> {
        let settings = self.settings()?;
        let token = self.token()?;
        let doc = serde_json::json!({
            "mcpServers": {
                "ai-desktop": {
                    "type": "http",
                    "url": format!("http://127.0.0.1:{}{PATH}", settings.port),
                    "headers": { "Authorization": format!("Bearer {token}") }
                }
            }
        });
        Ok(serde_json::to_string_pretty(&doc).unwrap_or_default())
    }

    /// The tools offered now: the workshop's (if shared), then each shared
    /// server's enabled tools less the profile's. A server that does not
    /// start is left out (and logged).
    pub(crate) async fn catalog(&self, settings: &GatewaySettings) -> Vec<Entry> {
        self.catalog_for(settings, Caller::Client).await
    }

    /// The catalog as `caller` sees it: a repository's VS Code gets the
    /// shared servers' tools through the repository's own profile, if it
    /// has one.
    pub(crate) async fn catalog_for(
        &self,
        settings: &GatewaySettings,
        caller: Caller,
    ) -> Vec<Entry> {
        let repository_profile = match caller {
            Caller::Editor(id) => self.parts.repos.get(id).ok().and_then(|r| r.mcp_profile),
            Caller::Client => None,
        };
        let mut entries = Vec::new();
        if settings.workshop {
            entries.extend(workshop::Tool::ALL.iter().map(|t| Entry {
                name: t.name().to_string(),
                server: WORKSHOP.to_string(),
                description: t.description().to_string(),
                schema: t.schema(),
                read_only: t.read_only(),
                target: Target::Workshop(*t),
            }));
        }
        let profile = repository_profile
            .as_deref()
            .or(settings.profile.as_deref())
            .and_then(|name| self.parts.mcp.profile(name).ok().flatten());
        let mut offered = Vec::new();
        for id in &settings.server_ids {
            match offered_of(&self.parts.mcp, *id, profile.as_ref()).await {
                Ok(o) => offered.extend(o),
                Err(e) => log::warn!("gateway: server {id} left out: {}", e.with_detail_text()),
            }
        }
        for (o, name) in offered.iter().zip(function_names(&offered)) {
            entries.push(Entry {
                name,
                server: o.server_name.clone(),
                description: o.description.clone(),
                schema: o.schema.clone(),
                read_only: false,
                target: Target::Hub {
                    server_id: o.server_id,
                    tool: o.tool.clone(),
                },
            });
        }
        entries
    }

    /// The calls waiting for the user, oldest first.
    pub fn approvals(&self) -> Vec<GatewayApproval> {
        lock(&self.pending)
            .values()
            .map(|p| p.question.clone())
            .collect()
    }

    /// Answers call `id`.
    pub fn answer(&self, id: i64, decision: GatewayDecision) -> Result<()> {
        let Some(p) = lock(&self.pending).remove(&id) else {
            return Err(Error::NotFound(
                "That call is no longer waiting (answered, timed out, or its client left).".into(),
            ));
        };
        let _ = p.reply.send(decision);
        self.parts.events.emit(DomainEvent::GatewayApprovalDone(id));
        Ok(())
    }

    /// Returns once every call kept before it is in the database.
    fn flush(&self) {
        let (done, wait) = std::sync::mpsc::sync_channel(1);
        if lock(&self.writer).send(Job::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    pub fn history(&self) -> Result<Vec<GatewayCall>> {
        self.flush();
        self.parts.store.with(|c| store::gateway::history(c))
    }

    pub fn clear_history(&self) -> Result<()> {
        self.flush();
        self.parts.store.with(|c| store::gateway::clear(c))
    }

    /// Asks the user about a call; the answer, or `None` when it timed out.
    async fn ask(&self, client: &str, entry: &Entry, arguments: &Value) -> Option<GatewayDecision> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let timeout = *lock(&self.approval_timeout);
        let (reply, answer) = oneshot::channel();
        let question = GatewayApproval {
            id,
            client: client.to_string(),
            tool: entry.name.clone(),
            server: entry.server.clone(),
            description: entry.description.chars().take(2000).collect(),
            arguments: serde_json::to_string_pretty(arguments)
                .unwrap_or_default()
                .chars()
                .take(8000)
                .collect(),
            timeout_secs: timeout.as_secs(),
        };
        lock(&self.pending).insert(
            id,
            Pending {
                question: question.clone(),
                reply,
            },
        );
        self.parts
            .events
            .emit(DomainEvent::GatewayApproval(Box::new(question)));
        let outcome = tokio::time::timeout(timeout, answer).await;
        if lock(&self.pending).remove(&id).is_some() {
            // Timed out (or the client went away): the window's card goes.
            self.parts.events.emit(DomainEvent::GatewayApprovalDone(id));
        }
        match outcome {
            Ok(Ok(decision)) => Some(decision),
            Ok(Err(_)) => Some(GatewayDecision::Deny),
            Err(_) => None,
        }
    }

    /// A client's call of tool `name`: looked up in what is offered now,
    /// let through by the rule or the user, run, and kept in the history.
    pub(crate) async fn call(
        &self,
        caller: Caller,
        client: &str,
        name: &str,
        arguments: Value,
    ) -> Result<Outcome> {
        let settings = self.settings()?;
        let client = match caller {
            Caller::Editor(id) => match self.parts.repos.get(id) {
                Ok(r) => format!("VS Code of {}", r.name),
                Err(_) => client.to_string(),
            },
            Caller::Client => client.to_string(),
        };
        let client = client.as_str();
        let entry = self
            .catalog_for(&settings, caller)
            .await
            .into_iter()
            .find(|e| e.name == name)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "There is no tool named \"{name}\" here (it may be turned off or not shared)."
                ))
            })?;
        let started = Instant::now();
        let decision = match self.rule(name) {
            GatewayRule::Allow => Ok("rule"),
            GatewayRule::Deny => Err(("denied_by_rule", "The user does not allow this tool.")),
            GatewayRule::Ask => {
                let key = (client.to_string(), name.to_string());
                if lock(&self.granted).contains(&key) {
                    Ok("session")
                } else {
                    match self.ask(client, &entry, &arguments).await {
                        Some(GatewayDecision::Once) => Ok("asked"),
                        Some(GatewayDecision::Session) => {
                            lock(&self.granted).insert(key);
                            Ok("asked")
                        }
                        Some(GatewayDecision::Deny) => {
                            Err(("denied", "The user refused this call."))
                        }
                        None => Err((
                            "timed_out",
                            "Nobody answered in AI Desktop in time; the call was not made.",
                        )),
                    }
                }
            }
        };
        let outcome = match decision {
            Err((how, why)) => {
                let outcome = Outcome::refused(why);
                self.keep(client, &entry, arguments, how, &outcome, started);
                return Ok(outcome);
            }
            Ok(how) => {
                let outcome = self.run(&entry, arguments.clone()).await;
                self.keep(client, &entry, arguments, how, &outcome, started);
                outcome
            }
        };
        Ok(outcome)
    }

    async fn run(&self, entry: &Entry, arguments: Value) -> Outcome {
        match &entry.target {
            Target::Workshop(tool) => match workshop::call(self, *tool, arguments).await {
                Ok(text) => Outcome {
                    content: vec![McpContent::Text { text }],
                    structured: None,
                    is_error: false,
                    error: None,
                },
                Err(e) => Outcome::failed(e.to_string()),
            },
            Target::Hub { server_id, tool } => {
                match self.parts.mcp.call_tool(*server_id, tool, arguments).await {
                    Ok(call) => Outcome {
                        content: call.content,
                        structured: call.structured_content,
                        is_error: call.is_error,
                        error: call.error,
                    },
                    Err(e) => Outcome::failed(e.to_string()),
                }
            }
        }
    }

    fn keep(
        &self,
        client: &str,
        entry: &Entry,
        mut arguments: Value,
        decision: &str,
        outcome: &Outcome,
        started: Instant,
    ) {
        if arguments.to_string().len() > MAX_KEPT_ARGUMENTS {
            arguments = Value::String(format!(
                "[arguments over {} kB, not kept]",
                MAX_KEPT_ARGUMENTS / 1024
            ));
        }
        let summary = outcome
            .error
            .clone()
            .or_else(|| {
                outcome.content.iter().find_map(|c| match c {
                    McpContent::Text { text } => Some(text.clone()),
                    _ => None,
                })
            })
            .unwrap_or_default()
            .chars()
            .take(SUMMARY_CHARS)
            .collect();
        let call = GatewayCall {
            id: 0,
            client: client.to_string(),
            tool: entry.name.clone(),
            server: entry.server.clone(),
            arguments,
            decision: decision.to_string(),
            is_error: outcome.is_error,
            error: outcome.error.clone(),
            summary,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            created_at: String::new(),
        };
        // Written by the history's thread, after the client has its answer.
        if lock(&self.writer)
            .send(Job::Record(Box::new(call)))
            .is_err()
        {
            log::warn!("gateway history: the writer has ended; a call was not kept");
        }
    }
}

/// What a call gave back: the tool's result, or why it did not run.
pub(crate) struct Outcome {
    pub(crate) content: Vec<McpContent>,
    pub(crate) structured: Option<Value>,
    pub(crate) is_error: bool,
    pub(crate) error: Option<String>,
}

impl Outcome {
    fn refused(why: &str) -> Outcome {
        Outcome::failed(why.to_string())
    }

    fn failed(why: String) -> Outcome {
        Outcome {
            content: Vec::new(),
            structured: None,
            is_error: true,
            error: Some(why),
        }
    }
}
