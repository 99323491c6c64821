//! A repository's stack, up and down as one: its services (Docker), its
//! deployments in dependency order — each started only once what it needs
//! is healthy — its code-server and the MCP servers of its MCP profile.
//! A failure stops the sequence and says which step and why; *down* walks
//! the same steps backwards and keeps a service another repository's
//! running deployment still uses. Each step's progress is an event.

use crate::deployments::DeploymentManager;
use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::mcp::McpHub;
use crate::repos::RepoRegistry;
use crate::services::ServiceManager;
use crate::store::{self, Store};
use crate::util::lock;
use crate::vscode::VsCodeManager;
use ai_desktop_api::deployments::{DeployOutcome, Deployment, DeploymentStatus};
use ai_desktop_api::mcp::McpState;
use ai_desktop_api::services::{InstalledService, ServiceState};
use ai_desktop_api::stack::{
    StackAction, StackRun, StackServiceChoice, StackServices, StackStep, StepKind, StepState,
};
use ai_desktop_api::vscode::InstanceState;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

mod timeline;
use std::time::{Duration, Instant};

/// How long a deployment gets to be healthy in a stack.
const DEPLOYMENT_READY: Duration = Duration::from_secs(90);

pub struct StackManager {
    store: Arc<Store>,
    repos: Arc<RepoRegistry>,
    services: Arc<ServiceManager>,
    deployments: Arc<DeploymentManager>,
    vscode: Arc<VsCodeManager>,
    mcp: Arc<McpHub>,
    events: Arc<dyn EventSink>,
    /// The latest run of each repository's stack (one in progress included).
    runs: Mutex<HashMap<i64, StackRun>>,
    /// What the stack runs of each repository did, for its timeline.
    history: Mutex<HashMap<i64, VecDeque<ai_desktop_api::stack::TimelineEntry>>>,
}

/// What a step acts on.
#[derive(Debug, Clone)]
enum Target {
    Service(String),
    Deployment(i64),
    Editor,
    Mcp(i64),
}

impl StackManager {
    pub fn new(
        store: Arc<Store>,
        repos: Arc<RepoRegistry>,
        services: Arc<ServiceManager>,
        deployments: Arc<DeploymentManager>,
        vscode: Arc<VsCodeManager>,
        mcp: Arc<McpHub>,
        events: Arc<dyn EventSink>,
    ) -> StackManager {
        StackManager {
            store,
            repos,
            services,
            deployments,
            vscode,
            mcp,
            events,
            runs: Mutex::new(HashMap::new()),
            history: Mutex::new(HashMap::new()),
        }
    }

    /// The services chosen for the stack, those its deployments point at,
    /// and the installed ones.
    pub async fn services_of(&self, repository_id: i64) -> Result<StackServices> {
        self.repos.get(repository_id)?;
        let installed = self.services.list().await.unwrap_or_default();
        let deployments = self.deployments_of(repository_id)?;
        Ok(StackServices {
            chosen: self
                .store
                .with(|c| store::repos::stack_services(c, repository_id))?,
            derived: derived_services(&installed, &deployments),
            installed: installed
                .iter()
                .map(|s| StackServiceChoice {
                    id: s.id.clone(),
                    title: s.title.clone(),
                })
                .collect(),
        })
    }

    pub async fn set_services(
        &self,
        repository_id: i64,
        services: Option<Vec<String>>,
    ) -> Result<StackServices> {
        self.repos.get(repository_id)?;
        let services = services.map(|mut list| {
            list.sort();
            list.dedup();
            list
        });
        if let Some(list) = &services {
            for id in list {
                crate::services::check_instance_id(id)?;
            }
        }
        self.store
            .with(|c| store::repos::set_stack_services(c, repository_id, services.as_deref()))?;
        self.services_of(repository_id).await
    }

    /// Its deployments, env values in clear (the ports in them are read).
    fn deployments_of(&self, repository_id: i64) -> Result<Vec<Deployment>> {
        Ok(self
            .deployments
            .list_in_clear()?
            .into_iter()
            .filter(|d| d.repository_id == repository_id)
            .collect())
    }

    /// The service instances the stack starts: the chosen ones, else those
    /// its deployments point at.
    fn stack_service_ids_of(
        &self,
        repository_id: i64,
        installed: &[InstalledService],
        deployments: &[Deployment],
    ) -> Result<Vec<String>> {
        Ok(
            match self
                .store
                .with(|c| store::repos::stack_services(c, repository_id))?
            {
                Some(chosen) => chosen,
                None => derived_services(installed, deployments),
            },
        )
    }

    /// The steps of `up`, in order, with what each acts on.
    async fn steps(&self, repository_id: i64) -> Result<(StackRun, Vec<Target>)> {
        let repo = self.repos.get(repository_id)?;
        let installed = self.services.list().await.unwrap_or_default();
        let deployments = self.deployments_of(repository_id)?;
        let ids = self.stack_service_ids_of(repository_id, &installed, &deployments)?;
        let mut steps = Vec::new();
        let mut targets = Vec::new();
        // An instance not installed (any more) keeps its id as its name.
        let title = |id: &String| {
            installed
                .iter()
                .find(|s| &s.id == id)
                .map(|s| s.title.clone())
                .unwrap_or_else(|| title_of_id(id))
        };
        let service_labels: Vec<String> = ids.iter().map(title).collect();
        for id in &ids {
            steps.push(StackStep {
                key: format!("service:{id}"),
                kind: StepKind::Service,
                label: title(id),
                ..Default::default()
            });
            targets.push(Target::Service(id.clone()));
        }
        let names: HashMap<i64, String> =
            deployments.iter().map(|d| (d.id, d.name.clone())).collect();
        for d in dependency_order(&deployments) {
            let mut waits_for = service_labels.clone();
            waits_for.extend(d.depends_on.iter().filter_map(|id| names.get(id).cloned()));
            steps.push(StackStep {
                key: format!("deployment:{}", d.id),
                kind: StepKind::Deployment,
                label: d.name.clone(),
                waits_for,
                ..Default::default()
            });
            targets.push(Target::Deployment(d.id));
        }
        steps.push(StackStep {
            key: "editor".into(),
            kind: StepKind::Editor,
            label: "VS Code".into(),
            ..Default::default()
        });
        targets.push(Target::Editor);
        if let Some(profile) = repo.mcp_profile.as_deref() {
            if let Some(profile) = self.mcp.profile(profile)? {
                for s in profile.servers {
                    let Ok(server) = self.mcp.get(s.server_id) else {
                        continue;
                    };
                    steps.push(StackStep {
                        key: format!("mcp:{}", server.id),
                        kind: StepKind::McpServer,
                        label: server.name,
                        ..Default::default()
                    });
                    targets.push(Target::Mcp(s.server_id));
                }
            }
        }
        Ok((
            StackRun {
                repository_id,
                repository_name: repo.name,
                action: StackAction::Up,
                steps,
                ..Default::default()
            },
            targets,
        ))
    }

    /// What `up` would do.
    pub async fn plan(&self, repository_id: i64) -> Result<StackRun> {
        Ok(self.steps(repository_id).await?.0)
    }

    /// The latest run of each repository this session.
    pub fn runs(&self) -> Vec<StackRun> {
        let mut list: Vec<StackRun> = lock(&self.runs).values().cloned().collect();
        list.sort_by_key(|r| r.repository_id);
        list
    }

    fn publish(&self, run: &StackRun) {
        lock(&self.runs).insert(run.repository_id, run.clone());
        self.events
            .emit(DomainEvent::StackProgress(Box::new(run.clone())));
    }

    /// Starts the stack, step by step, in order.
    pub async fn up(&self, repository_id: i64) -> Result<StackRun> {
        self.run(repository_id, StackAction::Up).await
    }

    /// Stops the stack, in reverse order.
    pub async fn down(&self, repository_id: i64) -> Result<StackRun> {
        self.run(repository_id, StackAction::Down).await
    }

    async fn run(&self, repository_id: i64, action: StackAction) -> Result<StackRun> {
        let (mut run, mut targets) = self.steps(repository_id).await?;
        {
            let mut runs = lock(&self.runs);
            if runs
                .get(&repository_id)
                .is_some_and(|r| !r.finished && !r.steps.is_empty())
            {
                return Err(Error::Conflict(format!(
                    "The stack of {} is already being started or stopped.",
                    run.repository_name
                )));
            }
            run.action = action;
            if action == StackAction::Down {
                run.steps.reverse();
                targets.reverse();
                for step in &mut run.steps {
                    step.waits_for.clear();
                }
            }
            runs.insert(repository_id, run.clone());
        }
        log::info!(
            "stack of repository {repository_id}: {:?}, {} steps",
            action,
            run.steps.len()
        );
        let started = Instant::now();
        let verb = match action {
            StackAction::Up => "up",
            StackAction::Down => "down",
        };
        self.remember(
            repository_id,
            format!("Stack {verb}: {} steps", run.steps.len()),
            false,
        );
        self.publish(&run);
        for (i, target) in targets.iter().enumerate() {
            run.steps[i].state = StepState::Running;
            self.publish(&run);
            let step_started = Instant::now();
            let outcome = match action {
                StackAction::Up => self.step_up(&mut run, i, target, repository_id).await,
                StackAction::Down => self.step_down(target, repository_id).await,
            };
            let step = &mut run.steps[i];
            step.elapsed_ms = Some(step_started.elapsed().as_millis() as u64);
            let (said, failed) = match &outcome {
                Ok(Outcome::Done(detail)) => (
                    format!(
                        "done{}",
                        detail
                            .as_ref()
                            .map(|d| format!(": {d}"))
                            .unwrap_or_default()
                    ),
                    false,
                ),
                Ok(Outcome::Skipped(detail)) => (format!("skipped: {detail}"), false),
                Err(message) => (format!("failed: {message}"), true),
            };
            self.remember(repository_id, format!("{} — {said}", step.label), failed);
            match outcome {
                Ok(Outcome::Done(detail)) => {
                    step.state = StepState::Done;
                    step.detail = detail;
                }
                Ok(Outcome::Skipped(detail)) => {
                    step.state = StepState::Skipped;
                    step.detail = Some(detail);
                }
                Err(message) => {
                    step.state = StepState::Failed;
                    step.detail = Some(message.clone());
                    run.error = Some(format!("{} failed: {message}", step.label));
                    log::info!(
                        "stack of repository {repository_id}: {} failed: {message}",
                        step.label
                    );
                    break;
                }
            }
            self.publish(&run);
        }
        run.finished = true;
        run.ok = run.error.is_none();
        run.elapsed_ms = started.elapsed().as_millis() as u64;
        self.remember(
            repository_id,
            format!(
                "Stack {verb} {} in {:.1} s",
                if run.ok { "finished" } else { "stopped" },
                run.elapsed_ms as f64 / 1000.0
            ),
            !run.ok,
        );
        self.publish(&run);
        Ok(run)
    }

    async fn step_up(
        &self,
        run: &mut StackRun,
        i: usize,
        target: &Target,
        repository_id: i64,
    ) -> std::result::Result<Outcome, String> {
        match target {
            Target::Service(id) => {
                let installed = self.services.list().await.map_err(why)?;
                let Some(service) = installed.iter().find(|s| &s.id == id) else {
                    return Err(format!(
                        "{} is not installed; install it on the Services page or leave it out \
                         of the stack.",
                        title_of_id(id)
                    ));
                };
                let was_running = service.state == ServiceState::Running;
                let ready = self.services.start(id).await.map_err(why)?;
                let detail = format!("ready on 127.0.0.1:{}", ready.port);
                Ok(if was_running {
                    Outcome::Skipped(format!("already running; {detail}"))
                } else {
                    Outcome::Done(Some(detail))
                })
            }
            Target::Deployment(id) => {
                let d = self.deployments.get(*id).map_err(why)?;
                let healthy = d.health.as_ref().is_none_or(|h| h.healthy);
                if d.status == DeploymentStatus::Online && healthy {
                    return Ok(Outcome::Skipped("already running".into()));
                }
                let never_deployed = self
                    .deployments
                    .runs(*id)
                    .map(|r| r.is_empty())
                    .unwrap_or(true);
                if d.build_command.is_some() && never_deployed {
                    // First start: build it as a deploy would.
                    let deployed = self.deployments.deploy(*id, None).await.map_err(why)?;
                    return match deployed.outcome {
                        DeployOutcome::Online => Ok(Outcome::Done(Some(format!(
                            "built and started{}",
                            deployed
                                .message
                                .map(|m| format!("; {m}"))
                                .unwrap_or_default()
                        )))),
                        _ => Err(deployed
                            .message
                            .unwrap_or_else(|| "the deploy failed".into())),
                    };
                }
                self.deployments.start(*id).await.map_err(why)?;
                run.steps[i].state = StepState::Waiting;
                self.publish(run);
                let d = self.deployments.get(*id).map_err(why)?;
                match self.deployments.wait_up(&d, DEPLOYMENT_READY).await {
                    Ok(detail) => Ok(Outcome::Done(Some(
                        detail.unwrap_or_else(|| format!("online on port {}", d.port)),
                    ))),
                    Err((_, message)) => Err(message),
                }
            }
            Target::Editor => {
                let before = self
                    .vscode
                    .get(repository_id)
                    .map(|i| i.state)
                    .unwrap_or(InstanceState::Stopped);
                let instance = self.vscode.start(repository_id).await.map_err(why)?;
                let detail = instance
                    .port
                    .map(|p| format!("code-server on 127.0.0.1:{p}"))
                    .unwrap_or_else(|| "code-server runs".into());
                Ok(if before == InstanceState::Running {
                    Outcome::Skipped(format!("already running; {detail}"))
                } else {
                    Outcome::Done(Some(detail))
                })
            }
            Target::Mcp(id) => {
                let before = self.mcp.get(*id).map_err(why)?;
                if before.state == McpState::Running {
                    return Ok(Outcome::Skipped("already running".into()));
                }
                let server = self.mcp.start(*id).await.map_err(why)?;
                Ok(Outcome::Done(
                    server
                        .server_info
                        .map(|i| format!("{} {} answered", i.name, i.version)),
                ))
            }
        }
    }

    async fn step_down(
        &self,
        target: &Target,
        repository_id: i64,
    ) -> std::result::Result<Outcome, String> {
        match target {
            Target::Service(id) => {
                let installed = self.services.list().await.map_err(why)?;
                let Some(service) = installed.iter().find(|s| &s.id == id) else {
                    return Ok(Outcome::Skipped("not installed".into()));
                };
                if service.state != ServiceState::Running {
                    return Ok(Outcome::Skipped("not running".into()));
                }
                // Another repository's running deployment may still use it.
                let others: Vec<Deployment> = self
                    .deployments
                    .list_in_clear()
                    .map_err(why)?
                    .into_iter()
                    .filter(|d| {
                        d.repository_id != repository_id
                            && matches!(
                                d.status,
                                DeploymentStatus::Online | DeploymentStatus::Launching
                            )
                    })
                    .collect();
                let users: Vec<String> = others
                    .iter()
                    .filter(|d| {
                        derived_services(std::slice::from_ref(service), std::slice::from_ref(d))
                            .contains(id)
                    })
                    .map(|d| format!("{} ({})", d.name, d.repository_name))
                    .collect();
                if !users.is_empty() {
                    return Ok(Outcome::Skipped(format!(
                        "kept running: {} uses it",
                        users.join(", ")
                    )));
                }
                self.services.stop(id).await.map_err(why)?;
                Ok(Outcome::Done(None))
            }
            Target::Deployment(id) => {
                let d = self.deployments.get(*id).map_err(why)?;
                if matches!(
                    d.status,
                    DeploymentStatus::Stopped | DeploymentStatus::Stopping
                ) {
                    return Ok(Outcome::Skipped("not running".into()));
                }
                self.deployments.stop(*id).await.map_err(why)?;
                Ok(Outcome::Done(None))
            }
            Target::Editor => {
                let before = self
                    .vscode
                    .get(repository_id)
                    .map(|i| i.state)
                    .unwrap_or(InstanceState::Stopped);
                if before == InstanceState::Stopped {
                    return Ok(Outcome::Skipped("not running".into()));
                }
                self.vscode.stop(repository_id).await.map_err(why)?;
                Ok(Outcome::Done(None))
            }
            Target::Mcp(id) => {
                let before = self.mcp.get(*id).map_err(why)?;
                if before.state != McpState::Running {
                    return Ok(Outcome::Skipped("not running".into()));
                }
                self.mcp.stop(*id).await.map_err(why)?;
                Ok(Outcome::Done(None))
            }
        }
    }
}

enum Outcome {
    Done(Option<String>),
    Skipped(String),
}

/// An error as a step shows it: the message and what the program said.
fn why(e: Error) -> String {
    e.with_detail_text()
}

/// The services whose loopback port a deployment's environment names
/// (`…@127.0.0.1:6380`, `localhost:5432/app`).
fn derived_services(installed: &[InstalledService], deployments: &[Deployment]) -> Vec<String> {
    let mut out: Vec<String> = installed
        .iter()
        .filter(|s| {
            deployments
                .iter()
                .any(|d| d.env.values().any(|v| names_loopback_port(v, s.port)))
        })
        .map(|s| s.id.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether `value` names the loopback `port` (`…@127.0.0.1:6380`,
/// `localhost:5432/app`; not a longer port: 6380 in 63801).
pub(crate) fn names_loopback_port(value: &str, port: u16) -> bool {
    [format!("127.0.0.1:{port}"), format!("localhost:{port}")]
        .iter()
        .any(|n| {
            value
                .match_indices(n.as_str())
                .any(|(at, _)| !value[at + n.len()..].starts_with(|c: char| c.is_ascii_digit()))
        })
}

/// `Redis` for the instance `redis`, else the id.
fn title_of_id(id: &str) -> String {
    ai_desktop_api::services::ServiceKind::parse(id)
        .map(|k| k.label().to_string())
        .unwrap_or_else(|| id.to_string())
}

/// Deployments so that each comes after those it waits for (by name where
/// free to choose); a loop (refused when saved) is broken by name order.
fn dependency_order(deployments: &[Deployment]) -> Vec<&Deployment> {
    let mut left: Vec<&Deployment> = deployments.iter().collect();
    left.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out: Vec<&Deployment> = Vec::new();
    while !left.is_empty() {
        let ready = left.iter().position(|d| {
            d.depends_on
                .iter()
                .all(|w| out.iter().any(|o| o.id == *w) || !left.iter().any(|l| l.id == *w))
        });
        out.push(left.remove(ready.unwrap_or(0)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(id: i64, name: &str, depends_on: &[i64], env: &[(&str, &str)]) -> Deployment {
        Deployment {
            id,
            name: name.into(),
            depends_on: depends_on.to_vec(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn deployments_come_after_what_they_wait_for() {
        let list = [
            deployment(1, "web", &[2, 3], &[]),
            deployment(2, "api", &[3], &[]),
            deployment(3, "worker", &[], &[]),
            deployment(4, "admin", &[], &[]),
        ];
        let order: Vec<&str> = dependency_order(&list)
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(order, ["admin", "worker", "api", "web"]);
        // A loop (never saved, but an old row could hold one) still ends.
        let looped = [deployment(1, "a", &[2], &[]), deployment(2, "b", &[1], &[])];
        assert_eq!(dependency_order(&looped).len(), 2);
    }

    #[test]
    fn services_are_found_by_the_ports_deployments_name() {
        let service = |kind: ai_desktop_api::services::ServiceKind, port| InstalledService {
            id: kind.as_str().to_string(),
            title: kind.label().to_string(),
            kind,
            version: String::new(),
            image: String::new(),
            container: String::new(),
            volume: String::new(),
            port,
            forwarded_port: None,
            state: ServiceState::Running,
            connection_string: String::new(),
            installed_at: String::new(),
        };
        use ai_desktop_api::services::ServiceKind;
        let installed = [
            service(ServiceKind::Redis, 6380),
            service(ServiceKind::Postgresql, 5432),
            service(ServiceKind::Mysql, 3306),
        ];
        let deployments = [
            deployment(
                1,
                "api",
                &[],
                &[("REDIS_URL", "redis://:pw@127.0.0.1:6380")],
            ),
            deployment(
                2,
                "web",
                &[],
                &[
                    ("DATABASE_URL", "postgresql://u:p@localhost:5432/app"),
                    ("OTHER", "http://127.0.0.1:33061"),
                ],
            ),
        ];
        assert_eq!(
            derived_services(&installed, &deployments),
            ["postgresql", "redis"]
        );
    }
}
