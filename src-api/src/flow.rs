//! Flow Builder: agent sessions that think with an LLM and act through the
//! MCP Hub's tools, with the user's approval.

use crate::mcp::McpContent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a session's agent is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Nothing is happening; the session waits for the user.
    #[default]
    Idle,
    /// The model is answering (tokens are streaming).
    Thinking,
    /// A tool call is running.
    RunningTool,
    /// A tool call waits for the user's decision.
    WaitingApproval,
}

/// A conversation with the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowSession {
    /// The app's id for it.
    pub id: i64,
    /// Its title (the first message's start until the user renames it).
    pub title: String,
    /// Kept out of the active list.
    pub archived: bool,
    /// The model for this session; None = the one in the settings.
    pub model: Option<String>,
    /// MCP servers whose tools the agent may use (started on demand).
    pub mcp_server_ids: Vec<i64>,
    /// The MCP profile it uses (its servers, minus the tools the profile
    /// turns off); None: the servers chosen for it.
    #[serde(default)]
    pub mcp_profile: Option<String>,
    /// The repository it works in: its tools (files, search, git, edits
    /// with checkpoints) are offered to the agent. None: MCP tools only.
    #[serde(default)]
    pub repository_id: Option<i64>,
    /// That repository's name.
    #[serde(default)]
    pub repository_name: Option<String>,
    /// The recipe that made it (a run of that recipe), if any.
    #[serde(default)]
    pub recipe_id: Option<i64>,
    /// That recipe's name.
    #[serde(default)]
    pub recipe_name: Option<String>,
    /// The sandbox it works in, if it was given one: `repository_id` is
    /// then the sandbox's worktree.
    #[serde(default)]
    pub sandbox: Option<FlowSandbox>,
    /// What its agent is doing now.
    pub run_state: RunState,
    /// Messages in it.
    pub message_count: u32,
    /// The start of the last message, for the session list.
    pub preview: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC: its last message or change (the list is ordered by it).
    pub updated_at: String,
}

/// A session's sandbox: a branch of its own (`agent/session-<id>`) checked
/// out in a worktree next to the repository (registered as a repository,
/// with its own VS Code), and a copy of the repository's databases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowSandbox {
    /// The repository it was made from (None: that repository was removed).
    pub origin_id: Option<i64>,
    /// That repository's name.
    pub origin_name: Option<String>,
    /// Its branch.
    pub branch: String,
    /// Discard removed it (the session stays, working in no repository).
    pub discarded: bool,
}

/// A file sent with a user message: a text file (its text goes to the
/// model) or an image (sent as a picture, to models that take them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowAttachment {
    /// Its file name.
    pub name: String,
    /// `text/plain`, `image/png`, `image/jpeg`, `image/gif` or `image/webp`,
    /// from its bytes (not its name).
    pub mime: String,
    /// Bytes.
    pub size: u64,
}

/// A file to send with a message, as the page read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentInput {
    /// Its file name.
    pub name: String,
    /// Its bytes, base64 (standard alphabet, padded).
    pub data: String,
}

/// An attachment's bytes, for showing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentData {
    /// As [`FlowAttachment::mime`].
    pub mime: String,
    /// Its bytes, base64.
    pub data: String,
}

/// Where a sandbox is: what *Merge* would bring back and *Discard* would remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxStatus {
    /// The session.
    pub session_id: i64,
    /// The repository it was made from.
    pub origin_id: i64,
    /// The worktree, as a registered repository.
    pub repository_id: i64,
    /// The worktree's folder.
    pub path: String,
    /// Its branch.
    pub branch: String,
    /// Files changed and not committed in the worktree.
    pub changed_files: u32,
    /// Commits of its branch the origin's current branch does not have.
    pub commits_ahead: u32,
    /// Its VS Code runs (and answers on this port).
    pub editor_port: Option<u16>,
    /// The database copies it has, as `database (instance)`.
    pub databases: Vec<String>,
}

/// `{ title?, model?, mcpServerIds? }`: what is set when creating or changing a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowSessionPatch {
    /// A new title.
    #[serde(default)]
    pub title: Option<String>,
    /// `Some("")` clears the override.
    #[serde(default)]
    pub model: Option<String>,
    /// The MCP servers whose tools the agent may use.
    #[serde(default)]
    pub mcp_server_ids: Option<Vec<i64>>,
    /// Use this MCP profile (its servers replace `mcp_server_ids`); `Some("")`
    /// stops using one.
    #[serde(default)]
    pub mcp_profile: Option<String>,
    /// Work in this registered repository; `Some(0)` works in none.
    #[serde(default)]
    pub repository_id: Option<i64>,
}

/// Who a message is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowRole {
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool's result, answering a call of the model.
    Tool,
}

/// How an assistant message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Tokens are still arriving.
    Streaming,
    /// Complete.
    Done,
    /// The provider failed or the stream broke; `error` says how, `content`
    /// keeps what arrived.
    Error,
    /// The user pressed Stop.
    Cancelled,
}

/// Where a tool call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolCallStatus {
    /// Waits for the user's decision.
    Pending,
    /// Allowed (by the user or an "always allow"), not yet run.
    Approved,
    /// The tool is running.
    Running,
    /// It ran; the result is on the tool message.
    Done,
    /// The user said no; the model is told so.
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
    /// The MCP server the tool belongs to (None when the name matched none).
    pub server_id: Option<i64>,
    /// That server's name, as it was when the call was made.
    pub server_name: Option<String>,
    /// The MCP tool's own name.
    pub tool: Option<String>,
    /// The tool's full description, as the model and the user saw it.
    pub description: Option<String>,
    /// The arguments exactly as the model wrote them (JSON text).
    pub arguments: String,
    /// Where the call is.
    pub status: ToolCallStatus,
    /// Allowed without asking, by an "always allow" of this session.
    pub auto_approved: bool,
    /// This tool was allowed before, but its description or schema changed since.
    pub changed_since_allowed: bool,
    /// Why it is invalid, or how it failed to run.
    pub error: Option<String>,
    /// Hash of the tool's description and schema when it was shown.
    pub fingerprint: Option<String>,
    /// One of the app's repository tools (`server_id` is None, `tool` names it).
    #[serde(default)]
    pub builtin: bool,
    /// For a change to files: the change as a unified diff, shown before it
    /// is approved.
    #[serde(default)]
    pub preview: Option<String>,
    /// The checkpoint taken when the change was made (for *Undo to here*).
    #[serde(default)]
    pub checkpoint_id: Option<i64>,
}

/// A file change the agent made, kept so it can be undone: the file's
/// bytes before and after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowCheckpoint {
    /// The app's id for it (later changes have larger ids).
    pub id: i64,
    /// The session whose agent made the change.
    pub session_id: i64,
    /// The assistant message whose call made it.
    pub message_id: i64,
    /// The call that made it.
    pub call_id: String,
    /// The file, relative to the repository.
    pub path: String,
    /// The file did not exist before the change.
    pub created: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// What *Undo to here* did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoReport {
    /// Files put back as they were before the checkpoint (relative paths).
    pub restored: Vec<String>,
    /// Files the agent had created, removed again.
    pub removed: Vec<String>,
}

/// What a tool call returned, kept on the tool message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowToolResult {
    /// The call this answers.
    pub tool_call_id: String,
    /// What the tool returned (text, images, audio, resources).
    pub content: Vec<McpContent>,
    /// The tool's structured result, when it gave one.
    pub structured_content: Option<Value>,
    /// The tool ran and reported an error.
    pub is_error: bool,
    /// The call did not happen or did not complete (denied, invalid, failed).
    pub error: Option<String>,
    /// How long the call took, when it ran.
    pub duration_ms: Option<f64>,
}

/// A message of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowMessage {
    /// The app's id for it.
    pub id: i64,
    /// The session it belongs to.
    pub session_id: i64,
    /// Who it is from.
    pub role: FlowRole,
    /// Text (markdown for the assistant; what went to the model for a tool).
    pub content: String,
    /// Whether it is complete (assistant messages stream).
    pub status: MessageStatus,
    /// Assistant: the calls it asked for.
    pub tool_calls: Vec<FlowToolCall>,
    /// Tool: the call this answers.
    pub tool_call_id: Option<String>,
    /// Tool: what the tool returned.
    pub tool_result: Option<FlowToolResult>,
    /// Assistant: why the answer failed, when it did.
    pub error: Option<String>,
    /// Assistant: the model that answered.
    pub model: Option<String>,
    /// Assistant: the tokens it took, when the provider reported them.
    #[serde(default)]
    pub usage: Option<TokenUsage>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Files sent with a user message (text files and images), in order.
    #[serde(default)]
    pub attachments: Vec<FlowAttachment>,
}

/// The tokens one answer took, as the provider reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Tokens of the conversation sent (the prompt).
    pub input_tokens: u64,
    /// Tokens of the answer.
    pub output_tokens: u64,
    /// What it cost, in the provider's currency (US dollars for OpenRouter),
    /// when the provider says.
    #[serde(default)]
    pub cost: Option<f64>,
}

/// What the user decides for a pending tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolDecision {
    /// Run it this once.
    Approve,
    /// Approve, and do not ask again in this session while the tool stays the same.
    AlwaysAllow,
    /// Do not run it; the model is told so.
    Deny,
}

/// A tool the user allowed for a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolGrant {
    /// The MCP server of the tool; 0 for the app's repository tools.
    pub server_id: i64,
    /// That server's name, if it still exists.
    pub server_name: Option<String>,
    /// The MCP tool's name.
    pub tool: String,
    /// RFC 3339, UTC: when it was allowed.
    pub created_at: String,
}

/// What a conversation is exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Readable: headings per message, tool calls and results in code blocks.
    Markdown,
    /// Everything: the session and its messages as the app keeps them.
    Json,
}

/// When a recipe runs by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipeTrigger {
    /// Only when the user runs it.
    #[default]
    Manual,
    /// When a deployment of its repository (or the one it names) crashes:
    /// PM2 gives up restarting it. The run is told what crashed.
    DeploymentErrored,
    /// Every `every_minutes` minutes while the app runs (a run that is due
    /// when the app starts runs then, once).
    Schedule,
    /// After AI Desktop pushes its repository's branch (`branch`, or any).
    /// The run is told what was pushed.
    Push,
}

impl RecipeTrigger {
    /// Every trigger, in the form's order.
    pub const ALL: [RecipeTrigger; 4] = [
        RecipeTrigger::Manual,
        RecipeTrigger::DeploymentErrored,
        RecipeTrigger::Schedule,
        RecipeTrigger::Push,
    ];

    /// How the form names it.
    pub fn label(self) -> &'static str {
        match self {
            RecipeTrigger::Manual => "When I run it",
            RecipeTrigger::DeploymentErrored => "When a deployment crashes",
            RecipeTrigger::Schedule => "On a schedule",
            RecipeTrigger::Push => "After a push",
        }
    }

    /// Its wire name (the serde value).
    pub fn as_str(self) -> &'static str {
        match self {
            RecipeTrigger::Manual => "manual",
            RecipeTrigger::DeploymentErrored => "deployment_errored",
            RecipeTrigger::Schedule => "schedule",
            RecipeTrigger::Push => "push",
        }
    }
}

/// A saved session template: run by hand, from the palette, or by its trigger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowRecipe {
    /// The app's id for it.
    pub id: i64,
    /// Its name (unique); each run's session is titled after it.
    pub name: String,
    /// The first message of each run.
    pub prompt: String,
    /// The system prompt of its sessions; None: the settings' one.
    pub system_prompt: Option<String>,
    /// The model; None: the settings' one.
    pub model: Option<String>,
    /// The repository its sessions work in.
    pub repository_id: Option<i64>,
    /// That repository's name (None also when it was removed).
    pub repository_name: Option<String>,
    /// MCP servers its sessions may use.
    pub mcp_server_ids: Vec<i64>,
    /// The MCP profile its sessions use, if any.
    pub mcp_profile: Option<String>,
    /// When it runs by itself.
    pub trigger: RecipeTrigger,
    /// For a crash trigger: only this deployment; None: any of the repository's.
    pub deployment_id: Option<i64>,
    /// That deployment's name (None when it is any, or was deleted).
    pub deployment_name: Option<String>,
    /// Sessions it made.
    pub runs: u32,
    /// RFC 3339, UTC: its newest run.
    pub last_run_at: Option<String>,
    /// For a schedule: minutes between runs.
    #[serde(default)]
    pub every_minutes: Option<u32>,
    /// For a push trigger: only pushes of this branch; None: any.
    #[serde(default)]
    pub branch: Option<String>,
    /// Each run works in a sandbox of the repository (see [`FlowSandbox`]).
    #[serde(default)]
    pub sandbox: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// What the recipe form saves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowRecipeInput {
    /// Its name.
    pub name: String,
    /// The first message of each run.
    pub prompt: String,
    /// None or empty: the settings' system prompt.
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// None or empty: the settings' model.
    #[serde(default)]
    pub model: Option<String>,
    /// The repository its sessions work in.
    #[serde(default)]
    pub repository_id: Option<i64>,
    /// MCP servers its sessions may use.
    #[serde(default)]
    pub mcp_server_ids: Vec<i64>,
    /// The MCP profile its sessions use.
    #[serde(default)]
    pub mcp_profile: Option<String>,
    /// When it runs by itself.
    #[serde(default)]
    pub trigger: RecipeTrigger,
    /// For a crash trigger: only this deployment of the repository.
    #[serde(default)]
    pub deployment_id: Option<i64>,
    /// For a schedule: minutes between runs (15 to 10,080, a week).
    #[serde(default)]
    pub every_minutes: Option<u32>,
    /// For a push trigger: only pushes of this branch.
    #[serde(default)]
    pub branch: Option<String>,
    /// Each run works in a sandbox of the repository.
    #[serde(default)]
    pub sandbox: bool,
}

/// The wire protocol the provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderProtocol {
    /// OpenAI's Chat Completions (OpenAI, Ollama, LM Studio, llama.cpp, vLLM, most gateways).
    #[default]
    Openai,
    /// Anthropic's Messages API (Claude).
    Anthropic,
}

impl ProviderProtocol {
    /// Every protocol, in the settings' order.
    pub const ALL: [ProviderProtocol; 2] = [ProviderProtocol::Openai, ProviderProtocol::Anthropic];

    /// How the settings name it.
    pub fn label(self) -> &'static str {
        match self {
            ProviderProtocol::Openai => "OpenAI-compatible (Chat Completions)",
            ProviderProtocol::Anthropic => "Anthropic (Messages API)",
        }
    }

    /// Its wire name (the serde value).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderProtocol::Openai => "openai",
            ProviderProtocol::Anthropic => "anthropic",
        }
    }

    /// Where a provider of this protocol usually is.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderProtocol::Openai => "http://127.0.0.1:11434/v1",
            ProviderProtocol::Anthropic => "https://api.anthropic.com/v1",
        }
    }
}

/// Provider settings as the UI sees them: never the key itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowSettings {
    /// The protocol the provider speaks.
    #[serde(default)]
    pub protocol: ProviderProtocol,
    /// e.g. `http://127.0.0.1:11434/v1` (Ollama).
    pub base_url: String,
    /// The model sessions use unless they choose one.
    pub model: String,
    /// Sampling temperature; None: the provider's default.
    pub temperature: Option<f32>,
    /// Longest answer; None: the provider's default.
    pub max_tokens: Option<u32>,
    /// What the model is told first in every session.
    pub system_prompt: String,
    /// Model calls per user message before the agent stops.
    pub max_steps: u32,
    /// Whether a key is stored.
    pub api_key_set: bool,
    /// The key masked, e.g. `••••3f9a`.
    pub api_key_hint: Option<String>,
}

/// What to do with the stored API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "value", rename_all = "snake_case")]
pub enum ApiKeyChange {
    /// Leave it as it is.
    Keep,
    /// Store this key (in a 0600 file, not in SQLite).
    Set(String),
    /// Remove the stored key.
    Clear,
}

/// What the settings dialog saves or tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowSettingsInput {
    /// The protocol the provider speaks.
    #[serde(default)]
    pub protocol: ProviderProtocol,
    /// The provider's base URL, e.g. `http://127.0.0.1:11434/v1` (Ollama) or
    /// `https://api.anthropic.com/v1`.
    pub base_url: String,
    /// The model sessions use unless they choose one.
    pub model: String,
    /// Sampling temperature; None: the provider's default.
    pub temperature: Option<f32>,
    /// Longest answer; None: the provider's default.
    pub max_tokens: Option<u32>,
    /// What the model is told first in every session.
    pub system_prompt: String,
    /// Model calls per user message before the agent stops.
    pub max_steps: u32,
    /// What to do with the stored key.
    pub api_key: ApiKeyChange,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionReport {
    /// Whether the endpoint answered and took the key.
    pub ok: bool,
    /// What happened, for the user.
    pub message: String,
    /// Models the provider lists (empty if it does not list them).
    pub models: Vec<String>,
    /// How long the test took.
    pub duration_ms: f64,
}

/// Streamed text of assistant messages, batched (`flow_watch`'s channel).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenFrame {
    /// The session the text belongs to.
    pub session_id: i64,
    /// Text since the previous frame, per message.
    pub pieces: Vec<TokenPiece>,
}

/// Text that arrived for one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenPiece {
    /// The message it belongs to.
    pub message_id: i64,
    /// The text to append.
    pub text: String,
}

crate::command! {
    /// The API key only as a mask
    Settings = "flow_settings" {} -> FlowSettings;
    /// Saves the provider settings (the key to its 0600 file).
    SaveSettings = "flow_save_settings" { input: FlowSettingsInput } -> FlowSettings;
    /// The form's values, not saved; `Keep` uses the saved key
    TestConnection = "flow_test_connection" { input: FlowSettingsInput } -> ConnectionReport;
    /// Models the saved provider lists; empty if it does not
    Models = "flow_models" {} -> Vec<String>;
    /// Newest first; the query matches titles and message text
    Sessions = "flow_sessions" { archived: bool, query: Option<String> } -> Vec<FlowSession>;
    /// A new, empty session.
    CreateSession = "flow_create_session" { patch: FlowSessionPatch } -> FlowSession;
    /// Renames it, or changes its model or MCP servers.
    UpdateSession = "flow_update_session" { id: i64, patch: FlowSessionPatch } -> FlowSession;
    /// Moves it to the archive, or back.
    ArchiveSession = "flow_archive_session" { id: i64, archived: bool } -> FlowSession;
    /// Stops its run; its messages and grants go with it
    DeleteSession = "flow_delete_session" { id: i64 } -> ();
    /// Oldest first
    Messages = "flow_messages" { session_id: i64 } -> Vec<FlowMessage>;
    /// The user's message; the agent answers in the background: `agent:{sessionId}:message`
    /// events and `flow_watch` tokens; text files and images may go with it
    Send = "flow_send" { session_id: i64, text: String, #[serde(default)] attachments: Vec<AttachmentInput> } -> FlowMessage;
    /// An attachment of a message (its place in the message's list), for showing it
    Attachment = "flow_attachment" { message_id: i64, index: u32 } -> AttachmentData;
    /// Changes a user message, drops every later one, and asks again
    EditMessage = "flow_edit_message" { session_id: i64, message_id: i64, text: String } -> Vec<FlowMessage>;
    /// Asks the model again after an error or a stop
    Retry = "flow_retry" { session_id: i64 } -> ();
    /// Approves or denies a pending tool call; the run carries on.
    Decide = "flow_decide" { session_id: i64, message_id: i64, call_id: String, decision: ToolDecision } -> FlowMessage;
    /// Stops the stream and any running tool call
    Cancel = "flow_cancel" { session_id: i64 } -> ();
    /// The tools the user always allowed in the session.
    Grants = "flow_grants" { session_id: i64 } -> Vec<ToolGrant>;
    /// Asks again before the tool runs in the session (server 0: a repository tool).
    RevokeGrant = "flow_revoke_grant" { session_id: i64, server_id: i64, tool: String } -> ();
    /// The file changes its agent made that can be undone, oldest first
    Checkpoints = "flow_checkpoints" { session_id: i64 } -> Vec<FlowCheckpoint>;
    /// Puts every file the agent changed at or after the checkpoint back as it was before it;
    /// refuses, changing nothing, when a file was changed since by someone else
    UndoTo = "flow_undo_to" { session_id: i64, checkpoint_id: i64 } -> UndoReport;
    /// Crash → fix: a session in the deployment's repository, sent what crashed (its last
    /// errors, what changed since its last healthy start, its env names, its services)
    FixCrash = "flow_fix_crash" { deployment_id: i64 } -> FlowSession;
    /// A new session with this one's conversation up to the message (and its tool
    /// results), the same model, tools and repository; refused while that answer's
    /// tool calls wait
    Fork = "flow_fork" { session_id: i64, message_id: i64 } -> FlowSession;
    /// Moves the session into a sandbox of the repository: a branch and worktree of its own
    /// with its own VS Code (started) and a copy of each database made for the repository;
    /// refused, changing nothing, if any of it cannot be made
    MakeSandbox = "flow_make_sandbox" { session_id: i64, repository_id: i64 } -> FlowSession;
    /// What the session's sandbox holds: changes, commits ahead, editor, database copies
    Sandbox = "flow_sandbox" { session_id: i64 } -> SandboxStatus;
    /// Commits the sandbox's uncommitted changes on its branch (for *Merge*, which then
    /// merges the branch on the Git page); the status after
    CommitSandbox = "flow_commit_sandbox" { session_id: i64, message: String } -> SandboxStatus;
    /// Removes the sandbox: its VS Code, database copies, worktree and branch (the branch's
    /// deletion can be undone on the Git page); the session stays
    DiscardSandbox = "flow_discard_sandbox" { session_id: i64 } -> FlowSession;
    /// Writes the conversation as Markdown or JSON into the Downloads folder (never
    /// over a file); the file's path
    Export = "flow_export" { session_id: i64, format: ExportFormat } -> String;
    /// The saved recipes, by name
    Recipes = "flow_recipes" {} -> Vec<FlowRecipe>;
    /// Creates a recipe (id None) or changes one; refused with why, nothing saved, when a
    /// field is bad or the name is taken
    SaveRecipe = "flow_save_recipe" { id: Option<i64>, input: FlowRecipeInput } -> FlowRecipe;
    /// Deletes a recipe; the sessions it made stay
    DeleteRecipe = "flow_delete_recipe" { id: i64 } -> ();
    /// Runs a recipe now: a new session from it, sent its first message
    RunRecipe = "flow_run_recipe" { id: i64 } -> FlowSession;
    /// Streamed text of that session's answers, batched (one session at a time; None stops)
    /// Streams `TokenFrame` frames over the Channel under `onFrame`.
    Watch = "flow_watch" { session_id: Option<i64> } -> (), streams TokenFrame as "onFrame";
}
