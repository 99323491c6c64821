//! One view per sidebar entry.

pub mod deployments;
pub mod files;
pub mod flow;
pub mod git;
pub mod git_sync;
pub mod mcp;
pub mod repositories;
pub mod services;
pub mod settings;
pub mod system;
pub mod terminals;
pub mod vscode;

use crate::components::icons::Icon;

/// What a process row's buttons do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lifecycle {
    Start,
    Stop,
    Restart,
}

/// The sidebar's entries, in order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Page {
    Repositories,
    VsCode,
    Deployments,
    Services,
    McpHub,
    FlowBuilder,
    Files,
    Git,
    System,
    Terminals,
    Settings,
}

impl Page {
    pub const ALL: [Page; 11] = [
        Page::Repositories,
        Page::VsCode,
        Page::Deployments,
        Page::Services,
        Page::McpHub,
        Page::FlowBuilder,
        Page::Files,
        Page::Git,
        Page::System,
        Page::Terminals,
        Page::Settings,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Page::Repositories => "Repositories",
            Page::VsCode => "VS Code",
            Page::Deployments => "Deployments",
            Page::Services => "Services",
            Page::McpHub => "MCP Hub",
            Page::FlowBuilder => "Flow Builder",
            Page::Files => "Files",
            Page::Git => "Git",
            Page::System => "System",
            Page::Terminals => "Terminals",
            Page::Settings => "Settings",
        }
    }

    /// Stable id for tests and anchors.
    pub fn slug(self) -> &'static str {
        match self {
            Page::Repositories => "repositories",
            Page::VsCode => "vscode",
            Page::Deployments => "deployments",
            Page::Services => "services",
            Page::McpHub => "mcp",
            Page::FlowBuilder => "flow",
            Page::Files => "files",
            Page::Git => "git",
            Page::System => "system",
            Page::Terminals => "terminals",
            Page::Settings => "settings",
        }
    }

    pub fn icon(self) -> Icon {
        match self {
            Page::Repositories => Icon::Folder,
            Page::VsCode => Icon::Code,
            Page::Deployments => Icon::Rocket,
            Page::Services => Icon::Database,
            Page::McpHub => Icon::Plug,
            Page::FlowBuilder => Icon::Chat,
            Page::Files => Icon::File,
            Page::Git => Icon::GitBranch,
            Page::System => Icon::Activity,
            Page::Terminals => Icon::Terminal,
            Page::Settings => Icon::Sliders,
        }
    }
}

/// The page shown, for links between pages (e.g. to the Doctor).
#[derive(Clone, Copy)]
pub struct Nav(pub leptos::prelude::RwSignal<Page>);
