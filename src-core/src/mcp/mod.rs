//! MCP Hub: registered MCP servers, run and called through rmcp.
//!
//! A stdio server is a process of ours (spawned by [`crate::procs`] in its
//! own group, with a small allow-listed environment plus the server's own
//! variables); a URL server is reached over streamable HTTP. Starting one
//! means the MCP initialize handshake has completed; what the server said
//! about itself is kept in SQLite. A monitor notices a server that dies and
//! marks it failed with its last log lines, restarting it with backoff if
//! the user asked for that. Tool calls are checked against the tool's schema
//! before they are sent and kept in a per-server history.

pub mod config;
pub mod elicit;
pub mod history;
pub mod limits;
pub mod oauth;
pub mod schema;
pub mod session;
pub mod template;
pub mod wire;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::procs::{self, LogBuffer, Output, ProcessSpec, Stream, Supervised};
use crate::store::{self, Store};
use crate::util::lock;
use ai_desktop_api::mcp::{
    ImportReport, McpCall, McpPrompt, McpResource, McpServer, McpServerInput, McpState, McpTool,
    McpTransport, ResourceContents,
};
use ai_desktop_api::secrets::{self, SecretPart};
use session::{ConnectError, McpSession, Noise, Transport, TransportKind};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `supervised_processes.kind` of MCP server processes.
pub const PROCESS_KIND: &str = "mcp";
/// Lines of output kept per server (across its restarts).
const LOG_LINES: usize = 2000;
/// Lines of output quoted when a server fails.
const FAILURE_LINES: usize = 12;
/// How long a stop waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// How often a running server is checked for having died.
const MONITOR_INTERVAL: Duration = Duration::from_millis(250);
/// How a server that died is started again (with auto-restart on): after
/// 2 × `backoff_base`, doubling per crash within 10 s of its start, at most
/// 30 s; the fifth such crash in a row gives up.
fn restart_policy(backoff_base: Duration) -> procs::RestartPolicy {
    procs::RestartPolicy {
        min_uptime: Duration::from_secs(10),
        max_quick_crashes: 5,
        first_delay: backoff_base * 2,
        max_delay: Duration::from_secs(30),
    }
}

pub struct McpConfig {
    /// Environment every stdio server starts from (see [`procs::user_env`]).
    pub env: Vec<(String, String)>,
    /// How long the initialize handshake may take.
    pub init_timeout: Duration,
    /// How long one tool call (or list, or read) may take.
    pub call_timeout: Duration,
    /// Wait before the first automatic restart; doubled per quick crash.
    pub backoff_base: Duration,
    /// How long a server's question waits for the user.
    pub elicitation_timeout: Duration,
}

impl McpConfig {
    pub fn new(env: Vec<(String, String)>) -> Self {
        McpConfig {
            env,
            init_timeout: Duration::from_secs(30),
            call_timeout: Duration::from_secs(120),
            backoff_base: Duration::from_secs(1),
            elicitation_timeout: Duration::from_secs(10 * 60),
        }
    }
}

pub struct McpHub {
    store: Arc<Store>,
    events: Arc<dyn EventSink>,
    config: McpConfig,
    slots: Mutex<HashMap<i64, Slot>>,
    /// One start/stop at a time per server.
    op_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// Tool calls, written to the store off the call's path.
    history: history::History,
    /// Servers' questions waiting for the user.
    elicitations: Arc<elicit::Elicitations>,
    /// Opens authorization pages (set by the desktop app).
    browser: std::sync::OnceLock<Arc<dyn oauth::Browser>>,
    /// The hub itself, for the sign-in's progress reports.
    this: std::sync::OnceLock<std::sync::Weak<McpHub>>,
}

struct Slot {
    state: McpState,
    error: Option<String>,
    started_at: Option<String>,
    started: Option<Instant>,
    pid: Option<u32>,
    restarts: u32,
    quick_crashes: u32,
    logs: Arc<LogBuffer>,
    /// What crossed the transport, both ways (the raw protocol view).
    wire: Arc<wire::WireLog>,
    /// The stages of its last OAuth sign-in.
    auth: Vec<ai_desktop_api::mcp::McpAuthStep>,
    session: Option<Arc<McpSession>>,
    process: Option<Arc<tokio::sync::Mutex<Supervised>>>,
    /// Bumped on every start and stop, so a monitor or a scheduled restart
    /// of an older run stays quiet.
    generation: u64,
}

impl Default for Slot {
    fn default() -> Self {
        Slot {
            state: McpState::Stopped,
            error: None,
            started_at: None,
            started: None,
            pid: None,
            restarts: 0,
            quick_crashes: 0,
            logs: Arc::new(LogBuffer::new(LOG_LINES)),
            wire: Arc::default(),
            auth: Vec::new(),
            session: None,
            process: None,
            generation: 0,
        }
    }
}

/// Who asked for a start.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StartCause {
    User,
    AutoRestart,
}

impl McpHub {
    pub fn new(
        store: Arc<Store>,
        events: Arc<dyn EventSink>,
        config: McpConfig,
    ) -> Result<Arc<Self>> {
        let hub = Arc::new(McpHub {
            browser: std::sync::OnceLock::new(),
            this: std::sync::OnceLock::new(),
            history: history::History::new(store.clone())?,
            elicitations: Arc::new(elicit::Elicitations::new(
                events.clone(),
                config.elicitation_timeout,
            )),
            store,
            events,
            config,
            slots: Mutex::new(HashMap::new()),
            op_locks: Mutex::new(HashMap::new()),
        });
        let _ = hub.this.set(Arc::downgrade(&hub));
        Ok(hub)
    }

    /// Returns once every tool call answered so far is in the database (on
    /// quit; reads of the history do it themselves).
    pub fn flush_history(&self) {
        self.history.flush();
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Slot>> {
        lock(&self.slots)
    }

    fn op_lock(&self, id: i64) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.op_locks).entry(id).or_default().clone()
    }

    /// A stored row with its live state filled in.
    fn with_state(&self, mut server: McpServer) -> McpServer {
        if let Some(slot) = self.slots().get(&server.id) {
            server.state = slot.state;
            server.error = slot.error.clone();
            server.started_at = slot.started_at.clone();
            server.pid = slot.pid;
            server.restarts = slot.restarts;
            server.auth = slot.auth.clone();
        }
        server.signed_in = server.transport == McpTransport::Http
            && oauth::FileCredentials::new(&self.oauth_dir(), server.id).exists();
        server
    }

    fn row(&self, id: i64) -> Result<McpServer> {
        self.store
            .with(|c| store::mcp::get(c, id))?
            .ok_or_else(|| Error::NotFound(format!("There is no MCP server with id {id}.")))
    }

    /// The server as the page may see it: env and header values masked.
    pub fn get(&self, id: i64) -> Result<McpServer> {
        Ok(masked(self.with_state(self.row(id)?)))
    }

    pub fn list(&self) -> Result<Vec<McpServer>> {
        let rows = self.store.with(|c| store::mcp::list(c))?;
        Ok(rows
            .into_iter()
            .map(|s| masked(self.with_state(s)))
            .collect())
    }

    /// One env or header value in clear, asked for by the user.
    pub fn reveal(&self, id: i64, part: SecretPart, key: &str) -> Result<String> {
        let server = self.row(id)?;
        let values = match part {
            SecretPart::Env => &server.env,
            SecretPart::Header => &server.headers,
        };
        values
            .get(key)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("{} has no value named {key}.", server.name)))
    }

    fn emit(&self, id: i64) {
        match self.get(id) {
            Ok(server) => self.events.emit(DomainEvent::McpUpdated(Box::new(server))),
            Err(e) => log::warn!("mcp server {id}: {}", e.with_detail_text()),
        }
    }

    pub fn create(&self, input: McpServerInput) -> Result<McpServer> {
        let input = config::normalize(keep_stored(input, None)?)?;
        let server = self.store.with(|c| {
            if store::mcp::name_taken(c, &input.name, None)? {
                return Err(name_conflict(&input.name));
            }
            store::mcp::insert(c, &input)
        })?;
        let server = masked(server);
        self.events
            .emit(DomainEvent::McpUpdated(Box::new(server.clone())));
        Ok(server)
    }

    /// Saves new settings. A running server keeps its old ones until restarted.
    /// A new program, arguments, URL or working directory make it another
    /// server: the agent's "always allow" grants for it go.
    pub fn update(&self, id: i64, input: McpServerInput) -> Result<McpServer> {
        let input = config::normalize(keep_stored(input, Some(&self.row(id)?))?)?;
        let (revoked, moved) = self.store.with(|c| {
            if store::mcp::name_taken(c, &input.name, Some(id))? {
                return Err(name_conflict(&input.name));
            }
            let tx = c.transaction()?;
            let before = store::mcp::get(&tx, id)?
                .ok_or_else(|| Error::NotFound(format!("There is no MCP server with id {id}.")))?;
            store::mcp::update(&tx, id, &input)?;
            let another_program = before.transport != input.transport
                || before.command != input.command
                || before.args != input.args
                || before.url != input.url
                || before.working_directory != input.working_directory;
            let revoked = if another_program {
                store::flow::revoke_server(&tx, id)?
            } else {
                0
            };
            tx.commit()?;
            // Another address, or another OAuth client: the tokens were
            // issued for the old one and must never be sent to the new.
            let moved = before.url != input.url || before.oauth_client_id != input.oauth_client_id;
            Ok((revoked, moved))
        })?;
        if revoked > 0 {
            log::info!("mcp server {id} changed program: {revoked} tool grant(s) revoked");
        }
        if moved {
            oauth::FileCredentials::new(&self.oauth_dir(), id).forget()?;
            self.slots().entry(id).or_default().auth.clear();
        }
        let server = self.get(id)?;
        self.events
            .emit(DomainEvent::McpUpdated(Box::new(server.clone())));
        Ok(server)
    }

    /// A stopped copy under a free name ("name copy", "name copy 2" …).
    pub fn duplicate(&self, id: i64) -> Result<McpServer> {
        let original = self.row(id)?;
        let server = self.store.with(|c| {
            let mut n = 1;
            let name = loop {
                let candidate = if n == 1 {
                    format!("{} copy", original.name)
                } else {
                    format!("{} copy {n}", original.name)
                };
                if !store::mcp::name_taken(c, &candidate, None)? {
                    break candidate;
                }
                n += 1;
            };
            let input = McpServerInput {
                name,
                description: original.description.clone(),
                transport: original.transport,
                command: original.command.clone(),
                args: original.args.clone(),
                env: original.env.clone(),
                working_directory: original.working_directory.clone(),
                url: original.url.clone(),
                headers: original.headers.clone(),
                auto_restart: original.auto_restart,
                oauth_client_id: original.oauth_client_id.clone(),
                oauth_client_secret: original.oauth_client_secret.clone(),
            };
            store::mcp::insert(c, &input)
        })?;
        let server = masked(server);
        self.events
            .emit(DomainEvent::McpUpdated(Box::new(server.clone())));
        Ok(server)
    }

    /// Imports every acceptable entry of an `mcpServers` document; an entry
    /// whose name is already registered is refused, never overwritten.
    pub fn import(&self, json: &str) -> Result<ImportReport> {
        let entries = config::parse_import(json)?;
        let mut report = ImportReport::default();
        for (name, entry) in entries {
            let input = match entry.and_then(|input| {
                keep_stored(input, None)
                    .and_then(config::normalize)
                    .map_err(|e| e.to_string())
            }) {
                Ok(input) => input,
                Err(reason) => {
                    report.refused.push(config::refusal(&name, reason));
                    continue;
                }
            };
            let inserted = self.store.with(|c| {
                if store::mcp::name_taken(c, &input.name, None)? {
                    return Err(Error::Conflict(
                        "a server with this name is already registered (it was left as it is)"
                            .into(),
                    ));
                }
                store::mcp::insert(c, &input)
            });
            match inserted.map(masked) {
                Ok(server) => {
                    self.events
                        .emit(DomainEvent::McpUpdated(Box::new(server.clone())));
                    report.imported.push(server);
                }
                Err(e) => report.refused.push(config::refusal(&name, e.to_string())),
            }
        }
        Ok(report)
    }

    /// Every server as the `mcpServers` document other MCP clients read
    /// (see [`config::export`]); env and header values only if asked for.
    pub fn export(&self, with_secrets: bool) -> Result<String> {
        let servers = self.store.with(|c| store::mcp::list(c))?;
        Ok(config::export(&servers, with_secrets))
    }

    /// Stops the server if it runs, then removes it with its history.
    pub async fn delete(self: &Arc<Self>, id: i64) -> Result<()> {
        self.row(id)?;
        self.stop(id).await?;
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        // Its queued calls are written first, so they go with it.
        self.history.flush();
        if !self.store.with(|c| store::mcp::delete(c, id))? {
            return Err(Error::NotFound(format!(
                "There is no MCP server with id {id}."
            )));
        }
        self.slots().remove(&id);
        lock(&self.op_locks).remove(&id);
        let _ = oauth::FileCredentials::new(&self.oauth_dir(), id).forget();
        let _ = self
            .store
            .set_setting::<()>(&format!("mcp.saved_requests.{id}"), None);
        // Out of every profile too.
        if let Ok(mut all) = self.profiles() {
            for p in &mut all {
                p.servers.retain(|s| s.server_id != id);
            }
            all.retain(|p| !p.servers.is_empty());
            let _ = self.store.set_setting("mcp.profiles", Some(&all));
        }
        self.events.emit(DomainEvent::McpDeleted(id));
        Ok(())
    }

    /// The JSON-RPC messages of server `id` after `from`, both ways.
    pub fn wire(
        &self,
        id: i64,
        from: Option<u64>,
    ) -> Result<Vec<ai_desktop_api::mcp::McpWireMessage>> {
        self.row(id)?;
        let log = self.slots().entry(id).or_default().wire.clone();
        Ok(log.since(from.unwrap_or(0)))
    }

    /// The server's output (stderr, stray stdout, its log messages), kept
    /// across its restarts.
    pub fn logs(&self, id: i64) -> Result<Arc<LogBuffer>> {
        self.row(id)?;
        Ok(self.slots().entry(id).or_default().logs.clone())
    }

    /// Starts the server and completes the MCP handshake. Already running:
    /// returns it as it is.
    pub async fn start(self: &Arc<Self>, id: i64) -> Result<McpServer> {
        self.start_as(id, StartCause::User).await
    }

    /// Boxed, because a start spawns a monitor that may start again: the
    /// future's type would otherwise contain itself.
    fn start_as(
        self: &Arc<Self>,
        id: i64,
        cause: StartCause,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<McpServer>> + Send + '_>> {
        Box::pin(async move {
            let op = self.op_lock(id);
            let _guard = op.lock().await;
            let server = self.row(id)?;
            let (logs, generation) = {
                let mut slots = self.slots();
                let slot = slots.entry(id).or_default();
                if matches!(slot.state, McpState::Running | McpState::Starting) {
                    drop(slots);
                    return self.get(id);
                }
                slot.generation += 1;
                slot.state = McpState::Starting;
                slot.error = None;
                slot.pid = None;
                // A start that fails counts as a quick crash for auto-restart.
                slot.started = Some(Instant::now());
                if cause == StartCause::User {
                    slot.restarts = 0;
                    slot.quick_crashes = 0;
                }
                (slot.logs.clone(), slot.generation)
            };
            self.emit(id);
            match self.launch(&server, logs).await {
                Ok((session, process)) => {
                    let pid = process.as_ref().map(|p| p.identity().pid);
                    if let Err(e) = self.store.with(|c| {
                        store::mcp::set_handshake(c, id, &session.info, &session.capabilities)
                    }) {
                        log::warn!("mcp server {id}: could not keep its handshake: {e}");
                    }
                    {
                        let mut slots = self.slots();
                        let slot = slots.entry(id).or_default();
                        slot.state = McpState::Running;
                        slot.pid = pid;
                        slot.started_at = Some(crate::store::now_rfc3339());
                        slot.started = Some(Instant::now());
                        slot.session = Some(Arc::new(session));
                        slot.process = process.map(|p| Arc::new(tokio::sync::Mutex::new(p)));
                    }
                    let hub = self.clone();
                    tokio::spawn(async move { hub.monitor(id, generation).await });
                    self.emit(id);
                    self.get(id)
                }
                Err(e) => {
                    {
                        let mut slots = self.slots();
                        let slot = slots.entry(id).or_default();
                        if slot.generation == generation {
                            slot.state = McpState::Failed;
                            slot.error = Some(e.with_detail_text());
                        }
                    }
                    self.emit(id);
                    Err(e)
                }
            }
        })
    }

    /// Where OAuth tokens are kept: `<data>/oauth`.
    fn oauth_dir(&self) -> PathBuf {
        self.store
            .path()
            .parent()
            .map(|d| d.join("oauth"))
            .unwrap_or_else(|| PathBuf::from("oauth"))
    }

    /// How the user is sent to an authorization page (the desktop's browser).
    pub fn set_browser(&self, browser: Arc<dyn oauth::Browser>) {
        let _ = self.browser.set(browser);
    }

    /// Signs the user in to server `id` at `url` (see [`oauth`]); the auth
    /// view follows its stages through the server's updates.
    async fn sign_in(
        &self,
        id: i64,
        url: &str,
        challenge: &str,
        tokens: oauth::FileCredentials,
    ) -> Result<rmcp::transport::auth::AuthorizationManager> {
        let Some(browser) = self.browser.get().cloned() else {
            return Err(Error::Unavailable(
                "The server asks you to sign in, but there is no browser to send you to.".into(),
            ));
        };
        let me = self.this.get().cloned().unwrap_or_default();
        let steps = oauth::Steps::new(move |steps| {
            if let Some(hub) = me.upgrade() {
                hub.slots().entry(id).or_default().auth = steps;
                hub.emit(id);
            }
        });
        let row = self.row(id)?;
        let client = row
            .oauth_client_id
            .map(|client_id| (client_id, row.oauth_client_secret));
        oauth::sign_in(url, Some(challenge), client, tokens, &*browser, &steps).await
    }

    /// After a call was refused for want of a sign-in (or of a scope), signs
    /// the user in to server `id` as `challenge` asks and starts its session
    /// again; the new session, or None when that did not work (the call's
    /// refusal then stands, and the auth view says why).
    async fn signed_in_again(&self, id: i64, challenge: &str) -> Option<Arc<McpSession>> {
        let hub = self.this.get().and_then(std::sync::Weak::upgrade)?;
        let row = self.row(id).ok()?;
        let url = row.url.filter(|_| row.transport == McpTransport::Http)?;
        let tokens = oauth::FileCredentials::new(&self.oauth_dir(), id);
        if let Err(e) = self.sign_in(id, &url, challenge, tokens).await {
            log::warn!("mcp server {id}: signing in again failed: {e}");
            return None;
        }
        hub.restart(id).await.ok()?;
        self.session(id).ok()
    }

    /// Turns `tool` of server `id` off (never offered to an agent, never
    /// callable) or on again.
    pub fn set_tool_enabled(&self, id: i64, tool: &str, enabled: bool) -> Result<McpServer> {
        if tool.is_empty() || tool.len() > 256 || tool.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "\"{tool}\" is not a tool name."
            )));
        }
        if !self
            .store
            .with(|c| store::mcp::set_tool_enabled(c, id, tool, enabled))?
        {
            return Err(Error::NotFound(format!(
                "There is no MCP server with id {id}."
            )));
        }
        self.emit(id);
        self.get(id)
    }

    /// Forgets the OAuth tokens of server `id`; it signs in again on its
    /// next start.
    pub fn sign_out(&self, id: i64) -> Result<McpServer> {
        self.row(id)?;
        oauth::FileCredentials::new(&self.oauth_dir(), id).forget()?;
        self.slots().entry(id).or_default().auth.clear();
        self.emit(id);
        self.get(id)
    }

    fn wire_log(&self, id: i64) -> Arc<wire::WireLog> {
        self.slots().entry(id).or_default().wire.clone()
    }

    fn asker(&self, server: &McpServer) -> session::Asker {
        session::Asker {
            registry: self.elicitations.clone(),
            server_id: server.id,
            server_name: server.name.clone(),
            events: self.events.clone(),
        }
    }

    /// The questions of servers waiting for the user.
    pub fn elicitations(&self) -> Vec<ai_desktop_api::mcp::McpElicitation> {
        self.elicitations.pending()
    }

    /// The user's answer to a server's question (see [`elicit`]).
    pub fn answer_elicitation(
        &self,
        id: i64,
        action: ai_desktop_api::mcp::McpElicitAction,
        content: Option<serde_json::Value>,
    ) -> Result<()> {
        self.elicitations.answer(id, action, content)
    }

    /// Spawns (stdio) or reaches (http) the server and runs the handshake.
    /// On failure nothing is left running.
    async fn launch(
        &self,
        server: &McpServer,
        logs: Arc<LogBuffer>,
    ) -> Result<(McpSession, Option<Supervised>)> {
        // Whatever a dependency logs about this connection, these stay out.
        for value in server.env.values().chain(server.headers.values()) {
            crate::logging::scrub(value);
        }
        if let Some(url) = &server.url {
            for part in config::url_secrets(url) {
                crate::logging::scrub(&part);
            }
        }
        match server.transport {
            McpTransport::Http => {
                let url = server.url.clone().unwrap_or_default();
                // What is shown and logged of it: no key in the query or path.
                let shown = config::redact_url(&url);
                logs.push(Stream::Stdout, format!("── connecting to {shown} ──"));
                let tokens = oauth::FileCredentials::new(&self.oauth_dir(), server.id);
                let mut auth = oauth::from_store(&url, tokens.clone()).await;
                let mut signed_in_now = false;
                loop {
                    let transport = Transport {
                        kind: TransportKind::Http {
                            url: url.clone(),
                            headers: server.headers.clone().into_iter().collect(),
                            auth: auth.take().map(Box::new),
                        },
                        logs: logs.clone(),
                        asker: Some(self.asker(server)),
                        wire: self.wire_log(server.id),
                    };
                    return match session::connect(transport, self.config.init_timeout).await {
                        Ok(session) => Ok((session, None)),
                        Err(ConnectError::AuthRequired(challenge)) if !signed_in_now => {
                            logs.push(
                                Stream::Stdout,
                                "── the server asks you to sign in (OAuth) ──".into(),
                            );
                            auth = Some(
                                self.sign_in(server.id, &url, &challenge, tokens.clone())
                                    .await?,
                            );
                            signed_in_now = true;
                            continue;
                        }
                        Err(ConnectError::AuthRequired(challenge)) => Err(Error::Forbidden(
                            format!("{shown} refused the tokens it just issued ({challenge})."),
                        )),
                        Err(ConnectError::TimedOut) => Err(Error::Failed {
                            message: format!(
                                "{shown} did not complete the MCP handshake within {} s.",
                                self.config.init_timeout.as_secs()
                            ),
                            detail: None,
                        }),
                        Err(ConnectError::Failed(e)) => {
                            // The transport's own words may quote the URL.
                            let mut detail = e;
                            for part in config::url_secrets(&url) {
                                if part.len() >= 6 {
                                    detail = detail.replace(&part, "***");
                                }
                            }
                            Err(Error::failed(
                                format!("Could not connect to the MCP server at {shown}."),
                                detail,
                            ))
                        }
                    };
                }
            }
            McpTransport::Stdio => self.launch_stdio(server, logs).await,
        }
    }

    async fn launch_stdio(
        &self,
        server: &McpServer,
        logs: Arc<LogBuffer>,
    ) -> Result<(McpSession, Option<Supervised>)> {
        let mut env = self.config.env.clone();
        env.retain(|(k, _)| !server.env.contains_key(k));
        env.extend(server.env.clone());
        let path_var = env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let program = resolve_program(&server.command, &path_var)?;
        let cwd = match &server.working_directory {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                if !dir.is_dir() {
                    return Err(Error::InvalidInput(format!(
                        "The working directory {} does not exist any more; edit the server.",
                        dir.display()
                    )));
                }
                dir
            }
            None => env
                .iter()
                .find(|(k, _)| k == "HOME")
                .map(|(_, v)| PathBuf::from(v))
                .filter(|d| d.is_dir())
                .unwrap_or_else(|| PathBuf::from("/")),
        };
        logs.push(
            Stream::Stdout,
            format!(
                "── starting {} {} ──",
                server.command,
                server.args.join(" ")
            ),
        );
        let spec = ProcessSpec {
            program,
            args: server.args.clone(),
            cwd,
            env,
            output: Output::Protocol,
        };
        let mut process = procs::spawn_with_logs(&spec, logs.clone())?;
        let identity = process.identity();
        if let Err(e) = self
            .store
            .record_process(PROCESS_KIND, server.id, identity.into(), None)
        {
            log::warn!(
                "mcp server {}: could not record its process: {e}",
                server.id
            );
        }
        let Some((stdout, stdin)) = process.take_protocol() else {
            let _ = process.stop(STOP_GRACE).await;
            return Err(Error::Failed {
                message: "The server's pipes were not set up.".into(),
                detail: None,
            });
        };
        let noise = Arc::new(Noise::default());
        let transport = Transport {
            kind: TransportKind::Stdio {
                stdout,
                stdin,
                noise: noise.clone(),
            },
            logs: logs.clone(),
            asker: Some(self.asker(server)),
            wire: self.wire_log(server.id),
        };
        let outcome = session::connect(transport, self.config.init_timeout).await;
        let session = match outcome {
            Ok(session) => session,
            Err(why) => {
                // Give a process that is exiting a moment to be reaped, so its
                // exit status and last lines make the message.
                let mut exit = None;
                for _ in 0..20 {
                    exit = process.try_exit();
                    if exit.is_some() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                let _ = process.stop(STOP_GRACE).await;
                // Its last lines may still be in the pipe: read them first.
                process.drained(Duration::from_millis(500)).await;
                let _ = self
                    .store
                    .forget_process(PROCESS_KIND, server.id, identity.into());
                let message = match (exit, &why) {
                    (Some(exit), _) => format!(
                        "{} exited during start-up ({}).",
                        server.command,
                        describe_exit(exit)
                    ),
                    (None, ConnectError::TimedOut) => format!(
                        "{} did not answer the MCP initialize request within {} s, so it was stopped.",
                        server.command,
                        self.config.init_timeout.as_secs()
                    ),
                    (None, ConnectError::Failed(_)) | (None, ConnectError::AuthRequired(_)) => {
                        format!(
                            "{} did not complete the MCP handshake, so it was stopped.",
                            server.command
                        )
                    }
                };
                let mut detail = Vec::new();
                if let Some(noise) = noise.describe() {
                    detail.push(noise);
                }
                if let ConnectError::Failed(e) = &why {
                    if exit.is_none() {
                        detail.push(e.clone());
                    }
                }
                if let Some(tail) = last_lines(&logs) {
                    detail.push(format!("Last output:\n{tail}"));
                }
                return Err(Error::Failed {
                    message,
                    detail: (!detail.is_empty()).then(|| detail.join("\n")),
                });
            }
        };
        Ok((session, Some(process)))
    }

    /// Watches one run of the server; when it ends on its own the server is
    /// marked failed (and restarted if it asked for that).
    async fn monitor(self: Arc<Self>, id: i64, generation: u64) {
        // A local server's exit is told by the kernel; a remote server's
        // closed connection (or a kernel that cannot tell) is polled for.
        let process = self
            .slots()
            .get(&id)
            .filter(|s| s.generation == generation)
            .and_then(|s| s.process.clone());
        let watch = match process {
            Some(p) => p.lock().await.exit_watch(),
            None => None,
        };
        loop {
            let told = match &watch {
                Some(w) => w.exited().await,
                None => false,
            };
            if !told {
                tokio::time::sleep(MONITOR_INTERVAL).await;
            }
            let (session, process) = {
                let slots = self.slots();
                match slots.get(&id) {
                    Some(slot) if slot.generation == generation => {
                        (slot.session.clone(), slot.process.clone())
                    }
                    _ => return,
                }
            };
            let exit = match &process {
                // Told it exited: a stop in progress finishes first.
                Some(process) if told => {
                    let mut p = process.lock().await;
                    let current = self
                        .slots()
                        .get(&id)
                        .is_some_and(|s| s.generation == generation && s.process.is_some());
                    if !current {
                        return;
                    }
                    p.try_exit()
                }
                Some(process) => match process.try_lock() {
                    Ok(mut p) => p.try_exit(),
                    // Someone is stopping it.
                    Err(_) => continue,
                },
                None => None,
            };
            let closed = session.as_ref().is_none_or(|s| s.is_closed());
            if exit.is_none() && !closed {
                if told {
                    // Exited but not yet reaped by its parent: look again soon.
                    tokio::time::sleep(MONITOR_INTERVAL).await;
                }
                continue;
            }
            let reason = match exit {
                Some(exit) => format!("The server exited on its own ({}).", describe_exit(exit)),
                None => "The connection to the server closed.".to_string(),
            };
            self.crashed(id, generation, reason, session, process).await;
            return;
        }
    }

    /// Boxed for the same reason as `start_as`: a restart that fails
    /// reports a crash again.
    fn crashed(
        self: &Arc<Self>,
        id: i64,
        generation: u64,
        reason: String,
        session: Option<Arc<McpSession>>,
        process: Option<Arc<tokio::sync::Mutex<Supervised>>>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            if let Some(session) = &session {
                session.close();
            }
            if let Some(process) = &process {
                let mut p = process.lock().await;
                let identity = p.identity();
                // The leader is gone; anything it left in its group goes too.
                let _ = p.stop(STOP_GRACE).await;
                p.drained(Duration::from_millis(500)).await;
                let _ = self.store.forget_process(PROCESS_KIND, id, identity.into());
            }
            let auto_restart = self.row(id).map(|s| s.auto_restart).unwrap_or(false);
            let retry = {
                let mut slots = self.slots();
                let Some(slot) = slots.get_mut(&id) else {
                    return;
                };
                if slot.generation != generation {
                    return;
                }
                let policy = restart_policy(self.config.backoff_base);
                let delay =
                    policy.after_exit(slot.started.map(|t| t.elapsed()), &mut slot.quick_crashes);
                let tail = last_lines(&slot.logs);
                let mut error = reason;
                let retry = match delay {
                    _ if !auto_restart => None,
                    None => {
                        error.push_str(&format!(
                            " Auto-restart gave up after {} crashes within {} s of starting.",
                            policy.max_quick_crashes,
                            policy.min_uptime.as_secs()
                        ));
                        None
                    }
                    Some(backoff) => {
                        error.push_str(&format!(" Restarting in {:.1} s.", backoff.as_secs_f64()));
                        Some(backoff)
                    }
                };
                if let Some(tail) = tail {
                    error.push_str(&format!("\nLast output:\n{tail}"));
                }
                slot.state = McpState::Failed;
                slot.error = Some(error);
                slot.pid = None;
                slot.session = None;
                slot.process = None;
                retry
            };
            self.emit(id);
            if let Some(backoff) = retry {
                let hub = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(backoff).await;
                    let current = hub.slots().get(&id).map(|s| (s.generation, s.state));
                    if current != Some((generation, McpState::Failed)) {
                        return; // started, stopped or deleted meanwhile
                    }
                    if let Some(slot) = hub.slots().get_mut(&id) {
                        slot.restarts += 1;
                    }
                    if let Err(e) = hub.start_as(id, StartCause::AutoRestart).await {
                        log::info!(
                            "mcp server {id}: automatic restart failed: {}",
                            e.with_detail_text()
                        );
                        // A failed start is a quick crash too: try again, later.
                        let generation = hub.slots().get(&id).map(|s| s.generation);
                        if let Some(generation) = generation {
                            hub.clone()
                                .crashed(id, generation, e.to_string(), None, None)
                                .await;
                        }
                    }
                });
            }
        })
    }

    /// Stops the server (closes the session, then SIGTERM, grace, SIGKILL to
    /// its process group). Not running: returns it as it is.
    pub async fn stop(self: &Arc<Self>, id: i64) -> Result<McpServer> {
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        self.row(id)?;
        let (session, process) = {
            let mut slots = self.slots();
            let slot = slots.entry(id).or_default();
            slot.generation += 1;
            if slot.session.is_none() && slot.process.is_none() {
                // A failed server stays failed until started; a stop clears it.
                slot.state = McpState::Stopped;
                slot.error = None;
                drop(slots);
                self.emit(id);
                return self.get(id);
            }
            slot.state = McpState::Stopping;
            (slot.session.take(), slot.process.take())
        };
        self.emit(id);
        self.elicitations.forget_server(id);
        if let Some(session) = session {
            session.close();
        }
        if let Some(process) = process {
            let mut p = process.lock().await;
            let identity = p.identity();
            p.stop(STOP_GRACE).await?;
            let _ = self.store.forget_process(PROCESS_KIND, id, identity.into());
        }
        {
            let mut slots = self.slots();
            let slot = slots.entry(id).or_default();
            slot.state = McpState::Stopped;
            slot.error = None;
            slot.pid = None;
            slot.started = None;
            slot.started_at = None;
            slot.logs.push(Stream::Stdout, "── stopped ──".into());
        }
        self.emit(id);
        self.get(id)
    }

    pub async fn restart(self: &Arc<Self>, id: i64) -> Result<McpServer> {
        self.stop(id).await?;
        self.start(id).await
    }

    /// Stops every running server (app quit, "stop everything").
    pub async fn stop_all(self: &Arc<Self>) {
        let ids: Vec<i64> = self
            .slots()
            .iter()
            .filter(|(_, s)| s.session.is_some() || s.process.is_some())
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Err(e) = self.stop(id).await {
                log::warn!("mcp server {id}: {}", e.with_detail_text());
            }
        }
    }

    /// At app start: processes an earlier run left behind lost their pipes
    /// and cannot be talked to again, so each is stopped (only if it is still
    /// that process: pid + start time) and its server started afresh, so the
    /// servers that were running come back. Returns the ids started again.
    pub async fn reconcile(self: &Arc<Self>) -> Result<Vec<i64>> {
        let records = self.store.recorded_processes(PROCESS_KIND)?;
        let mut again = Vec::new();
        for record in records {
            if procs::stop_adopted(procs::ProcessIdentity::from(record.process), STOP_GRACE).await {
                log::info!(
                    "stopped mcp server {} left running by an earlier run (pid {})",
                    record.owner_id,
                    procs::ProcessIdentity::from(record.process).pid
                );
            }
            let _ = self
                .store
                .forget_process(PROCESS_KIND, record.owner_id, record.process);
            if self.row(record.owner_id).is_ok() {
                again.push(record.owner_id);
            }
        }
        for id in &again {
            if let Err(e) = self.start(*id).await {
                log::warn!(
                    "mcp server {id} did not come back: {}",
                    e.with_detail_text()
                );
            }
        }
        Ok(again)
    }

    /// The live session of a running server, or a conflict saying to start it.
    /// (The slot first: a running server's call does not read its row.)
    fn session(&self, id: i64) -> Result<Arc<McpSession>> {
        let live = self.slots().get(&id).and_then(|s| s.session.clone());
        match live {
            Some(session) => Ok(session),
            None => Err(Error::Conflict(format!(
                "{} is not running; start it first.",
                self.row(id)?.name
            ))),
        }
    }

    async fn timed<T>(
        &self,
        what: &str,
        f: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        tokio::time::timeout(self.config.call_timeout, f)
            .await
            .map_err(|_| Error::Failed {
                message: format!(
                    "The server did not answer {what} within {} s.",
                    self.config.call_timeout.as_secs()
                ),
                detail: None,
            })?
    }

    /// Waits for a tool call for at most the call timeout of the server's
    /// own time: while the server waits for the user to answer its question
    /// (elicitation, up to its own timeout), the clock does not run out.
    async fn call_timed<T>(
        &self,
        id: i64,
        call: impl std::future::Future<Output = T>,
    ) -> std::result::Result<T, tokio::time::error::Elapsed> {
        tokio::pin!(call);
        loop {
            match tokio::time::timeout(self.config.call_timeout, &mut call).await {
                Err(_) if self.elicitations.waiting_on(id) => continue,
                done => return done,
            }
        }
    }

    /// Runs request `f` on the server's session; if the server refused it
    /// for want of a sign-in (or a scope), signs in again and runs it once
    /// more on the new session.
    async fn signed<T, F, Fut>(&self, id: i64, what: &str, f: F) -> Result<T>
    where
        F: Fn(Arc<McpSession>) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let session = self.session(id)?;
        match self.timed(what, f(session.clone())).await {
            Err(e) => {
                let Some(challenge) = session.take_challenge() else {
                    return Err(e);
                };
                let Some(again) = self.signed_in_again(id, &challenge).await else {
                    return Err(e);
                };
                self.timed(what, f(again)).await
            }
            ok => ok,
        }
    }

    pub async fn tools(&self, id: i64) -> Result<Vec<McpTool>> {
        let tools = self
            .signed(
                id,
                "the tool list request",
                |s| async move { s.tools().await },
            )
            .await?;
        Ok(tools.iter().map(session::tool_to_api).collect())
    }

    pub async fn resources(&self, id: i64) -> Result<Vec<McpResource>> {
        if !self.session(id)?.capabilities.resources {
            return Ok(Vec::new());
        }
        self.signed(id, "the resource list request", |s| async move {
            s.resources().await
        })
        .await
    }

    /// Sends a request the user typed (the raw protocol view) and answers
    /// the server's result, pretty-printed. Refused: a method that starts or
    /// ends the session, a call of a tool turned off, params not an object.
    pub async fn send_request(&self, id: i64, method: &str, params: &str) -> Result<String> {
        let method = method.trim().to_string();
        if method.is_empty() || method.len() > 200 || method.chars().any(char::is_whitespace) {
            return Err(Error::InvalidInput(
                "Give the method, e.g. tools/list.".into(),
            ));
        }
        if method == "initialize" || method.starts_with("notifications/") {
            return Err(Error::InvalidInput(format!(
                "{method} belongs to the connection itself; restart the server instead."
            )));
        }
        let params: Option<serde_json::Value> = match params.trim() {
            "" => None,
            text => match serde_json::from_str(text) {
                Ok(v @ serde_json::Value::Object(_)) => Some(v),
                Ok(_) => {
                    return Err(Error::InvalidInput(
                        "The params must be a JSON object.".into(),
                    ))
                }
                Err(e) => {
                    return Err(Error::InvalidInput(format!(
                        "The params are not valid JSON (line {}, column {}).",
                        e.line(),
                        e.column()
                    )))
                }
            },
        };
        if method == "tools/call" {
            let tool = params
                .as_ref()
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
                .unwrap_or_default();
            let row = self.row(id)?;
            if row.disabled_tools.iter().any(|t| t == tool) {
                return Err(Error::Forbidden(format!(
                    "{tool} of {} is turned off (MCP Hub → Tools).",
                    row.name
                )));
            }
        }
        let result = self
            .signed(id, "the request", |s| {
                let (method, params) = (method.clone(), params.clone());
                async move { s.send_raw(&method, params).await }
            })
            .await?;
        Ok(serde_json::to_string_pretty(&result).unwrap_or_default())
    }

    /// The MCP profiles, by name.
    pub fn profiles(&self) -> Result<Vec<ai_desktop_api::mcp::McpProfile>> {
        Ok(self.store.setting("mcp.profiles")?.unwrap_or_default())
    }

    /// The profile named `name`, if there is one.
    pub fn profile(&self, name: &str) -> Result<Option<ai_desktop_api::mcp::McpProfile>> {
        Ok(self.profiles()?.into_iter().find(|p| p.name == name))
    }

    /// Keeps (or with `remove` forgets) a profile, by name. Its servers
    /// must exist; each is listed once.
    pub fn save_profile(
        &self,
        mut profile: ai_desktop_api::mcp::McpProfile,
        remove: bool,
    ) -> Result<Vec<ai_desktop_api::mcp::McpProfile>> {
        profile.name = profile.name.trim().to_string();
        if profile.name.is_empty()
            || profile.name.chars().count() > 60
            || profile.name.chars().any(char::is_control)
        {
            return Err(Error::InvalidInput(
                "Name the profile (at most 60 characters).".into(),
            ));
        }
        let mut all = self.profiles()?;
        all.retain(|p| p.name != profile.name);
        if !remove {
            if profile.servers.is_empty() {
                return Err(Error::InvalidInput(
                    "A profile needs at least one server.".into(),
                ));
            }
            let mut seen = std::collections::BTreeSet::new();
            for s in &profile.servers {
                self.row(s.server_id)?;
                if !seen.insert(s.server_id) {
                    return Err(Error::InvalidInput(
                        "A server is in the profile twice.".into(),
                    ));
                }
            }
            if all.len() >= 30 {
                return Err(Error::InvalidInput("At most 30 profiles.".into()));
            }
            all.push(profile);
            all.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.store.set_setting("mcp.profiles", Some(&all))?;
        Ok(all)
    }

    /// The requests the user keeps for server `id`.
    pub fn saved_requests(&self, id: i64) -> Result<Vec<ai_desktop_api::mcp::McpSavedRequest>> {
        self.row(id)?;
        Ok(self
            .store
            .setting(&format!("mcp.saved_requests.{id}"))?
            .unwrap_or_default())
    }

    /// Keeps (or with `remove` forgets) a request for server `id`, by name.
    pub fn save_request(
        &self,
        id: i64,
        request: ai_desktop_api::mcp::McpSavedRequest,
        remove: bool,
    ) -> Result<Vec<ai_desktop_api::mcp::McpSavedRequest>> {
        let mut saved = self.saved_requests(id)?;
        let name = request.name.trim().to_string();
        if name.is_empty() || name.len() > 100 {
            return Err(Error::InvalidInput(
                "Name the request (at most 100 characters).".into(),
            ));
        }
        saved.retain(|r| r.name != name);
        if !remove {
            if request.method.trim().is_empty() || request.params.len() > 64 * 1024 {
                return Err(Error::InvalidInput(
                    "A kept request needs its method; its params are at most 64 kB.".into(),
                ));
            }
            if saved.len() >= 50 {
                return Err(Error::InvalidInput(
                    "At most 50 requests are kept per server.".into(),
                ));
            }
            saved.push(ai_desktop_api::mcp::McpSavedRequest { name, ..request });
            saved.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.store
            .set_setting(&format!("mcp.saved_requests.{id}"), Some(&saved))?;
        Ok(saved)
    }

    /// Watches resource `uri` of server `id` (or stops): its changes come as
    /// `mcp:resource:updated` events.
    pub async fn subscribe(&self, id: i64, uri: &str, on: bool) -> Result<()> {
        if uri.is_empty() || uri.len() > 4096 {
            return Err(Error::InvalidInput("That is not a resource URI.".into()));
        }
        let uri = uri.to_string();
        self.signed(id, "the subscription request", |s| {
            let uri = uri.clone();
            async move { s.subscribe(&uri, on).await }
        })
        .await
    }

    pub async fn resource_templates(
        &self,
        id: i64,
    ) -> Result<Vec<ai_desktop_api::mcp::McpResourceTemplate>> {
        if !self.session(id)?.capabilities.resources {
            return Ok(Vec::new());
        }
        self.signed(id, "the resource template list request", |s| async move {
            s.resource_templates().await
        })
        .await
    }

    /// Reads the resource `uri_template` names with its variables filled in.
    pub async fn read_template(
        &self,
        id: i64,
        uri_template: &str,
        values: &std::collections::BTreeMap<String, String>,
    ) -> Result<ResourceContents> {
        let uri = template::expand(uri_template, values)?;
        self.read_resource(id, &uri).await
    }

    pub async fn read_resource(&self, id: i64, uri: &str) -> Result<ResourceContents> {
        let contents = self
            .signed(id, "the resource read", |s| async move {
                s.read_resource(uri).await
            })
            .await?;
        let (contents, _) = limits::limit(contents, None);
        Ok(ResourceContents {
            uri: uri.to_string(),
            contents,
        })
    }

    pub async fn prompts(&self, id: i64) -> Result<Vec<McpPrompt>> {
        if !self.session(id)?.capabilities.prompts {
            return Ok(Vec::new());
        }
        self.signed(id, "the prompt list request", |s| async move {
            s.prompts().await
        })
        .await
    }

    /// Prompt `name` filled in with `arguments`. A required argument left
    /// out is refused here, before anything is sent.
    pub async fn get_prompt(
        &self,
        id: i64,
        name: &str,
        arguments: std::collections::BTreeMap<String, String>,
    ) -> Result<ai_desktop_api::mcp::McpPromptResult> {
        let prompts = self.prompts(id).await?;
        let Some(prompt) = prompts.iter().find(|p| p.name == name) else {
            return Err(Error::NotFound(format!(
                "{} has no prompt named \"{name}\".",
                self.row(id)?.name
            )));
        };
        let missing: Vec<&str> = prompt
            .arguments
            .iter()
            .filter(|a| a.required && arguments.get(&a.name).is_none_or(|v| v.trim().is_empty()))
            .map(|a| a.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::InvalidInput(format!(
                "{name} needs {}; nothing was sent.",
                missing.join(", ")
            )));
        }
        let arguments: serde_json::Map<String, serde_json::Value> = arguments
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        let name = name.to_string();
        let mut result = self
            .signed(id, "the prompt request", |s| {
                let (name, arguments) = (name.clone(), arguments.clone());
                async move { s.get_prompt(&name, arguments).await }
            })
            .await?;
        // What is shown is bounded like a tool's result.
        let contents: Vec<_> = result.messages.iter().map(|m| m.content.clone()).collect();
        let (contents, _) = limits::limit(contents, None);
        for (m, c) in result.messages.iter_mut().zip(contents) {
            m.content = c;
        }
        Ok(result)
    }

    /// Calls `tool` with `arguments` after checking them against its schema.
    /// The call is recorded in the history whether the tool succeeded,
    /// reported an error (`is_error`), or the call itself failed (`error`).
    /// Arguments refused before sending are not recorded: nothing was called.
    pub async fn call_tool(
        &self,
        id: i64,
        tool: &str,
        arguments: serde_json::Value,
    ) -> Result<McpCall> {
        let mut tools = self
            .signed(
                id,
                "the tool list request",
                |s| async move { s.tools().await },
            )
            .await?;
        // The session the list came from (a sign-in may have replaced it).
        let session = self.session(id)?;
        if !tools.iter().any(|t| t.name == tool) {
            // The list may be stale if the server did not announce a change.
            session.forget_tools().await;
            tools = self.timed("the tool list request", session.tools()).await?;
        }
        let row = self.row(id)?;
        if row.disabled_tools.iter().any(|t| t == tool) {
            return Err(Error::Forbidden(format!(
                "{tool} of {} is turned off (MCP Hub → Tools); turn it on to call it.",
                row.name
            )));
        }
        let Some(definition) = tools.iter().find(|t| t.name == tool) else {
            let server_name = row.name;
            return Err(Error::NotFound(format!(
                "{server_name} has no tool named \"{tool}\"."
            )));
        };
        schema::check(tool, &*session.validator(definition)?, &arguments)?;
        let serde_json::Value::Object(args) = arguments.clone() else {
            // `check` accepts objects only; kept as an error, not a panic.
            return Err(Error::InvalidInput(
                "The arguments must be a JSON object.".into(),
            ));
        };
        let started = Instant::now();
        let mut outcome = self
            .call_timed(id, session.call_tool(tool, args.clone()))
            .await;
        // A server that wants (more of) a sign-in for this call: the user
        // signs in with the scopes its challenge names, the session starts
        // again with the new tokens, and the call is made once more.
        let challenge = match &outcome {
            Ok(Err(e)) => e.auth_challenge().map(str::to_string),
            _ => None,
        };
        if let Some(challenge) = challenge {
            if let Some(session) = self.signed_in_again(id, &challenge).await {
                outcome = self.call_timed(id, session.call_tool(tool, args)).await;
            }
        }
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        let (content, structured, is_error, error) = match outcome {
            Ok(Ok(result)) => {
                let wire = serde_json::to_value(&result.content).unwrap_or_default();
                let content = wire
                    .as_array()
                    .map(|items| items.iter().map(session::content_from_wire).collect())
                    .unwrap_or_default();
                // What is kept (stored, shown, sent to a model) is bounded.
                let (content, structured) =
                    limits::limit(content, result.structured_content.clone());
                (content, structured, result.is_error.unwrap_or(false), None)
            }
            Ok(Err(e)) => (Vec::new(), None, false, Some(call_error(&e))),
            Err(_) => (
                Vec::new(),
                None,
                false,
                Some(format!(
                    "No answer within {} s.",
                    self.config.call_timeout.as_secs()
                )),
            ),
        };
        // Answered now; the row is written right after (see `history`).
        Ok(self.history.record(history::NewCall {
            server_id: id,
            tool,
            arguments,
            content,
            structured_content: structured,
            is_error,
            error,
            duration_ms,
        }))
    }

    /// The server's calls, newest first. Past [`limits::MAX_HISTORY`] of
    /// content, older calls come without it (a note says so).
    pub fn history(&self, id: i64) -> Result<Vec<McpCall>> {
        self.row(id)?;
        self.history.flush();
        let mut calls = self.store.with(|c| store::mcp::history(c, id))?;
        let mut budget = limits::MAX_HISTORY;
        for call in &mut calls {
            let size = serde_json::to_string(&call.content).map_or(0, |s| s.len())
                + call
                    .structured_content
                    .as_ref()
                    .map_or(0, |s| s.to_string().len());
            if size <= budget {
                budget -= size;
            } else {
                budget = 0;
                call.content = vec![ai_desktop_api::mcp::McpContent::Text {
                    text: format!(
                        "[Result not loaded ({}): the history shows the newest {} of results.]",
                        limits::size(size),
                        limits::size(limits::MAX_HISTORY)
                    ),
                }];
                call.structured_content = None;
            }
        }
        Ok(calls)
    }

    pub fn clear_history(&self, id: i64) -> Result<()> {
        self.row(id)?;
        self.history.flush();
        self.store.with(|c| store::mcp::clear_history(c, id))
    }
}

/// The server with its env and header values replaced by `MASKED`.
fn masked(mut server: McpServer) -> McpServer {
    server.env = secrets::masked(&server.env);
    server.headers = secrets::masked(&server.headers);
    if server.oauth_client_secret.is_some() {
        server.oauth_client_secret = Some(secrets::MASKED.to_string());
    }
    server
}

/// `input` with each value the page sent as `MASKED` (kept, not retyped)
/// replaced by the stored one of that name; without a stored one (a new
/// server, a renamed key) the value has to be entered.
fn keep_stored(mut input: McpServerInput, stored: Option<&McpServer>) -> Result<McpServerInput> {
    for (values, kept, what) in [
        (
            &mut input.env,
            stored.map(|s| &s.env),
            "environment variable",
        ),
        (&mut input.headers, stored.map(|s| &s.headers), "header"),
    ] {
        for (key, value) in values.iter_mut() {
            if value != secrets::MASKED {
                continue;
            }
            *value = kept.and_then(|k| k.get(key)).cloned().ok_or_else(|| {
                Error::InvalidInput(format!("Enter the value of the {what} {key}."))
            })?;
        }
    }
    if input.oauth_client_secret.as_deref() == Some(secrets::MASKED) {
        input.oauth_client_secret = stored
            .and_then(|s| s.oauth_client_secret.clone())
            .ok_or_else(|| Error::InvalidInput("Enter the OAuth client secret.".into()))
            .map(Some)?;
    }
    Ok(input)
}

fn name_conflict(name: &str) -> Error {
    Error::Conflict(format!("Another MCP server is already named \"{name}\"."))
}

/// A protocol error as the person reading the history should see it.
fn call_error(e: &rmcp::ServiceError) -> String {
    match e {
        rmcp::ServiceError::McpError(data) => {
            format!("The server refused the call: {}", data.message)
        }
        rmcp::ServiceError::TransportClosed => "The connection closed during the call.".into(),
        other => other.to_string(),
    }
}

/// Finds `command` as given (absolute) or on `path`.
fn resolve_program(command: &str, path: &str) -> Result<PathBuf> {
    if command.contains('/') {
        let p = PathBuf::from(command);
        return if procs::is_executable(&p) {
            Ok(p)
        } else if p.exists() {
            Err(Error::InvalidInput(format!(
                "{command} is not an executable file."
            )))
        } else {
            Err(Error::NotFound(format!("{command} does not exist.")))
        };
    }
    procs::find_program(command, path).ok_or_else(|| {
        Error::NotFound(format!(
            "The command \"{command}\" was not found on PATH. Install it, or give its \
             absolute path."
        ))
    })
}

fn describe_exit(exit: procs::Exit) -> String {
    match exit {
        procs::Exit::Code(code) => format!("exit code {code}"),
        procs::Exit::Signal(sig) => format!("signal {sig}"),
        procs::Exit::Unknown => "exit status unknown".into(),
    }
}

/// The last few lines the server wrote (stderr and stray stdout).
fn last_lines(logs: &LogBuffer) -> Option<String> {
    let lines = logs.since(0);
    // This run's lines only (after our "── starting … ──" marker); our own
    // markers are not the server's words.
    let tail: Vec<String> = lines
        .iter()
        .rev()
        .take_while(|l| !l.text.starts_with("── starting") && !l.text.starts_with("── connecting"))
        .filter(|l| !l.text.starts_with("── "))
        .take(FAILURE_LINES)
        .map(|l| l.text.clone())
        .collect();
    if tail.is_empty() {
        return None;
    }
    Some(tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
}
