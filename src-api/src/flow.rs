//! Flow Builder: agent sessions that think with an LLM and act through the
//! MCP Hub's tools, with the user's approval.

use crate::mcp::McpContent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a session's agent is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    #[default]
    Idle,
    /// The model is answering (tokens are streaming).
    Thinking,
    /// A tool call is running.
    RunningTool,
    /// A tool call waits for the user's decision.
    WaitingApproval,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowSession {
    pub id: i64,
    pub title: String,
    pub archived: bool,
    /// The model for this session; None = the one in the settings.
    pub model: Option<String>,
    /// MCP servers whose tools the agent may use (started on demand).
    pub mcp_server_ids: Vec<i64>,
    pub run_state: RunState,
    pub message_count: u32,
    /// The start of the last message, for the session list.
    pub preview: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// `{ title?, model?, mcpServerIds? }`: what is set when creating or changing a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowSessionPatch {
    #[serde(default)]
    pub title: Option<String>,
    /// `Some("")` clears the override.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub mcp_server_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowRole {
    User,
    Assistant,
    Tool,
}

/// How an assistant message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Tokens are still arriving.
    Streaming,
    Done,
    /// The provider failed or the stream broke; `error` says how, `content`
    /// keeps what arrived.
    Error,
    /// The user pressed Stop.
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolCallStatus {
    /// Waits for the user's decision.
    Pending,
    /// Allowed (by the user or an "always allow"), not yet run.
    Approved,
    Running,
    /// It ran; the result is on the tool message.
    Done,
    Denied,
    /// The model asked for something that cannot run (unknown tool,
    /// arguments that are not a JSON object); nothing was called.
    Invalid,
    /// Stopped by the user while it ran.
    Cancelled,
}

/// A tool call the model asked for, with what the user was shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowToolCall {
    /// The model's id for the call.
    pub id: String,
    /// The function name the model used (`<server>__<tool>`).
    pub name: String,
    pub server_id: Option<i64>,
    pub server_name: Option<String>,
    /// The MCP tool's own name.
    pub tool: Option<String>,
    /// The tool's full description, as the model and the user saw it.
    pub description: Option<String>,
    /// The arguments exactly as the model wrote them (JSON text).
    pub arguments: String,
    pub status: ToolCallStatus,
    /// Allowed without asking, by an "always allow" of this session.
    pub auto_approved: bool,
    /// This tool was allowed before, but its description or schema changed since.
    pub changed_since_allowed: bool,
    /// Why it is invalid, or how it failed to run.
    pub error: Option<String>,
    /// Hash of the tool's description and schema when it was shown.
    pub fingerprint: Option<String>,
}

/// What a tool call returned, kept on the tool message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowToolResult {
    pub tool_call_id: String,
    pub content: Vec<McpContent>,
    pub structured_content: Option<Value>,
    /// The tool ran and reported an error.
    pub is_error: bool,
    /// The call did not happen or did not complete (denied, invalid, failed).
    pub error: Option<String>,
    pub duration_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowMessage {
    pub id: i64,
    pub session_id: i64,
    pub role: FlowRole,
    /// Text (markdown for the assistant; what went to the model for a tool).
    pub content: String,
    pub status: MessageStatus,
    /// Assistant: the calls it asked for.
    pub tool_calls: Vec<FlowToolCall>,
    /// Tool: the call this answers.
    pub tool_call_id: Option<String>,
    /// Tool: what the tool returned.
    pub tool_result: Option<FlowToolResult>,
    pub error: Option<String>,
    /// Assistant: the model that answered.
    pub model: Option<String>,
    pub created_at: String,
}

/// What the user decides for a pending tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolDecision {
    Approve,
    /// Approve, and do not ask again in this session while the tool stays the same.
    AlwaysAllow,
    Deny,
}

/// A tool the user allowed for a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolGrant {
    pub server_id: i64,
    pub server_name: Option<String>,
    pub tool: String,
    pub created_at: String,
}

/// Provider settings as the UI sees them: never the key itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowSettings {
    /// e.g. `http://127.0.0.1:11434/v1` (Ollama).
    pub base_url: String,
    pub model: String,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub system_prompt: String,
    /// Model calls per user message before the agent stops.
    pub max_steps: u32,
    pub api_key_set: bool,
    /// The key masked, e.g. `••••3f9a`.
    pub api_key_hint: Option<String>,
}

/// What to do with the stored API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "value", rename_all = "snake_case")]
pub enum ApiKeyChange {
    Keep,
    Set(String),
    Clear,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowSettingsInput {
    pub base_url: String,
    pub model: String,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub system_prompt: String,
    pub max_steps: u32,
    pub api_key: ApiKeyChange,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionReport {
    pub ok: bool,
    pub message: String,
    /// Models the provider lists (empty if it does not list them).
    pub models: Vec<String>,
    pub duration_ms: f64,
}

/// Streamed text of assistant messages, batched (`flow_watch`'s channel).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenFrame {
    pub session_id: i64,
    pub pieces: Vec<TokenPiece>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenPiece {
    pub message_id: i64,
    pub text: String,
}

crate::command! {
    /// The API key only as a mask
    Settings = "flow_settings" {} -> FlowSettings;
    /// `flow_save_settings`.
    SaveSettings = "flow_save_settings" { input: FlowSettingsInput } -> FlowSettings;
    /// The form's values, not saved; `Keep` uses the saved key
    TestConnection = "flow_test_connection" { input: FlowSettingsInput } -> ConnectionReport;
    /// Models the saved provider lists; empty if it does not
    Models = "flow_models" {} -> Vec<String>;
    /// Newest first; the query matches titles and message text
    Sessions = "flow_sessions" { archived: bool, query: Option<String> } -> Vec<FlowSession>;
    /// `flow_create_session`.
    CreateSession = "flow_create_session" { patch: FlowSessionPatch } -> FlowSession;
    /// `flow_update_session`.
    UpdateSession = "flow_update_session" { id: i64, patch: FlowSessionPatch } -> FlowSession;
    /// `flow_archive_session`.
    ArchiveSession = "flow_archive_session" { id: i64, archived: bool } -> FlowSession;
    /// Stops its run; its messages and grants go with it
    DeleteSession = "flow_delete_session" { id: i64 } -> ();
    /// Oldest first
    Messages = "flow_messages" { session_id: i64 } -> Vec<FlowMessage>;
    /// The user's message; the agent answers in the background: `agent:{sessionId}:message`
    /// events and `flow_watch` tokens
    Send = "flow_send" { session_id: i64, text: String } -> FlowMessage;
    /// Changes a user message, drops every later one, and asks again
    EditMessage = "flow_edit_message" { session_id: i64, message_id: i64, text: String } -> Vec<FlowMessage>;
    /// Asks the model again after an error or a stop
    Retry = "flow_retry" { session_id: i64 } -> ();
    /// `flow_decide`.
    Decide = "flow_decide" { session_id: i64, message_id: i64, call_id: String, decision: ToolDecision } -> FlowMessage;
    /// Stops the stream and any running tool call
    Cancel = "flow_cancel" { session_id: i64 } -> ();
    /// `flow_grants`.
    Grants = "flow_grants" { session_id: i64 } -> Vec<ToolGrant>;
    /// `flow_revoke_grant`.
    RevokeGrant = "flow_revoke_grant" { session_id: i64, server_id: i64, tool: String } -> ();
    /// Streamed text of that session's answers, batched (one session at a time; None stops)
    /// Streams `TokenFrame` frames over the Channel under `onFrame`.
    Watch = "flow_watch" { session_id: Option<i64> } -> (), streams TokenFrame as "onFrame";
}
