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

/// Where a line of a repository's timeline comes from.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TimelineSource {
    /// A deployment's output (PM2's log), its builds and its deploys.
    #[default]
    Deployment,
    /// A service's container output (Docker's log).
    Service,
    /// The repository's code-server output.
    Editor,
    /// An MCP server of the repository's MCP profile (its stderr and connection notes).
    Mcp,
    /// Git operations on the repository (its reflogs: commits, checkouts, merges,
    /// resets, pulls, fetches, pushes, stashes — by the app or any other tool).
    Git,
    /// Tool calls an agent made for the repository (its VS Code through the gateway).
    Agent,
    /// The stack going up or down.
    Stack,
}

impl TimelineSource {
    /// Every source, in the order the filters show them.
    pub const ALL: [TimelineSource; 7] = [
        TimelineSource::Deployment,
        TimelineSource::Service,
        TimelineSource::Editor,
        TimelineSource::Mcp,
        TimelineSource::Git,
        TimelineSource::Agent,
        TimelineSource::Stack,
    ];

    /// How the filters name it.
    pub fn label(self) -> &'static str {
        match self {
            TimelineSource::Deployment => "Deployments",
            TimelineSource::Service => "Services",
            TimelineSource::Editor => "VS Code",
            TimelineSource::Mcp => "MCP",
            TimelineSource::Git => "Git",
            TimelineSource::Agent => "Agent",
            TimelineSource::Stack => "Stack",
        }
    }
}

/// What to show of a repository's timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineQuery {
    /// The sources to show; empty: all.
    #[serde(default)]
    pub sources: Vec<TimelineSource>,
    /// Only lines containing this (any case); empty: all.
    #[serde(default)]
    pub text: String,
    /// Only errors (stderr, failed operations).
    #[serde(default)]
    pub errors_only: bool,
    /// Only lines after this time (ms since the epoch).
    #[serde(default)]
    pub since_ms: Option<i64>,
    /// The newest this many (at most 5,000; 0: 1,000).
    #[serde(default)]
    pub limit: u32,
}

/// One line of a repository's timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Where it comes from.
    pub source: TimelineSource,
    /// Which one of that source (`api`, `PostgreSQL (postgres)`, `filesystem`, `HEAD`).
    pub name: String,
    /// The line.
    pub text: String,
    /// An error (stderr, a failed deploy or call).
    pub error: bool,
}

/// A source that could not be read this time (Docker down …), with why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineGap {
    /// The source.
    pub source: TimelineSource,
    /// Which one.
    pub name: String,
    /// Why it is missing.
    pub reason: String,
}

/// A repository's timeline (a read of it): its lines, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelinePage {
    /// The repository.
    pub repository_id: i64,
    /// The lines that match, oldest first (the newest `limit`).
    pub entries: Vec<TimelineEntry>,
    /// How many matched in all (more than `entries` when cut at the limit).
    pub matched: u64,
    /// Sources that could not be read, and why.
    pub gaps: Vec<TimelineGap>,
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
    /// The repository's timeline: the output of its deployments, services, code-server and
    /// MCP servers, its git operations, agent tool calls and stack runs, time-ordered.
    Timeline = "stack_timeline" { repository_id: i64, query: TimelineQuery } -> TimelinePage;
}
