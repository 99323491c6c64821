//! How domain modules report changes without knowing about the window.
//!
//! The desktop app implements [`EventSink`] by emitting Tauri events; tests collect
//! them in memory. Names and payloads are the contract's (`ai_desktop_api::events`).

use crate::util::lock;
use ai_desktop_api::deployments::Deployment;
use ai_desktop_api::events::{self, DeepLinkRefused, Deleted};
use ai_desktop_api::flow::{FlowMessage, FlowSession};
use ai_desktop_api::gateway::{GatewayApproval, GatewayCall, GatewayStatus};
use ai_desktop_api::git::RepoChanges;
use ai_desktop_api::hosts::HostEditor;
use ai_desktop_api::mcp::{McpElicitation, McpResourceUpdated, McpServer};
use ai_desktop_api::repos::Repository;
use ai_desktop_api::services::ServicesOverview;
use ai_desktop_api::stack::StackRun;
use ai_desktop_api::vscode::CodeServerInstance;
use std::borrow::Cow;
use std::sync::Mutex;

/// A change worth telling the UI about.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainEvent {
    RepositoryUpdated(Repository),
    RepositoryDeleted(i64),
    VsCodeUpdated(CodeServerInstance),
    HostEditorUpdated(HostEditor),
    HostDeploymentsUpdated(Box<ai_desktop_api::hosts::HostDeployments>),
    GitChanges(RepoChanges),
    DeepLinkRefused(String),
    McpUpdated(Box<McpServer>),
    McpDeleted(i64),
    DeploymentUpdated(Box<Deployment>),
    DeploymentDeleted(i64),
    ServiceUpdated(Box<ServicesOverview>),
    FlowSessionUpdated(Box<FlowSession>),
    FlowSessionDeleted(i64),
    /// A recipe was saved, deleted or run (the list is read again).
    FlowRecipesChanged,
    /// A terminal tab opened or closed (the list is read again).
    TerminalsChanged,
    /// `agent:{sessionId}:message`
    AgentMessage(Box<FlowMessage>),
    McpElicitation(Box<McpElicitation>),
    McpElicitationDone(i64),
    McpResourceUpdated(McpResourceUpdated),
    GatewayUpdated(Box<GatewayStatus>),
    GatewayApproval(Box<GatewayApproval>),
    GatewayApprovalDone(i64),
    GatewayCall(Box<GatewayCall>),
    StackProgress(Box<StackRun>),
}

impl DomainEvent {
    /// The event's name on the wire.
    pub fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            DomainEvent::RepositoryUpdated(_) => events::REPOSITORY_UPDATED,
            DomainEvent::RepositoryDeleted(_) => events::REPOSITORY_DELETED,
            DomainEvent::VsCodeUpdated(_) => events::VSCODE_UPDATED,
            DomainEvent::HostEditorUpdated(_) => events::HOST_EDITOR_UPDATED,
            DomainEvent::HostDeploymentsUpdated(_) => events::HOST_DEPLOYMENTS_UPDATED,
            DomainEvent::GitChanges(_) => events::GIT_CHANGES,
            DomainEvent::DeepLinkRefused(_) => events::DEEP_LINK_REFUSED,
            DomainEvent::McpUpdated(_) => events::MCP_UPDATED,
            DomainEvent::McpDeleted(_) => events::MCP_DELETED,
            DomainEvent::DeploymentUpdated(_) => events::DEPLOYMENT_UPDATED,
            DomainEvent::DeploymentDeleted(_) => events::DEPLOYMENT_DELETED,
            DomainEvent::ServiceUpdated(_) => events::SERVICE_UPDATED,
            DomainEvent::FlowSessionUpdated(_) => events::FLOW_SESSION_UPDATED,
            DomainEvent::FlowSessionDeleted(_) => events::FLOW_SESSION_DELETED,
            DomainEvent::FlowRecipesChanged => events::FLOW_RECIPES_CHANGED,
            DomainEvent::TerminalsChanged => events::TERMINALS_CHANGED,
            DomainEvent::AgentMessage(m) => return Cow::Owned(events::agent_message(m.session_id)),
            DomainEvent::McpElicitation(_) => events::MCP_ELICITATION,
            DomainEvent::McpElicitationDone(_) => events::MCP_ELICITATION_DONE,
            DomainEvent::McpResourceUpdated(_) => events::MCP_RESOURCE_UPDATED,
            DomainEvent::GatewayUpdated(_) => events::GATEWAY_UPDATED,
            DomainEvent::GatewayApproval(_) => events::GATEWAY_APPROVAL,
            DomainEvent::GatewayApprovalDone(_) => events::GATEWAY_APPROVAL_DONE,
            DomainEvent::GatewayCall(_) => events::GATEWAY_CALL,
            DomainEvent::StackProgress(_) => events::STACK_PROGRESS,
        })
    }

    /// The event's payload as JSON.
    pub fn payload(&self) -> serde_json::Value {
        let value = match self {
            DomainEvent::RepositoryUpdated(repo) => serde_json::to_value(repo),
            DomainEvent::RepositoryDeleted(id) => serde_json::to_value(Deleted { id: *id }),
            DomainEvent::VsCodeUpdated(instance) => serde_json::to_value(instance),
            DomainEvent::HostEditorUpdated(editor) => serde_json::to_value(editor),
            DomainEvent::HostDeploymentsUpdated(list) => serde_json::to_value(list),
            DomainEvent::GitChanges(changes) => serde_json::to_value(changes),
            DomainEvent::DeepLinkRefused(message) => serde_json::to_value(DeepLinkRefused {
                message: message.clone(),
            }),
            DomainEvent::McpUpdated(server) => serde_json::to_value(server),
            DomainEvent::McpDeleted(id) => serde_json::to_value(Deleted { id: *id }),
            DomainEvent::DeploymentUpdated(d) => serde_json::to_value(d),
            DomainEvent::DeploymentDeleted(id) => serde_json::to_value(Deleted { id: *id }),
            DomainEvent::ServiceUpdated(o) => serde_json::to_value(o),
            DomainEvent::FlowSessionUpdated(s) => serde_json::to_value(s),
            DomainEvent::FlowSessionDeleted(id) => serde_json::to_value(Deleted { id: *id }),
            DomainEvent::FlowRecipesChanged | DomainEvent::TerminalsChanged => {
                Ok(serde_json::Value::Null)
            }
            DomainEvent::AgentMessage(m) => serde_json::to_value(m),
            DomainEvent::McpElicitation(q) => serde_json::to_value(q),
            DomainEvent::McpElicitationDone(id) => serde_json::to_value(Deleted { id: *id }),
            DomainEvent::McpResourceUpdated(u) => serde_json::to_value(u),
            DomainEvent::GatewayUpdated(s) => serde_json::to_value(s),
            DomainEvent::GatewayApproval(a) => serde_json::to_value(a),
            DomainEvent::GatewayApprovalDone(id) => serde_json::to_value(Deleted { id: *id }),
            DomainEvent::GatewayCall(c) => serde_json::to_value(c),
            DomainEvent::StackProgress(r) => serde_json::to_value(r),
        };
        // Serializing these plain structs cannot fail; keep the event rather than panic.
        value.unwrap_or(serde_json::Value::Null)
    }
}

pub trait EventSink: Send + Sync {
    fn emit(&self, event: DomainEvent);
}

/// Keeps every event in order; for headless use and tests.
#[derive(Default)]
pub struct RecordingSink {
    events: Mutex<Vec<DomainEvent>>,
}

impl RecordingSink {
    pub fn take(&self) -> Vec<DomainEvent> {
        std::mem::take(&mut *lock(&self.events))
    }
}

impl EventSink for RecordingSink {
    fn emit(&self, event: DomainEvent) {
        lock(&self.events).push(event);
    }
}
