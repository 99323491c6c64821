//! Services: PostgreSQL, MySQL, MongoDB and Redis in Docker, through bollard.
//!
//! Any number of instances per kind (versions side by side), each a
//! container named `aidesktop-<instance>` (`aidesktop-redis`,
//! `aidesktop-redis-6`), labelled as ours (`dev.aidesktop.service=<kind>`,
//! the label service discovery reads), with its port published on
//! 127.0.0.1 only, a generated password, a named volume for its data and a
//! restart policy. An instance's id is its kind for the first one. What the app installed is kept in
//! `services.json` in the data dir (0600, written atomically), including the
//! passwords of volumes kept after an uninstall, so a reinstall over kept
//! data still logs in.
//!
//! **Labels are not trusted**: anyone can put them on a container (a
//! cloned repository's compose file can). What the app created is recorded
//! by identity in the store (`store::services`): a container by Docker's id,
//! a volume by a random token in its `dev.aidesktop.install` label. Only a
//! recorded container is taken back, acted on, or offered to deployments;
//! only a volume whose token matches is ever deleted.

mod backup;
pub mod catalog;
pub mod client;
pub mod compose;
pub mod discovery;
pub mod query;
pub mod state;
pub mod tarball;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::procs::{LogBuffer, Stream};
use crate::repos;
use crate::store::{self, Store};
use crate::util::lock;
use ai_desktop_api::services::{
    CatalogEntry, ForeignContainer, InstallRequest, InstalledService, ServiceKind, ServiceState,
    ServicesOverview,
};
use bollard::models::{
    ContainerCreateBody, HostConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
    VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, RemoveContainerOptionsBuilder,
    RemoveVolumeOptionsBuilder, StopContainerOptionsBuilder,
};
use bollard::Docker;
use state::{ServiceRecord, ServicesFile};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Service containers carry this label; its value is the kind
/// (`postgresql`, `mysql`, `mongodb`, `redis`).
pub const SERVICE_LABEL: &str = "dev.aidesktop.service";
/// Label marking everything the app created (containers and volumes).
pub const MANAGED_LABEL: &str = "dev.aidesktop.managed";
/// Label holding a volume's random token, recorded when the app creates it.
pub const INSTALL_LABEL: &str = "dev.aidesktop.install";
/// How long Docker gets to answer a ping.
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a pull may take before it is given up.
const PULL_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a started service gets to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

pub struct ServiceManager {
    store: Arc<Store>,
    socket: String,
    /// Whose engine ([`store::services::LOCAL`], or a host's id).
    engine: i64,
    /// How its published ports are reached from here.
    reach: Arc<dyn Reach>,
    /// Container and volume names start with this (`aidesktop`; tests use
    /// their own so they never touch a developer's services).
    prefix: String,
    state: ServicesFile,
    /// One install/uninstall at a time.
    op: tokio::sync::Mutex<()>,
    events: Arc<dyn EventSink>,
    /// Followed container logs, by instance.
    logs: Mutex<HashMap<String, FollowedLogs>>,
}

/// How the app reaches the ports an engine publishes on its own 127.0.0.1:
/// this computer's directly, a host's through forwards the app opens.
pub trait Reach: Send + Sync {
    /// The port on this computer's 127.0.0.1 that reaches `port` on the
    /// engine's (a forward is opened if none is).
    fn local_port(&self, port: u16) -> futures_util::future::BoxFuture<'_, Result<u16>>;
    /// The port already forwarded to `port`, if one is (None here: the
    /// port is this computer's own).
    fn forwarded(&self, port: u16) -> Option<u16>;
    /// Whether `port` looks free to publish on.
    fn port_is_free(&self, port: u16) -> bool;
    /// Nothing publishes `port` any more: its forward, if any, ends.
    fn release(&self, port: u16) -> futures_util::future::BoxFuture<'_, ()>;
    /// Where the engine is, for messages ("on Build box"; empty here).
    fn place(&self) -> String;
}

/// This computer's engine: its ports are ours.
struct Here;

impl Reach for Here {
    fn local_port(&self, port: u16) -> futures_util::future::BoxFuture<'_, Result<u16>> {
        Box::pin(std::future::ready(Ok(port)))
    }
    fn forwarded(&self, _port: u16) -> Option<u16> {
        None
    }
    fn port_is_free(&self, port: u16) -> bool {
        repos::port_is_free(port)
    }
    fn release(&self, _port: u16) -> futures_util::future::BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }
    fn place(&self) -> String {
        String::new()
    }
}

/// A container's output buffer and the task that fills it.
type FollowedLogs = (Arc<LogBuffer>, tokio::task::JoinHandle<()>);

/// Lines of container output kept per service.
const LOG_LINES: usize = 2000;

impl ServiceManager {
    /// `data_dir` holds `services.json`; `socket` is Docker's (`unix://…`).
    pub fn new(
        store: Arc<Store>,
        data_dir: PathBuf,
        socket: String,
        prefix: &str,
        events: Arc<dyn EventSink>,
    ) -> ServiceManager {
        ServiceManager {
            store,
            socket,
            engine: store::services::LOCAL,
            reach: Arc::new(Here),
            prefix: prefix.to_string(),
            state: ServicesFile::new(data_dir.join("services.json")),
            op: tokio::sync::Mutex::new(()),
            events,
            logs: Mutex::new(HashMap::new()),
        }
    }

    /// The services of a host's engine, whose socket is forwarded to
    /// `socket` here; `data_dir` is the host's own (its `services.json`).
    pub fn on_host(
        store: Arc<Store>,
        data_dir: PathBuf,
        socket: String,
        prefix: &str,
        events: Arc<dyn EventSink>,
        host_id: i64,
        reach: Arc<dyn Reach>,
    ) -> ServiceManager {
        ServiceManager {
            engine: host_id,
            reach,
            ..ServiceManager::new(store, data_dir, socket, prefix, events)
        }
    }

    /// The host whose engine this is (None: this computer's).
    pub fn host(&self) -> Option<i64> {
        (self.engine != store::services::LOCAL).then_some(self.engine)
    }

    /// What the page shows; Docker being away is part of the answer.
    pub async fn overview(&self) -> ServicesOverview {
        let docker = match self.docker().await {
            Ok(d) => d,
            Err(e) => {
                return ServicesOverview {
                    docker_available: false,
                    message: Some(e.to_string()),
                    host: self.host(),
                    ..Default::default()
                }
            }
        };
        // One listing serves both the taking back of our containers and the
        // list of the others (this runs on every Docker event).
        let containers = all_containers(&docker).await;
        let installed = match self.load_state(&docker, &containers).await {
            Ok(file) => {
                let mut out = Vec::new();
                for record in file.services.values() {
                    out.push(self.describe(&docker, record).await);
                }
                out
            }
            Err(e) => {
                return ServicesOverview {
                    docker_available: true,
                    message: Some(e.with_detail_text()),
                    host: self.host(),
                    ..Default::default()
                }
            }
        };
        let recorded = self.recorded_ids();
        let foreign = containers
            .into_iter()
            .filter(|c| !c.id.as_ref().is_some_and(|id| recorded.contains(id)))
            .map(|c| ForeignContainer {
                name: c
                    .names
                    .and_then(|n| n.first().cloned())
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_string(),
                image: c.image.unwrap_or_default(),
                state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                ports: c
                    .ports
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|p| {
                        Some(format!(
                            "{}:{}->{}",
                            p.ip.unwrap_or_default(),
                            p.public_port?,
                            p.private_port
                        ))
                    })
                    .collect(),
            })
            .collect();
        ServicesOverview {
            docker_available: true,
            message: None,
            installed,
            foreign,
            host: self.host(),
        }
    }

    /// Docker ids of the containers the app created.
    fn recorded_ids(&self) -> Vec<String> {
        self.store
            .with(|c| store::services::containers(c, self.engine))
            .map(|list| list.into_iter().map(|s| s.container_id).collect())
            .unwrap_or_default()
    }

    /// `services.json`, completed from Docker and the store. A record of an
    /// older file that has no container id yet gets the id of the container
    /// of that name, if it carries our labels (those installs predate ids).
    /// A container the file does not know — it was corrupt, or deleted — is
    /// taken back only if its id is recorded in the store as the app's,
    /// with its port, image, volume and password read from the container.
    async fn load_state(
        &self,
        docker: &Docker,
        containers: &[bollard::models::ContainerSummary],
    ) -> Result<state::ServicesState> {
        let mut file = self.state.load()?;
        let mut changed = false;
        for record in file.services.values_mut() {
            if record.container_id.is_some() {
                continue;
            }
            let known = self
                .store
                .with(|c| store::services::container(c, self.engine, &record.id))?;
            let id = match known {
                Some(k) => Some(k.container_id),
                None => docker
                    .inspect_container(&record.container, None)
                    .await
                    .ok()
                    .filter(|i| {
                        let labels = i.config.as_ref().and_then(|c| c.labels.as_ref());
                        labels.is_some_and(|l| {
                            l.contains_key(MANAGED_LABEL)
                                && l.get(SERVICE_LABEL).map(String::as_str)
                                    == Some(record.kind.as_str())
                        })
                    })
                    .and_then(|i| i.id),
            };
            if let Some(id) = id {
                self.store.with(|c| {
                    store::services::record_container(
                        c,
                        self.engine,
                        &store::services::ServiceContainer {
                            instance: record.id.clone(),
                            kind: record.kind.as_str().into(),
                            container_id: id.clone(),
                            name: record.container.clone(),
                            volume: record.volume.clone(),
                        },
                    )?;
                    if store::services::volume_token(c, self.engine, &record.volume)?.is_none() {
                        store::services::record_volume(
                            c,
                            self.engine,
                            &record.volume,
                            store::services::LEGACY_TOKEN,
                        )?;
                    }
                    Ok(())
                })?;
                record.container_id = Some(id);
                changed = true;
            }
        }
        let recorded = self
            .store
            .with(|c| store::services::containers(c, self.engine))?;
        for c in containers {
            let Some(id) = c.id.as_ref() else { continue };
            let Some(mine) = recorded.iter().find(|r| &r.container_id == id) else {
                continue;
            };
            let Some(kind) = ServiceKind::parse(&mine.kind) else {
                continue;
            };
            if file.services.contains_key(&mine.instance) {
                continue;
            }
            let Ok(inspect) = docker.inspect_container(id, None).await else {
                continue;
            };
            let config = inspect.config.clone().unwrap_or_default();
            let env = config.env.clone().unwrap_or_default();
            let cmd = config.cmd.clone().unwrap_or_default();
            let password = catalog::password_from(kind, &env, &cmd);
            let port = inspect
                .host_config
                .as_ref()
                .and_then(|h| h.port_bindings.as_ref())
                .and_then(|b| {
                    b.values()
                        .flatten()
                        .flatten()
                        .find_map(|p| p.host_port.clone())
                })
                .and_then(|p| p.parse::<u16>().ok());
            let (Some(password), Some(port)) = (password, port) else {
                continue;
            };
            let image = config.image.clone().unwrap_or_default();
            let version = image
                .rsplit_once(':')
                .map(|(_, t)| t.to_string())
                .unwrap_or_default();
            log::info!("took back {} (recorded as the app's)", mine.name);
            file.services.insert(
                mine.instance.clone(),
                ServiceRecord {
                    id: mine.instance.clone(),
                    kind,
                    version,
                    image,
                    container: mine.name.clone(),
                    // The volume the app recorded, not whatever it mounts.
                    volume: mine.volume.clone(),
                    port,
                    password,
                    installed_at: crate::store::now_rfc3339(),
                    container_id: Some(id.clone()),
                },
            );
            changed = true;
        }
        if changed {
            self.state.save(&file)?;
        }
        Ok(file)
    }

    /// Tells the page what the engine holds now.
    pub async fn emit(&self) {
        let overview = self.overview().await;
        self.events
            .emit(DomainEvent::ServiceUpdated(Box::new(overview)));
    }

    /// Follows Docker's events for the app's containers and tells the UI
    /// about each change; when Docker goes away (or comes back) the UI hears
    /// that too. Runs for the app's life.
    pub async fn run_watch(self: Arc<Self>) {
        let mut was_available = None;
        loop {
            let docker = self.docker().await;
            let available = docker.is_ok();
            if was_available != Some(available) {
                was_available = Some(available);
                self.emit().await;
            }
            let Ok(docker) = docker else {
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            };
            self.follow(&docker).await;
            // The stream ended: Docker stopped, or restarted.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Tells the UI about each change of the app's containers until
    /// Docker's event stream ends (Docker stopped, or its forward dropped).
    pub async fn follow(&self, docker: &Docker) {
        use futures_util::StreamExt;
        let filters: HashMap<&str, Vec<&str>> =
            HashMap::from([("label", vec![MANAGED_LABEL]), ("type", vec!["container"])]);
        let options = bollard::query_parameters::EventsOptionsBuilder::new()
            .filters(&filters)
            .build();
        let mut events = docker.events(Some(options));
        while let Some(event) = events.next().await {
            if event.is_err() {
                break;
            }
            self.emit().await;
        }
    }

    /// A client of the engine, if it answers (see [`Self::follow`]).
    pub async fn engine(&self) -> Result<Docker> {
        self.docker().await
    }

    /// The service's container output: its last lines, then new ones.
    pub async fn logs(&self, id: &str) -> Result<Arc<LogBuffer>> {
        let record = self.record(id).await?;
        if let Some((buffer, task)) = lock(&self.logs).get(id) {
            if !task.is_finished() {
                return Ok(buffer.clone());
            }
        }
        let target = target(&record)?.to_string();
        let docker = self.docker().await?;
        let buffer = Arc::new(LogBuffer::new(LOG_LINES));
        let task = tokio::spawn(follow_logs(docker, target, buffer.clone()));
        if let Some((_, old)) = lock(&self.logs).insert(id.to_string(), (buffer.clone(), task)) {
            old.abort();
        }
        Ok(buffer)
    }

    /// The container's last `tail` lines (after `since_ms`, if given), with
    /// the times Docker keeps for them, read once.
    pub async fn recent_logs(
        &self,
        id: &str,
        tail: usize,
        since_ms: Option<i64>,
    ) -> Result<Vec<crate::procs::LogLine>> {
        let record = self.record(id).await?;
        let docker = self.docker().await?;
        let mut options = bollard::query_parameters::LogsOptionsBuilder::new()
            .follow(false)
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .tail(&tail.to_string());
        if let Some(since) = since_ms {
            options = options.since((since / 1000).clamp(0, i64::from(i32::MAX)) as i32);
        }
        let buffer = LogBuffer::new(tail.max(1));
        read_log_stream(
            docker.logs(target(&record)?, Some(options.build())),
            &buffer,
        )
        .await;
        Ok(buffer.since(0))
    }

    /// A new data volume carrying a random token in its labels, recorded,
    /// so that only it is ever deleted as the app's.
    async fn create_volume(
        &self,
        docker: &Docker,
        volume: &str,
        labels: &HashMap<String, String>,
    ) -> Result<()> {
        let token = crate::secrets::random_hex(16)?;
        let mut volume_labels = labels.clone();
        volume_labels.insert(INSTALL_LABEL.to_string(), token.clone());
        docker
            .create_volume(VolumeCreateRequest {
                name: Some(volume.to_string()),
                labels: Some(volume_labels),
                ..Default::default()
            })
            .await
            .map_err(|e| {
                Error::failed(format!("Docker could not create the volume {volume}."), e)
            })?;
        self.store
            .with(|c| store::services::record_volume(c, self.engine, volume, &token))
    }

    /// The container's figures now: one read of Docker's stats (which holds
    /// the CPU counters of about a second before, for the CPU share).
    pub async fn stats(&self, id: &str) -> Result<ai_desktop_api::services::ServiceStats> {
        use futures_util::StreamExt;
        let record = self.record(id).await?;
        let docker = self.docker().await?;
        let options = bollard::query_parameters::StatsOptions {
            stream: false,
            one_shot: false,
        };
        let s = docker
            .stats(target(&record)?, Some(options))
            .next()
            .await
            .ok_or_else(|| Error::NotFound(format!("{} reported no figures.", record.title())))?
            .map_err(|e| missing_or(&record, e, "read the figures of"))?;
        let cpu = |c: &Option<bollard::models::ContainerCpuStats>| {
            let c = c.as_ref();
            (
                c.and_then(|c| c.cpu_usage.as_ref())
                    .and_then(|u| u.total_usage)
                    .unwrap_or(0),
                c.and_then(|c| c.system_cpu_usage).unwrap_or(0),
                c.and_then(|c| c.online_cpus).unwrap_or(1).max(1),
            )
        };
        let (total, system, cpus) = cpu(&s.cpu_stats);
        let (pre_total, pre_system, _) = cpu(&s.precpu_stats);
        let system_delta = system.saturating_sub(pre_system);
        let cpu_percent = if system_delta > 0 && pre_system > 0 {
            total.saturating_sub(pre_total) as f64 / system_delta as f64 * f64::from(cpus) * 100.0
        } else {
            0.0
        };
        let memory = s.memory_stats.as_ref();
        // As `docker stats` shows it: usage less the inactive page cache.
        let cache = memory
            .and_then(|m| m.stats.as_ref())
            .and_then(|st| {
                st.get("inactive_file")
                    .or_else(|| st.get("total_inactive_file"))
            })
            .copied()
            .unwrap_or(0);
        let networks = s.networks.as_ref();
        let sum_net = |f: fn(&bollard::models::ContainerNetworkStats) -> Option<u64>| {
            networks
                .map(|n| n.values().filter_map(f).sum())
                .unwrap_or(0)
        };
        let disk = |op: &str| {
            s.blkio_stats
                .as_ref()
                .and_then(|b| b.io_service_bytes_recursive.as_ref())
                .map(|entries| {
                    entries
                        .iter()
                        .filter(|e| e.op.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(op)))
                        .filter_map(|e| e.value)
                        .sum()
                })
                .unwrap_or(0)
        };
        Ok(ai_desktop_api::services::ServiceStats {
            cpu_percent: (cpu_percent * 10.0).round() / 10.0,
            memory_bytes: memory
                .and_then(|m| m.usage)
                .unwrap_or(0)
                .saturating_sub(cache),
            memory_limit: memory.and_then(|m| m.limit).unwrap_or(0),
            net_rx: sum_net(|n| n.rx_bytes),
            net_tx: sum_net(|n| n.tx_bytes),
            disk_read: disk("read"),
            disk_write: disk("write"),
            pids: s.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0),
        })
    }

    /// What a terminal tab runs to open the instance's client (or, with
    /// `shell`, a shell inside its container).
    pub async fn client_command(
        &self,
        id: &str,
        shell: bool,
        path_var: &str,
    ) -> Result<client::ClientCommand> {
        let record = self.record(id).await?;
        client::command(&record, shell, path_var)
    }

    pub fn catalog(&self) -> Vec<CatalogEntry> {
        catalog::entries()
    }

    /// A client whose daemon answers, or `unavailable` saying what to do.
    async fn docker(&self) -> Result<Docker> {
        let docker = Docker::connect_with_unix(&self.socket, 30, bollard::API_DEFAULT_VERSION)
            .map_err(|e| {
                Error::Unavailable(format!(
                    "Docker{} is not available ({e}). {}",
                    self.reach.place(),
                    catalog::DOCKER_HINT
                ))
            })?;
        match tokio::time::timeout(PING_TIMEOUT, docker.ping()).await {
            Ok(Ok(_)) => Ok(docker),
            Ok(Err(e)) => Err(Error::Unavailable(format!(
                "Docker{} is not available: nothing answers on {} ({e}). {}",
                self.reach.place(),
                self.socket,
                catalog::DOCKER_HINT
            ))),
            Err(_) => Err(Error::Unavailable(format!(
                "Docker{} is not available: {} did not answer within {} s.",
                self.reach.place(),
                self.socket,
                PING_TIMEOUT.as_secs()
            ))),
        }
    }

    /// The installed services with their state as Docker reports it.
    pub async fn list(&self) -> Result<Vec<InstalledService>> {
        let docker = self.docker().await?;
        let containers = all_containers(&docker).await;
        let file = self.load_state(&docker, &containers).await?;
        let mut out = Vec::new();
        for record in file.services.values() {
            out.push(self.describe(&docker, record).await);
        }
        out.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        Ok(out)
    }

    async fn describe(&self, docker: &Docker, record: &ServiceRecord) -> InstalledService {
        let inspected = match &record.container_id {
            Some(id) => docker.inspect_container(id, None).await.ok(),
            None => None,
        };
        let state = match inspected {
            None => ServiceState::Missing,
            Some(c) => {
                let s = c.state.as_ref();
                if s.and_then(|s| s.running).unwrap_or(false) {
                    ServiceState::Running
                } else if s.and_then(|s| s.restarting).unwrap_or(false) {
                    ServiceState::Starting
                } else {
                    ServiceState::Stopped
                }
            }
        };
        InstalledService {
            id: record.id.clone(),
            title: record.title(),
            kind: record.kind,
            version: record.version.clone(),
            image: record.image.clone(),
            container: record.container.clone(),
            volume: record.volume.clone(),
            port: record.port,
            forwarded_port: self.reach.forwarded(record.port),
            state,
            connection_string: catalog::connection_string(
                record.kind,
                self.reach.forwarded(record.port).unwrap_or(record.port),
                &record.password,
            ),
            installed_at: record.installed_at.clone(),
        }
    }

    /// Installs and starts a service, pulling its image if it is not there
    /// (`progress` hears each pull status line), and waits until it accepts
    /// connections.
    pub async fn install(
        &self,
        request: InstallRequest,
        progress: impl Fn(String),
    ) -> Result<InstalledService> {
        let entry = catalog::entry(request.kind);
        // A tag is checked as given: "7.2 " is refused, not trimmed.
        let version = match request.version.as_deref() {
            None | Some("") => entry.versions[0].clone(),
            Some(v) => catalog::check_tag(v)?.to_string(),
        };
        if let Some(0) = request.port {
            return Err(Error::InvalidInput("Port 0 is not a port.".into()));
        }
        let _op = self.op.lock().await;
        let docker = self.docker().await?;
        let mut file = self.state.load()?;
        let id = match request.name.as_deref().map(str::trim) {
            None | Some("") => {
                // The kind itself for the first; then kind-version, kind-2 ….
                let base = request.kind.as_str().to_string();
                let by_version = format!("{base}-{}", version.replace(['.', '_'], "-"));
                [base.clone(), by_version]
                    .into_iter()
                    .chain((2..100).map(|n| format!("{base}-{n}")))
                    .map(|c| c.to_ascii_lowercase())
                    .find(|c| !file.services.contains_key(c) && check_instance_id(c).is_ok())
                    .ok_or_else(|| Error::Conflict("No free instance name is left.".into()))?
            }
            Some(name) => {
                check_instance_id(name)?;
                if file.services.contains_key(name) {
                    return Err(Error::Conflict(format!(
                        "An instance named {name} already exists; pick another name."
                    )));
                }
                name.to_string()
            }
        };
        // Ours, and what the engine's other containers publish.
        let mut taken: Vec<u16> = file.services.values().map(|s| s.port).collect();
        taken.extend(
            all_containers(&docker)
                .await
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .filter_map(|p| p.public_port),
        );
        let port = match request.port {
            Some(p) => {
                if taken.contains(&p) || !self.reach.port_is_free(p) {
                    return Err(Error::Conflict(format!(
                        "Port {p} is in use; pick another or leave it empty."
                    )));
                }
                p
            }
            None => (entry.default_port..=u16::MAX)
                .find(|p| !taken.contains(p) && self.reach.port_is_free(*p))
                .ok_or_else(|| Error::Conflict("No free port is left.".into()))?,
        };
        let image = format!("{}:{version}", entry.image);
        if docker.inspect_image(&image).await.is_err() {
            self.pull(&docker, &entry.image, &version, &progress)
                .await?;
        }
        let container = format!("{}-{id}", self.prefix);
        let volume = format!("{}-{id}-data", self.prefix);
        let labels = labels_of(request.kind);
        // A volume of that name is used only if the app made it (a kept
        // one, with its password); anyone else's is left alone.
        let existing = docker.inspect_volume(&volume).await.ok();
        let mut token = self
            .store
            .with(|c| store::services::volume_token(c, self.engine, &volume))?;
        // Kept by an install from before tokens: services.json knows it.
        let legacy_kept = existing.as_ref().is_some_and(|v| {
            file.kept_volumes.contains_key(&volume) && volume_is(v, store::services::LEGACY_TOKEN)
        });
        if token.is_none() && legacy_kept {
            self.store.with(|c| {
                store::services::record_volume(
                    c,
                    self.engine,
                    &volume,
                    store::services::LEGACY_TOKEN,
                )
            })?;
            token = Some(store::services::LEGACY_TOKEN.into());
        }
        let password = match (&existing, &token) {
            (Some(v), Some(token)) if volume_is(v, token) => match file.kept_volumes.remove(&volume) {
                Some(p) => p,
                None => {
                    return Err(Error::Conflict(format!(
                        "The volume {volume} holds data of an earlier install whose password is lost;                          remove it (docker volume rm {volume}) to start empty."
                    )))
                }
            },
            (Some(_), _) => {
                return Err(Error::Conflict(format!(
                    "A volume named {volume} already exists and was not made by AI Desktop;                      it was left as it is. Remove or rename it to install."
                )))
            }
            (None, _) => {
                self.create_volume(&docker, &volume, &labels).await?;
                file.kept_volumes.remove(&volume);
                crate::secrets::random_hex(16)?
            }
        };
        let body = container_body(request.kind, &image, &password, port, &volume, labels);
        let options = CreateContainerOptionsBuilder::new()
            .name(&container)
            .build();
        let created = docker
            .create_container(Some(options), body)
            .await
            .map_err(|e| Error::failed(format!("Docker could not create {container}."), e))?;
        self.store.with(|c| {
            store::services::record_container(
                c,
                self.engine,
                &store::services::ServiceContainer {
                    instance: id.clone(),
                    kind: request.kind.as_str().into(),
                    container_id: created.id.clone(),
                    name: container.clone(),
                    volume: volume.clone(),
                },
            )
        })?;
        let record = ServiceRecord {
            id: id.clone(),
            kind: request.kind,
            version,
            image,
            container: container.clone(),
            volume,
            port,
            password,
            installed_at: crate::store::now_rfc3339(),
            container_id: Some(created.id.clone()),
        };
        file.services.insert(id.clone(), record.clone());
        self.state.save(&file)?;
        docker
            .start_container(&created.id, None)
            .await
            .map_err(|e| Error::failed(format!("Docker could not start {container}."), e))?;
        let ready = self.wait_ready(request.kind, port, &record.password).await;
        self.emit().await;
        ready?;
        Ok(self.describe(&docker, &record).await)
    }

    /// Waits until the instance publishing `port` answers, through a
    /// forward for a host's engine.
    async fn wait_ready(&self, kind: ServiceKind, port: u16, password: &str) -> Result<()> {
        let local = self.reach.local_port(port).await?;
        catalog::wait_ready(kind, local, password, READY_TIMEOUT).await
    }

    /// Forwards an instance's port to this computer (a host's engine; here
    /// its port is already this computer's).
    pub async fn forward(&self, id: &str) -> Result<InstalledService> {
        let docker = self.docker().await?;
        let record = self.record(id).await?;
        self.reach.local_port(record.port).await?;
        let described = self.describe(&docker, &record).await;
        self.emit().await;
        Ok(described)
    }

    async fn pull(
        &self,
        docker: &Docker,
        image: &str,
        tag: &str,
        progress: &impl Fn(String),
    ) -> Result<()> {
        use futures_util::StreamExt;
        let options = CreateImageOptionsBuilder::new()
            .from_image(image)
            .tag(tag)
            .build();
        let mut stream = docker.create_image(Some(options), None, None);
        let deadline = Instant::now() + PULL_TIMEOUT;
        loop {
            let next = tokio::time::timeout_at(deadline.into(), stream.next()).await;
            match next {
                Err(_) => {
                    return Err(Error::Failed {
                        message: format!(
                            "Pulling {image}:{tag} took longer than {} s.",
                            PULL_TIMEOUT.as_secs()
                        ),
                        detail: None,
                    })
                }
                Ok(None) => return Ok(()),
                Ok(Some(Ok(info))) => {
                    if let Some(e) = info.error_detail.and_then(|d| d.message) {
                        return Err(pull_error(image, tag, e));
                    }
                    let detail = info
                        .progress_detail
                        .and_then(|d| match (d.current, d.total) {
                            (Some(c), Some(t)) if t > 0 => Some(format!("{c}/{t}")),
                            _ => None,
                        });
                    let line = [info.id, info.status, detail]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if !line.is_empty() {
                        progress(line);
                    }
                }
                Ok(Some(Err(e))) => return Err(pull_error(image, tag, e)),
            }
        }
    }

    async fn record(&self, id: &str) -> Result<ServiceRecord> {
        self.state
            .load()?
            .services
            .get(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(not_installed(id)))
    }

    pub async fn start(&self, id: &str) -> Result<InstalledService> {
        let docker = self.docker().await?;
        let record = self.record(id).await?;
        let kind = record.kind;
        docker
            .start_container(target(&record)?, None)
            .await
            .map_err(|e| missing_or(&record, e, "start"))?;
        let ready = self.wait_ready(kind, record.port, &record.password).await;
        self.emit().await;
        ready?;
        Ok(self.describe(&docker, &record).await)
    }

    pub async fn stop(&self, id: &str) -> Result<InstalledService> {
        let docker = self.docker().await?;
        let record = self.record(id).await?;
        let options = StopContainerOptionsBuilder::new().t(10).build();
        docker
            .stop_container(target(&record)?, Some(options))
            .await
            .map_err(|e| missing_or(&record, e, "stop"))?;
        self.emit().await;
        Ok(self.describe(&docker, &record).await)
    }

    pub async fn restart(&self, id: &str) -> Result<InstalledService> {
        let docker = self.docker().await?;
        let record = self.record(id).await?;
        let kind = record.kind;
        docker
            .restart_container(target(&record)?, None)
            .await
            .map_err(|e| missing_or(&record, e, "restart"))?;
        let ready = self.wait_ready(kind, record.port, &record.password).await;
        self.emit().await;
        ready?;
        Ok(self.describe(&docker, &record).await)
    }

    /// Removes the container; its data volume is kept (with its password, for
    /// a later install) unless `delete_data`.
    pub async fn uninstall(&self, id: &str, delete_data: bool) -> Result<()> {
        let _op = self.op.lock().await;
        let docker = self.docker().await?;
        let mut file = self.state.load()?;
        let record = file
            .services
            .get(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(not_installed(id)))?;
        // The data is deleted only if the app made that volume; checked
        // before anything is removed, so a refusal changes nothing.
        if delete_data {
            if let Ok(v) = docker.inspect_volume(&record.volume).await {
                let token = self
                    .store
                    .with(|c| store::services::volume_token(c, self.engine, &record.volume))?;
                if !token.is_some_and(|t| volume_is(&v, &t)) {
                    return Err(Error::Forbidden(format!(
                        "The volume {} was not made by AI Desktop, so its data is not deleted;                          nothing was changed. Uninstall keeping the data, or remove it yourself.",
                        record.volume
                    )));
                }
            }
        }
        // By the id the app recorded: a container that took the name since
        // is not ours to remove.
        if let Some(id) = &record.container_id {
            let options = RemoveContainerOptionsBuilder::new().force(true).build();
            if let Err(e) = docker.remove_container(id, Some(options)).await {
                if !is_not_found(&e) {
                    return Err(Error::failed(
                        format!("Docker could not remove {}.", record.container),
                        e,
                    ));
                }
            }
        }
        self.store
            .with(|c| store::services::forget_container(c, self.engine, id))?;
        if delete_data {
            let options = RemoveVolumeOptionsBuilder::new().force(true).build();
            if let Err(e) = docker.remove_volume(&record.volume, Some(options)).await {
                if !is_not_found(&e) {
                    return Err(Error::failed(
                        format!("Docker could not remove the volume {}.", record.volume),
                        e,
                    ));
                }
            }
            self.store
                .with(|c| store::services::forget_volume(c, self.engine, &record.volume))?;
        } else {
            file.kept_volumes
                .insert(record.volume.clone(), record.password.clone());
        }
        file.services.remove(id);
        self.state.save(&file)?;
        if let Some((_, task)) = lock(&self.logs).remove(id) {
            task.abort();
        }
        self.reach.release(record.port).await;
        self.emit().await;
        Ok(())
    }
}

/// Streams a container's output (the last 500 lines, then new ones) into `buffer`.
pub async fn follow_logs(docker: Docker, container: String, buffer: Arc<LogBuffer>) {
    let options = bollard::query_parameters::LogsOptionsBuilder::new()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .tail("500")
        .build();
    read_log_stream(docker.logs(&container, Some(options)), &buffer).await;
}

/// Pushes the lines of a Docker log stream (asked with `timestamps`: each
/// line's time is Docker's) into `buffer` until it ends.
async fn read_log_stream<S>(mut stream: S, buffer: &LogBuffer)
where
    S: futures_util::Stream<
            Item = std::result::Result<bollard::container::LogOutput, bollard::errors::Error>,
        > + Unpin,
{
    use futures_util::StreamExt;
    let mut pending: HashMap<bool, Vec<u8>> = HashMap::new();
    while let Some(Ok(chunk)) = stream.next().await {
        let (is_err, bytes) = match chunk {
            bollard::container::LogOutput::StdErr { message } => (true, message),
            bollard::container::LogOutput::StdOut { message }
            | bollard::container::LogOutput::Console { message } => (false, message),
            bollard::container::LogOutput::StdIn { .. } => continue,
        };
        let buf = pending.entry(is_err).or_default();
        buf.extend_from_slice(&bytes);
        while let Some(end) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..line.len() - 1]);
            let (at, text) = crate::procs::logs::split_stamp(&line);
            let stream = if is_err {
                Stream::Stderr
            } else {
                Stream::Stdout
            };
            let text = text.trim_end_matches('\r').to_string();
            match at {
                Some(at) => buffer.push_at(stream, text, at),
                None => buffer.push(stream, text),
            }
        }
    }
}

/// The labels of a service's container and volume: the app's, and its kind.
fn labels_of(kind: ServiceKind) -> HashMap<String, String> {
    HashMap::from([
        (SERVICE_LABEL.to_string(), kind.as_str().to_string()),
        (MANAGED_LABEL.to_string(), "true".to_string()),
    ])
}

/// What a service's container is made of: its image, the engine's
/// variables and command, the labels, its port on 127.0.0.1 only, its data
/// volume and a restart policy.
fn container_body(
    kind: ServiceKind,
    image: &str,
    password: &str,
    port: u16,
    volume: &str,
    labels: HashMap<String, String>,
) -> ContainerCreateBody {
    let internal = format!("{}/tcp", catalog::entry(kind).internal_port);
    ContainerCreateBody {
        image: Some(image.to_string()),
        env: Some(catalog::env(kind, password)),
        cmd: catalog::cmd(kind, password),
        labels: Some(labels),
        exposed_ports: Some(vec![internal.clone()]),
        host_config: Some(HostConfig {
            port_bindings: Some(HashMap::from([(
                internal,
                Some(vec![PortBinding {
                    // Loopback only: a plain `-p 6379:6379` listens on every interface.
                    host_ip: Some("127.0.0.1".into()),
                    host_port: Some(port.to_string()),
                }]),
            )])),
            binds: Some(vec![format!("{volume}:{}", catalog::data_path(kind))]),
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                maximum_retry_count: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// An instance's id: lower-case letters, digits and `-`, starting with a
/// letter, at most 40 (it becomes part of container and volume names).
pub fn check_instance_id(id: &str) -> Result<()> {
    let ok = (1..=40).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{id}\" cannot name an instance: use lower-case letters, digits and '-', starting \
             with a letter (at most 40), e.g. redis-6."
        )))
    }
}

fn not_installed(id: &str) -> String {
    match ServiceKind::parse(id) {
        Some(kind) => format!("{} is not installed.", kind.label()),
        None => format!("There is no service instance named {id}."),
    }
}

/// Every container, running or not.
async fn all_containers(docker: &Docker) -> Vec<bollard::models::ContainerSummary> {
    let options = bollard::query_parameters::ListContainersOptionsBuilder::new()
        .all(true)
        .build();
    docker
        .list_containers(Some(options))
        .await
        .unwrap_or_default()
}

/// The container a record names, by the id the app recorded.
fn target(record: &ServiceRecord) -> Result<&str> {
    record.container_id.as_deref().ok_or_else(|| {
        Error::NotFound(format!(
            "The container {} is gone (removed outside the app); uninstall and install again (kept data stays in {}).",
            record.container, record.volume
        ))
    })
}

/// Whether volume `v` is the one the app made with `token` (or, for a volume
/// made before tokens, one with the app's label and no token).
fn volume_is(v: &bollard::models::Volume, token: &str) -> bool {
    let label = v.labels.get(INSTALL_LABEL);
    if token == store::services::LEGACY_TOKEN {
        v.labels.contains_key(MANAGED_LABEL) && label.is_none()
    } else {
        label.map(String::as_str) == Some(token)
    }
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

fn missing_or(record: &ServiceRecord, e: bollard::errors::Error, what: &str) -> Error {
    if is_not_found(&e) {
        Error::NotFound(format!(
            "The container {} is gone (removed outside the app); uninstall and install again (kept data stays in {}).",
            record.container, record.volume
        ))
    } else {
        Error::failed(format!("Docker could not {what} {}.", record.container), e)
    }
}

fn pull_error(image: &str, tag: &str, e: impl std::fmt::Display) -> Error {
    Error::failed(
        format!(
            "Could not pull {image}:{tag}: the registry could not be reached or has no such tag. \
             Build or load the image locally (docker load / docker import) and install again."
        ),
        e,
    )
}
