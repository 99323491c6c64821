//! The MCP gateway: one local streamable-HTTP endpoint (loopback, a bearer
//! token) through which other MCP clients on this machine use the Hub's
//! servers and AI Desktop's own workshop tools, each call subject to the
//! user's approval and kept in a history.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the user chose to share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySettings {
    /// Serve the endpoint (also after the app restarts).
    pub enabled: bool,
    /// The loopback port it listens on.
    pub port: u16,
    /// The Hub's servers whose enabled tools it offers.
    pub server_ids: Vec<i64>,
    /// A profile that leaves more of their tools out, by name.
    #[serde(default)]
    pub profile: Option<String>,
    /// Offer AI Desktop's own tools (repositories, deployments, services,
    /// code-server).
    pub workshop: bool,
    /// Add the gateway to each repository's VS Code (its `mcp.json`).
    #[serde(default)]
    pub editors: bool,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            enabled: false,
            port: 7391,
            server_ids: Vec::new(),
            profile: None,
            workshop: true,
            editors: false,
        }
    }
}

/// Whether a tool's calls need the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayRule {
    /// Ask each time (unless allowed for the client until the gateway stops).
    Ask,
    /// Run without asking.
    Allow,
    /// Refuse without asking.
    Deny,
}

/// The gateway now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayStatus {
    /// What the user chose.
    pub settings: GatewaySettings,
    /// Whether it is listening.
    pub running: bool,
    /// Its endpoint while it listens.
    pub url: Option<String>,
    /// Why it is not listening although enabled.
    pub error: Option<String>,
    /// The tools it offers now, with their rules, by name.
    pub tools: Vec<GatewayTool>,
}

/// One tool the gateway offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayTool {
    /// The name clients call it by (`<server>__<tool>`, or the workshop
    /// tool's own name).
    pub name: String,
    /// The server it belongs to ("AI Desktop" for workshop tools).
    pub server: String,
    /// What it does.
    pub description: String,
    /// It only reads.
    pub read_only: bool,
    /// Whether its calls need the user.
    pub rule: GatewayRule,
}

/// A call waiting for the user's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayApproval {
    /// Names it for `gateway_answer`.
    pub id: i64,
    /// The client asking (its name from `initialize`).
    pub client: String,
    /// The tool, as the client named it.
    pub tool: String,
    /// The server it belongs to ("AI Desktop" for workshop tools).
    pub server: String,
    /// What the tool does.
    pub description: String,
    /// The arguments, pretty-printed.
    pub arguments: String,
    /// Seconds it waits before it is refused.
    pub timeout_secs: u64,
}

/// The user's answer to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayDecision {
    /// Run this call.
    Once,
    /// Run it, and this tool's next calls from the same client until the
    /// gateway stops.
    Session,
    /// Refuse it.
    Deny,
}

/// One call through the gateway, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayCall {
    /// The app's id for it.
    pub id: i64,
    /// The client that called.
    pub client: String,
    /// The tool, as the client named it.
    pub tool: String,
    /// The server it belongs to.
    pub server: String,
    /// The arguments sent.
    pub arguments: Value,
    /// How it was let through or not: `asked`, `session`, `rule`, `denied`,
    /// `denied_by_rule`, `timed_out`.
    pub decision: String,
    /// The tool reported an error (`isError`).
    pub is_error: bool,
    /// The call did not run or did not complete.
    pub error: Option<String>,
    /// The start of its text result.
    pub summary: String,
    /// How long it took, waiting for the user included, in milliseconds.
    pub duration_ms: f64,
    /// RFC 3339, UTC.
    pub created_at: String,
}

crate::command! {
    /// The gateway's settings, state and tools.
    Status = "gateway_status" {} -> GatewayStatus;
    /// Keeps `settings` and starts, restarts or stops the endpoint to match.
    Configure = "gateway_configure" { settings: GatewaySettings } -> GatewayStatus;
    /// Sets whether calls of tool `name` need the user.
    SetRule = "gateway_set_rule" { name: String, rule: GatewayRule } -> GatewayStatus;
    /// The bearer token clients send (for copying into their settings).
    Token = "gateway_token" {} -> String;
    /// A new token: clients with the old one are refused from now on.
    RotateToken = "gateway_rotate_token" {} -> String;
    /// The `mcpServers` entry other clients read (token included).
    ClientConfig = "gateway_client_config" {} -> String;
    /// The calls waiting for the user, oldest first.
    Approvals = "gateway_approvals" {} -> Vec<GatewayApproval>;
    /// Answers call `id`.
    Answer = "gateway_answer" { id: i64, decision: GatewayDecision } -> ();
    /// The calls made through the gateway, newest first (the newest 200).
    History = "gateway_history" {} -> Vec<GatewayCall>;
    /// Forgets the gateway's call history.
    ClearHistory = "gateway_clear_history" {} -> ();
}
