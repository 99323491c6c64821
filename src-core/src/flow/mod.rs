//! Flow Builder: agent sessions that think with an LLM and act through MCP
//! tools, with the user's approval.
//!
//! The conversation in SQLite *is* the agent's state: a run reads the
//! session's messages and does the next thing they call for (ask the model,
//! run an approved call, wait for a decision), writing each step before the
//! next. So a decision made after a restart carries on where it stopped, and
//! whatever happens, what was said stays.

pub mod provider;
pub mod settings;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::mcp::McpHub;
use crate::store::{self, Store};
use crate::util::lock;
use ai_desktop_api::flow::{
    ConnectionReport, FlowMessage, FlowRole, FlowSession, FlowSessionPatch, FlowSettings,
    FlowSettingsInput, FlowToolCall, FlowToolResult, MessageStatus, RunState, ToolCallStatus,
    ToolDecision, ToolGrant,
};
use ai_desktop_api::mcp::{McpContent, McpState};
use provider::{ChatMessage, FunctionCall, ProviderError, ToolCall, ToolSpec};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// The longest message a user may send.
const MAX_MESSAGE_CHARS: usize = 100_000;
const DEFAULT_TITLE: &str = "New session";

/// A piece of streamed text.
#[derive(Debug, Clone)]
pub struct Token {
    pub session_id: i64,
    pub message_id: i64,
    pub text: String,
}

struct Run {
    state: RunState,
    cancel: watch::Sender<bool>,
    /// A decision arrived while the run was finishing: look again before ending.
    again: bool,
}

/// Why a run is started.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// A new or edited user message, or Retry: asking the model is the point.
    Ask,
    /// A decision: carry on with the calls; never re-ask after an error.
    Continue,
}

pub struct FlowAgent {
    store: Arc<Store>,
    mcp: Arc<McpHub>,
    events: Arc<dyn EventSink>,
    key_file: PathBuf,
    runs: Mutex<HashMap<i64, Run>>,
    tokens: broadcast::Sender<Token>,
}

/// A tool offered to the model, and where it comes from.
#[derive(Clone)]
struct Offered {
    server_id: i64,
    server_name: String,
    tool: String,
    description: String,
    schema: serde_json::Value,
    fingerprint: String,
}

/// Hash of what the user approves: the description and the input schema.
pub fn fingerprint(description: &str, schema: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    h.update(description.as_bytes());
    h.update([0]);
    h.update(serde_json::to_string(schema).unwrap_or_default().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `[A-Za-z0-9_-]`, as the function-calling APIs require.
fn slug(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    out.trim_matches('_').to_string()
}

/// Longest function name providers take.
const MAX_FUNCTION_NAME: usize = 64;

/// Names the model sees: `<server>__<tool>`, at most 64 characters, and
/// distinct after the cut — two servers with a tool of the same name, two
/// long names that differ only past character 64, or two tools that slug to
/// the same text each get their own, so none is unreachable.
fn function_names(offered: &[Offered]) -> Vec<String> {
    let fit = |mut s: String, room: usize| {
        // Slugs are ASCII: any byte is a character boundary.
        s.truncate(room);
        s
    };
    let mut names: Vec<String> = Vec::with_capacity(offered.len());
    for o in offered {
        let server = {
            let s = slug(&o.server_name);
            if s.is_empty() {
                format!("s{}", o.server_id)
            } else {
                s
            }
        };
        let tool = slug(&o.tool);
        let full = format!("{server}__{tool}");
        let by_id = format!("s{}__{tool}", o.server_id);
        let mut name = if full.len() > MAX_FUNCTION_NAME {
            fit(by_id.clone(), MAX_FUNCTION_NAME)
        } else {
            full
        };
        if names.contains(&name) {
            name = fit(by_id.clone(), MAX_FUNCTION_NAME);
        }
        let mut n = 2;
        while names.contains(&name) {
            let suffix = format!("_{n}");
            name = fit(by_id.clone(), MAX_FUNCTION_NAME - suffix.len()) + &suffix;
            n += 1;
        }
        names.push(name);
    }
    names
}

/// What goes back to the model for a tool result.
fn result_text(result: &FlowToolResult) -> String {
    if let Some(error) = &result.error {
        return format!("Error: {error}");
    }
    let mut parts: Vec<String> = result
        .content
        .iter()
        .map(|c| match c {
            McpContent::Text { text } => text.clone(),
            McpContent::Image { mime_type, .. } => format!("[image {mime_type}]"),
            McpContent::Audio { mime_type, .. } => format!("[audio {mime_type}]"),
            McpContent::Resource { uri, text, .. } => match text {
                Some(t) => format!("[resource {uri}]\n{t}"),
                None => format!("[resource {uri}]"),
            },
            McpContent::ResourceLink { uri, name, .. } => format!("[link {name}: {uri}]"),
            McpContent::Other { json } => json.to_string(),
        })
        .collect();
    if parts.is_empty() {
        if let Some(s) = &result.structured_content {
            parts.push(s.to_string());
        }
    }
    let text = parts.join("\n");
    if result.is_error {
        format!("Error: {text}")
    } else {
        text
    }
}

fn message(session_id: i64, role: FlowRole, content: String) -> FlowMessage {
    FlowMessage {
        id: 0,
        session_id,
        role,
        content,
        status: MessageStatus::Done,
        tool_calls: Vec::new(),
        tool_call_id: None,
        tool_result: None,
        error: None,
        model: None,
        created_at: String::new(),
    }
}

fn tool_message(session_id: i64, result: FlowToolResult) -> FlowMessage {
    let mut m = message(session_id, FlowRole::Tool, result_text(&result));
    m.tool_call_id = Some(result.tool_call_id.clone());
    m.tool_result = Some(result);
    m
}

fn refused(call: &FlowToolCall, error: String) -> FlowToolResult {
    FlowToolResult {
        tool_call_id: call.id.clone(),
        content: Vec::new(),
        structured_content: None,
        is_error: false,
        error: Some(error),
        duration_ms: None,
    }
}

/// The conversation as the API takes it: failed or stopped answers are left
/// out (the user still sees them), tool results follow their calls.
fn history(system_prompt: &str, messages: &[FlowMessage]) -> Vec<ChatMessage> {
    let mut out = Vec::with_capacity(messages.len() + 1);
    if !system_prompt.trim().is_empty() {
        out.push(ChatMessage::text("system", system_prompt));
    }
    for m in messages {
        match m.role {
            FlowRole::User => out.push(ChatMessage::text("user", &m.content)),
            FlowRole::Assistant if m.status == MessageStatus::Done => out.push(ChatMessage {
                role: "assistant".into(),
                content: (!m.content.is_empty() || m.tool_calls.is_empty())
                    .then(|| m.content.clone()),
                tool_calls: m
                    .tool_calls
                    .iter()
                    .map(|c| ToolCall {
                        id: c.id.clone(),
                        kind: "function".into(),
                        function: FunctionCall {
                            name: c.name.clone(),
                            arguments: c.arguments.clone(),
                        },
                    })
                    .collect(),
                tool_call_id: None,
            }),
            FlowRole::Assistant => {}
            FlowRole::Tool => out.push(ChatMessage {
                role: "tool".into(),
                content: Some(m.content.clone()),
                tool_calls: Vec::new(),
                tool_call_id: m.tool_call_id.clone(),
            }),
        }
    }
    out
}

/// Resolves when `rx` says cancelled (or its sender is gone).
async fn cancelled(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|c| *c).await;
}

impl FlowAgent {
    /// `data_dir` holds the API key file (`flow/api-key`, mode 0600).
    pub fn new(
        store: Arc<Store>,
        mcp: Arc<McpHub>,
        events: Arc<dyn EventSink>,
        data_dir: PathBuf,
    ) -> Arc<Self> {
        let (tokens, _) = broadcast::channel(4096);
        let agent = Arc::new(FlowAgent {
            store,
            mcp,
            events,
            key_file: data_dir.join("flow").join("api-key"),
            runs: Mutex::new(HashMap::new()),
            tokens,
        });
        // An app that stopped mid-answer left messages streaming: settle them.
        match agent.store.with(|c| store::flow::settle_interrupted(c)) {
            Ok(0) => {}
            Ok(n) => log::info!("settled {n} agent message(s) an earlier run left unfinished"),
            Err(e) => log::warn!("could not settle unfinished agent messages: {e}"),
        }
        agent
    }

    /// Streamed text of every session; the desktop side filters and batches it.
    pub fn subscribe_tokens(&self) -> broadcast::Receiver<Token> {
        self.tokens.subscribe()
    }

    // ---- settings ------------------------------------------------------

    pub fn settings(&self) -> Result<FlowSettings> {
        let stored = settings::load(&self.store)?;
        let key = settings::read_key(&self.key_file)?;
        Ok(settings::view(&stored, key.as_deref()))
    }

    pub fn save_settings(&self, input: FlowSettingsInput) -> Result<FlowSettings> {
        let saved = settings::read_key(&self.key_file)?;
        let saved_url = settings::load(&self.store)?.base_url;
        let (stored, key) = settings::validate(&input, saved, &saved_url)?;
        settings::save(
            &self.store,
            &self.key_file,
            &stored,
            &input.api_key,
            key.as_deref(),
        )?;
        Ok(settings::view(&stored, key.as_deref()))
    }

    /// Tries the form's values (not saved): lists models, or, where the
    /// provider has no list, asks for one token.
    pub async fn test_connection(&self, input: FlowSettingsInput) -> Result<ConnectionReport> {
        let saved = settings::read_key(&self.key_file)?;
        let saved_url = settings::load(&self.store)?.base_url;
        let (stored, key) = settings::validate(&input, saved, &saved_url)?;
        let config = settings::provider_config(&stored, key, stored.model.clone());
        let started = Instant::now();
        let outcome = match provider::list_models(&config).await {
            Ok(Some(models)) => {
                let message = if stored.model.is_empty() {
                    format!(
                        "Connected. The provider offers {} model(s); choose one.",
                        models.len()
                    )
                } else if models.contains(&stored.model) {
                    format!(
                        "Connected. \"{}\" is one of the {} model(s) it offers.",
                        stored.model,
                        models.len()
                    )
                } else {
                    format!(
                        "Connected, but the provider does not list \"{}\" among its {} model(s).",
                        stored.model,
                        models.len()
                    )
                };
                Ok((message, models))
            }
            Ok(None) if stored.model.is_empty() => Ok((
                "Connected (the provider does not list its models). Enter a model name.".into(),
                Vec::new(),
            )),
            Ok(None) => {
                let mut probe = config.clone();
                probe.max_tokens = Some(1);
                provider::stream_chat(&probe, &[ChatMessage::text("user", "ping")], &[], |_| {})
                    .await
                    .map(|_| {
                        (
                            format!("Connected. \"{}\" answers.", stored.model),
                            Vec::new(),
                        )
                    })
            }
            Err(e) => Err(e),
        };
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(match outcome {
            Ok((message, models)) => ConnectionReport {
                ok: true,
                message,
                models,
                duration_ms,
            },
            Err(e) => ConnectionReport {
                ok: false,
                message: e.to_string(),
                models: Vec::new(),
                duration_ms,
            },
        })
    }

    /// Models the saved provider lists; empty when it cannot say.
    pub async fn models(&self) -> Result<Vec<String>> {
        let stored = settings::load(&self.store)?;
        let key = settings::read_key(&self.key_file)?;
        let config = settings::provider_config(&stored, key, stored.model.clone());
        Ok(provider::list_models(&config)
            .await
            .ok()
            .flatten()
            .unwrap_or_default())
    }

    // ---- sessions ------------------------------------------------------

    fn with_state(&self, mut s: FlowSession) -> FlowSession {
        if let Some(run) = lock(&self.runs).get(&s.id) {
            s.run_state = run.state;
        }
        s
    }

    pub fn session(&self, id: i64) -> Result<FlowSession> {
        let s = self.store.with(|c| store::flow::get_session(c, id))?;
        Ok(self.with_state(s))
    }

    fn emit_session(&self, id: i64) {
        if let Ok(s) = self.session(id) {
            self.events
                .emit(DomainEvent::FlowSessionUpdated(Box::new(s)));
        }
    }

    fn emit_message(&self, m: &FlowMessage) {
        self.events
            .emit(DomainEvent::AgentMessage(Box::new(m.clone())));
    }

    pub fn sessions(&self, archived: bool, query: Option<&str>) -> Result<Vec<FlowSession>> {
        let list = self
            .store
            .with(|c| store::flow::list_sessions(c, archived, query))?;
        Ok(list.into_iter().map(|s| self.with_state(s)).collect())
    }

    fn check_patch(
        &self,
        patch: &FlowSessionPatch,
        current: Option<&FlowSession>,
    ) -> Result<(String, Option<String>, Vec<i64>)> {
        let title = match &patch.title {
            Some(t) => {
                let t = t.trim();
                if t.is_empty() {
                    return Err(Error::InvalidInput("A session needs a title.".into()));
                }
                if t.chars().count() > 200 || t.chars().any(char::is_control) {
                    return Err(Error::InvalidInput(
                        "A title is one line of at most 200 characters.".into(),
                    ));
                }
                t.to_string()
            }
            None => current
                .map(|s| s.title.clone())
                .unwrap_or_else(|| DEFAULT_TITLE.into()),
        };
        let model = match &patch.model {
            Some(m) if m.trim().is_empty() => None,
            Some(m) => {
                let m = m.trim();
                if m.len() > 200 || m.chars().any(char::is_control) {
                    return Err(Error::InvalidInput("That model name is not valid.".into()));
                }
                Some(m.to_string())
            }
            None => current.and_then(|s| s.model.clone()),
        };
        let ids = match &patch.mcp_server_ids {
            Some(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                for id in &ids {
                    self.mcp.get(*id).map_err(|_| {
                        Error::InvalidInput(format!("There is no MCP server with id {id}."))
                    })?;
                }
                ids
            }
            None => current
                .map(|s| s.mcp_server_ids.clone())
                .unwrap_or_default(),
        };
        Ok((title, model, ids))
    }

    pub fn create_session(&self, patch: FlowSessionPatch) -> Result<FlowSession> {
        let (title, model, ids) = self.check_patch(&patch, None)?;
        let s = self
            .store
            .with(|c| store::flow::insert_session(c, &title, model.as_deref(), &ids))?;
        self.emit_session(s.id);
        Ok(s)
    }

    pub fn update_session(&self, id: i64, patch: FlowSessionPatch) -> Result<FlowSession> {
        let current = self.session(id)?;
        let (title, model, ids) = self.check_patch(&patch, Some(&current))?;
        self.store
            .with(|c| store::flow::update_session(c, id, &title, model.as_deref(), &ids))?;
        self.emit_session(id);
        self.session(id)
    }

    pub fn archive_session(&self, id: i64, archived: bool) -> Result<FlowSession> {
        self.session(id)?;
        self.store
            .with(|c| store::flow::set_archived(c, id, archived))?;
        self.emit_session(id);
        self.session(id)
    }

    pub async fn delete_session(&self, id: i64) -> Result<()> {
        self.session(id)?;
        self.cancel(id).await?;
        self.store.with(|c| store::flow::delete_session(c, id))?;
        self.events.emit(DomainEvent::FlowSessionDeleted(id));
        Ok(())
    }

    pub fn messages(&self, session_id: i64) -> Result<Vec<FlowMessage>> {
        self.session(session_id)?;
        self.store.with(|c| store::flow::messages(c, session_id))
    }

    pub fn grants(&self, session_id: i64) -> Result<Vec<ToolGrant>> {
        self.session(session_id)?;
        self.store.with(|c| store::flow::grants(c, session_id))
    }

    pub fn revoke_grant(&self, session_id: i64, server_id: i64, tool: &str) -> Result<()> {
        self.session(session_id)?;
        self.store
            .with(|c| store::flow::revoke(c, session_id, server_id, tool))
    }

    // ---- the conversation ---------------------------------------------

    fn is_running(&self, session_id: i64) -> bool {
        lock(&self.runs).contains_key(&session_id)
    }

    fn check_text(text: &str) -> Result<String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::InvalidInput("The message is empty.".into()));
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            return Err(Error::InvalidInput(format!(
                "The message is longer than {MAX_MESSAGE_CHARS} characters."
            )));
        }
        Ok(text.to_string())
    }

    /// The provider and model this session would use; refuses before
    /// anything is stored when there is none.
    fn provider_for(
        &self,
        session: &FlowSession,
    ) -> Result<(settings::Stored, provider::ProviderConfig)> {
        let stored = settings::load(&self.store)?;
        let model = session
            .model
            .clone()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| stored.model.clone());
        if model.is_empty() {
            return Err(Error::InvalidInput(
                "Choose a model first: in the Flow settings, or for this session.".into(),
            ));
        }
        let key = settings::read_key(&self.key_file)?;
        let config = settings::provider_config(&stored, key, model);
        Ok((stored, config))
    }

    fn busy() -> Error {
        Error::Conflict(
            "The agent is still working on this session. Stop it first, or wait.".into(),
        )
    }

    /// Stores the user's message and starts the agent on it. Calls still
    /// waiting for a decision are answered "not run" first (the model must
    /// hear back about every call it made).
    pub fn send(self: &Arc<Self>, session_id: i64, text: &str) -> Result<FlowMessage> {
        let text = Self::check_text(text)?;
        let session = self.session(session_id)?;
        self.provider_for(&session)?;
        if self.is_running(session_id) {
            return Err(Self::busy());
        }
        let mut changed = self.settle_pending(
            session_id,
            ToolCallStatus::Denied,
            "Not run: the user sent a new message instead of deciding.",
        )?;
        let user = self.store.with(|c| {
            let tx = c.transaction()?;
            let m = store::flow::insert_message(
                &tx,
                &message(session_id, FlowRole::User, text.clone()),
            )?;
            if session.title == DEFAULT_TITLE && session.message_count == 0 {
                let title: String = text.lines().next().unwrap_or("").chars().take(60).collect();
                store::flow::update_session(
                    &tx,
                    session_id,
                    title.trim(),
                    session.model.as_deref(),
                    &session.mcp_server_ids,
                )?;
            }
            tx.commit()?;
            Ok(m)
        })?;
        changed.push(user.clone());
        for m in &changed {
            self.emit_message(m);
        }
        self.start_run(session_id, Mode::Ask);
        Ok(user)
    }

    /// Changes a user message, drops everything after it, and asks again.
    pub fn edit_message(
        self: &Arc<Self>,
        session_id: i64,
        message_id: i64,
        text: &str,
    ) -> Result<Vec<FlowMessage>> {
        let text = Self::check_text(text)?;
        let session = self.session(session_id)?;
        self.provider_for(&session)?;
        let mut m = self
            .store
            .with(|c| store::flow::get_message(c, message_id))?;
        if m.session_id != session_id || m.role != FlowRole::User {
            return Err(Error::InvalidInput(
                "Only your own messages of this session can be edited.".into(),
            ));
        }
        if self.is_running(session_id) {
            return Err(Self::busy());
        }
        m.content = text;
        self.store.with(|c| {
            let tx = c.transaction()?;
            store::flow::delete_messages_after(&tx, session_id, message_id)?;
            store::flow::update_message(&tx, &m)?;
            tx.commit()?;
            Ok(())
        })?;
        // What the edit left, before the agent adds to it.
        let messages = self.messages(session_id)?;
        self.start_run(session_id, Mode::Ask);
        Ok(messages)
    }

    /// Asks the model again after an error or a stop.
    pub fn retry(self: &Arc<Self>, session_id: i64) -> Result<()> {
        let session = self.session(session_id)?;
        self.provider_for(&session)?;
        if self.is_running(session_id) {
            return Err(Self::busy());
        }
        let messages = self.messages(session_id)?;
        match messages.last() {
            Some(m) if m.role == FlowRole::User => {}
            Some(m)
                if m.role == FlowRole::Assistant
                    && matches!(m.status, MessageStatus::Error | MessageStatus::Cancelled) => {}
            _ => {
                return Err(Error::Conflict(
                    "There is nothing to retry: the last answer is complete.".into(),
                ))
            }
        }
        self.start_run(session_id, Mode::Ask);
        Ok(())
    }

    /// The user's decision on a call waiting for one.
    pub fn decide(
        self: &Arc<Self>,
        session_id: i64,
        message_id: i64,
        call_id: &str,
        decision: ToolDecision,
    ) -> Result<FlowMessage> {
        self.session(session_id)?;
        let mut m = self
            .store
            .with(|c| store::flow::get_message(c, message_id))?;
        if m.session_id != session_id || m.role != FlowRole::Assistant {
            return Err(Error::NotFound(format!(
                "Message {message_id} is not an answer of this session."
            )));
        }
        let call = m
            .tool_calls
            .iter_mut()
            .find(|c| c.id == call_id)
            .ok_or_else(|| Error::NotFound(format!("There is no tool call \"{call_id}\" here.")))?;
        if call.status != ToolCallStatus::Pending {
            return Err(Error::Conflict("This call was already decided.".into()));
        }
        call.status = match decision {
            ToolDecision::Deny => ToolCallStatus::Denied,
            ToolDecision::Approve | ToolDecision::AlwaysAllow => ToolCallStatus::Approved,
        };
        let grant = (decision == ToolDecision::AlwaysAllow)
            .then(|| {
                Some((
                    call.server_id?,
                    call.tool.clone()?,
                    call.fingerprint.clone()?,
                ))
            })
            .flatten();
        let m = self.store.with(|c| {
            let tx = c.transaction()?;
            if let Some((server_id, tool, fp)) = &grant {
                // What the user saw is what is allowed, not what the server says now.
                store::flow::grant(&tx, session_id, *server_id, tool, fp)?;
            }
            let m = store::flow::update_message(&tx, &m)?;
            tx.commit()?;
            Ok(m)
        })?;
        self.emit_message(&m);
        if !m
            .tool_calls
            .iter()
            .any(|c| c.status == ToolCallStatus::Pending)
        {
            self.start_run(session_id, Mode::Continue);
        }
        Ok(m)
    }

    /// Stops the stream and any running call; calls waiting for a decision
    /// are answered "stopped". Returns once the run has ended.
    pub async fn cancel(&self, session_id: i64) -> Result<()> {
        let signalled = {
            let runs = lock(&self.runs);
            match runs.get(&session_id) {
                Some(run) => {
                    let _ = run.cancel.send(true);
                    true
                }
                None => false,
            }
        };
        if signalled {
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.is_running(session_id) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let changed = self.settle_pending(
            session_id,
            ToolCallStatus::Cancelled,
            "Not run: the user stopped the agent.",
        )?;
        for m in &changed {
            self.emit_message(m);
        }
        self.emit_session(session_id);
        Ok(())
    }

    /// Gives every call of the last answer still waiting (pending, or
    /// approved but not run) `status` and a tool message saying `why`.
    fn settle_pending(
        &self,
        session_id: i64,
        status: ToolCallStatus,
        why: &str,
    ) -> Result<Vec<FlowMessage>> {
        self.store.with(|c| {
            let messages = store::flow::messages(c, session_id)?;
            let Some(pos) = messages.iter().rposition(|m| m.role == FlowRole::Assistant) else {
                return Ok(Vec::new());
            };
            let mut answer = messages[pos].clone();
            let answered: Vec<&str> = messages[pos + 1..]
                .iter()
                .filter_map(|m| m.tool_call_id.as_deref())
                .collect();
            let open: Vec<usize> = answer
                .tool_calls
                .iter()
                .enumerate()
                .filter(|(_, call)| {
                    matches!(
                        call.status,
                        ToolCallStatus::Pending | ToolCallStatus::Approved
                    ) && !answered.contains(&call.id.as_str())
                })
                .map(|(i, _)| i)
                .collect();
            if open.is_empty() {
                return Ok(Vec::new());
            }
            let tx = c.transaction()?;
            let mut changed = Vec::new();
            for i in open {
                let call = &mut answer.tool_calls[i];
                call.status = status;
                let result = refused(call, why.to_string());
                changed.push(store::flow::insert_message(
                    &tx,
                    &tool_message(session_id, result),
                )?);
            }
            changed.insert(0, store::flow::update_message(&tx, &answer)?);
            tx.commit()?;
            Ok(changed)
        })
    }

    fn set_state(&self, session_id: i64, state: RunState) {
        let changed = {
            let mut runs = lock(&self.runs);
            match runs.get_mut(&session_id) {
                Some(run) if run.state != state => {
                    run.state = state;
                    true
                }
                _ => false,
            }
        };
        if changed {
            self.emit_session(session_id);
        }
    }

    /// Starts a run, or, if one is ending, tells it to look again.
    fn start_run(self: &Arc<Self>, session_id: i64, mode: Mode) {
        let cancel_rx = {
            let mut runs = lock(&self.runs);
            if let Some(run) = runs.get_mut(&session_id) {
                run.again = true;
                return;
            }
            let (cancel, rx) = watch::channel(false);
            runs.insert(
                session_id,
                Run {
                    state: RunState::Thinking,
                    cancel,
                    again: false,
                },
            );
            rx
        };
        self.emit_session(session_id);
        let agent = self.clone();
        tokio::spawn(async move {
            let mut mode = mode;
            loop {
                if let Err(e) = agent.run(session_id, mode, cancel_rx.clone()).await {
                    log::warn!(
                        "agent run of session {session_id} failed: {}",
                        e.with_detail_text()
                    );
                }
                let mut runs = lock(&agent.runs);
                let again = runs
                    .get_mut(&session_id)
                    .map(|r| std::mem::take(&mut r.again));
                if again == Some(true) && !*cancel_rx.borrow() {
                    mode = Mode::Continue;
                    continue;
                }
                runs.remove(&session_id);
                break;
            }
            agent.emit_session(session_id);
        });
    }

    /// Does what the conversation calls for next until it needs the user or is done.
    async fn run(
        self: &Arc<Self>,
        session_id: i64,
        mode: Mode,
        mut cancel: watch::Receiver<bool>,
    ) -> Result<()> {
        let mut first = true;
        loop {
            if *cancel.borrow() {
                return Ok(());
            }
            let messages = self.store.with(|c| store::flow::messages(c, session_id))?;
            let Some(last) = messages.last() else {
                return Ok(());
            };
            // The answer whose calls may still need running.
            let calls_at = messages.iter().rposition(|m| m.role == FlowRole::Assistant);
            let open_calls = calls_at.is_some_and(|i| {
                messages[i].status == MessageStatus::Done
                    && !messages[i].tool_calls.is_empty()
                    && messages[i + 1..].iter().all(|m| m.role == FlowRole::Tool)
            });
            if open_calls {
                let i = calls_at.unwrap_or_default();
                let answered: Vec<String> = messages[i + 1..]
                    .iter()
                    .filter_map(|m| m.tool_call_id.clone())
                    .collect();
                if !self
                    .run_calls(session_id, messages[i].clone(), &answered, &mut cancel)
                    .await?
                {
                    return Ok(());
                }
            } else {
                let may_ask = match last.role {
                    FlowRole::User => true,
                    FlowRole::Assistant => {
                        first
                            && mode == Mode::Ask
                            && matches!(
                                last.status,
                                MessageStatus::Error | MessageStatus::Cancelled
                            )
                    }
                    FlowRole::Tool => false,
                };
                if !may_ask {
                    return Ok(());
                }
            }
            first = false;
            if *cancel.borrow() {
                return Ok(());
            }
            if !self.ask_model(session_id, &mut cancel).await? {
                return Ok(());
            }
        }
    }

    /// Runs the calls of `answer` that have no result yet, in order. Returns
    /// false when the run must stop (a decision is needed, or it was cancelled).
    async fn run_calls(
        self: &Arc<Self>,
        session_id: i64,
        mut answer: FlowMessage,
        answered: &[String],
        cancel: &mut watch::Receiver<bool>,
    ) -> Result<bool> {
        for i in 0..answer.tool_calls.len() {
            if answered.contains(&answer.tool_calls[i].id) {
                continue;
            }
            let call = answer.tool_calls[i].clone();
            let result = match call.status {
                ToolCallStatus::Pending => {
                    self.set_state(session_id, RunState::WaitingApproval);
                    return Ok(false);
                }
                ToolCallStatus::Denied => refused(&call, "The user denied this tool call.".into()),
                ToolCallStatus::Invalid => refused(
                    &call,
                    call.error
                        .clone()
                        .unwrap_or_else(|| "This call is not valid.".into()),
                ),
                ToolCallStatus::Cancelled => {
                    refused(&call, "Not run: the user stopped the agent.".into())
                }
                ToolCallStatus::Running | ToolCallStatus::Done => {
                    refused(&call, "The app stopped while this call ran.".into())
                }
                ToolCallStatus::Approved => {
                    self.set_state(session_id, RunState::RunningTool);
                    answer.tool_calls[i].status = ToolCallStatus::Running;
                    answer = self.save(&answer)?;
                    let (Some(server_id), Some(tool)) = (call.server_id, call.tool.clone()) else {
                        return Err(Error::failed("A tool call lost its tool.", &call.name));
                    };
                    let arguments: serde_json::Value =
                        serde_json::from_str(&call.arguments).unwrap_or_default();
                    let started = Instant::now();
                    let outcome = tokio::select! {
                        r = self.call_tool(server_id, &tool, arguments) => Some(r),
                        _ = cancelled(cancel) => None,
                    };
                    let duration_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
                    match outcome {
                        None => {
                            answer.tool_calls[i].status = ToolCallStatus::Cancelled;
                            answer.tool_calls[i].error = Some("Stopped by the user.".into());
                            let mut r = refused(&call, "The user stopped this call.".into());
                            r.duration_ms = duration_ms;
                            r
                        }
                        Some(Ok(done)) => {
                            answer.tool_calls[i].status = ToolCallStatus::Done;
                            FlowToolResult {
                                tool_call_id: call.id.clone(),
                                content: done.content,
                                structured_content: done.structured_content,
                                is_error: done.is_error,
                                error: done.error,
                                duration_ms: Some(done.duration_ms),
                            }
                        }
                        Some(Err(e)) => {
                            answer.tool_calls[i].status = ToolCallStatus::Done;
                            let mut r = refused(&call, e.to_string());
                            r.duration_ms = duration_ms;
                            r
                        }
                    }
                }
            };
            let (updated, tool) = self.store.with(|c| {
                let tx = c.transaction()?;
                let updated = store::flow::update_message(&tx, &answer)?;
                let tool = store::flow::insert_message(&tx, &tool_message(session_id, result))?;
                tx.commit()?;
                Ok((updated, tool))
            })?;
            answer = updated;
            self.emit_message(&answer);
            self.emit_message(&tool);
            if *cancel.borrow() {
                // The rest of this answer's calls are settled by `cancel`.
                return Ok(false);
            }
        }
        self.set_state(session_id, RunState::Thinking);
        Ok(true)
    }

    async fn call_tool(
        &self,
        server_id: i64,
        tool: &str,
        arguments: serde_json::Value,
    ) -> Result<ai_desktop_api::mcp::McpCall> {
        if self.mcp.get(server_id)?.state != McpState::Running {
            self.mcp.start(server_id).await?;
        }
        self.mcp.call_tool(server_id, tool, arguments).await
    }

    fn save(&self, m: &FlowMessage) -> Result<FlowMessage> {
        let m = self.store.with(|c| store::flow::update_message(c, m))?;
        self.emit_message(&m);
        Ok(m)
    }

    /// The tools of the session's servers, each started if it is not running.
    async fn offered_tools(&self, session: &FlowSession) -> Result<Vec<Offered>> {
        let mut offered = Vec::new();
        for id in &session.mcp_server_ids {
            let Ok(server) = self.mcp.get(*id) else {
                continue; // deleted since it was chosen
            };
            if server.state != McpState::Running {
                self.mcp.start(*id).await.map_err(|e| {
                    Error::Unavailable(format!(
                        "The MCP server \"{}\" did not start: {e}",
                        server.name
                    ))
                })?;
            }
            for t in self.mcp.tools(*id).await? {
                let description = t.description.clone().unwrap_or_default();
                offered.push(Offered {
                    server_id: *id,
                    server_name: server.name.clone(),
                    fingerprint: fingerprint(&description, &t.input_schema),
                    tool: t.name,
                    description,
                    schema: t.input_schema,
                });
            }
        }
        Ok(offered)
    }

    /// One model call: streams the answer into a new message, then gives
    /// its tool calls their status. Returns false when the run must stop.
    async fn ask_model(
        self: &Arc<Self>,
        session_id: i64,
        cancel: &mut watch::Receiver<bool>,
    ) -> Result<bool> {
        self.set_state(session_id, RunState::Thinking);
        let session = self.session(session_id)?;
        let messages = self.store.with(|c| store::flow::messages(c, session_id))?;
        let mut answer = message(session_id, FlowRole::Assistant, String::new());
        let (stored, config) = match self.provider_for(&session) {
            Ok(p) => p,
            Err(e) => {
                answer.status = MessageStatus::Error;
                answer.error = Some(e.to_string());
                let m = self
                    .store
                    .with(|c| store::flow::insert_message(c, &answer))?;
                self.emit_message(&m);
                return Ok(false);
            }
        };
        answer.model = Some(config.model.clone());
        // Steps: answers since the user last spoke, or since the last failed or
        // stopped answer (so Retry after the limit grants another round).
        let since_user = messages
            .iter()
            .rev()
            .take_while(|m| {
                m.role != FlowRole::User
                    && !(m.role == FlowRole::Assistant
                        && matches!(m.status, MessageStatus::Error | MessageStatus::Cancelled))
            })
            .filter(|m| m.role == FlowRole::Assistant && m.status == MessageStatus::Done)
            .count();
        if since_user >= stored.max_steps as usize {
            answer.status = MessageStatus::Error;
            answer.error = Some(format!(
                "Stopped after {} steps without a final answer (the step limit, in the Flow settings). Retry lets it go on for as many more.",
                stored.max_steps
            ));
            let m = self
                .store
                .with(|c| store::flow::insert_message(c, &answer))?;
            self.emit_message(&m);
            return Ok(false);
        }
        let offered = match self.offered_tools(&session).await {
            Ok(o) => o,
            Err(e) => {
                answer.status = MessageStatus::Error;
                answer.error = Some(e.to_string());
                let m = self
                    .store
                    .with(|c| store::flow::insert_message(c, &answer))?;
                self.emit_message(&m);
                return Ok(false);
            }
        };
        let names = function_names(&offered);
        let specs: Vec<ToolSpec> = offered
            .iter()
            .zip(&names)
            .map(|(o, name)| ToolSpec {
                name: name.clone(),
                description: o.description.clone(),
                parameters: o.schema.clone(),
            })
            .collect();
        let chat = history(&stored.system_prompt, &messages);

        answer.status = MessageStatus::Streaming;
        let mut answer = self
            .store
            .with(|c| store::flow::insert_message(c, &answer))?;
        self.emit_message(&answer);
        let message_id = answer.id;
        let mut partial = String::new();
        let outcome = {
            let tokens = &self.tokens;
            let partial = &mut partial;
            let stream = provider::stream_chat(&config, &chat, &specs, |text| {
                partial.push_str(text);
                let _ = tokens.send(Token {
                    session_id,
                    message_id,
                    text: text.to_string(),
                });
            });
            tokio::select! {
                r = stream => Some(r),
                _ = cancelled(cancel) => None,
            }
        };
        let completion = match outcome {
            None => {
                answer.content = partial;
                answer.status = MessageStatus::Cancelled;
                answer.error = Some("Stopped by the user.".into());
                self.save(&answer)?;
                return Ok(false);
            }
            Some(Err(e)) => {
                answer.content = match &e {
                    ProviderError::BrokenStream(_, got) => got.content.clone(),
                    _ => partial,
                };
                answer.status = MessageStatus::Error;
                answer.error = Some(e.to_string());
                self.save(&answer)?;
                return Ok(false);
            }
            Some(Ok(c)) => c,
        };
        answer.content = completion.content;
        answer.status = MessageStatus::Done;
        let mut any_call = false;
        for (n, call) in completion.tool_calls.into_iter().enumerate() {
            any_call = true;
            let id = if call.id.is_empty() {
                format!("call_{message_id}_{n}")
            } else {
                call.id
            };
            let found = names.iter().position(|name| *name == call.function.name);
            let mut c = FlowToolCall {
                id,
                name: call.function.name.clone(),
                server_id: None,
                server_name: None,
                tool: None,
                description: None,
                arguments: call.function.arguments.clone(),
                status: ToolCallStatus::Pending,
                auto_approved: false,
                changed_since_allowed: false,
                error: None,
                fingerprint: None,
            };
            match found.map(|i| &offered[i]) {
                None => {
                    c.status = ToolCallStatus::Invalid;
                    c.error = Some(format!(
                        "There is no tool named \"{}\" in this session.",
                        call.function.name
                    ));
                }
                Some(o) => {
                    c.server_id = Some(o.server_id);
                    c.server_name = Some(o.server_name.clone());
                    c.tool = Some(o.tool.clone());
                    c.description = Some(o.description.clone());
                    c.fingerprint = Some(o.fingerprint.clone());
                    let args = if call.function.arguments.trim().is_empty() {
                        Ok(serde_json::json!({}))
                    } else {
                        serde_json::from_str::<serde_json::Value>(&call.function.arguments)
                    };
                    match args {
                        Ok(v) if v.is_object() => {
                            // Kept as the model wrote it; `{}` stands in for nothing.
                            if call.function.arguments.trim().is_empty() {
                                c.arguments = "{}".into();
                            }
                            let granted = self.store.with(|db| {
                                store::flow::grant_fingerprint(db, session_id, o.server_id, &o.tool)
                            })?;
                            match granted {
                                Some(fp) if fp == o.fingerprint => {
                                    c.status = ToolCallStatus::Approved;
                                    c.auto_approved = true;
                                }
                                Some(_) => c.changed_since_allowed = true,
                                None => {}
                            }
                        }
                        Ok(_) => {
                            c.status = ToolCallStatus::Invalid;
                            c.error = Some("The arguments are not a JSON object.".into());
                        }
                        Err(e) => {
                            c.status = ToolCallStatus::Invalid;
                            c.error = Some(format!("The arguments are not valid JSON ({e})."));
                        }
                    }
                }
            }
            answer.tool_calls.push(c);
        }
        self.save(&answer)?;
        Ok(any_call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(server_id: i64, server: &str, tool: &str) -> Offered {
        Offered {
            server_id,
            server_name: server.into(),
            tool: tool.into(),
            description: String::new(),
            schema: serde_json::json!({}),
            fingerprint: String::new(),
        }
    }

    #[test]
    fn function_names_keep_same_named_tools_of_two_servers_apart() {
        let names = function_names(&[
            offered(1, "Everything", "echo"),
            offered(2, "Everything", "echo"),
            offered(3, "files & more", "read.file"),
            offered(4, "", "x"),
        ]);
        assert_eq!(
            names,
            [
                "Everything__echo",
                "s2__echo",
                "files___more__read_file",
                "s4__x"
            ]
        );
    }

    #[test]
    fn names_cut_at_64_characters_stay_distinct() {
        let long = "a".repeat(70);
        let names = function_names(&[
            offered(1, "srv", &format!("{long}_one")),
            offered(1, "srv", &format!("{long}_two")),
            offered(1, "srv", &format!("{long}_three")),
            offered(5, "srv", "read.file"),
            offered(5, "srv", "read_file"),
        ]);
        for n in &names {
            assert!(n.len() <= 64, "{n}");
        }
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }

    #[test]
    fn fingerprints_change_with_description_or_schema() {
        let a = fingerprint("Echoes", &serde_json::json!({"type": "object"}));
        assert_eq!(
            a,
            fingerprint("Echoes", &serde_json::json!({"type": "object"}))
        );
        assert_ne!(
            a,
            fingerprint("Echoes!", &serde_json::json!({"type": "object"}))
        );
        assert_ne!(
            a,
            fingerprint(
                "Echoes",
                &serde_json::json!({"type": "object", "required": ["x"]})
            )
        );
    }
}
