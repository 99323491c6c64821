//! Deployments on a host: a host repository's app run under the host's own
//! PM2 — its own `PM2_HOME` in the app's folder of the user's there
//! (`$XDG_DATA_HOME/aidesktop/pm2`), never the user's own PM2.
//!
//! Actions (start, stop, restart, delete) run the `pm2` CLI there through
//! a script on ssh's standard input: the ecosystem file, environment
//! included (the one secret that crosses, because the user deploys it
//! there), is written by that script 0600, never put in an argument list.
//! The state is read as locally: PM2's RPC socket there is forwarded to a
//! socket here (`ssh -N -L`), and `getMonitorData` asked over it — no node
//! process started there per refresh. An app's port is forwarded here on
//! demand, like a service's, and while its health check runs: the check
//! asks the app through that forward, on its interval, only while PM2
//! there says it is online.

use super::forward::{end_strays, socket_forward, Ports, Tunnel, FORWARD_TIMEOUT};
use super::{sh_quote, Hosts};
use crate::deployments::health;
use crate::deployments::pm2::Pm2Process;
use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::store::hosts::HostDeploymentRow;
use crate::store::{self, Store};
use crate::util::lock;
use ai_desktop_api::deployments::{DeploymentStatus, HealthCheck, HealthReport};
use ai_desktop_api::hosts::{
    Host, HostDeployment, HostDeploymentAction, HostDeploymentInput, HostDeployments,
};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Records of the forwards of hosts' PM2 RPC sockets (owner: the host).
pub const RPC_FORWARD_KIND: &str = "host-pm2-forward";
/// Records of the forwards of host deployments' ports.
pub const APP_FORWARD_KIND: &str = "host-app-forward";
/// How long a PM2 action there may take (the first starts its daemon).
const ACTION_TIMEOUT: Duration = Duration::from_secs(90);
/// PM2's crash-loop guard, as for local deployments.
const MAX_RESTARTS: u32 = 10;
/// Lines of each log read.
const LOG_LINES: usize = 200;
/// Masked environment values, as for local deployments.
const MASKED: &str = ai_desktop_api::secrets::MASKED;

/// Run there first: the app's folder there (made 0700), so that paths can
/// be written absolute.
const BASE: &str = r#"umask 077
d=${XDG_DATA_HOME:-$HOME/.local/share}/aidesktop
mkdir -p "$d/pm2" "$d/deployments"
printf '%s\n' "$d"
"#;

pub struct HostDeploys {
    hosts: Arc<Hosts>,
    store: Arc<Store>,
    events: Arc<dyn EventSink>,
    /// `<data>/hosts/deployments/<host id>`: the forwarded RPC socket and
    /// the forwards' log.
    root: PathBuf,
    slots: Mutex<HashMap<i64, Arc<Slot>>>,
}

struct Slot {
    /// What PM2 there said last: shown, marked unreachable, while the host
    /// cannot be asked (its apps are not known to be stopped).
    last: Mutex<Vec<Pm2Process>>,
    /// The app's folder there, once asked.
    base: Mutex<Option<String>>,
    rpc: Mutex<Option<Tunnel>>,
    /// Follows PM2's event socket there (forwarded with the RPC socket):
    /// a start, exit or restart there is told to the page at once.
    follower: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// One forward opened at a time; one action at a time.
    connect: tokio::sync::Mutex<()>,
    op: tokio::sync::Mutex<()>,
    ports: Arc<Ports>,
    /// The last answer of each online deployment's health check.
    health: Mutex<HashMap<i64, HealthReport>>,
    /// Runs the host's health checks while one of its checked apps is
    /// online; ends when none is (the next read that finds one starts it).
    checker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// A deployment's name, as PM2 names it there.
fn pm2_name(id: i64, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("deploy-host-{id}-{safe}")
}

fn check_input(input: &HostDeploymentInput) -> Result<Vec<String>> {
    let name = input.name.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::InvalidInput(
            "Name the deployment with letters, digits, '-', '_' or '.' (64 at most).".into(),
        ));
    }
    if input.port == 0 {
        return Err(Error::InvalidInput("Port 0 is not a port.".into()));
    }
    let words = crate::deployments::detect::split(&input.start_command)?;
    if words.is_empty() {
        return Err(Error::InvalidInput(
            "Enter the command that starts the app, e.g. node server.js.".into(),
        ));
    }
    for (key, value) in &input.env {
        let valid = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || key == "PORT" {
            return Err(Error::InvalidInput(format!(
                "{key:?} is not a usable variable name (letters, digits and _; PORT is set from the port)."
            )));
        }
        if value == MASKED || value.contains('\0') {
            return Err(Error::InvalidInput(format!(
                "Enter the value of the environment variable {key}."
            )));
        }
    }
    Ok(words)
}

/// The status of a deployment's processes there: the worst of them.
fn status_in(mine: &[&Pm2Process]) -> DeploymentStatus {
    mine.iter()
        .map(|p| status_of(&p.pm2_env.status))
        .max_by_key(|s| match s {
            DeploymentStatus::Errored => 4,
            DeploymentStatus::Launching => 3,
            DeploymentStatus::Stopping => 2,
            DeploymentStatus::Online => 1,
            DeploymentStatus::Stopped => 0,
        })
        .unwrap_or_default()
}

/// Whether PM2 there said it is online, last time it was asked.
fn online(row: &HostDeploymentRow, list: &[Pm2Process]) -> bool {
    let name = pm2_name(row.id, &row.name);
    let mine: Vec<&Pm2Process> = list.iter().filter(|p| p.name == name).collect();
    status_in(&mine) == DeploymentStatus::Online
}

fn status_of(s: &str) -> DeploymentStatus {
    match s {
        "online" => DeploymentStatus::Online,
        "launching" | "waiting restart" => DeploymentStatus::Launching,
        "stopping" => DeploymentStatus::Stopping,
        "errored" | "one-launch-status" => DeploymentStatus::Errored,
        _ => DeploymentStatus::Stopped,
    }
}

impl HostDeploys {
    pub fn new(
        hosts: Arc<Hosts>,
        store: Arc<Store>,
        events: Arc<dyn EventSink>,
        root: PathBuf,
    ) -> HostDeploys {
        HostDeploys {
            hosts,
            store,
            events,
            root,
            slots: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn store(&self) -> &Store {
        &self.store
    }

    fn dir(&self, host_id: i64) -> PathBuf {
        self.root.join(host_id.to_string())
    }

    fn slot(&self, host: &Host) -> Result<Arc<Slot>> {
        if let Some(s) = lock(&self.slots).get(&host.id) {
            return Ok(s.clone());
        }
        let dir = self.dir(host.id);
        crate::secrets::private_dir(&dir)
            .map_err(|e| Error::failed(format!("Could not make {}.", dir.display()), e))?;
        let slot = Arc::new(Slot {
            last: Mutex::new(Vec::new()),
            base: Mutex::new(None),
            rpc: Mutex::new(None),
            follower: Mutex::new(None),
            connect: tokio::sync::Mutex::new(()),
            op: tokio::sync::Mutex::new(()),
            ports: Arc::new(Ports::new(
                APP_FORWARD_KIND,
                host,
                self.hosts.clone(),
                self.store.clone(),
                dir,
            )),
            health: Mutex::new(HashMap::new()),
            checker: Mutex::new(None),
        });
        Ok(lock(&self.slots).entry(host.id).or_insert(slot).clone())
    }

    /// The app's folder there.
    async fn base(&self, host: &Host, slot: &Slot) -> Result<String> {
        if let Some(b) = lock(&slot.base).clone() {
            return Ok(b);
        }
        let out = self.hosts.script(host, BASE, FORWARD_TIMEOUT).await?;
        let base = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || !base.starts_with('/') || base.contains('\n') {
            return Err(Error::Failed {
                message: format!("Could not make the app's folder on {}.", host.name),
                detail: Some(String::from_utf8_lossy(&out.stderr).into_owned()),
            });
        }
        *lock(&slot.base) = Some(base.clone());
        Ok(base)
    }

    /// The socket here that reaches PM2's RPC socket there (its forward
    /// opened if it does not run).
    async fn rpc(&self, host: &Host, slot: &Slot) -> Result<PathBuf> {
        let _one = slot.connect.lock().await;
        let here = self.dir(host.id).join("rpc.sock");
        let open = lock(&slot.rpc).clone();
        if let Some(t) = open {
            if t.running().await && here.exists() {
                return Ok(here);
            }
            lock(&slot.rpc).take();
            t.end(&self.store, RPC_FORWARD_KIND, host.id).await;
        }
        let base = self.base(host, slot).await?;
        let events_here = self.dir(host.id).join("pub.sock");
        let _ = std::fs::remove_file(&events_here);
        // The event socket rides the same connection (ssh's option cannot
        // hold a path with blanks: then the page is refreshed by reads only).
        let events = format!("LocalForward={} {base}/pm2/pub.sock", events_here.display());
        let mut extra = Vec::new();
        if !events_here
            .display()
            .to_string()
            .contains(char::is_whitespace)
            && !base.contains(char::is_whitespace)
        {
            extra.push(events.as_str());
        }
        let tunnel = socket_forward(
            &self.hosts,
            &self.store,
            host,
            &here,
            &format!("{base}/pm2/rpc.sock"),
            &extra,
            (RPC_FORWARD_KIND, host.id),
            || async { true },
            |last| {
                Error::Unavailable(format!(
                    "ssh could not reach {}{}",
                    host.destination,
                    if last.is_empty() {
                        ".".to_string()
                    } else {
                        format!(": {last}")
                    }
                ))
            },
        )
        .await?;
        *lock(&slot.rpc) = Some(tunnel);
        Ok(here)
    }

    /// PM2's process list there. No daemon there (nothing deployed yet, or
    /// the host rebooted) is an empty list; a host that cannot be reached
    /// is the error.
    async fn monitor(&self, host: &Host, slot: &Slot) -> Result<Vec<Pm2Process>> {
        for attempt in 0..2 {
            let rpc = self.rpc(host, slot).await?;
            match crate::deployments::axon::call::<Vec<Pm2Process>>(
                &rpc,
                "getMonitorData",
                serde_json::json!([{}]),
            )
            .await
            {
                Ok(list) => return Ok(list),
                Err(e) => {
                    // The host is asked whether its PM2 listens at all
                    // (no daemon there: nothing runs); a host that does not
                    // answer is unreachable; else the forward broke (its
                    // connection dropped) and is opened again once.
                    let base = self.base(host, slot).await?;
                    let probe = format!(
                        "if [ -S {} ]; then echo up; else echo down; fi\n",
                        sh_quote(&format!("{base}/pm2/rpc.sock"))
                    );
                    let out = self.hosts.script(host, &probe, FORWARD_TIMEOUT).await?;
                    if String::from_utf8_lossy(&out.stdout).trim() == "down" {
                        return Ok(Vec::new());
                    }
                    let broken = lock(&slot.rpc).take();
                    if let Some(t) = broken {
                        t.end(&self.store, RPC_FORWARD_KIND, host.id).await;
                    }
                    if attempt == 1 {
                        return Err(e);
                    }
                }
            }
        }
        Ok(Vec::new())
    }

    fn describe(
        &self,
        row: &HostDeploymentRow,
        list: &[Pm2Process],
        slot: &Slot,
    ) -> HostDeployment {
        let pm2_name = pm2_name(row.id, &row.name);
        let mine: Vec<&Pm2Process> = list.iter().filter(|p| p.name == pm2_name).collect();
        let status = status_in(&mine);
        let running = status == DeploymentStatus::Online;
        HostDeployment {
            id: row.id,
            host_id: row.host_id,
            repository_id: row.repository_id,
            repository_name: row.repository_name.clone(),
            name: row.name.clone(),
            pm2_name,
            start_command: row.start_command.clone(),
            port: row.port,
            env: row
                .env
                .keys()
                .map(|k| (k.clone(), MASKED.to_string()))
                .collect(),
            status,
            cpu: mine.iter().map(|p| p.monit.cpu).sum(),
            memory: mine.iter().map(|p| p.monit.memory).sum(),
            restarts: mine.iter().map(|p| p.pm2_env.restart_time).sum(),
            started_at: mine
                .first()
                .filter(|_| running)
                .and_then(|p| p.pm2_env.pm_uptime)
                .map(|ms| store::rfc3339(ms / 1000)),
            forwarded_port: crate::services::Reach::forwarded(slot.ports.as_ref(), row.port),
            health_check: row.health_check.clone(),
            health: lock(&slot.health).get(&row.id).filter(|_| running).cloned(),
        }
    }

    /// The host's deployments as its PM2 reports them now.
    pub async fn list(self: &Arc<Self>, host_id: i64) -> Result<HostDeployments> {
        let host = self.hosts.get(host_id)?;
        let slot = self.slot(&host)?;
        let rows = self.store.with(|c| store::hosts::deployments(c, host_id))?;
        let (list, unreachable) = if rows.is_empty() {
            (Vec::new(), None)
        } else {
            match self.monitor(&host, &slot).await {
                Ok(l) => {
                    *lock(&slot.last) = l.clone();
                    if !l.is_empty() {
                        self.follow(host_id, &slot);
                    }
                    if rows
                        .iter()
                        .any(|r| r.health_check.is_some() && online(r, &l))
                    {
                        self.check_health(host_id, &slot);
                    }
                    (l, None)
                }
                Err(e) => (
                    lock(&slot.last).clone(),
                    Some(format!("{}: {}", host.name, e.with_detail_text())),
                ),
            }
        };
        Ok(HostDeployments {
            host_id,
            host_name: host.name.clone(),
            deployments: rows
                .iter()
                .map(|r| self.describe(r, &list, &slot))
                .collect(),
            unreachable,
        })
    }

    /// Runs the host's health checks, unless that already runs: each
    /// online app with a check is asked through the forward of its port
    /// on its interval; a change of healthy to unhealthy (or back) is
    /// published. Ends when no checked app is online there any more.
    fn check_health(self: &Arc<Self>, host_id: i64, slot: &Arc<Slot>) {
        let mut checker = lock(&slot.checker);
        if checker.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let this = Arc::downgrade(self);
        let slot = slot.clone();
        *checker = Some(tokio::spawn(async move {
            let mut due: HashMap<i64, Instant> = HashMap::new();
            loop {
                let Some(this) = this.upgrade() else {
                    return;
                };
                let rows = this
                    .store
                    .with(|c| store::hosts::deployments(c, host_id))
                    .unwrap_or_default();
                let last = lock(&slot.last).clone();
                let checked: Vec<(HostDeploymentRow, HealthCheck)> = rows
                    .into_iter()
                    .filter(|r| online(r, &last))
                    .filter_map(|r| r.health_check.clone().map(|c| (r, c)))
                    .collect();
                let keep: Vec<i64> = checked.iter().map(|(r, _)| r.id).collect();
                lock(&slot.health).retain(|id, _| keep.contains(id));
                due.retain(|id, _| keep.contains(id));
                if checked.is_empty() {
                    return;
                }
                let mut changed = false;
                for (row, check) in &checked {
                    if due.get(&row.id).is_some_and(|at| *at > Instant::now()) {
                        continue;
                    }
                    due.insert(
                        row.id,
                        Instant::now() + Duration::from_secs(u64::from(check.interval_secs)),
                    );
                    // A host that cannot be reached keeps the last answer:
                    // its apps are unreachable, not unhealthy.
                    let here = match slot.ports.forward(row.port, None).await {
                        Ok(p) => p,
                        Err(e) => {
                            log::info!("host deployment {}: not checked: {e}", row.id);
                            continue;
                        }
                    };
                    let report = health::probe_forwarded(check, here).await;
                    if !report.healthy {
                        log::info!("host deployment {}: unhealthy: {}", row.id, report.detail);
                    }
                    let before = lock(&slot.health)
                        .insert(row.id, report.clone())
                        .map(|r| r.healthy);
                    changed |= before != Some(report.healthy);
                }
                if changed {
                    this.publish(host_id).await;
                }
                let next = due.values().min().copied().unwrap_or_else(Instant::now);
                drop(this);
                tokio::time::sleep_until(next.into()).await;
            }
        }));
    }

    /// Follows PM2's events there, unless that already runs: each process
    /// event publishes the host's list. Ends with the forward (or the
    /// daemon there); the next read that finds apps there starts it again.
    fn follow(self: &Arc<Self>, host_id: i64, slot: &Slot) {
        let mut follower = lock(&slot.follower);
        if follower.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let events_here = self.dir(host_id).join("pub.sock");
        if !events_here.exists() {
            return;
        }
        let this = Arc::downgrade(self);
        *follower = Some(tokio::spawn(async move {
            let Ok(mut bus) = crate::deployments::axon::Bus::connect(&events_here).await else {
                return;
            };
            while bus.next_process_event().await.is_ok() {
                let Some(this) = this.upgrade() else {
                    return;
                };
                this.publish(host_id).await;
            }
        }));
    }

    async fn publish(self: &Arc<Self>, host_id: i64) {
        if let Ok(list) = self.list(host_id).await {
            self.events
                .emit(DomainEvent::HostDeploymentsUpdated(Box::new(list)));
        }
    }

    /// One deployment as PM2 there reports it.
    pub async fn get(&self, id: i64) -> Result<HostDeployment> {
        let row = self.store.with(|c| store::hosts::deployment(c, id))?;
        let host = self.hosts.get(row.host_id)?;
        let slot = self.slot(&host)?;
        let list = self.monitor(&host, &slot).await?;
        Ok(self.describe(&row, &list, &slot))
    }

    /// Adds a deployment of a host repository and starts it there. One that
    /// cannot be started is not kept.
    pub async fn deploy(self: &Arc<Self>, input: HostDeploymentInput) -> Result<HostDeployment> {
        check_input(&input)?;
        let health_check = input.health_check.as_ref().map(health::check).transpose()?;
        let repo = self
            .store
            .with(|c| store::hosts::repository(c, input.repository_id))?;
        let row = self.store.with(|c| {
            store::hosts::insert_deployment(
                c,
                repo.id,
                input.name.trim(),
                input.start_command.trim(),
                input.port,
                &input.env,
                health_check.as_ref(),
            )
        })?;
        if let Err(e) = self.run(&row, Some(HostDeploymentAction::Start)).await {
            let _ = self
                .store
                .with(|c| store::hosts::delete_deployment(c, row.id));
            return Err(e);
        }
        self.publish(row.host_id).await;
        self.get(row.id).await
    }

    /// Starts, stops or restarts it there.
    pub async fn act(
        self: &Arc<Self>,
        id: i64,
        action: HostDeploymentAction,
    ) -> Result<HostDeployment> {
        let row = self.store.with(|c| store::hosts::deployment(c, id))?;
        self.run(&row, Some(action)).await?;
        self.publish(row.host_id).await;
        self.get(id).await
    }

    /// Deletes it from PM2 there, with its folder there; its forward ends.
    pub async fn delete(self: &Arc<Self>, id: i64) -> Result<()> {
        let row = self.store.with(|c| store::hosts::deployment(c, id))?;
        self.run(&row, None).await?;
        let host = self.hosts.get(row.host_id)?;
        let slot = self.slot(&host)?;
        crate::services::Reach::release(slot.ports.as_ref(), row.port).await;
        self.store
            .with(|c| store::hosts::delete_deployment(c, id))?;
        self.publish(row.host_id).await;
        Ok(())
    }

    /// The last lines of its output there.
    pub async fn logs(&self, id: i64) -> Result<String> {
        let row = self.store.with(|c| store::hosts::deployment(c, id))?;
        let host = self.hosts.get(row.host_id)?;
        let slot = self.slot(&host)?;
        let base = self.base(&host, &slot).await?;
        let dir = format!("{base}/deployments/{}", pm2_name(row.id, &row.name));
        let script = format!(
            "cd {} 2>/dev/null || exit 0
[ -f out.log ] && tail -n {LOG_LINES} out.log
             if [ -s err.log ]; then echo '── errors ──'; tail -n {LOG_LINES} err.log; fi
exit 0
",
            sh_quote(&dir)
        );
        let out = self.hosts.script(&host, &script, FORWARD_TIMEOUT).await?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Forwards its port here (the same number when free here).
    pub async fn forward(self: &Arc<Self>, id: i64) -> Result<HostDeployment> {
        let row = self.store.with(|c| store::hosts::deployment(c, id))?;
        let host = self.hosts.get(row.host_id)?;
        let slot = self.slot(&host)?;
        slot.ports.forward(row.port, None).await?;
        self.publish(row.host_id).await;
        self.get(id).await
    }

    /// Ends every forward (at quit). The apps keep running there under
    /// their PM2.
    pub fn end_forwards(&self) {
        let slots: Vec<(i64, Arc<Slot>)> = lock(&self.slots)
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        for (host_id, slot) in slots {
            if let Some(t) = lock(&slot.checker).take() {
                t.abort();
            }
            slot.ports.end_all();
            if let Some(t) = lock(&slot.rpc).take() {
                crate::procs::signal_group(t.pid(), libc::SIGTERM);
                let _ = self
                    .store
                    .forget_process(RPC_FORWARD_KIND, host_id, t.identity.into());
            }
        }
    }

    /// Ends the forwards a killed app left behind.
    pub fn end_strays(&self) {
        end_strays(&self.store, &[RPC_FORWARD_KIND, APP_FORWARD_KIND]);
    }

    /// A host was removed: its forwards end (its apps keep running there).
    pub fn delete_host(&self, host_id: i64) {
        let slot = lock(&self.slots).remove(&host_id);
        if let Some(slot) = slot {
            if let Some(t) = lock(&slot.checker).take() {
                t.abort();
            }
            slot.ports.end_all();
            if let Some(t) = lock(&slot.rpc).take() {
                crate::procs::signal_group(t.pid(), libc::SIGTERM);
                let _ = self
                    .store
                    .forget_process(RPC_FORWARD_KIND, host_id, t.identity.into());
            }
        }
        let _ = std::fs::remove_dir_all(self.dir(host_id));
    }

    /// The script that does `action` there.
    fn script(
        &self,
        base: &str,
        row: &HostDeploymentRow,
        action: Option<HostDeploymentAction>,
    ) -> Result<String> {
        let name = pm2_name(row.id, &row.name);
        let dir = format!("{base}/deployments/{name}");
        let mut out = format!(
            "set -e\numask 077\nexport PM2_HOME={}\ncommand -v pm2 >/dev/null 2>&1 || {{ echo 'PM2 is not installed there (npm install -g pm2).' >&2; exit 3; }}\n",
            sh_quote(&format!("{base}/pm2"))
        );
        match action {
            Some(HostDeploymentAction::Start | HostDeploymentAction::Restart) => {
                let words = crate::deployments::detect::split(&row.start_command)?;
                let mut env: BTreeMap<String, String> = row.env.clone();
                env.insert("PORT".into(), row.port.to_string());
                let app = serde_json::json!({
                    "name": name,
                    "script": words[0],
                    "args": words[1..],
                    "interpreter": "none",
                    "cwd": row.repository_path,
                    "env": env,
                    "out_file": format!("{dir}/out.log"),
                    "error_file": format!("{dir}/err.log"),
                    "merge_logs": true,
                    "autorestart": true,
                    "min_uptime": 10_000,
                    "max_restarts": MAX_RESTARTS,
                });
                let json = serde_json::to_string(&serde_json::json!({ "apps": [app] }))
                    .map_err(|e| Error::failed("Could not write the ecosystem file.", e))?;
                let file = sh_quote(&format!("{dir}/ecosystem.json"));
                out.push_str(&format!(
                    "mkdir -p {q}\ncat > {file} <<'AIDESKTOP_ECOSYSTEM'\n{json}\nAIDESKTOP_ECOSYSTEM\n\
                     if pm2 describe {n} >/dev/null 2>&1; then pm2 restart {file} --update-env; else pm2 start {file}; fi\n",
                    q = sh_quote(&dir),
                    n = sh_quote(&name),
                ));
            }
            Some(HostDeploymentAction::Stop) => {
                out.push_str(&format!("pm2 stop {}\n", sh_quote(&name)));
            }
            None => {
                out.push_str(&format!(
                    "if [ -S \"$PM2_HOME/rpc.sock\" ]; then pm2 delete {} >/dev/null 2>&1 || true; fi\nrm -rf {}\n",
                    sh_quote(&name),
                    sh_quote(&dir)
                ));
            }
        }
        Ok(out)
    }

    /// Runs `action` (None: delete) there.
    async fn run(
        &self,
        row: &HostDeploymentRow,
        action: Option<HostDeploymentAction>,
    ) -> Result<()> {
        let host = self.hosts.get(row.host_id)?;
        let slot = self.slot(&host)?;
        let _op = slot.op.lock().await;
        let base = self.base(&host, &slot).await?;
        let script = self.script(&base, row, action)?;
        let out = self.hosts.script(&host, &script, ACTION_TIMEOUT).await?;
        if !out.status.success() {
            let said = format!(
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let message = if out.status.code() == Some(3) {
                format!(
                    "PM2 is not installed on {} (npm install -g pm2 there).",
                    host.name
                )
            } else {
                format!("PM2 on {} could not do it.", host.name)
            };
            return Err(Error::Failed {
                message,
                detail: Some(crate::deployments::pm2::quote_output(&said, 8)),
            });
        }
        Ok(())
    }
}
