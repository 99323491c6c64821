//! Services: databases the app runs in Docker.

use crate::logs::LogFrame;
use serde::{Deserialize, Serialize};

/// A database the app can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// PostgreSQL.
    Postgresql,
    /// MySQL.
    Mysql,
    /// MariaDB (MySQL's protocol and clients).
    Mariadb,
    /// MongoDB.
    Mongodb,
    /// Redis.
    Redis,
    /// Valkey (the open-source fork of Redis; same protocol and clients).
    Valkey,
    /// Memcached (a memory cache: nothing is kept across restarts, no password).
    Memcached,
    /// RabbitMQ (a message broker, AMQP 0-9-1).
    Rabbitmq,
}

impl ServiceKind {
    /// Every kind, in the catalog's order.
    pub const ALL: [ServiceKind; 8] = [
        ServiceKind::Postgresql,
        ServiceKind::Mysql,
        ServiceKind::Mariadb,
        ServiceKind::Mongodb,
        ServiceKind::Redis,
        ServiceKind::Valkey,
        ServiceKind::Memcached,
        ServiceKind::Rabbitmq,
    ];

    /// The wire spelling, and the value of the app's container label.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Postgresql => "postgresql",
            ServiceKind::Mysql => "mysql",
            ServiceKind::Mariadb => "mariadb",
            ServiceKind::Mongodb => "mongodb",
            ServiceKind::Redis => "redis",
            ServiceKind::Valkey => "valkey",
            ServiceKind::Memcached => "memcached",
            ServiceKind::Rabbitmq => "rabbitmq",
        }
    }

    /// Speaks Redis's protocol (RESP, `AUTH`, RDB snapshots).
    pub fn is_redis_like(self) -> bool {
        matches!(self, ServiceKind::Redis | ServiceKind::Valkey)
    }

    /// Speaks MySQL's protocol (its clients, dumps as SQL).
    pub fn is_mysql_like(self) -> bool {
        matches!(self, ServiceKind::Mysql | ServiceKind::Mariadb)
    }

    /// Keeps data on disk (Memcached does not).
    pub fn keeps_data(self) -> bool {
        self != ServiceKind::Memcached
    }

    /// The kind of its wire spelling, if it is one.
    pub fn parse(s: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How people write it, e.g. "PostgreSQL".
    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Postgresql => "PostgreSQL",
            ServiceKind::Mysql => "MySQL",
            ServiceKind::Mariadb => "MariaDB",
            ServiceKind::Mongodb => "MongoDB",
            ServiceKind::Redis => "Redis",
            ServiceKind::Valkey => "Valkey",
            ServiceKind::Memcached => "Memcached",
            ServiceKind::Rabbitmq => "RabbitMQ",
        }
    }
}

/// A repository's compose file, as the app would import it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposePlan {
    /// The repository.
    pub repository_id: i64,
    /// The file read (`compose.yaml`, `docker-compose.yml` …), relative to the repository.
    pub file: String,
    /// Its services, in the file's order.
    pub services: Vec<ComposeService>,
}

/// One service of a compose file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeService {
    /// Its name in the file.
    pub name: String,
    /// Its image, as written (variables with defaults filled in).
    pub image: Option<String>,
    /// The engine it is, if the app runs it.
    pub kind: Option<ServiceKind>,
    /// The version (image tag) it would be installed at; None: the catalog's newest.
    pub version: Option<String>,
    /// The instance it becomes (or already is).
    pub instance: Option<String>,
    /// Whether it can be imported now.
    pub importable: bool,
    /// An instance of that name is installed already.
    pub installed: bool,
    /// What the import does differently from the file (ports, passwords, volumes …).
    pub notes: Vec<String>,
    /// Why it cannot be imported.
    pub reason: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeImport {
    /// The instances installed, started and answering.
    pub installed: Vec<InstalledService>,
    /// The services asked for that were not imported, and why.
    pub skipped: Vec<ComposeSkip>,
}

/// A compose service left out of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeSkip {
    /// Its name in the file.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// How far a backup or restore is (sent a few times a second while data moves).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataProgress {
    /// Bytes written to the backup file, or fed from it.
    pub bytes: u64,
    /// The backup file's size, when restoring from it.
    pub total: Option<u64>,
}

/// One installable service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// Which database.
    pub kind: ServiceKind,
    /// Its name for people.
    pub label: String,
    /// Repository of the image, e.g. `redis`.
    pub image: String,
    /// Offered version tags, newest first; any valid tag may be asked for.
    pub versions: Vec<String>,
    /// The port it listens on inside its container.
    pub internal_port: u16,
    /// Host port tried first (the service's standard one).
    pub default_port: u16,
}

/// What Docker says about an installed service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// Its container runs (and answers its health check).
    Running,
    /// Its container runs, not yet ready.
    Starting,
    /// Its container exists and is stopped.
    Stopped,
    /// Recorded by the app, but its container is gone (removed outside the app).
    Missing,
}

/// An installed service and what Docker says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledService {
    /// The instance's id, unique among services: its kind for the first
    /// one (`redis`), then e.g. `redis-6` (several versions side by side).
    #[serde(default)]
    pub id: String,
    /// How to name it: `Redis`, or `Redis (redis-6)`.
    #[serde(default)]
    pub title: String,
    /// Which database.
    pub kind: ServiceKind,
    /// The image tag it was installed with.
    pub version: String,
    /// `image:version`.
    pub image: String,
    /// The container's name.
    pub container: String,
    /// The volume its data lives in (kept on uninstall unless asked).
    pub volume: String,
    /// Host port, bound on 127.0.0.1 only (of the host, for a host's engine).
    pub port: u16,
    /// On a host's engine: the port on this computer's 127.0.0.1 that the
    /// app forwards to `port` there, while it does.
    #[serde(default)]
    pub forwarded_port: Option<u16>,
    /// What Docker says about it now.
    pub state: ServiceState,
    /// How an app on this machine reaches it, password included.
    pub connection_string: String,
    /// RFC 3339, UTC.
    pub installed_at: String,
}

/// What the install button sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallRequest {
    /// Which database.
    pub kind: ServiceKind,
    /// None: the catalog's newest.
    #[serde(default)]
    pub version: Option<String>,
    /// None: the standard port, or the next free one.
    #[serde(default)]
    pub port: Option<u16>,
    /// The instance's id (lower-case letters, digits, `-`). None: the kind
    /// for the first instance, else `<kind>-<version>` or `<kind>-<n>`.
    #[serde(default)]
    pub name: Option<String>,
}

/// A container the app did not create: shown, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignContainer {
    /// The container's name.
    pub name: String,
    /// Its image.
    pub image: String,
    /// Docker's word for its state, e.g. `running`.
    pub state: String,
    /// e.g. "0.0.0.0:5432->5432/tcp".
    pub ports: Vec<String>,
}

/// Everything the Services page shows (also the `service:updated` payload).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesOverview {
    /// Whether Docker answered.
    pub docker_available: bool,
    /// Why Docker is not available, and what to do.
    pub message: Option<String>,
    /// The services the app installed.
    pub installed: Vec<InstalledService>,
    /// Other containers on this Docker.
    pub foreign: Vec<ForeignContainer>,
    /// Whose engine: None this computer's, else the host's id (its
    /// services run there, reached through the app's forwards).
    #[serde(default)]
    pub host: Option<i64>,
}

/// Where a restore goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestoreMode {
    /// Somewhere new, the original untouched: PostgreSQL a new database in
    /// the same instance; Redis a new instance.
    #[default]
    Fresh,
    /// PostgreSQL: in place of the database (restored into a new one first,
    /// then swapped in; the one it replaces is kept, renamed).
    Replace,
}

/// A service's container's figures now (Docker's stats).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceStats {
    /// CPU over the last second, in % of one core.
    pub cpu_percent: f64,
    /// Memory in use (without the page cache), bytes.
    pub memory_bytes: u64,
    /// Its memory limit (the machine's memory when none), bytes.
    pub memory_limit: u64,
    /// Received and sent over the network since it started, bytes.
    pub net_rx: u64,
    /// Sent, bytes.
    pub net_tx: u64,
    /// Read from and written to disk since it started, bytes.
    pub disk_read: u64,
    /// Written, bytes.
    pub disk_write: u64,
    /// Its processes.
    pub pids: u64,
}

/// What a backup wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupReport {
    /// The file.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// How long it took.
    pub millis: u64,
    /// What it holds: `database app (pg_dump, custom format)`, `Redis RDB`.
    pub what: String,
}

/// What a restore made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreReport {
    /// The database (PostgreSQL) or instance id (Redis) it went into.
    pub target: String,
    /// The file's size.
    pub bytes: u64,
    /// How long it took.
    pub millis: u64,
    /// In words, e.g. where the replaced database was kept.
    pub message: String,
}

/// A database made for a repository in a service instance, with a user of
/// its own that can reach only it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoDatabase {
    /// The instance it lives in.
    pub instance: String,
    /// The repository it was made for.
    pub repository_id: i64,
    /// The database's name (the repository's, made safe).
    pub database: String,
    /// Its user.
    pub user: String,
    /// How the repository's apps reach it, password included.
    pub connection_string: String,
    /// Deployments of the repository that were given it as `DATABASE_URL`.
    pub deployments_updated: Vec<String>,
}

crate::command! {
    /// The services that can be installed, with their versions.
    Catalog = "services_catalog" {} -> Vec<CatalogEntry>;
    /// Docker absent is an answer, not an error. `host` (on this and the other commands of
    /// an instance): a host's engine, reached over ssh; None this computer's.
    Overview = "services_overview" { #[serde(default)] host: Option<i64> } -> ServicesOverview;
    /// Pull progress lines while the image is pulled; returns once it accepts connections
    /// Streams `String` frames over the Channel under `onProgress`.
    Install = "services_install" { request: InstallRequest, #[serde(default)] host: Option<i64> } -> InstalledService, streams String as "onProgress";
    /// Starts the instance's container.
    Start = "services_start" { id: String, #[serde(default)] host: Option<i64> } -> InstalledService;
    /// Stops its container (its data stays).
    Stop = "services_stop" { id: String, #[serde(default)] host: Option<i64> } -> InstalledService;
    /// Restarts its container.
    Restart = "services_restart" { id: String, #[serde(default)] host: Option<i64> } -> InstalledService;
    /// Removes its container; its data volume too only when asked.
    Uninstall = "services_uninstall" { id: String, delete_data: bool, #[serde(default)] host: Option<i64> } -> ();
    /// A log read of the container's output (see `deployments::Logs`).
    Logs = "services_logs" { id: String, from: Option<u64>, #[serde(default)] host: Option<i64> } -> LogFrame;
    /// A new instance whose volume is a copy of this one's (the source is paused for the copy
    /// and started again); `name`: its id (None: `<id>-copy`).
    Clone = "services_clone" { id: String, name: Option<String>, #[serde(default)] host: Option<i64> } -> InstalledService;
    /// Writes a backup to `path` (absolute; written whole or not at all): PostgreSQL a
    /// `pg_dump` of `database` (None: app) in custom format, Redis its RDB snapshot.
    Backup = "services_backup" { id: String, path: String, database: Option<String>, #[serde(default)] host: Option<i64> } -> BackupReport, streams DataProgress as "onProgress";
    /// Restores a backup file. Fresh (the default) leaves everything that exists untouched;
    /// `name`: the new database or instance (None: derived).
    Restore = "services_restore" { id: String, path: String, mode: RestoreMode, database: Option<String>, name: Option<String>, #[serde(default)] host: Option<i64> } -> RestoreReport, streams DataProgress as "onProgress";
    /// A terminal tab running the instance's client signed in (psql, redis-cli, mysql,
    /// mongosh: this machine's, else the container's), or with `shell` a shell inside its
    /// container. The password goes through the environment, never an argument.
    Terminal = "services_terminal" { id: String, shell: bool, cols: u16, rows: u16 } -> crate::terminal::TerminalInfo;
    /// Makes a database and a user that can reach only it, for a repository, in a PostgreSQL
    /// instance (the same again returns the one made before); with `use_it`, its connection
    /// string becomes `DATABASE_URL` of the repository's deployments (at their next start).
    CreateDatabase = "services_create_database" { id: String, repository_id: i64, use_it: bool } -> RepoDatabase;
    /// The databases made for repositories, with their connection strings.
    RepoDatabases = "services_repo_databases" {} -> Vec<RepoDatabase>;
    /// The instance's CPU, memory, network and disk figures now (Docker measures CPU over
    /// about a second); asked by the page while it shows the instance.
    Stats = "services_stats" { id: String, #[serde(default)] host: Option<i64> } -> ServiceStats;
    /// Forwards the port of an instance on a host's engine to this computer's 127.0.0.1
    /// (the same port number when it is free here), for as long as the app runs.
    Forward = "services_forward" { host: i64, id: String } -> InstalledService;
    /// The databases of a PostgreSQL instance.
    Databases = "services_databases" { id: String, #[serde(default)] host: Option<i64> } -> Vec<String>;
    /// What the repository's compose file holds, and which of its services would become
    /// instances (and how), which not and why.
    ReadCompose = "services_compose_plan" { repository_id: i64 } -> ComposePlan;
    /// Installs the named services of the repository's compose file as instances (ports on
    /// 127.0.0.1, passwords generated) and makes them the services of its stack.
    ImportCompose = "services_compose_import" { repository_id: i64, names: Vec<String> } -> ComposeImport;
}
