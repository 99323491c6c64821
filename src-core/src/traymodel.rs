//! What the tray menu shows, computed from the modules' state without Tauri:
//! a one-line status ("3 running · 1 failed"), "Open in VS Code ▸", a
//! repository's whole stack up or down, and start/stop entries per
//! deployment (marked when its health check fails), service and MCP server. `src-tauri/src/tray.rs`
//! turns it into a menu and parses the ids of clicked items back with
//! [`TrayAction::parse`].

use ai_desktop_api::deployments::{Deployment, DeploymentStatus};
use ai_desktop_api::mcp::{McpServer, McpState};
use ai_desktop_api::repos::Repository;
use ai_desktop_api::services::{InstalledService, ServiceState};
use ai_desktop_api::vscode::{CodeServerInstance, InstanceState};

/// One clickable (or, disabled, informative) menu entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayItem {
    pub id: String,
    pub label: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrayModel {
    pub status: String,
    pub vscode: Vec<TrayItem>,
    pub stacks: Vec<TrayItem>,
    pub deployments: Vec<TrayItem>,
    pub services: Vec<TrayItem>,
    pub mcp: Vec<TrayItem>,
    /// "Run recipe ▸": each recipe, run by a click.
    pub recipes: Vec<TrayItem>,
}

/// What a click asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayAction {
    OpenRepository(i64),
    /// A repository on a host, by its id: its editor there.
    OpenHostRepository(i64),
    StackUp(i64),
    StackDown(i64),
    StartDeployment(i64),
    StopDeployment(i64),
    /// By instance id.
    StartService(String),
    StopService(String),
    StartMcp(i64),
    StopMcp(i64),
    RunRecipe(i64),
    StopEverything,
    ToggleWindow,
    Quit,
}

pub const STOP_EVERYTHING: &str = "stop-everything";
pub const TOGGLE: &str = "toggle-window";
pub const QUIT: &str = "quit";

impl TrayAction {
    pub fn parse(id: &str) -> Option<TrayAction> {
        match id {
            STOP_EVERYTHING => return Some(TrayAction::StopEverything),
            TOGGLE => return Some(TrayAction::ToggleWindow),
            QUIT => return Some(TrayAction::Quit),
            _ => {}
        }
        let (kind, rest) = id.split_once(':')?;
        let num = || rest.parse::<i64>().ok();
        let service = || {
            crate::services::check_instance_id(rest)
                .ok()
                .map(|_| rest.to_string())
        };
        Some(match kind {
            "vscode-open" => TrayAction::OpenRepository(num()?),
            "host-editor-open" => TrayAction::OpenHostRepository(num()?),
            "stack-up" => TrayAction::StackUp(num()?),
            "stack-down" => TrayAction::StackDown(num()?),
            "deployment-start" => TrayAction::StartDeployment(num()?),
            "deployment-stop" => TrayAction::StopDeployment(num()?),
            "service-start" => TrayAction::StartService(service()?),
            "service-stop" => TrayAction::StopService(service()?),
            "mcp-start" => TrayAction::StartMcp(num()?),
            "mcp-stop" => TrayAction::StopMcp(num()?),
            "recipe-run" => TrayAction::RunRecipe(num()?),
            _ => return None,
        })
    }
}

fn item(id: String, label: String) -> TrayItem {
    TrayItem {
        id,
        label,
        enabled: true,
    }
}

fn note(label: &str) -> TrayItem {
    TrayItem {
        id: String::new(),
        label: label.to_string(),
        enabled: false,
    }
}

/// `None` for services: Docker did not answer.
pub fn model(
    repos: &[Repository],
    instances: &[CodeServerInstance],
    deployments: &[Deployment],
    services: Option<&[InstalledService]>,
    mcp: &[McpServer],
) -> TrayModel {
    let mut running = 0;
    let mut failed = 0;

    let mut vscode = Vec::new();
    for r in repos {
        let inst = instances.iter().find(|i| i.repository_id == r.id);
        let label = match inst {
            Some(i) if i.state == InstanceState::Running => {
                running += 1;
                format!("● {}", r.name)
            }
            Some(i) if i.state == InstanceState::Failed => {
                failed += 1;
                format!("✕ {}", r.name)
            }
            _ => format!("○ {}", r.name),
        };
        vscode.push(item(format!("vscode-open:{}", r.id), label));
    }
    if vscode.is_empty() {
        vscode.push(note("No repositories yet"));
    }

    // A stack is "up" when one of its deployments runs (down stops them).
    let mut stacks = Vec::new();
    for r in repos {
        let mine: Vec<&Deployment> = deployments
            .iter()
            .filter(|d| d.repository_id == r.id)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let up = mine.iter().any(|d| {
            matches!(
                d.status,
                DeploymentStatus::Online | DeploymentStatus::Launching
            )
        });
        stacks.push(if up {
            item(
                format!("stack-down:{}", r.id),
                format!("● {} — Stop stack", r.name),
            )
        } else {
            item(
                format!("stack-up:{}", r.id),
                format!("○ {} — Start stack", r.name),
            )
        });
    }
    if stacks.is_empty() {
        stacks.push(note("No repository has deployments yet"));
    }

    let mut deps = Vec::new();
    for d in deployments {
        let unhealthy = d.health.as_ref().is_some_and(|h| !h.healthy);
        let (mark, action) = match d.status {
            DeploymentStatus::Online | DeploymentStatus::Launching if unhealthy => {
                failed += 1;
                ("✕", "stop")
            }
            DeploymentStatus::Online | DeploymentStatus::Launching => {
                running += 1;
                ("●", "stop")
            }
            DeploymentStatus::Errored => {
                failed += 1;
                ("✕", "start")
            }
            DeploymentStatus::Stopping => ("…", "start"),
            DeploymentStatus::Stopped => ("○", "start"),
        };
        let verb = if action == "stop" { "Stop" } else { "Start" };
        let sick = if unhealthy { " (unhealthy)" } else { "" };
        deps.push(item(
            format!("deployment-{action}:{}", d.id),
            format!("{mark} {}{sick} — {verb}", d.name),
        ));
    }
    if deps.is_empty() {
        deps.push(note("No deployments yet"));
    }

    let mut svc = Vec::new();
    match services {
        None => svc.push(note("Docker is not available")),
        Some([]) => svc.push(note("No services installed")),
        Some(list) => {
            for s in list {
                let (mark, action) = match s.state {
                    ServiceState::Running | ServiceState::Starting => {
                        running += 1;
                        ("●", "stop")
                    }
                    ServiceState::Missing => {
                        failed += 1;
                        ("✕", "start")
                    }
                    ServiceState::Stopped => ("○", "start"),
                };
                let verb = if action == "stop" { "Stop" } else { "Start" };
                svc.push(item(
                    format!("service-{action}:{}", s.id),
                    format!("{mark} {} {} — {verb}", s.title, s.version),
                ));
            }
        }
    }

    let mut servers = Vec::new();
    for m in mcp {
        let (mark, action) = match m.state {
            McpState::Running | McpState::Starting => {
                running += 1;
                ("●", "stop")
            }
            McpState::Failed => {
                failed += 1;
                ("✕", "start")
            }
            McpState::Stopping => ("…", "start"),
            McpState::Stopped => ("○", "start"),
        };
        let verb = if action == "stop" { "Stop" } else { "Start" };
        servers.push(item(
            format!("mcp-{action}:{}", m.id),
            format!("{mark} {} — {verb}", m.name),
        ));
    }
    if servers.is_empty() {
        servers.push(note("No MCP servers yet"));
    }

    TrayModel {
        status: status_line(running, failed),
        vscode,
        stacks,
        deployments: deps,
        services: svc,
        mcp: servers,
        recipes: Vec::new(),
    }
}

/// The tray's "Run recipe" entries.
pub fn recipe_items(recipes: &[ai_desktop_api::flow::FlowRecipe]) -> Vec<TrayItem> {
    if recipes.is_empty() {
        return vec![note("No recipes yet (Flow Builder → Recipes…)")];
    }
    recipes
        .iter()
        .map(|r| item(format!("recipe-run:{}", r.id), r.name.clone()))
        .collect()
}

/// A repository on a host, for "Open in VS Code ▸".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedRepo {
    /// The host repository's id.
    pub id: i64,
    pub name: String,
    /// The host's name.
    pub host: String,
    pub state: ai_desktop_api::hosts::HostEditorState,
}

/// `vscode` (the local repositories' entries) followed by one entry per
/// repository on a host, named with its host: "● shop on Build box".
pub fn with_hosted(mut vscode: Vec<TrayItem>, hosted: &[HostedRepo]) -> Vec<TrayItem> {
    use ai_desktop_api::hosts::HostEditorState;
    if hosted.is_empty() {
        return vscode;
    }
    vscode.retain(|i| !i.id.is_empty());
    for h in hosted {
        let mark = match h.state {
            HostEditorState::Running => "●",
            HostEditorState::Starting => "…",
            HostEditorState::Failed => "✕",
            HostEditorState::Unreachable => "?",
            HostEditorState::Stopped => "○",
        };
        let label = format!("{mark} {} on {}", h.name, h.host);
        vscode.push(item(format!("host-editor-open:{}", h.id), label));
    }
    vscode
}

pub fn status_line(running: usize, failed: usize) -> String {
    match (running, failed) {
        (0, 0) => "Nothing running".into(),
        (r, 0) => format!("{r} running"),
        (0, f) => format!("{f} failed"),
        (r, f) => format!("{r} running · {f} failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_on_hosts_are_listed_with_their_host() {
        use ai_desktop_api::hosts::HostEditorState;
        let hosted = [
            HostedRepo {
                id: 4,
                name: "shop".into(),
                host: "Build box".into(),
                state: HostEditorState::Running,
            },
            HostedRepo {
                id: 5,
                name: "api".into(),
                host: "GPU".into(),
                state: HostEditorState::Unreachable,
            },
        ];
        let m = model(&[], &[], &[], None, &[]);
        assert_eq!(m.vscode.len(), 1, "the empty note");
        let items = with_hosted(m.vscode.clone(), &hosted);
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["● shop on Build box", "? api on GPU"]);
        assert_eq!(
            TrayAction::parse(&items[0].id),
            Some(TrayAction::OpenHostRepository(4))
        );
        assert_eq!(with_hosted(m.vscode.clone(), &[]), m.vscode);
        for bad in [
            "host-editor-open:",
            "host-editor-open:x",
            "host-editor-open:1;2",
        ] {
            assert_eq!(TrayAction::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ids_round_trip_and_nothing_else_parses() {
        assert_eq!(
            TrayAction::parse("vscode-open:3"),
            Some(TrayAction::OpenRepository(3))
        );
        assert_eq!(
            TrayAction::parse("service-stop:redis"),
            Some(TrayAction::StopService("redis".into()))
        );
        assert_eq!(
            TrayAction::parse("mcp-start:12"),
            Some(TrayAction::StartMcp(12))
        );
        assert_eq!(TrayAction::parse(QUIT), Some(TrayAction::Quit));
        assert_eq!(
            TrayAction::parse("recipe-run:7"),
            Some(TrayAction::RunRecipe(7))
        );
        assert_eq!(
            TrayAction::parse("stack-up:4"),
            Some(TrayAction::StackUp(4))
        );
        for bad in [
            "",
            "mcp-start:",
            "mcp-start:x",
            "service-start:Oracle",
            "rm:1",
            "deployment-stop:1:2",
            "stack-up:",
            "stack-sideways:1",
        ] {
            assert_eq!(TrayAction::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn stacks_and_unhealthy_deployments_show() {
        let repo: Repository = serde_json::from_value(serde_json::json!({
            "id": 1, "name": "shop", "path": "/src/shop", "type": "node", "port": 8081,
            "url": null, "branch": "main", "running": false, "pid": null,
            "created_at": "", "updated_at": ""
        }))
        .unwrap();
        let online = Deployment {
            id: 5,
            repository_id: 1,
            name: "api".into(),
            status: DeploymentStatus::Online,
            health: Some(ai_desktop_api::deployments::HealthReport {
                healthy: false,
                detail: "/health answered 500".into(),
                checked_at: String::new(),
            }),
            ..Default::default()
        };
        let m = model(
            std::slice::from_ref(&repo),
            &[],
            std::slice::from_ref(&online),
            Some(&[]),
            &[],
        );
        assert_eq!(m.stacks[0].id, "stack-down:1");
        assert_eq!(m.stacks[0].label, "● shop — Stop stack");
        assert_eq!(m.deployments[0].label, "✕ api (unhealthy) — Stop");
        assert_eq!(m.status, "1 failed");
        let stopped = Deployment {
            status: DeploymentStatus::Stopped,
            health: None,
            ..online
        };
        let m = model(&[repo], &[], &[stopped], Some(&[]), &[]);
        assert_eq!(m.stacks[0].id, "stack-up:1");
    }

    #[test]
    fn the_status_counts_what_runs_and_what_failed() {
        assert_eq!(status_line(0, 0), "Nothing running");
        assert_eq!(status_line(3, 1), "3 running · 1 failed");
        assert_eq!(status_line(0, 2), "2 failed");
        let m = model(&[], &[], &[], None, &[]);
        assert_eq!(m.status, "Nothing running");
        assert!(!m.stacks[0].enabled);
        assert_eq!(m.services[0].label, "Docker is not available");
        assert!(!m.services[0].enabled && !m.vscode[0].enabled);
    }
}
