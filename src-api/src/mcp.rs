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
    /// The wire and database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            McpTransport::Stdio => "stdio",
            McpTransport::Http => "http",
        }
    }

    /// The transport of its wire spelling, if it is one.
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
    /// Not running.
    #[default]
    Stopped,
    /// Spawned (or connecting), the initialize handshake not yet done.
    Starting,
    /// Initialized: its tools can be called.
    Running,
    /// Asked to stop, not yet gone.
    Stopping,
    /// It did not start, or it died; `error` says why.
    Failed,
}

/// What the server said about itself in the initialize handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerInfo {
    /// The server's name for itself.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its display name, when it gives one.
    pub title: Option<String>,
    /// The MCP protocol version agreed on.
    pub protocol_version: String,
    /// What it tells clients about using it.
    pub instructions: Option<String>,
}

/// Which parts of the protocol the server offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpCapabilities {
    /// It offers tools.
    pub tools: bool,
    /// It offers resources.
    pub resources: bool,
    /// It offers prompts.
    pub prompts: bool,
    /// It sends log messages.
    pub logging: bool,
}

/// A registered MCP server and its live state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServer {
    /// The app's id for it.
    pub id: i64,
    /// Its name, unique among servers.
    pub name: String,
    /// What the user noted about it.
    pub description: Option<String>,
    /// Stdio (a program the app runs) or HTTP (a URL).
    pub transport: McpTransport,
    /// The program (stdio): a name looked up on PATH, or an absolute path.
    pub command: String,
    /// Arguments, passed one by one (never through a shell).
    pub args: Vec<String>,
    /// Extra environment for the program (stdio). Values cross IPC as
    /// `secrets::MASKED` (see `mcp::Reveal`).
    pub env: BTreeMap<String, String>,
    /// The folder the program runs in (stdio); None: the app's data folder.
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
    /// From the last successful handshake.
    pub capabilities: Option<McpCapabilities>,
    /// Where it is in its life.
    pub state: McpState,
    /// Its process id while it runs (stdio).
    pub pid: Option<u32>,
    /// Why it is `failed`, with its last output lines where there are any.
    pub error: Option<String>,
    /// RFC 3339, UTC: when it last started.
    pub started_at: Option<String>,
    /// Automatic restarts since the user last started it.
    pub restarts: u32,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC: the last change of its settings.
    pub updated_at: String,
    /// The steps of its last OAuth sign-in (none: it never asked for one).
    #[serde(default)]
    pub auth: Vec<McpAuthStep>,
    /// The app holds OAuth tokens for it (`mcp_sign_out` forgets them).
    #[serde(default)]
    pub signed_in: bool,
    /// Its tools the user turned off: never offered to an agent, never
    /// callable (`mcp_set_tool_enabled`).
    #[serde(default)]
    pub disabled_tools: Vec<String>,
    /// A pre-registered OAuth client id (http).
    #[serde(default)]
    pub oauth_client_id: Option<String>,
    /// Its secret; crosses IPC as `secrets::MASKED`.
    #[serde(default)]
    pub oauth_client_secret: Option<String>,
}

/// A stage of signing in to a server with OAuth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McpAuthStage {
    /// The server's protected-resource metadata and its authorization
    /// server's metadata.
    Discovery,
    /// This app known to the authorization server (registered on the fly,
    /// or as a pre-registered client).
    Registration,
    /// The user signs in in the browser, which comes back to the app.
    Browser,
    /// The code exchanged for tokens.
    Token,
}

/// How far a stage got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McpStepState {
    /// Under way.
    Running,
    /// Finished.
    Done,
    /// Stopped here; `detail` says why.
    Failed,
}

/// One stage of a sign-in, as the auth view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpAuthStep {
    /// Which stage.
    pub stage: McpAuthStage,
    /// How far it got.
    pub state: McpStepState,
    /// What it found (the authorization server, the client id, the scopes
    /// granted) or why it failed. Never a token.
    pub detail: Option<String>,
}

/// What the add/edit dialog sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerInput {
    /// Its name, unique among servers.
    pub name: String,
    /// What the user notes about it.
    #[serde(default)]
    pub description: Option<String>,
    /// Stdio (the default) or HTTP.
    #[serde(default)]
    pub transport: McpTransport,
    /// The program (stdio): a name looked up on PATH, or an absolute path.
    #[serde(default)]
    pub command: String,
    /// Arguments, passed one by one (never through a shell).
    #[serde(default)]
    pub args: Vec<String>,
    /// A value of `secrets::MASKED` (here and in `headers`) keeps the
    /// stored value of that name.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The folder the program runs in (stdio).
    #[serde(default)]
    pub working_directory: Option<String>,
    /// The endpoint (http).
    #[serde(default)]
    pub url: Option<String>,
    /// Extra request headers (http).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Restart it when it crashes.
    #[serde(default)]
    pub auto_restart: bool,
    /// A pre-registered OAuth client id (http), used instead of registering
    /// the app with the authorization server on the fly.
    #[serde(default)]
    pub oauth_client_id: Option<String>,
    /// Its secret, if it has one; `secrets::MASKED` keeps the stored one.
    #[serde(default)]
    pub oauth_client_secret: Option<String>,
}

/// One entry of an imported `mcpServers` document that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRefusal {
    /// The entry's key in `mcpServers` (empty when the document itself is bad).
    pub name: String,
    /// Why it was not imported.
    pub reason: String,
}

/// The outcome of an import: every entry lands in exactly one list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The servers created.
    pub imported: Vec<McpServer>,
    /// The entries not imported, and why.
    pub refused: Vec<ImportRefusal>,
}

/// A tool a server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpTool {
    /// Its name, as calls name it.
    pub name: String,
    /// Its display name, when it gives one.
    pub title: Option<String>,
    /// What it does, as the model and the user read it.
    pub description: Option<String>,
    /// JSON Schema of the arguments (an object schema).
    pub input_schema: Value,
    /// Hints the server gives (read-only, destructive …), as sent.
    pub annotations: Option<Value>,
}

/// A resource a server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpResource {
    /// Its URI, as reads name it.
    pub uri: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// Its type, when the server says.
    pub mime_type: Option<String>,
}

/// An argument of a prompt template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpPromptArgument {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Whether the prompt needs it.
    pub required: bool,
}

/// A prompt template a server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpPrompt {
    /// Its name.
    pub name: String,
    /// Its display name, when it gives one.
    pub title: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// What it takes.
    pub arguments: Vec<McpPromptArgument>,
}

/// One piece of a tool result or resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum McpContent {
    /// Text (JSON text is shown pretty-printed).
    Text {
        /// The text (of a resource: when it is text).
        text: String,
    },
    /// Base64 data.
    Image {
        /// Base64 of the bytes.
        data: String,
        /// Its type, e.g. `image/png`.
        mime_type: String,
    },
    /// Base64 audio.
    Audio {
        /// Base64 of the bytes.
        data: String,
        /// Its type, e.g. `image/png`.
        mime_type: String,
    },
    /// An embedded resource (text, or base64 `blob`).
    Resource {
        /// The resource's URI.
        uri: String,
        /// Its type, e.g. `image/png`.
        mime_type: Option<String>,
        /// The text (of a resource: when it is text).
        text: Option<String>,
        /// Base64 of its bytes, when it is binary.
        blob: Option<String>,
    },
    /// A link to a resource the client may read.
    ResourceLink {
        /// The resource's URI.
        uri: String,
        /// The resource's name.
        name: String,
        /// What the resource is.
        description: Option<String>,
        /// Its type, e.g. `image/png`.
        mime_type: Option<String>,
    },
    /// Anything this version does not know, as the server sent it.
    Other {
        /// The piece as the server sent it.
        json: Value,
    },
}

/// A tool call made through the hub, as kept in the server's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpCall {
    /// The app's id for it.
    pub id: i64,
    /// The server it was made to.
    pub server_id: i64,
    /// The tool's name.
    pub tool: String,
    /// The arguments sent.
    pub arguments: Value,
    /// What the tool returned (empty when the call itself failed).
    pub content: Vec<McpContent>,
    /// The tool's structured result, when it gave one.
    pub structured_content: Option<Value>,
    /// The tool reported an error (`isError`): it ran and failed.
    pub is_error: bool,
    /// The call did not complete: a protocol or transport error, a timeout.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// `{ id, uri }` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceContents {
    /// The resource read.
    pub uri: String,
    /// What it holds.
    pub contents: Vec<McpContent>,
}

/// A named set of MCP servers, each with the tools the profile turns off
/// (on top of those turned off in the Hub), that a Flow session can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpProfile {
    /// Its name, unique among profiles.
    pub name: String,
    /// Its servers.
    pub servers: Vec<McpProfileServer>,
}

/// One server of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpProfileServer {
    /// The server.
    pub server_id: i64,
    /// Its tools this profile leaves out.
    #[serde(default)]
    pub tools_off: Vec<String>,
}

/// A JSON-RPC request the user keeps for a server, to send again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpSavedRequest {
    /// What the user calls it.
    pub name: String,
    /// The JSON-RPC method, e.g. `tools/list`.
    pub method: String,
    /// Its params as JSON text (empty: none).
    pub params: String,
}

/// A watched resource changed (`mcp_subscribe`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpResourceUpdated {
    /// The server it is on.
    pub server_id: i64,
    /// The resource.
    pub uri: String,
}

/// A family of resources a server offers, named by an RFC 6570 URI template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpResourceTemplate {
    /// The template, e.g. `file:///{path}`.
    pub uri_template: String,
    /// Its name.
    pub name: String,
    /// Its display name, if it gives one.
    pub title: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// The MIME type of its resources, if uniform.
    pub mime_type: Option<String>,
    /// The variables the template needs, in order.
    pub parameters: Vec<String>,
}

/// One JSON-RPC message between the app and a server (the raw protocol view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpWireMessage {
    /// Its place (increasing; a read resumes after it).
    pub seq: u64,
    /// From the app to the server (else the other way).
    pub sent: bool,
    /// When it crossed, in milliseconds since 1970.
    pub at_ms: i64,
    /// The message as JSON, secrets blanked.
    pub text: String,
    /// It was longer than what is kept (32 kB).
    pub truncated: bool,
}

/// A prompt as its server filled it in with the arguments given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpPromptResult {
    /// What the server says the result is.
    pub description: Option<String>,
    /// The messages, in order.
    pub messages: Vec<McpPromptMessage>,
}

/// One message of a filled-in prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpPromptMessage {
    /// `user` or `assistant`.
    pub role: String,
    /// What it says (text, an image, a resource …).
    pub content: McpContent,
}

/// A server's request for input from the user (MCP elicitation, form
/// mode), shown as a form generated from its schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpElicitation {
    /// Names it for `mcp_answer_elicitation`.
    pub id: i64,
    /// The server asking.
    pub server_id: i64,
    /// Its name, for the form's title.
    pub server_name: String,
    /// What the server says it needs, for the user.
    pub message: String,
    /// The form's fields, in the schema's order.
    pub fields: Vec<McpElicitField>,
    /// Seconds it waits for an answer before it is cancelled.
    pub timeout_secs: u64,
}

impl McpElicitation {
    /// The answer of a form left as it was shown: every field with a
    /// default, at its default.
    pub fn defaults(&self) -> serde_json::Map<String, Value> {
        self.fields
            .iter()
            .filter_map(|f| f.default.clone().map(|d| (f.name.clone(), d)))
            .collect()
    }
}

/// One field of an elicitation form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpElicitField {
    /// The property's name (the answer's key).
    pub name: String,
    /// Its label, if the server gave one.
    pub title: Option<String>,
    /// Help text under it.
    pub description: Option<String>,
    /// The answer must have it.
    pub required: bool,
    /// What it holds.
    pub kind: McpElicitKind,
    /// The server's default (the form starts with it).
    pub default: Option<Value>,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum McpElicitKind {
    /// A line of text.
    Text {
        /// `email`, `uri`, `date`, `date-time`.
        format: Option<String>,
        /// Fewest characters.
        min_length: Option<u64>,
        /// Most characters.
        max_length: Option<u64>,
    },
    /// A number.
    Number {
        /// Whole numbers only.
        integer: bool,
        /// Smallest allowed.
        minimum: Option<f64>,
        /// Largest allowed.
        maximum: Option<f64>,
    },
    /// Yes or no.
    Boolean,
    /// One of `options` (or, with `multiple`, any of them).
    Choice {
        /// What can be chosen.
        options: Vec<McpChoice>,
        /// Several at once (the answer is a list).
        multiple: bool,
    },
}

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpChoice {
    /// What the answer holds.
    pub value: String,
    /// What the user sees, if not the value.
    pub title: Option<String>,
}

/// The user's answer to an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McpElicitAction {
    /// Send the form's values.
    Accept,
    /// Say no.
    Decline,
    /// Dismiss without an answer.
    Cancel,
}

crate::command! {
    /// Every registered MCP server with its live state, by name.
    List = "mcp_list" {} -> Vec<McpServer>;
    /// Registers a server (stopped).
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
    /// Stops it (its process ends, or the HTTP session is closed).
    Stop = "mcp_stop" { id: i64 } -> McpServer;
    /// Stops it and starts it again with its current settings.
    Restart = "mcp_restart" { id: i64 } -> McpServer;
    /// The server must be running
    Tools = "mcp_tools" { id: i64 } -> Vec<McpTool>;
    /// The resources it offers (it must be running).
    Resources = "mcp_resources" { id: i64 } -> Vec<McpResource>;
    /// One resource's contents.
    ReadResource = "mcp_read_resource" { id: i64, uri: String } -> ResourceContents;
    /// The prompt templates it offers (it must be running).
    Prompts = "mcp_prompts" { id: i64 } -> Vec<McpPrompt>;
    /// Arguments are checked against the tool's schema first; the call is kept in the history
    CallTool = "mcp_call_tool" { id: i64, tool: String, arguments: Value } -> McpCall;
    /// Newest first
    History = "mcp_history" { id: i64 } -> Vec<McpCall>;
    /// Forgets its call history.
    ClearHistory = "mcp_clear_history" { id: i64 } -> ();
    /// Turns one tool of server `id` off or on again.
    SetToolEnabled = "mcp_set_tool_enabled" { id: i64, tool: String, enabled: bool } -> McpServer;
    /// Forgets the OAuth tokens the app holds for server `id` (it signs in
    /// again on its next start).
    SignOut = "mcp_sign_out" { id: i64 } -> McpServer;
    /// Prompt `name` of server `id` filled in with `arguments` (each a
    /// string; the prompt's required ones must be there).
    GetPrompt = "mcp_get_prompt" { id: i64, name: String, arguments: BTreeMap<String, String> } -> McpPromptResult;
    /// Every server as an `mcpServers` JSON document for other clients
    /// (Claude Desktop, Cursor, VS Code, Claude Code); env and header values
    /// are left empty unless `with_secrets`.
    Export = "mcp_export" { with_secrets: bool } -> String;
    /// The MCP profiles, by name.
    Profiles = "mcp_profiles" {} -> Vec<McpProfile>;
    /// Keeps `profile` (replacing one of the same name), or with `remove`
    /// forgets the one of that name.
    SaveProfile = "mcp_save_profile" { profile: McpProfile, remove: bool } -> Vec<McpProfile>;
    /// Sends a JSON-RPC request (any method; `params` a JSON object or
    /// empty) to server `id` and answers its result as JSON text.
    SendRequest = "mcp_send_request" { id: i64, method: String, params: String } -> String;
    /// The requests kept for server `id`.
    SavedRequests = "mcp_saved_requests" { id: i64 } -> Vec<McpSavedRequest>;
    /// Keeps `request` for server `id` (replacing one of the same name), or
    /// with `remove` forgets the one of that name.
    SaveRequest = "mcp_save_request" { id: i64, request: McpSavedRequest, remove: bool } -> Vec<McpSavedRequest>;
    /// Watches resource `uri` of server `id` (`mcp:resource:updated` when
    /// it changes), or stops watching it.
    Subscribe = "mcp_subscribe" { id: i64, uri: String, subscribe: bool } -> ();
    /// The resource templates of server `id`.
    ResourceTemplates = "mcp_resource_templates" { id: i64 } -> Vec<McpResourceTemplate>;
    /// Reads the resource `uri_template` names once its variables are
    /// filled with `values` (each required).
    ReadTemplate = "mcp_read_template" { id: i64, uri_template: String, values: BTreeMap<String, String> } -> ResourceContents;
    /// The JSON-RPC messages between the app and server `id` after `from`
    /// (none: all kept, the newest 500), oldest first.
    Wire = "mcp_wire" { id: i64, from: Option<u64> } -> Vec<McpWireMessage>;
    /// The elicitations waiting for the user, oldest first.
    Elicitations = "mcp_elicitations" {} -> Vec<McpElicitation>;
    /// Answers elicitation `id`. With `accept`, `content` must match the
    /// form (refused otherwise, and the question stays open).
    AnswerElicitation = "mcp_answer_elicitation" { id: i64, action: McpElicitAction, content: Option<Value> } -> ();
    /// A log read (see `deployments::Logs`) of stderr and stdout that is not JSON-RPC; the
    /// buffer lives across restarts (this is `mcp:{id}:log` of the old backend).
    Logs = "mcp_logs" { id: i64, from: Option<u64> } -> LogFrame;
}
