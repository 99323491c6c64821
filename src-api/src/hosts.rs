//! `hosts_*`: remote Linux hosts reached over SSH (the user's own `ssh`, its
//! config and keys), whose tools the app reports like the local Doctor.

use crate::files::{FileEntry, FileText};
use crate::git::{CommitInfo, RepoChanges};
use crate::system::ToolCheck;
use serde::{Deserialize, Serialize};

/// A host the user added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// Its id.
    pub id: i64,
    /// What the user calls it.
    pub name: String,
    /// `[user@]host` or a `Host` alias of `~/.ssh/config`, as typed.
    pub destination: String,
    /// The port given when adding it (None: ssh's config or 22).
    pub port: Option<u16>,
    /// A key file of `~/.ssh` (None: the agent and ssh's defaults).
    pub key: Option<String>,
    /// Where ssh connects, as its config resolves the destination.
    pub host_name: String,
    /// The port ssh connects to.
    pub host_port: u16,
    /// The login name on the host.
    pub user: String,
    /// The host key's SHA256 fingerprint when it was added.
    pub fingerprint: String,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// The last check that reached it, if any.
    pub report: Option<HostReport>,
    /// Why the last check could not reach it (None once one did).
    pub unreachable: Option<String>,
    /// When that check ran (RFC 3339).
    pub unreachable_at: Option<String>,
}

/// What the host's key is, before it is added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostKeyScan {
    /// Where ssh connects (the config's `HostName`).
    pub host_name: String,
    /// The port ssh connects to.
    pub port: u16,
    /// The login name ssh will use.
    pub user: String,
    /// e.g. `ssh-ed25519`.
    pub key_type: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// Already in a known_hosts file (the user's or the app's): no question
    /// to ask.
    pub known: bool,
}

/// What a host has, as a check found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostReport {
    /// `uname -srm` on the host.
    pub system: String,
    /// How long the whole check took, connection included.
    pub answered_ms: u64,
    /// git, node, npm, pm2, docker (and its engine), code-server.
    pub tools: Vec<ToolCheck>,
    /// When it was checked (RFC 3339).
    pub checked_at: String,
}

/// A host to add.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHost {
    /// What to call it (the destination if empty).
    #[serde(default)]
    pub name: Option<String>,
    /// `[user@]host` or a `~/.ssh/config` alias.
    pub destination: String,
    /// A port other than the config's.
    #[serde(default)]
    pub port: Option<u16>,
    /// A key file of `~/.ssh`.
    #[serde(default)]
    pub key: Option<String>,
    /// The fingerprint the user accepted for a host key no known_hosts file
    /// has; must equal what the host shows when it is added.
    #[serde(default)]
    pub trust_fingerprint: Option<String>,
}

/// A repository (a git working tree) on a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRepository {
    /// Its id.
    pub id: i64,
    /// The host it is on.
    pub host_id: i64,
    /// Its folder on the host (the top of the working tree, absolute).
    pub path: String,
    /// The folder's name.
    pub name: String,
    /// When it was added (RFC 3339).
    pub created_at: String,
}

/// Where a host repository's code-server stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostEditorState {
    /// Not running there.
    Stopped,
    /// Being started there (or its forward opened).
    Starting,
    /// Running there, reached through the app's forward.
    Running,
    /// The last start failed (`error` says why).
    Failed,
    /// Started there, but the host cannot be reached now: not known to be
    /// stopped.
    Unreachable,
}

/// code-server for a host's repository: run on the host, bound to a socket
/// of the user's there, reached through an SSH forward the app owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostEditor {
    /// The host repository's id.
    pub id: i64,
    /// The host's id.
    pub host_id: i64,
    /// Where it stands.
    pub state: HostEditorState,
    /// The local port (127.0.0.1) its forward listens on, while one is open.
    pub port: Option<u16>,
    /// When it was started there (RFC 3339).
    pub started_at: Option<String>,
    /// Why the last start failed, or why the host cannot be reached.
    pub error: Option<String>,
}

/// An app of a host repository run under the host's PM2 (its own
/// `PM2_HOME` there, in the app's folder of the user's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostDeployment {
    /// The app's id for it.
    pub id: i64,
    /// The host's id.
    pub host_id: i64,
    /// The host repository it runs in.
    pub repository_id: i64,
    /// That repository's name.
    pub repository_name: String,
    /// Its name, unique among the repository's deployments there.
    pub name: String,
    /// The PM2 process name there: `deploy-host-{id}-{name}`.
    pub pm2_name: String,
    /// What runs, e.g. `node server.js` (split into arguments, no shell).
    pub start_command: String,
    /// The port it is given in `PORT`, on the host.
    pub port: u16,
    /// Extra environment (values cross IPC masked).
    pub env: std::collections::BTreeMap<String, String>,
    /// What the host's PM2 says about it now.
    pub status: crate::deployments::DeploymentStatus,
    /// Percent of one core, as PM2 there measures it.
    pub cpu: f64,
    /// Resident bytes, as PM2 there measures them.
    pub memory: u64,
    /// How often PM2 restarted it.
    pub restarts: u32,
    /// When PM2 last (re)started it, RFC 3339.
    pub started_at: Option<String>,
    /// The port on this computer's 127.0.0.1 forwarded to `port` there, while it is.
    pub forwarded_port: Option<u16>,
    /// Its health check, if it has one: asked through the app's forward of
    /// its port, on its interval, while PM2 there says it is online.
    #[serde(default)]
    pub health_check: Option<crate::deployments::HealthCheck>,
    /// The check's last answer while it is online.
    #[serde(default)]
    pub health: Option<crate::deployments::HealthReport>,
}

/// What the deploy form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostDeploymentInput {
    /// The host repository (its id).
    pub repository_id: i64,
    /// Its name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// What runs, e.g. `node server.js`.
    pub start_command: String,
    /// The port it is given in `PORT` there.
    pub port: u16,
    /// Extra environment (sent to the host: it runs there).
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    /// None: no health check.
    #[serde(default)]
    pub health_check: Option<crate::deployments::HealthCheck>,
}

/// What a host deployment's buttons ask of PM2 there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostDeploymentAction {
    /// Start it (its settings written there again).
    Start,
    /// Stop it (it stays in PM2's list).
    Stop,
    /// Restart it with its settings written there again.
    Restart,
}

/// The host's deployments as its PM2 reports them (the `host-deployments:updated` payload).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostDeployments {
    /// The host's id.
    pub host_id: i64,
    /// The host's name (for notifications and the tray).
    #[serde(default)]
    pub host_name: String,
    /// Its deployments.
    pub deployments: Vec<HostDeployment>,
    /// Why the host's PM2 could not be asked (the list is then as last known).
    pub unreachable: Option<String>,
}

/// What a host repository's stack started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostStackReport {
    /// The host's services started (titles).
    pub services: Vec<String>,
    /// The repository's apps started under the host's PM2 (names).
    pub apps: Vec<String>,
}

crate::command! {
    /// Every host, with its last check.
    List = "hosts_list" {} -> Vec<Host>;
    /// Where a destination leads and what its host key is (nothing is saved).
    Scan = "hosts_scan" { destination: String, #[serde(default)] port: Option<u16> } -> HostKeyScan;
    /// Adds a host once it let the key in (its first check is kept).
    Add = "hosts_add" { input: NewHost } -> Host;
    /// Checks it again: which tools it has; one that cannot be reached is
    /// marked so (the answer is the error, the host keeps its last report).
    Check = "hosts_check" { id: i64 } -> Host;
    /// Forgets it (and the key the app remembered for it) and its repositories.
    Delete = "hosts_delete" { id: i64 } -> ();
    /// The repositories added on a host.
    Repositories = "hosts_repositories" { host_id: i64 } -> Vec<HostRepository>;
    /// Adds the git working tree at `path` (absolute, its top) on the host.
    AddRepository = "hosts_add_repository" { host_id: i64, path: String } -> HostRepository;
    /// Forgets a host's repository (nothing on the host changes).
    RemoveRepository = "hosts_remove_repository" { id: i64 } -> ();
    /// Its changed files, as `git status` there says (`repository_id` is the
    /// host repository's id).
    Changes = "hosts_changes" { id: i64 } -> RepoChanges;
    /// One changed file's diff there: the index's (`staged`) or the working tree's.
    Diff = "hosts_diff" { id: i64, path: String, staged: bool } -> String;
    /// Its newest commits there, from HEAD (at most 50).
    Log = "hosts_log" { id: i64 } -> Vec<CommitInfo>;
    /// A folder of it there (`path` relative, "" for its top): folders first,
    /// then files, by name; nothing outside it (links out are refused).
    Files = "hosts_files" { id: i64, path: String } -> Vec<FileEntry>;
    /// A text file of it there (1 MB at most), to read.
    ReadFile = "hosts_read_file" { id: i64, path: String } -> FileText;
    /// The deployments on a host, as its PM2 reports them now.
    Deployments = "hosts_deployments" { host_id: i64 } -> HostDeployments;
    /// Adds a deployment of a host repository and starts it under the host's PM2.
    Deploy = "hosts_deploy" { input: HostDeploymentInput } -> HostDeployment;
    /// Starts, stops or restarts a host deployment there.
    DeploymentAct = "hosts_deployment_act" { id: i64, action: HostDeploymentAction } -> HostDeployment;
    /// Deletes it from the host's PM2, with its folder there.
    DeploymentDelete = "hosts_deployment_delete" { id: i64 } -> ();
    /// The last lines of its output there (out and err, merged).
    DeploymentLogs = "hosts_deployment_logs" { id: i64 } -> String;
    /// Forwards its port to this computer's 127.0.0.1 for as long as the app runs.
    DeploymentForward = "hosts_deployment_forward" { id: i64 } -> HostDeployment;
    /// A host repository's stack, in order: the host's stopped services, the
    /// repository's apps there, then its editor (shown like OpenEditor).
    StackUp = "hosts_stack_up" { id: i64, target: crate::vscode::OpenTarget } -> HostStackReport;
    /// Stops the repository's apps there and its editor (the host's services,
    /// shared by its other repositories, keep running); the apps stopped.
    StackDown = "hosts_stack_down" { id: i64 } -> Vec<String>;
    /// The code-server of each repository on a host.
    Editors = "hosts_editors" { host_id: i64 } -> Vec<HostEditor>;
    /// Opens a host repository's code-server (started there and forwarded
    /// here if needed), signed in, in an app window or the browser.
    OpenEditor = "hosts_open_editor" { id: i64, target: crate::vscode::OpenTarget } -> ();
    /// Stops it there and closes its forward.
    StopEditor = "hosts_stop_editor" { id: i64 } -> HostEditor;
    /// Installs code-server on a host that has none (npm, a pinned version,
    /// into the app's folder in the user's home there; needs Node 22), then
    /// checks the host again.
    InstallCodeServer = "hosts_install_code_server" { host_id: i64 } -> Host;
}
