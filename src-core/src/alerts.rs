//! Which changes deserve a desktop notification: a managed process that
//! crashed (a code-server or MCP server that exited on its own, a deployment
//! PM2 marked errored) or a service that became unusable (its container gone,
//! Docker no longer answering), and a call of an MCP gateway client that
//! waits for the user (told once per call; the desktop side leaves it out
//! while the window has the focus, where the card shows). Computed from the
//! domain events by watching transitions, so each happening is told once;
//! `src-tauri/src/events.rs` sends them with [`crate::notify`].

use crate::events::DomainEvent;
use ai_desktop_api::deployments::DeploymentStatus;
use ai_desktop_api::mcp::McpState;
use ai_desktop_api::services::ServiceState;
use ai_desktop_api::vscode::InstanceState;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alert {
    pub title: String,
    pub body: String,
    /// It asks the user to act in the window (not told while the window
    /// has the focus: the window shows it).
    pub needs_window: bool,
    /// A button on the notification, if it offers one.
    pub action: Option<AlertAction>,
}

/// What a notification's button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    /// *Ask the agent* about the crash of this deployment.
    AskAgent(i64),
}

impl AlertAction {
    /// The action's key on the bus.
    pub const ASK_AGENT: &'static str = "ask-agent";

    pub fn key(self) -> &'static str {
        match self {
            AlertAction::AskAgent(_) => Self::ASK_AGENT,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertAction::AskAgent(_) => "Ask the agent",
        }
    }
}

/// What was last seen of each thing, to tell transitions from repeats.
#[derive(Default)]
pub struct Alerts {
    vscode: HashMap<i64, (InstanceState, Option<String>)>,
    mcp: HashMap<i64, (McpState, Option<String>)>,
    deployments: HashMap<i64, DeploymentStatus>,
    /// Host deployments, by their id, and the host of each.
    host_deployments: HashMap<i64, DeploymentStatus>,
    host_of: HashMap<i64, i64>,
    services: HashMap<String, ServiceState>,
    docker: Option<bool>,
    /// Repository names for code-server alerts.
    repo_names: HashMap<i64, String>,
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    line.chars().take(200).collect()
}

impl Alerts {
    pub fn observe(&mut self, event: &DomainEvent) -> Vec<Alert> {
        let mut out = Vec::new();
        match event {
            DomainEvent::RepositoryUpdated(r) => {
                self.repo_names.insert(r.id, r.name.clone());
            }
            DomainEvent::VsCodeUpdated(i) => {
                let before = self
                    .vscode
                    .insert(i.repository_id, (i.state, i.error.clone()));
                let crashed = i
                    .error
                    .as_deref()
                    .is_some_and(|e| e.contains("exited on its own"));
                let new_error = before.as_ref().map(|(_, e)| e) != Some(&i.error);
                if crashed && new_error {
                    let name = self
                        .repo_names
                        .get(&i.repository_id)
                        .cloned()
                        .unwrap_or_else(|| format!("repository {}", i.repository_id));
                    let title = if i.state == InstanceState::Failed {
                        format!("VS Code for {name} keeps crashing")
                    } else {
                        format!("VS Code for {name} crashed")
                    };
                    out.push(Alert {
                        title,
                        body: first_line(i.error.as_deref().unwrap_or("")),
                        needs_window: false,
                        action: None,
                    });
                }
            }
            DomainEvent::McpUpdated(s) => {
                let before = self.mcp.insert(s.id, (s.state, s.error.clone()));
                let was_failed = before
                    .as_ref()
                    .is_some_and(|(st, _)| *st == McpState::Failed);
                let crashed = s
                    .error
                    .as_deref()
                    .is_some_and(|e| e.contains("exited on its own") || e.contains("closed"));
                let new_error = before.as_ref().map(|(_, e)| e) != Some(&s.error);
                if (s.state == McpState::Failed && !was_failed) || (crashed && new_error) {
                    if let Some(err) = s.error.as_deref() {
                        out.push(Alert {
                            title: format!("MCP server {} stopped", s.name),
                            body: first_line(err),
                            needs_window: false,
                            action: None,
                        });
                    }
                }
            }
            DomainEvent::DeploymentUpdated(d) => {
                let before = self.deployments.insert(d.id, d.status);
                if d.status == DeploymentStatus::Errored
                    && before.is_some_and(|b| b != DeploymentStatus::Errored)
                {
                    out.push(Alert {
                        title: format!("Deployment {} crashed", d.name),
                        body: d
                            .error
                            .as_deref()
                            .map(first_line)
                            .unwrap_or_else(|| "PM2 gave up restarting it.".into()),
                        needs_window: false,
                        action: Some(AlertAction::AskAgent(d.id)),
                    });
                }
            }
            DomainEvent::HostDeploymentsUpdated(list) => {
                let ids: Vec<i64> = list.deployments.iter().map(|d| d.id).collect();
                // Deleted ones are forgotten (ids of this host only).
                self.host_deployments.retain(|id, _| {
                    ids.contains(id) || self.host_of.get(id) != Some(&list.host_id)
                });
                for d in &list.deployments {
                    self.host_of.insert(d.id, list.host_id);
                    let before = self.host_deployments.insert(d.id, d.status);
                    if d.status == DeploymentStatus::Errored
                        && before.is_some_and(|b| b != DeploymentStatus::Errored)
                    {
                        out.push(Alert {
                            title: format!("Deployment {} on {} crashed", d.name, list.host_name),
                            body: format!(
                                "PM2 there gave up restarting it after {} restarts; its output is on the Hosts page.",
                                d.restarts
                            ),
                            needs_window: false,
                            action: None,
                        });
                    }
                }
            }
            DomainEvent::ServiceUpdated(o) => {
                if self.docker == Some(true) && !o.docker_available {
                    out.push(Alert {
                        title: "Docker stopped answering".into(),
                        body: o
                            .message
                            .as_deref()
                            .map(first_line)
                            .unwrap_or_else(|| "Services are unavailable.".into()),
                        needs_window: false,
                        action: None,
                    });
                }
                self.docker = Some(o.docker_available);
                for s in &o.installed {
                    let key = s.kind.as_str().to_string();
                    let before = self.services.insert(key, s.state);
                    if s.state == ServiceState::Missing
                        && before.is_some_and(|b| b != ServiceState::Missing)
                    {
                        out.push(Alert {
                            title: format!("{} is gone", s.kind.label()),
                            body: format!(
                                "Its container {} was removed outside the app; its data volume {} is kept.",
                                s.container, s.volume
                            ),
                            needs_window: false,
                            action: None,
                        });
                    }
                }
            }
            DomainEvent::McpDeleted(id) => {
                self.mcp.remove(id);
            }
            DomainEvent::DeploymentDeleted(id) => {
                self.deployments.remove(id);
            }
            DomainEvent::GatewayApproval(a) => out.push(Alert {
                title: format!("{} wants to use {}", a.client, a.tool),
                body: format!(
                    "Open AI Desktop to allow or deny it (of {}); it is refused after {} min.",
                    a.server,
                    a.timeout_secs.div_ceil(60)
                ),
                needs_window: true,
                action: None,
            }),
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai_desktop_api::deployments::Deployment;
    use ai_desktop_api::vscode::CodeServerInstance;

    fn instance(state: InstanceState, error: Option<&str>) -> DomainEvent {
        DomainEvent::VsCodeUpdated(CodeServerInstance {
            repository_id: 1,
            state,
            port: None,
            pid: None,
            started_at: None,
            adopted: false,
            error: error.map(str::to_string),
        })
    }

    #[test]
    fn a_gateway_call_waiting_for_the_user_is_told_with_who_and_what() {
        let mut a = Alerts::default();
        let told = a.observe(&DomainEvent::GatewayApproval(Box::new(
            ai_desktop_api::gateway::GatewayApproval {
                id: 3,
                client: "claude-code".into(),
                tool: "restart_deployment".into(),
                server: "AI Desktop".into(),
                description: String::new(),
                arguments: "{}".into(),
                timeout_secs: 120,
            },
        )));
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].title, "claude-code wants to use restart_deployment");
        assert!(
            told[0].body.contains("refused after 2 min"),
            "{}",
            told[0].body
        );
        assert!(told[0].needs_window);
        // Its answer tells nothing more.
        assert!(a.observe(&DomainEvent::GatewayApprovalDone(3)).is_empty());
    }

    #[test]
    fn a_crash_is_told_once_and_a_normal_stop_never() {
        let mut a = Alerts::default();
        assert!(a
            .observe(&instance(InstanceState::Running, None))
            .is_empty());
        assert!(a
            .observe(&instance(InstanceState::Stopped, None))
            .is_empty());
        let crash = instance(
            InstanceState::Stopped,
            Some("code-server exited on its own (signal 9); restarting in 1 s."),
        );
        let alerts = a.observe(&crash);
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].title, "VS Code for repository 1 crashed");
        assert!(a.observe(&crash).is_empty(), "told twice");
        let gave_up = instance(
            InstanceState::Failed,
            Some("code-server exited on its own (signal 9). It crashed 3 times …"),
        );
        assert_eq!(
            a.observe(&gave_up)[0].title,
            "VS Code for repository 1 keeps crashing"
        );
    }

    #[test]
    fn a_deployment_is_told_when_it_becomes_errored() {
        let mut a = Alerts::default();
        let d = |status| {
            DomainEvent::DeploymentUpdated(Box::new(Deployment {
                status,
                name: "web".into(),
                error: Some("fatal: cannot reach the database".into()),
                ..Default::default()
            }))
        };
        // The first sight of an errored one (e.g. at start) is not news.
        assert!(a.observe(&d(DeploymentStatus::Errored)).is_empty());
        assert!(a.observe(&d(DeploymentStatus::Online)).is_empty());
        let alerts = a.observe(&d(DeploymentStatus::Errored));
        assert_eq!(alerts[0].title, "Deployment web crashed");
        assert_eq!(alerts[0].body, "fatal: cannot reach the database");
        assert!(a.observe(&d(DeploymentStatus::Errored)).is_empty());
    }

    #[test]
    fn a_host_apps_crash_is_told_once_with_its_host() {
        use ai_desktop_api::hosts::{HostDeployment, HostDeployments};
        let list = |status: DeploymentStatus, with: bool| {
            DomainEvent::HostDeploymentsUpdated(Box::new(HostDeployments {
                host_id: 4,
                host_name: "Build box".into(),
                deployments: with
                    .then(|| HostDeployment {
                        id: 9,
                        host_id: 4,
                        repository_id: 1,
                        repository_name: "shop".into(),
                        name: "web".into(),
                        pm2_name: "deploy-host-9-web".into(),
                        start_command: "node server.js".into(),
                        port: 3000,
                        env: Default::default(),
                        status,
                        cpu: 0.0,
                        memory: 0,
                        restarts: 10,
                        started_at: None,
                        forwarded_port: None,
                        health_check: None,
                        health: None,
                    })
                    .into_iter()
                    .collect(),
                unreachable: None,
            }))
        };
        let mut a = Alerts::default();
        // First seen errored (e.g. at start): not a change seen, not told.
        assert!(a.observe(&list(DeploymentStatus::Errored, true)).is_empty());
        assert!(a.observe(&list(DeploymentStatus::Online, true)).is_empty());
        assert!(a.observe(&list(DeploymentStatus::Stopped, true)).is_empty());
        let told = a.observe(&list(DeploymentStatus::Errored, true));
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].title, "Deployment web on Build box crashed");
        assert!(
            told[0].body.contains("after 10 restarts"),
            "{}",
            told[0].body
        );
        assert_eq!(
            told[0].action, None,
            "Ask the agent is for this computer's apps"
        );
        assert!(a.observe(&list(DeploymentStatus::Errored, true)).is_empty());
        // Deleted, then one with the same id seen errored: not a transition.
        assert!(a
            .observe(&list(DeploymentStatus::Errored, false))
            .is_empty());
        assert!(a.observe(&list(DeploymentStatus::Errored, true)).is_empty());
    }
}
