//! Docker on a host: the Services module pointed at a host's own engine.
//!
//! No agent and no TCP port on the host: the engine's Unix socket there is
//! forwarded to a socket here (`ssh -N -L <here>:<there>`, a 0600 socket in
//! a 0700 folder of the app's), and the same [`ServiceManager`] drives it —
//! the same catalog, recorded identities (per engine, migration V28),
//! passwords, logs, backups and clones. What a service publishes on the
//! host's 127.0.0.1 is reached from here through a forward of its port,
//! opened on demand (to check that it answers, or when the user asks) and
//! kept while the app runs: on the same port number here when that is free.
//!
//! A dropped connection shows the host's services as unreachable (not
//! stopped: they still run there) and is opened again with backoff, with
//! the ports that were forwarded on their same ports here. Every forward is
//! a supervised child recorded in `supervised_processes`; quitting ends
//! them, and a start ends whatever a killed app left.

use super::forward::{end_strays, socket_forward, Ports, Tunnel, FORWARD_TIMEOUT};
use super::Hosts;
use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::services::ServiceManager;
use crate::store::Store;
use crate::util::lock;
use ai_desktop_api::hosts::Host;
use ai_desktop_api::services::ServicesOverview;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Records of the forwards of hosts' Docker sockets (owner: the host).
pub const SOCKET_FORWARD_KIND: &str = "host-docker-forward";
/// Records of the forwards of services' ports (owner: host id × 65536 +
/// the port there).
pub const PORT_FORWARD_KIND: &str = "host-service-forward";
/// After a dropped connection: the waits between tries, the last repeated,
/// for [`RECONNECT_FOR`] (then the next use of the host tries again).
const RECONNECT_BACKOFF: [u64; 7] = [1, 2, 4, 8, 16, 32, 60];
const RECONNECT_FOR: Duration = Duration::from_secs(15 * 60);

/// Run there: where the engine's socket is, and whether this user may use
/// it. `DOCKER_HOST` first (unix:// only), then the system socket, then a
/// rootless engine's.
const FIND_SOCKET: &str = r#"h=${DOCKER_HOST:-}
case "$h" in
  "") s=/var/run/docker.sock
      if [ ! -S "$s" ] && [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -S "$XDG_RUNTIME_DIR/docker.sock" ]; then s=$XDG_RUNTIME_DIR/docker.sock; fi ;;
  unix://*) s=${h#unix://} ;;
  *) printf 'remote %s\n' "$h"; exit 0 ;;
esac
if [ ! -S "$s" ]; then printf 'missing %s\n' "$s"
elif [ ! -r "$s" ] || [ ! -w "$s" ]; then printf 'denied %s\n' "$s"
else printf 'socket %s\n' "$s"; fi
"#;

/// The hosts' engines the app has reached.
pub struct HostEngines {
    hosts: Arc<Hosts>,
    store: Arc<Store>,
    events: Arc<dyn EventSink>,
    /// `<data>/hosts/engines/<host id>`: the socket, the forwards' log and
    /// the engine's `services.json`.
    root: PathBuf,
    prefix: String,
    engines: Mutex<HashMap<i64, Arc<Engine>>>,
}

struct Engine {
    host_id: i64,
    manager: Arc<ServiceManager>,
    ports: Arc<Ports>,
    /// One connect at a time.
    connect: tokio::sync::Mutex<()>,
    socket: Mutex<Option<Tunnel>>,
    reconnecting: Mutex<bool>,
}

impl HostEngines {
    pub fn new(
        hosts: Arc<Hosts>,
        store: Arc<Store>,
        data_dir: &Path,
        prefix: &str,
        events: Arc<dyn EventSink>,
    ) -> HostEngines {
        HostEngines {
            hosts,
            store,
            events,
            root: data_dir.join("hosts").join("engines"),
            prefix: prefix.to_string(),
            engines: Mutex::new(HashMap::new()),
        }
    }

    fn dir(&self, host_id: i64) -> PathBuf {
        self.root.join(host_id.to_string())
    }

    /// The host's engine record here (made on first use).
    fn engine(&self, host: &Host) -> Result<Arc<Engine>> {
        if let Some(e) = lock(&self.engines).get(&host.id) {
            return Ok(e.clone());
        }
        let dir = self.dir(host.id);
        crate::secrets::private_dir(&dir)
            .map_err(|e| Error::failed(format!("Could not make {}.", dir.display()), e))?;
        let ports = Arc::new(Ports::new(
            PORT_FORWARD_KIND,
            host,
            self.hosts.clone(),
            self.store.clone(),
            dir.clone(),
        ));
        let manager = Arc::new(ServiceManager::on_host(
            self.store.clone(),
            dir.clone(),
            format!("unix://{}", dir.join("docker.sock").display()),
            &self.prefix,
            self.events.clone(),
            host.id,
            ports.clone(),
        ));
        let engine = Arc::new(Engine {
            host_id: host.id,
            manager,
            ports,
            connect: tokio::sync::Mutex::new(()),
            socket: Mutex::new(None),
            reconnecting: Mutex::new(false),
        });
        Ok(lock(&self.engines).entry(host.id).or_insert(engine).clone())
    }

    /// The host's services, its engine reached (the forward opened if it is
    /// not): every Services command on a host goes through here.
    pub async fn services(self: &Arc<Self>, host_id: i64) -> Result<Arc<ServiceManager>> {
        let host = self.hosts.get(host_id)?;
        let engine = self.engine(&host)?;
        self.connect(&host, &engine).await?;
        Ok(engine.manager.clone())
    }

    /// What the Services page shows for a host: an engine that cannot be
    /// reached is part of the answer, with why.
    pub async fn overview(self: &Arc<Self>, host_id: i64) -> Result<ServicesOverview> {
        let host = self.hosts.get(host_id)?;
        let engine = self.engine(&host)?;
        match self.connect(&host, &engine).await {
            Ok(()) => Ok(engine.manager.overview().await),
            Err(e) => Ok(ServicesOverview {
                docker_available: false,
                message: Some(e.with_detail_text()),
                host: Some(host_id),
                ..Default::default()
            }),
        }
    }

    /// Opens the forward of the host's Docker socket unless it runs, then
    /// follows the engine's events while it does.
    async fn connect(self: &Arc<Self>, host: &Host, engine: &Arc<Engine>) -> Result<()> {
        let _one = engine.connect.lock().await;
        let open = lock(&engine.socket).clone();
        if let Some(t) = open {
            if t.running().await && self.dir(host.id).join("docker.sock").exists() {
                return Ok(());
            }
            lock(&engine.socket).take();
            t.end(&self.store, SOCKET_FORWARD_KIND, host.id).await;
        }
        self.open_socket(host, engine).await
    }

    async fn open_socket(self: &Arc<Self>, host: &Host, engine: &Arc<Engine>) -> Result<()> {
        let out = self
            .hosts
            .script(host, FIND_SOCKET, FORWARD_TIMEOUT)
            .await?;
        let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let (what, path) = said.split_once(' ').unwrap_or((said.as_str(), ""));
        let user = &host.user;
        let remote = match what {
            "socket" => path.to_string(),
            "missing" => {
                return Err(Error::Unavailable(format!(
                    "Docker is not running on {}: there is no socket at {path} (start it there, e.g. sudo systemctl start docker).",
                    host.name
                )))
            }
            "denied" => {
                return Err(Error::Unavailable(format!(
                    "{user} on {} may not use Docker ({path}): add it to the docker group there (sudo usermod -aG docker {user}), then try again.",
                    host.name
                )))
            }
            "remote" => {
                return Err(Error::Unavailable(format!(
                    "DOCKER_HOST on {} is {path}: the app forwards only a local socket of the engine.",
                    host.name
                )))
            }
            _ => {
                return Err(Error::Failed {
                    message: format!("Could not find Docker's socket on {}.", host.name),
                    detail: Some(format!("{said}\n{}", String::from_utf8_lossy(&out.stderr))),
                })
            }
        };
        let here = self.dir(host.id).join("docker.sock");
        let manager = engine.manager.clone();
        let tunnel = socket_forward(
            &self.hosts,
            &self.store,
            host,
            &here,
            &remote,
            &[],
            (SOCKET_FORWARD_KIND, host.id),
            || async { manager.engine().await.is_ok() },
            |last| Error::Failed {
                message: format!(
                    "Docker on {} did not answer through the forward of {remote}.",
                    host.name
                ),
                detail: (!last.is_empty()).then_some(last),
            },
        )
        .await?;
        *lock(&engine.socket) = Some(tunnel.clone());
        self.follow(engine.clone(), tunnel);
        Ok(())
    }

    /// Follows the engine's events while its forward runs; a forward that
    /// ends while still the engine's dropped with its connection: the page
    /// hears that the host cannot be reached, and it is opened again.
    fn follow(self: &Arc<Self>, engine: Arc<Engine>, tunnel: Tunnel) {
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            if let Ok(docker) = engine.manager.engine().await {
                engine.manager.follow(&docker).await;
            }
            // The event stream ends with the forward (or the engine there).
            tunnel.ended().await;
            let ours = {
                let mut socket = lock(&engine.socket);
                let ours = socket
                    .as_ref()
                    .is_some_and(|t| t.identity == tunnel.identity);
                if ours {
                    socket.take();
                }
                ours
            };
            let Some(this) = this.upgrade() else {
                return;
            };
            let _ = this.store.forget_process(
                SOCKET_FORWARD_KIND,
                engine.host_id,
                tunnel.identity.into(),
            );
            if ours {
                tracing::warn!(
                    "the Docker forward of host {} dropped; reconnecting",
                    engine.host_id
                );
                this.reconnect(engine).await;
            }
        });
    }

    /// Tries to reach a host's engine again, waiting longer after each
    /// failure; meanwhile its services are shown unreachable. The ports
    /// that were forwarded are forwarded again on the same ports here.
    async fn reconnect(self: &Arc<Self>, engine: Arc<Engine>) {
        {
            let mut busy = lock(&engine.reconnecting);
            if *busy {
                return;
            }
            *busy = true;
        }
        // Forwards that dropped with the connection are opened again on
        // their ports here (ones that still run are kept).
        let ports = engine.ports.open_ports();
        let since = Instant::now();
        for attempt in 0usize.. {
            let Ok(host) = self.hosts.get(engine.host_id) else {
                break;
            };
            if !lock(&self.engines).contains_key(&engine.host_id) {
                break;
            }
            match self.connect(&host, &engine).await {
                Ok(()) => {
                    for (there, here) in &ports {
                        if let Err(e) = engine.ports.forward(*there, Some(*here)).await {
                            tracing::warn!(
                                "port {there} of host {} not forwarded again: {e}",
                                host.id
                            );
                        }
                    }
                    engine.manager.emit().await;
                    break;
                }
                Err(e) => {
                    let gave_up = since.elapsed() > RECONNECT_FOR;
                    let wait = RECONNECT_BACKOFF[attempt.min(RECONNECT_BACKOFF.len() - 1)];
                    let message = if gave_up {
                        format!("{} Open the page again to retry.", e.with_detail_text())
                    } else {
                        format!("{} Trying again in {wait} s.", e.with_detail_text())
                    };
                    self.events
                        .emit(DomainEvent::ServiceUpdated(Box::new(ServicesOverview {
                            docker_available: false,
                            message: Some(message),
                            host: Some(engine.host_id),
                            ..Default::default()
                        })));
                    if gave_up {
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
            }
        }
        *lock(&engine.reconnecting) = false;
    }

    /// Ends every forward (at quit): no ssh outlives the app. The services
    /// keep running on their hosts.
    pub fn end_forwards(&self) {
        let engines: Vec<Arc<Engine>> = lock(&self.engines).values().cloned().collect();
        for engine in engines {
            engine.ports.end_all();
            if let Some(t) = lock(&engine.socket).take() {
                if t.identity.is_alive() {
                    crate::procs::signal_group(t.identity.pid, libc::SIGTERM);
                }
                let _ = self.store.forget_process(
                    SOCKET_FORWARD_KIND,
                    engine.host_id,
                    t.identity.into(),
                );
            }
        }
    }

    /// Ends the forwards a killed app left behind (they are opened again
    /// when the host's services are next used).
    pub fn end_strays(&self) {
        end_strays(&self.store, &[SOCKET_FORWARD_KIND, PORT_FORWARD_KIND]);
    }

    /// A host was removed: its forwards end and what the app recorded of
    /// its engine is forgotten. Its services keep running there, with
    /// their data (nothing of the user's is deleted on a host the app no
    /// longer knows).
    pub async fn delete_host(&self, host_id: i64) -> Result<()> {
        let engine = lock(&self.engines).remove(&host_id);
        if let Some(engine) = engine {
            let socket = lock(&engine.socket).take();
            if let Some(t) = socket {
                t.end(&self.store, SOCKET_FORWARD_KIND, host_id).await;
            }
            engine.ports.end_all();
        }
        self.store
            .with(|c| crate::store::services::forget_engine(c, host_id))?;
        let _ = std::fs::remove_dir_all(self.dir(host_id));
        Ok(())
    }
}
