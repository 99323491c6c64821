//! MCP Hub types: registered MCP servers, their state, what they offer
//! (tools, resources, prompts) and the calls made to them.

use crate::logs::LogFrame;
use crate::secrets::SecretPart;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// How the app talks to a server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McpTransport {
    /// A local program the app starts; JSON-RPC over its stdin/stdout.
    #[default]
    Stdio,
    /// A server already listening at a URL (streamable HTTP).
    Http,
}

impl McpTransport {
    pub fn as_str(self) -> &'static str {
        match self {
            McpTransport::Stdio => "stdio",
            McpTransport::Http => "http",
        }
    }

    pub fn parse(s: &str) -> Option<McpTransport> {
        match s {
            "stdio" => Some(McpTransport::Stdio),
            "http" => Some(McpTransport::Http),
            _ => None,
        }
    }
}

/// Where a server is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McpState {
    #[default]
    Stopped,
    /// Spawned (or connecting), the initialize handshake not yet done.
    Starting,
    Running,
    Stopping,
    /// It did not start, or it died; `error` says why.
    Failed,
}

/// What the server said about itself in the initialize handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerInfo {
    pub name: String,
    pub version: String,
    pub title: Option<String>,
    pub protocol_version: String,
    pub instructions: Option<String>,
}

/// Which parts of the protocol the server offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpCapabilities {
    pub tools: bool,
    pub resources: bool,
    pub prompts: bool,
    pub logging: bool,
}

/// A registered MCP server and its live state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServer {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub transport: McpTransport,
    /// The program (stdio): a name looked up on PATH, or an absolute path.
    pub command: String,
    /// Arguments, passed one by one (never through a shell).
    pub args: Vec<String>,
    /// Extra environment for the program (stdio). Values cross IPC as
    /// `secrets::MASKED` (see `MCP_REVEAL`).
    pub env: BTreeMap<String, String>,
    pub working_directory: Option<String>,
    /// The endpoint (http).
    pub url: Option<String>,
    /// Extra request headers (http), e.g. `Authorization`. Values cross IPC
    /// as `secrets::MASKED`.
    pub headers: BTreeMap<String, String>,
    /// Restart it when it crashes (with backoff; gives up after quick crashes).
    pub auto_restart: bool,
    /// From the last successful handshake.
    pub server_info: Option<McpServerInfo>,
    pub capabilities: Option<McpCapabilities>,
    pub state: McpState,
    pub pid: Option<u32>,
    /// Why it is `failed`, with its last output lines where there are any.
    pub error: Option<String>,
    pub started_at: Option<String>,
    /// Automatic restarts since the user last started it.
    pub restarts: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// What the add/edit dialog sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub transport: McpTransport,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    /// A value of `secrets::MASKED` (here and in `headers`) keeps the
    /// stored value of that name.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub working_directory: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub auto_restart: bool,
}

/// One entry of an imported `mcpServers` document that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRefusal {
    /// The entry's key in `mcpServers` (empty when the document itself is bad).
    pub name: String,
    pub reason: String,
}

/// The outcome of an import: every entry lands in exactly one list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub imported: Vec<McpServer>,
    pub refused: Vec<ImportRefusal>,
}

/// A tool a server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpTool {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// JSON Schema of the arguments (an object schema).
    pub input_schema: Value,
    /// Hints the server gives (read-only, destructive …), as sent.
    pub annotations: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpResource {
    pub uri: String,
    pub name: String,
    pub description: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpPromptArgument {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpPrompt {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub arguments: Vec<McpPromptArgument>,
}

/// One piece of a tool result or resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum McpContent {
    Text {
        text: String,
    },
    /// Base64 data.
    Image {
        data: String,
        mime_type: String,
    },
    Audio {
        data: String,
        mime_type: String,
    },
    /// An embedded resource (text, or base64 `blob`).
    Resource {
        uri: String,
        mime_type: Option<String>,
        text: Option<String>,
        blob: Option<String>,
    },
    ResourceLink {
        uri: String,
        name: String,
        description: Option<String>,
        mime_type: Option<String>,
    },
    /// Anything this version does not know, as the server sent it.
    Other {
        json: Value,
    },
}

/// A tool call made through the hub, as kept in the server's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpCall {
    pub id: i64,
    pub server_id: i64,
    pub tool: String,
    pub arguments: Value,
    /// What the tool returned (empty when the call itself failed).
    pub content: Vec<McpContent>,
    pub structured_content: Option<Value>,
    /// The tool reported an error (`isError`): it ran and failed.
    pub is_error: bool,
    /// The call did not complete: a protocol or transport error, a timeout.
    pub error: Option<String>,
    pub duration_ms: f64,
    pub created_at: String,
}

/// `{ id, uri }` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceContents {
    pub uri: String,
    pub contents: Vec<McpContent>,
}

crate::command! {
    /// `mcp_list`.
    List = "mcp_list" {} -> Vec<McpServer>;
    /// `mcp_create`.
    Create = "mcp_create" { input: McpServerInput } -> McpServer;
    /// A running server keeps its old settings until it is restarted
    Update = "mcp_update" { id: i64, input: McpServerInput } -> McpServer;
    /// Stops it first; its call history goes with it
    Delete = "mcp_delete" { id: i64 } -> ();
    /// One env or header value in clear (lists and events carry `secrets::MASKED`).
    Reveal = "mcp_reveal" { id: i64, part: SecretPart, key: String } -> String;
    /// A stopped copy named "… copy"
    Duplicate = "mcp_duplicate" { id: i64 } -> McpServer;
    /// A Claude-Desktop-style `mcpServers` document
    Import = "mcp_import" { json: String } -> ImportReport;
    /// Returns once initialized, or fails
    Start = "mcp_start" { id: i64 } -> McpServer;
    /// `mcp_stop`.
    Stop = "mcp_stop" { id: i64 } -> McpServer;
    /// `mcp_restart`.
    Restart = "mcp_restart" { id: i64 } -> McpServer;
    /// The server must be running
    Tools = "mcp_tools" { id: i64 } -> Vec<McpTool>;
    /// `mcp_resources`.
    Resources = "mcp_resources" { id: i64 } -> Vec<McpResource>;
    /// `mcp_read_resource`.
    ReadResource = "mcp_read_resource" { id: i64, uri: String } -> ResourceContents;
    /// `mcp_prompts`.
    Prompts = "mcp_prompts" { id: i64 } -> Vec<McpPrompt>;
    /// Arguments are checked against the tool's schema first; the call is kept in the history
    CallTool = "mcp_call_tool" { id: i64, tool: String, arguments: Value } -> McpCall;
    /// Newest first
    History = "mcp_history" { id: i64 } -> Vec<McpCall>;
    /// `mcp_clear_history`.
    ClearHistory = "mcp_clear_history" { id: i64 } -> ();
    /// A log read (see `DEPLOYMENTS_LOGS`) of stderr and stdout that is not JSON-RPC; the
    /// buffer lives across restarts (this is `mcp:{id}:log` of the old backend).
    Logs = "mcp_logs" { id: i64, from: Option<u64> } -> LogFrame;
}
