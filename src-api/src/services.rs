//! Services: databases the app runs in Docker.

use crate::logs::LogFrame;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Postgresql,
    Mysql,
    Mongodb,
    Redis,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 4] = [
        ServiceKind::Postgresql,
        ServiceKind::Mysql,
        ServiceKind::Mongodb,
        ServiceKind::Redis,
    ];

    /// The wire spelling, and the value of the app's container label.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Postgresql => "postgresql",
            ServiceKind::Mysql => "mysql",
            ServiceKind::Mongodb => "mongodb",
            ServiceKind::Redis => "redis",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Postgresql => "PostgreSQL",
            ServiceKind::Mysql => "MySQL",
            ServiceKind::Mongodb => "MongoDB",
            ServiceKind::Redis => "Redis",
        }
    }
}

/// One installable service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub kind: ServiceKind,
    pub label: String,
    /// Repository of the image, e.g. `redis`.
    pub image: String,
    /// Offered version tags, newest first; any valid tag may be asked for.
    pub versions: Vec<String>,
    pub internal_port: u16,
    /// Host port tried first (the service's standard one).
    pub default_port: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    Running,
    Starting,
    Stopped,
    /// Recorded by the app, but its container is gone (removed outside the app).
    Missing,
}

/// An installed service and what Docker says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledService {
    pub kind: ServiceKind,
    pub version: String,
    /// `image:version`.
    pub image: String,
    pub container: String,
    pub volume: String,
    /// Host port, bound on 127.0.0.1 only.
    pub port: u16,
    pub state: ServiceState,
    pub connection_string: String,
    pub installed_at: String,
}

/// What the install button sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallRequest {
    pub kind: ServiceKind,
    /// None: the catalog's newest.
    #[serde(default)]
    pub version: Option<String>,
    /// None: the standard port, or the next free one.
    #[serde(default)]
    pub port: Option<u16>,
}

/// A container the app did not create: shown, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignContainer {
    pub name: String,
    pub image: String,
    pub state: String,
    /// e.g. "0.0.0.0:5432->5432/tcp".
    pub ports: Vec<String>,
}

/// Everything the Services page shows (also the `service:updated` payload).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesOverview {
    pub docker_available: bool,
    /// Why Docker is not available, and what to do.
    pub message: Option<String>,
    pub installed: Vec<InstalledService>,
    pub foreign: Vec<ForeignContainer>,
}

crate::command! {
    /// `services_catalog`.
    Catalog = "services_catalog" {} -> Vec<CatalogEntry>;
    /// Docker absent is an answer, not an error
    Overview = "services_overview" {} -> ServicesOverview;
    /// Pull progress lines while the image is pulled; returns once it accepts connections
    /// Streams `String` frames over the Channel under `onProgress`.
    Install = "services_install" { request: InstallRequest } -> InstalledService, streams String as "onProgress";
    /// `services_start`.
    Start = "services_start" { kind: ServiceKind } -> InstalledService;
    /// `services_stop`.
    Stop = "services_stop" { kind: ServiceKind } -> InstalledService;
    /// `services_restart`.
    Restart = "services_restart" { kind: ServiceKind } -> InstalledService;
    /// `services_uninstall`.
    Uninstall = "services_uninstall" { kind: ServiceKind, delete_data: bool } -> ();
    /// A log read of the container's output (see `DEPLOYMENTS_LOGS`).
    Logs = "services_logs" { kind: ServiceKind, from: Option<u64> } -> LogFrame;
}
