//! Event names the desktop app emits and the UI listens to, with their payloads.
//!
//! Names keep the old backend's vocabulary (`repository:updated`, …) so that
//! people who scripted against it recognise them.

use serde::{Deserialize, Serialize};

/// Payload: [`crate::repos::Repository`] (created or changed).
pub const REPOSITORY_UPDATED: &str = "repository:updated";
/// Payload: [`Deleted`].
pub const REPOSITORY_DELETED: &str = "repository:deleted";

/// Payload: [`crate::vscode::CodeServerInstance`].
pub const VSCODE_UPDATED: &str = "vscode:updated";
/// Payload: [`crate::hosts::HostEditor`] (its state moved).
pub const HOST_EDITOR_UPDATED: &str = "host-editor:updated";
/// A host's deployments changed (`hosts::HostDeployments`).
pub const HOST_DEPLOYMENTS_UPDATED: &str = "host-deployments:updated";
/// Payload: [`crate::git::RepoChanges`] of the repository being watched
/// (`git_watch`).
pub const GIT_CHANGES: &str = "git:changes";
/// Payload: [`crate::mcp::McpServer`] (created, changed, or its state moved).
pub const MCP_UPDATED: &str = "mcp:updated";
/// Payload: [`Deleted`].
pub const MCP_DELETED: &str = "mcp:deleted";
/// Payload: [`crate::mcp::McpElicitation`]: a server asks the user something.
pub const MCP_ELICITATION: &str = "mcp:elicitation";
/// Payload: [`crate::mcp::McpResourceUpdated`]: a resource the user
/// watches changed on its server.
pub const MCP_RESOURCE_UPDATED: &str = "mcp:resource:updated";
/// Payload: [`Deleted`] (its `id` is the elicitation's): answered, timed out
/// or its server went away.
pub const MCP_ELICITATION_DONE: &str = "mcp:elicitation:done";

/// Payload: [`crate::gateway::GatewayStatus`] (settings, state or tools changed).
pub const GATEWAY_UPDATED: &str = "gateway:updated";
/// Payload: [`crate::gateway::GatewayApproval`]: a client's call waits for the user.
pub const GATEWAY_APPROVAL: &str = "gateway:approval";
/// Payload: [`Deleted`] (its `id` is the approval's): answered or timed out.
pub const GATEWAY_APPROVAL_DONE: &str = "gateway:approval:done";
/// Payload: [`crate::gateway::GatewayCall`]: a call through the gateway ended.
pub const GATEWAY_CALL: &str = "gateway:call";

/// Payload: [`crate::deployments::Deployment`] (created, changed, or its
/// status or metrics moved).
pub const DEPLOYMENT_UPDATED: &str = "deployment:updated";
/// Payload: [`Deleted`].
pub const DEPLOYMENT_DELETED: &str = "deployment:deleted";

/// Payload: [`crate::services::ServicesOverview`] (after every change, and
/// whenever Docker reports one of the app's containers changed, or Docker
/// went away or came back).
pub const SERVICE_UPDATED: &str = "service:updated";

/// Payload: [`crate::stack::StackRun`]: a repository's stack up or down
/// moved a step (sent only while one runs).
pub const STACK_PROGRESS: &str = "stack:progress";

/// Payload: [`crate::flow::FlowSession`] (created, changed, or its agent's
/// state moved).
pub const FLOW_SESSION_UPDATED: &str = "flow:session:updated";
/// Payload: [`Deleted`].
pub const FLOW_SESSION_DELETED: &str = "flow:session:deleted";
/// A terminal tab opened or closed (by the user, a service's client, the
/// agent's `run_command`). Payload: null (read the list again).
pub const TERMINALS_CHANGED: &str = "terminals:changed";
/// A Flow recipe was saved, deleted or run. Payload: null (read the list again).
pub const FLOW_RECIPES_CHANGED: &str = "flow:recipes:changed";

/// The old backend's `agent:{sessionId}:message`. Payload:
/// [`crate::flow::FlowMessage`] (created, or changed: finished streaming, a
/// tool call's status moved).
pub fn agent_message(session_id: i64) -> String {
    format!("agent:{session_id}:message")
}

/// Payload: [`ShowSession`]: a Flow session the window should show now (one
/// started from a notification's *Ask the agent*).
pub const SHOW_SESSION: &str = "flow:session:show";

/// The session to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowSession {
    /// Its id.
    pub session_id: i64,
}

/// Payload: [`DeepLinkRefused`]: a deep link that was not acted on.
pub const DEEP_LINK_REFUSED: &str = "deep-link:refused";

/// Why a deep link was refused, for the toast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeepLinkRefused {
    /// Why the link was refused, for a toast.
    pub message: String,
}

/// Payload of every `*:deleted` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    /// The id of the record that is gone.
    pub id: i64,
}
