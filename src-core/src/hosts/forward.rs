//! Forwards to a host the app owns: `ssh -N -L` children, each recorded in
//! `supervised_processes` by kind and owner. A Unix socket there forwarded
//! to one here (Docker's, PM2's), and a host's TCP ports forwarded to
//! 127.0.0.1 here on demand ([`Ports`], the services' and apps' ports:
//! the same port here as last time when it is free). Quitting ends them
//! ([`Ports::end_all`]); the next start ends what a killed app left
//! ([`end_strays`]).

use super::Hosts;
use crate::error::{Error, Result};
use crate::procs::{ProcessIdentity, Supervised};
use crate::services::Reach;
use crate::store::Store;
use crate::util::lock;
use ai_desktop_api::hosts::Host;
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// By a host's port, the port here it was last forwarded to.
const PORTS_FILE: &str = "forwarded-ports.json";
/// How long a new forward may take to answer.
pub(super) const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A forward the app runs.
#[derive(Clone)]
pub(super) struct Tunnel {
    pub(super) identity: ProcessIdentity,
    process: Arc<tokio::sync::Mutex<Supervised>>,
}

impl Tunnel {
    pub(super) fn new(process: Supervised) -> Tunnel {
        Tunnel {
            identity: process.identity(),
            process: Arc::new(tokio::sync::Mutex::new(process)),
        }
    }

    pub(super) fn pid(&self) -> u32 {
        self.identity.pid
    }

    pub(super) async fn running(&self) -> bool {
        self.process.lock().await.try_exit().is_none()
    }

    /// Returns when its ssh has ended.
    pub(super) async fn ended(&self) {
        let watch = self.process.lock().await.exit_watch();
        while self.running().await {
            match &watch {
                Some(w) => {
                    w.exited().await;
                }
                None => tokio::time::sleep(Duration::from_secs(1)).await,
            }
            if self.running().await {
                // Exited, not yet reaped: look again soon.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }

    /// Stops it and forgets its record.
    pub(super) async fn end(&self, store: &Store, kind: &str, owner: i64) {
        let _ = self.process.lock().await.stop(STOP_GRACE).await;
        let _ = store.forget_process(kind, owner, self.identity.into());
    }
}

/// Forwards `remote`, a Unix socket on `host`, to `here` (0600, its folder
/// the caller's private one), on a connection of its own: the forward is
/// recorded as `kind` of `owner` and returned once `ready` says so; if ssh
/// ends first or [`FORWARD_TIMEOUT`] passes, `failed` makes the error from
/// the last lines ssh wrote.
#[allow(clippy::too_many_arguments)]
pub(super) async fn socket_forward<F, Fut>(
    hosts: &Hosts,
    store: &Store,
    host: &Host,
    here: &Path,
    remote: &str,
    extra: &[&str],
    (kind, owner): (&str, i64),
    ready: F,
    failed: impl FnOnce(String) -> Error,
) -> Result<Tunnel>
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let dir = here.parent().unwrap_or(Path::new("."));
    let _ = std::fs::remove_file(here);
    let log = here.with_extension("log");
    let _ = std::fs::write(&log, b"");
    let mut options = vec!["StreamLocalBindMask=0177", "StreamLocalBindUnlink=yes"];
    options.extend_from_slice(extra);
    let mut process = hosts
        .spawn_forward(
            host,
            &format!("{}:{remote}", here.display()),
            &options,
            dir,
            &log,
        )
        .await?;
    let identity = process.identity();
    store.record_process(kind, owner, identity.into(), None)?;
    let deadline = Instant::now() + FORWARD_TIMEOUT;
    loop {
        if here.exists() && ready().await {
            return Ok(Tunnel::new(process));
        }
        if process.try_exit().is_some() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = process.stop(STOP_GRACE).await;
    let _ = store.forget_process(kind, owner, identity.into());
    Err(failed(crate::procs::last_lines(&log, 5).join("\n")))
}

/// A host's ports, forwarded here on demand.
pub(super) struct Ports {
    /// The kind of the forwards' records.
    kind: &'static str,
    host_id: i64,
    hosts: Arc<Hosts>,
    store: Arc<Store>,
    dir: PathBuf,
    place: String,
    /// By the port there: the port here and its forward.
    open: Mutex<HashMap<u16, (u16, Tunnel)>>,
    op: tokio::sync::Mutex<()>,
}

pub(super) fn port_owner(host_id: i64, port: u16) -> i64 {
    host_id * 65536 + i64::from(port)
}

impl Ports {
    pub(super) fn new(
        kind: &'static str,
        host: &Host,
        hosts: Arc<Hosts>,
        store: Arc<Store>,
        dir: PathBuf,
    ) -> Ports {
        Ports {
            kind,
            host_id: host.id,
            hosts,
            store,
            dir,
            place: format!(" on {}", host.name),
            open: Mutex::new(HashMap::new()),
            op: tokio::sync::Mutex::new(()),
        }
    }

    /// The ports forwarded now: (there, here).
    pub(super) fn open_ports(&self) -> Vec<(u16, u16)> {
        lock(&self.open)
            .iter()
            .map(|(there, (here, _))| (*there, *here))
            .collect()
    }

    /// Ends every forward (at quit, or the host removed).
    pub(super) fn end_all(&self) {
        let open: Vec<(u16, Tunnel)> = lock(&self.open)
            .drain()
            .map(|(there, (_, t))| (there, t))
            .collect();
        for (there, t) in open {
            if t.identity.is_alive() {
                crate::procs::signal_group(t.identity.pid, libc::SIGTERM);
            }
            let _ = self.store.forget_process(
                self.kind,
                port_owner(self.host_id, there),
                t.identity.into(),
            );
        }
    }

    /// Forwards `there` (a port on the host's 127.0.0.1) to `prefer` here
    /// when it is free, else to the same number, else to a free port.
    pub(super) async fn forward(&self, there: u16, prefer: Option<u16>) -> Result<u16> {
        let _op = self.op.lock().await;
        let open = lock(&self.open).get(&there).cloned();
        if let Some((here, t)) = open {
            if t.running().await {
                return Ok(here);
            }
            lock(&self.open).remove(&there);
            t.end(&self.store, self.kind, port_owner(self.host_id, there))
                .await;
        }
        let host = self.hosts.get(self.host_id)?;
        // The port it had (this run or an earlier one) first: what the
        // user pointed a client at keeps working across restarts.
        let remembered = self.remembered().get(&there).copied();
        let log = self.dir.join(format!("forward-{there}.log"));
        let owner = port_owner(self.host_id, there);
        let mut attempt = 0;
        let (here, process) = loop {
            // A port free when looked at can be taken before ssh binds it
            // (on a host that is this machine, by the app itself): then a
            // free one is tried.
            let here = match attempt {
                0 => [prefer, remembered, Some(there)]
                    .into_iter()
                    .flatten()
                    .find(|p| crate::repos::port_is_free(*p))
                    .map(Ok)
                    .unwrap_or_else(super::editor::free_port)?,
                _ => super::editor::free_port()?,
            };
            let _ = std::fs::write(&log, b"");
            let mut process = self
                .hosts
                .spawn_forward(
                    &host,
                    &format!("127.0.0.1:{here}:127.0.0.1:{there}"),
                    &[],
                    &self.dir,
                    &log,
                )
                .await?;
            let identity = process.identity();
            self.store
                .record_process(self.kind, owner, identity.into(), Some(here))?;
            // ssh listens once it is connected and the forward is set up.
            let deadline = Instant::now() + FORWARD_TIMEOUT;
            let listening = loop {
                if listened_by(here, identity.pid) {
                    break true;
                }
                if process.try_exit().is_some() || Instant::now() > deadline {
                    break false;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            if listening {
                break (here, process);
            }
            let _ = process.stop(STOP_GRACE).await;
            let _ = self.store.forget_process(self.kind, owner, identity.into());
            let last = crate::procs::last_lines(&log, 5).join("\n");
            attempt += 1;
            if attempt >= 3 || !last.contains("in use") {
                return Err(Error::Failed {
                    message: format!("Port {there}{} could not be forwarded here.", self.place),
                    detail: (!last.is_empty()).then_some(last),
                });
            }
        };
        lock(&self.open).insert(there, (here, Tunnel::new(process)));
        let mut remembered = self.remembered();
        if remembered.insert(there, here) != Some(here) {
            let json = serde_json::to_vec(&remembered).unwrap_or_default();
            if let Err(e) = crate::secrets::write_private(&self.dir.join(PORTS_FILE), &json) {
                tracing::warn!("could not remember the forwarded ports: {e}");
            }
        }
        Ok(here)
    }

    /// The ports here the host's ports were last forwarded to.
    fn remembered(&self) -> HashMap<u16, u16> {
        std::fs::read(self.dir.join(PORTS_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
}

/// Ends the forwards of `kinds` a killed app left behind.
pub(super) fn end_strays(store: &Store, kinds: &[&str]) {
    for kind in kinds {
        for record in store.recorded_processes(kind).unwrap_or_default() {
            let identity = ProcessIdentity::from(record.process);
            if identity.is_alive() {
                tracing::info!(
                    "ending a {kind} left by an earlier run (pid {})",
                    identity.pid
                );
                crate::procs::signal_group(identity.pid, libc::SIGTERM);
            }
            let _ = store.forget_process(kind, record.owner_id, identity.into());
        }
    }
}

/// Whether the forward whose process group is `pid` listens on `port`.
fn listened_by(port: u16, pid: u32) -> bool {
    crate::vscode::net::port_is_served_by_group(port, pid)
}

impl Reach for Ports {
    fn local_port(&self, port: u16) -> futures_util::future::BoxFuture<'_, Result<u16>> {
        Box::pin(self.forward(port, None))
    }

    fn forwarded(&self, port: u16) -> Option<u16> {
        let open = lock(&self.open);
        let (here, t) = open.get(&port)?;
        t.identity.is_alive().then_some(*here)
    }

    /// The engine there refuses a port that is taken; the app avoids the
    /// ones its containers publish.
    fn port_is_free(&self, _port: u16) -> bool {
        true
    }

    fn release(&self, port: u16) -> futures_util::future::BoxFuture<'_, ()> {
        Box::pin(async move {
            let _op = self.op.lock().await;
            let open = lock(&self.open).remove(&port);
            if let Some((_, t)) = open {
                t.end(&self.store, self.kind, port_owner(self.host_id, port))
                    .await;
            }
        })
    }

    fn place(&self) -> String {
        self.place.clone()
    }
}
