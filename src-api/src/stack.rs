//! A repository's stack: its services, deployments (in dependency order,
//! each waiting for the health of what it needs), its code-server and its
//! MCP servers, started and stopped as one.

use serde::{Deserialize, Serialize};

/// Up or down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StackAction {
    /// Start everything, in order.
    #[default]
    Up,
    /// Stop everything, in reverse order.
    Down,
}

/// What a step starts or stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A Docker service (database, cache).
    #[default]
    Service,
    /// A deployment under PM2.
    Deployment,
    /// The repository's code-server.
    Editor,
    /// An MCP server of the repository's MCP profile.
    McpServer,
}

/// Where a step is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Not reached yet.
    #[default]
    Pending,
    /// Being started or stopped.
    Running,
    /// Started; waiting for it to be healthy.
    Waiting,
    /// Done.
    Done,
    /// Nothing to do (already so, or kept for another user of it).
    Skipped,
    /// It failed; the steps after it were not run.
    Failed,
}

/// One step of a stack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackStep {
    /// `service:redis`, `deployment:12`, `editor`, `mcp:3`.
    pub key: String,
    /// What it is.
    pub kind: StepKind,
    /// What the user calls it (`Redis`, `api`, `VS Code`, `filesystem`).
    pub label: String,
    /// The labels of the steps it waits for (up).
    pub waits_for: Vec<String>,
    /// Where it is.
    pub state: StepState,
    /// What happened (`ready on 127.0.0.1:6380`, `/health answered 200`) or why it failed.
    pub detail: Option<String>,
    /// How long it took.
    pub elapsed_ms: Option<u64>,
}

/// A stack up or down (or, before any, the plan of one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackRun {
    /// The repository.
    pub repository_id: i64,
    /// Its name.
    pub repository_name: String,
    /// Up or down.
    pub action: StackAction,
    /// In the order they run.
    pub steps: Vec<StackStep>,
    /// Whether it has ended (a plan has not started).
    pub finished: bool,
    /// Whether every step is done or skipped.
    pub ok: bool,
    /// Which step failed and why.
    pub error: Option<String>,
    /// How long it took in all.
    pub elapsed_ms: u64,
}

/// Which service instances a repository's stack starts (by instance id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackServices {
    /// Chosen by the user; None: `derived`.
    pub chosen: Option<Vec<String>>,
    /// Those its deployments' environment points at (their ports).
    pub derived: Vec<String>,
    /// The installed instances to choose from.
    pub installed: Vec<StackServiceChoice>,
}

/// An installed service instance the stack may start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackServiceChoice {
    /// Its instance id.
    pub id: String,
    /// How to name it (`Redis (redis-6)`).
    pub title: String,
}

crate::command! {
    /// What `stack_up` would do for the repository, in order (nothing runs).
    Plan = "stack_plan" { repository_id: i64 } -> StackRun;
    /// Starts the repository's stack in order, each step waiting for what it needs to be
    /// healthy; a failure stops the sequence. Returns when it ends; `stack:progress` events
    /// say how it goes.
    Up = "stack_up" { repository_id: i64 } -> StackRun;
    /// Stops the stack in reverse order (a service another repository's running deployment
    /// uses is kept).
    Down = "stack_down" { repository_id: i64 } -> StackRun;
    /// The latest run of each repository's stack this session (one in progress included).
    Runs = "stack_runs" {} -> Vec<StackRun>;
    /// Which services the stack starts, and what there is to choose from.
    Services = "stack_services" { repository_id: i64 } -> StackServices;
    /// Sets the services the stack starts (None: those its deployments point at).
    SetServices = "stack_set_services" { repository_id: i64, services: Option<Vec<String>> } -> StackServices;
}
