//! One way to show a state: every state enum says its tone and its words
//! through [`Status`], and [`StatusPill`] (or [`StatusDot`] in dense lists)
//! shows them the same way on every page.

use ai_desktop_api::deployments::DeploymentStatus;
use ai_desktop_api::flow::RunState;
use ai_desktop_api::hosts::HostEditorState;
use ai_desktop_api::mcp::McpState;
use ai_desktop_api::services::ServiceState;
use ai_desktop_api::vscode::InstanceState;
use leptos::prelude::*;

/// How a state looks (its CSS class).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tone {
    /// Up and working.
    Running,
    /// On its way somewhere (starting, stopping, thinking).
    Busy,
    /// Needs the user.
    Waiting,
    Failed,
    Stopped,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Running => "running",
            Tone::Busy => "starting",
            Tone::Waiting => "waiting",
            Tone::Failed => "failed",
            Tone::Stopped => "stopped",
        }
    }
}

/// A state the UI shows.
pub trait Status: Copy + PartialEq + Send + Sync + 'static {
    fn tone(self) -> Tone;
    /// The word(s) users see, e.g. "Starting…".
    fn label(self) -> &'static str;
}

/// A pill with the state's words, coloured by its tone. (A state that
/// changes is shown by a closure: `{move || view! { <StatusPill …/> }}`.)
#[component]
pub fn StatusPill<S: Status>(
    state: S,
    #[prop(optional)] test_id: &'static str,
    /// Words instead of the state's own (e.g. "Running on :8080").
    #[prop(optional, into)]
    text: Option<String>,
) -> impl IntoView {
    view! {
        <span class=format!("status {}", state.tone().class()) data-testid=test_id>
            {text.unwrap_or_else(|| state.label().to_string())}
        </span>
    }
}

/// A dot in the state's colour, its words as the tooltip.
#[component]
pub fn StatusDot<S: Status>(state: S) -> impl IntoView {
    view! { <span class=format!("dot {}", state.tone().class()) title=state.label()></span> }
}

impl Status for ServiceState {
    fn tone(self) -> Tone {
        match self {
            ServiceState::Running => Tone::Running,
            ServiceState::Starting => Tone::Busy,
            ServiceState::Missing => Tone::Failed,
            ServiceState::Stopped => Tone::Stopped,
        }
    }
    fn label(self) -> &'static str {
        match self {
            ServiceState::Running => "Running",
            ServiceState::Starting => "Starting…",
            ServiceState::Missing => "Missing",
            ServiceState::Stopped => "Stopped",
        }
    }
}

impl Status for McpState {
    fn tone(self) -> Tone {
        match self {
            McpState::Running => Tone::Running,
            McpState::Starting | McpState::Stopping => Tone::Busy,
            McpState::Failed => Tone::Failed,
            McpState::Stopped => Tone::Stopped,
        }
    }
    fn label(self) -> &'static str {
        match self {
            McpState::Running => "Running",
            McpState::Starting => "Starting…",
            McpState::Stopping => "Stopping…",
            McpState::Failed => "Failed",
            McpState::Stopped => "Stopped",
        }
    }
}

impl Status for DeploymentStatus {
    fn tone(self) -> Tone {
        match self {
            DeploymentStatus::Online => Tone::Running,
            DeploymentStatus::Launching | DeploymentStatus::Stopping => Tone::Busy,
            DeploymentStatus::Errored => Tone::Failed,
            DeploymentStatus::Stopped => Tone::Stopped,
        }
    }
    fn label(self) -> &'static str {
        match self {
            DeploymentStatus::Online => "Online",
            DeploymentStatus::Launching => "Launching…",
            DeploymentStatus::Stopping => "Stopping…",
            DeploymentStatus::Errored => "Errored",
            DeploymentStatus::Stopped => "Stopped",
        }
    }
}

impl Status for RunState {
    fn tone(self) -> Tone {
        match self {
            RunState::Idle => Tone::Stopped,
            RunState::Thinking | RunState::RunningTool => Tone::Busy,
            RunState::WaitingApproval => Tone::Waiting,
        }
    }
    fn label(self) -> &'static str {
        match self {
            RunState::Idle => "Idle",
            RunState::Thinking => "Answering…",
            RunState::RunningTool => "Running a tool…",
            RunState::WaitingApproval => "Waiting for your approval",
        }
    }
}

impl Status for InstanceState {
    fn tone(self) -> Tone {
        match self {
            InstanceState::Running => Tone::Running,
            InstanceState::Starting | InstanceState::Stopping => Tone::Busy,
            InstanceState::Failed => Tone::Failed,
            InstanceState::Stopped => Tone::Stopped,
        }
    }
    fn label(self) -> &'static str {
        match self {
            InstanceState::Running => "Running",
            InstanceState::Starting => "Starting…",
            InstanceState::Stopping => "Stopping…",
            InstanceState::Failed => "Failed",
            InstanceState::Stopped => "Stopped",
        }
    }
}

impl Status for HostEditorState {
    fn tone(self) -> Tone {
        match self {
            HostEditorState::Running => Tone::Running,
            HostEditorState::Starting => Tone::Busy,
            HostEditorState::Failed => Tone::Failed,
            HostEditorState::Unreachable => Tone::Waiting,
            HostEditorState::Stopped => Tone::Stopped,
        }
    }
    fn label(self) -> &'static str {
        match self {
            HostEditorState::Running => "Running there",
            HostEditorState::Starting => "Starting there…",
            HostEditorState::Failed => "Failed",
            HostEditorState::Unreachable => "Unreachable",
            HostEditorState::Stopped => "Stopped",
        }
    }
}
