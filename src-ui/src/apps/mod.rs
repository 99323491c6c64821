//! One view per sidebar entry.

pub mod compose;
pub mod deploy_history;
pub mod deployments;
pub mod files;
pub mod flow;
pub mod git;
pub mod host_deploy;
pub mod hosts;
pub mod mcp;
pub mod repositories;
pub mod service_data;
pub mod services;
pub mod settings;
pub mod stack;
pub mod system;
pub mod terminals;
pub mod timeline;
pub mod vscode;

use crate::components::icons::Icon;
use leptos::prelude::*;

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
    Hosts,
    Settings,
}

impl Page {
    pub const ALL: [Page; 12] = [
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
        Page::Hosts,
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
            Page::Hosts => "Hosts",
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
            Page::Hosts => "hosts",
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
            Page::Hosts => Icon::Server,
            Page::Settings => Icon::Sliders,
        }
    }
}

/// The page shown, for links between pages (the Doctor, the palette), and
/// a record a page should select when it opens.
#[derive(Clone, Copy)]
pub struct Nav {
    pub page: RwSignal<Page>,
    focus: RwSignal<Option<(Page, i64)>>,
    /// A branch the Git page's merge row offers chosen, in that repository.
    pub merge: RwSignal<Option<(i64, String)>>,
}

impl Nav {
    pub fn new() -> Nav {
        Nav {
            page: RwSignal::new(Page::Repositories),
            focus: RwSignal::new(None),
            merge: RwSignal::new(None),
        }
    }

    pub fn go(self, page: Page) {
        self.page.set(page);
    }

    /// Shows `page` with the record `id` selected.
    pub fn show(self, page: Page, id: i64) {
        self.focus.set(Some((page, id)));
        // Already there: the page follows `focus` (see `follow_focus`).
        self.page.set(page);
    }

    /// Shows repository `repository_id` on the Git page with `branch`
    /// chosen in its merge row (the user merges it there).
    pub fn merge_on_git_page(self, repository_id: i64, branch: String) {
        self.merge.set(Some((repository_id, branch)));
        self.show(Page::Git, repository_id);
    }

    /// Keeps `selected` on what [`Nav::show`] asks for `page`, now and
    /// while the page is mounted.
    pub fn follow_focus(self, page: Page, selected: RwSignal<Option<i64>>) {
        Effect::new(move |_| {
            if let Some((p, id)) = self.focus.get() {
                if p == page {
                    selected.set(Some(id));
                    self.focus.set(None);
                }
            }
        });
    }
}

/// The app's [`Nav`].
pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}
