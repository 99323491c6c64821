//! code-server for a host's repository: started on the host (the user's own
//! code-server there), bound to a socket in a 0700 folder of the user's
//! there (no port on the host that another user could knock at), and
//! reached from here through an `ssh -N -L 127.0.0.1:PORT:SOCKET` the app
//! owns. It is signed in to exactly like a local instance: a password made
//! for each run, handed to the window by a one-shot page.
//!
//! What runs where is recorded: the process there by pid, start time and
//! the host's boot id (one process, even after a reboot); the forward here
//! in `supervised_processes`. After an app restart both are taken back, or
//! cleaned up when the other half is gone. Forwards end when the app quits;
//! the instance there keeps running (as a local one does) unless the user
//! chose that quitting stops everything.

use super::{sh_quote, Hosts};
use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::procs::{self, Output, ProcessIdentity, Supervised};
use crate::store::hosts::{EditorRow, RemoteProcess};
use crate::store::{self, Store};
use crate::util::lock;
use crate::vscode::{net, OpenPlan};
use ai_desktop_api::hosts::{Host, HostEditor, HostEditorState, HostRepository};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The label of the app's window on a host repository's editor; closed by
/// the shell when the editor stops (its sign-in was for that run).
pub fn window_label(id: i64) -> String {
    format!("vscode-host-{id}")
}

/// The kind of the forwards' records in `supervised_processes`.
pub const FORWARD_KIND: &str = "host-editor-forward";
/// How long code-server there may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a new forward may take to reach the instance.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);
const FORWARD_TRIES: usize = 3;
const STOP_GRACE: Duration = Duration::from_secs(3);
/// After a forward drops: the waits between tries to open it again, the
/// last repeated, until [`RECONNECT_FOR`] has passed (then the editor stays
/// unreachable until the user opens it again: a laptop offline for a day
/// does not start an ssh a minute all day).
const RECONNECT_BACKOFF: [u64; 7] = [1, 2, 4, 8, 16, 32, 60];
const RECONNECT_FOR: Duration = Duration::from_secs(15 * 60);
/// The code-server the app installs on a host that has none (the one its
/// tests run; it needs Node 22).
pub const CODE_SERVER_VERSION: &str = "4.116.0";
/// npm builds code-server's native modules: minutes on a small box.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub struct HostEditors {
    hosts: Arc<Hosts>,
    store: Arc<Store>,
    events: Arc<dyn EventSink>,
    /// `<data>/hosts/editors`: per repository, its password, the forward's
    /// log and the editor window's cookie jar.
    root: PathBuf,
    slots: Mutex<HashMap<i64, Slot>>,
    /// One start/stop at a time per repository.
    op_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct Slot {
    /// Starting, failed or unreachable; None: as the record says.
    state: Option<HostEditorState>,
    error: Option<String>,
    forward: Option<Forward>,
}

#[derive(Clone)]
struct Forward {
    port: u16,
    identity: ProcessIdentity,
    process: Arc<tokio::sync::Mutex<Supervised>>,
}

/// (Groups are signalled as `kill -TERM -PGID`: dash's `kill`, the `sh` of
/// Debian and Ubuntu, refuses `--` and would signal nothing.)
/// Run on the host: `running PID` — whether the process runs (a zombie
/// does not: `kill -0` would say yes to one its parent has not reaped);
/// `alive PID TICKS BOOT SOCKET` — whether the recorded
/// process still runs (same pid, start time and boot; not a zombie) with its
/// socket; `reap PID` — ends what is left of an ended instance's process
/// group (its extension and terminal hosts: members of that group whose
/// command line names code-server; a group id is not reused while it has
/// members).
const ALIVE: &str = r#"running() {
  case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" in ""|Z|X) return 1;; esac
}
alive() {
  [ "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)" = "$3" ] || return 1
  s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1,20)
  case "$s" in ""|Z\ *|X\ *) return 1;; esac
  [ "${s#* }" = "$2" ] && [ -S "$4" ]
}
reap() {
  for d in /proc/[0-9]*; do
    g=$(sed 's/.*) //' "$d/stat" 2>/dev/null | cut -d' ' -f3)
    [ "$g" = "$1" ] || continue
    tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -q code-server && kill -KILL "${d#/proc/}" 2>/dev/null
  done
  return 0
}
"#;

impl HostEditors {
    pub fn new(
        hosts: Arc<Hosts>,
        store: Arc<Store>,
        events: Arc<dyn EventSink>,
        root: PathBuf,
    ) -> HostEditors {
        HostEditors {
            hosts,
            store,
            events,
            root,
            slots: Mutex::new(HashMap::new()),
            op_locks: Mutex::new(HashMap::new()),
        }
    }

    fn op_lock(&self, id: i64) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.op_locks).entry(id).or_default().clone()
    }

    fn dir(&self, id: i64) -> PathBuf {
        self.root.join(id.to_string())
    }

    fn row(&self, id: i64) -> Result<Option<EditorRow>> {
        self.store.with(|c| store::hosts::editor(c, id))
    }

    /// What the user sees of a repository's editor now.
    fn snapshot(&self, repo: &HostRepository) -> HostEditor {
        let row = self.row(repo.id).ok().flatten();
        let slots = lock(&self.slots);
        let slot = slots.get(&repo.id);
        let running = row.as_ref().and_then(|r| r.process.as_ref()).is_some();
        let state = slot.and_then(|s| s.state).unwrap_or(if running {
            HostEditorState::Running
        } else {
            HostEditorState::Stopped
        });
        HostEditor {
            id: repo.id,
            host_id: repo.host_id,
            state,
            port: slot
                .and_then(|s| s.forward.as_ref())
                .filter(|f| f.identity.is_alive())
                .map(|f| f.port),
            started_at: row.and_then(|r| r.process.and(r.started_at)),
            error: slot.and_then(|s| s.error.clone()),
        }
    }

    fn publish(&self, id: i64) -> Result<HostEditor> {
        let (_, repo) = self.hosts.host_repository(id)?;
        let editor = self.snapshot(&repo);
        self.events
            .emit(DomainEvent::HostEditorUpdated(editor.clone()));
        Ok(editor)
    }

    fn set_state(&self, id: i64, state: Option<HostEditorState>, error: Option<String>) {
        let mut slots = lock(&self.slots);
        let slot = slots.entry(id).or_default();
        slot.state = state;
        slot.error = error;
    }

    /// The editor of each repository on a host.
    pub fn list(&self, host_id: i64) -> Result<Vec<HostEditor>> {
        Ok(self
            .hosts
            .repositories(host_id)?
            .iter()
            .map(|r| self.snapshot(r))
            .collect())
    }

    pub fn get(&self, id: i64) -> Result<HostEditor> {
        let (_, repo) = self.hosts.host_repository(id)?;
        Ok(self.snapshot(&repo))
    }

    /// Prepares opening the editor of host repository `id`: started there
    /// if it is not running, a forward opened if there is none, then the
    /// one-shot sign-in page.
    pub async fn open(self: &Arc<Self>, id: i64) -> Result<OpenPlan> {
        let (host, repo) = self.hosts.host_repository(id)?;
        let op = self.op_lock(id);
        let _op = op.lock().await;
        let started = Instant::now();
        let result = self.open_locked(&host, &repo).await;
        match &result {
            Ok(plan) => {
                self.set_state(id, None, None);
                tracing::info!(
                    "editor of {} on {} open at {} in {} ms",
                    repo.path,
                    host.name,
                    plan.instance_url,
                    started.elapsed().as_millis()
                );
            }
            Err(e) => {
                let state = if e.to_string().contains("could not reach") {
                    HostEditorState::Unreachable
                } else {
                    HostEditorState::Failed
                };
                // A start that failed leaves nothing recorded as running.
                let state = match self.row(id).ok().flatten().and_then(|r| r.process) {
                    Some(_) if state == HostEditorState::Failed => HostEditorState::Running,
                    _ => state,
                };
                self.set_state(id, Some(state), Some(e.with_detail_text()));
            }
        }
        let _ = self.publish(id);
        result
    }

    async fn open_locked(self: &Arc<Self>, host: &Host, repo: &HostRepository) -> Result<OpenPlan> {
        let id = repo.id;
        let key = crate::secrets::random_hex(8)?;
        let row = self
            .store
            .with(|c| store::hosts::editor_or_new(c, id, &key))?;
        let mut process = row.process.clone();
        // An editor answering through its forward runs: no need to ask the
        // host (an open again costs no round trip).
        let live = match &process {
            Some(_) => self.live_forward(id).await,
            None => None,
        };
        if let (Some(p), None) = (&process, &live) {
            if !self.alive(host, p).await? {
                tracing::info!(
                    "editor of {} on {} had ended; starting it again",
                    repo.path,
                    host.name
                );
                self.close_forward(id).await;
                self.store
                    .with(|c| store::hosts::set_editor_process(c, id, None))?;
                process = None;
            }
        }
        let process = match process {
            Some(p) => p,
            None => {
                self.set_state(id, Some(HostEditorState::Starting), None);
                let _ = self.publish(id);
                let p = self.launch(host, repo, &row.key).await?;
                self.store
                    .with(|c| store::hosts::set_editor_process(c, id, Some(&p)))?;
                p
            }
        };
        let forward = match live {
            Some(f) => f,
            None => self.forward(host, id, &process.socket, None).await?,
        };
        let password = crate::secrets::read_private(&self.dir(id).join("password"))?
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                Error::Conflict(
                    "The editor's password is gone from this machine; stop it and open it again."
                        .into(),
                )
            })?;
        if !net::port_is_served_by_group(forward.port, forward.identity.pid) {
            return Err(Error::Forbidden(format!(
                "Port {} is answered by another program, not this editor's forward; it was not opened.",
                forward.port
            )));
        }
        let handoff_url = net::serve_login_handoff(forward.port, password, "/")
            .await
            .map_err(|e| Error::failed("Could not prepare the sign-in page.", e))?;
        let instance_url = format!("http://127.0.0.1:{}/", forward.port);
        Ok(OpenPlan {
            repository_id: id,
            repository_name: format!("{} on {}", repo.name, host.name),
            window_label: window_label(id),
            handoff_url,
            target_url: instance_url.clone(),
            instance_url,
            webview_data_dir: self.dir(id).join("webview"),
        })
    }

    /// Whether `process` still runs there.
    async fn alive(&self, host: &Host, process: &RemoteProcess) -> Result<bool> {
        let pid = process.pid;
        let script = format!(
            "{ALIVE}if alive {pid} {ticks} {boot} {sock}; then echo alive
else
  [ \"$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)\" = {boot} ] && reap {pid}
  echo gone
fi
",
            ticks = sh_quote(&process.start_ticks),
            boot = sh_quote(&process.boot_id),
            sock = sh_quote(&process.socket)
        );
        let out = self
            .hosts
            .script(host, &script, super::CHECK_TIMEOUT)
            .await?;
        Ok(String::from_utf8_lossy(&out.stdout).trim() == "alive")
    }

    /// Starts code-server there, in the repository's folder, with a new
    /// password; waits until it listens on its socket. Its session cookie
    /// gets a name of its own through `CODE_SERVER_COOKIE_SUFFIX` (read by
    /// the versions that have `--cookie-suffix`, ignored by older ones: no
    /// `--help` to run first).
    async fn launch(&self, host: &Host, repo: &HostRepository, key: &str) -> Result<RemoteProcess> {
        let dir = self.dir(repo.id);
        // Its password, the forward's log and the window's cookie jar: made
        // private (0700 with every missing parent), not tightened later.
        crate::secrets::private_dir(&dir)
            .map_err(|e| Error::failed(format!("{} cannot be made.", dir.display()), e))?;
        // A new password for every run: an earlier run's cookie signs nobody in.
        let password = crate::secrets::rotate(&dir.join("password"))?;
        let script = format!(
            r#"{ALIVE}umask 077
base="${{XDG_DATA_HOME:-$HOME/.local/share}}/aidesktop"
dir="$base/editors/"{key}
mkdir -p "$dir/user-data" "$dir/extensions" && chmod 700 "$base" "$base/editors" "$dir" || exit 5
sock="$dir/code-server.sock"
case "$sock" in *:*) exit 7;; esac
[ ${{#sock}} -lt 100 ] || exit 7
if [ -x "$base/code-server/bin/code-server" ]; then cs="$base/code-server/bin/code-server"
elif cs=$(command -v code-server); then :
else exit 6; fi
cd -- {path} || exit 3
rm -f "$sock"
PASSWORD={password} CODE_SERVER_COOKIE_SUFFIX={suffix} setsid nohup "$cs" --config /dev/null \
  --socket "$sock" --socket-mode 600 \
  --auth password --user-data-dir "$dir/user-data" --extensions-dir "$dir/extensions" \
  --disable-telemetry --disable-update-check --app-name {app_name} {path} \
  >"$dir/code-server.log" 2>&1 </dev/null &
pid=$!
i=0
while [ ! -S "$sock" ]; do
  if ! running "$pid"; then tail -n 20 "$dir/code-server.log" >&2; exit 8; fi
  i=$((i+1))
  if [ "$i" -gt {polls} ]; then kill -TERM "-$pid" 2>/dev/null; tail -n 20 "$dir/code-server.log" >&2; exit 9; fi
  sleep 0.1
done
printf 'started\t%s\t%s\t%s\t%s\n' "$pid" "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)" "$(cat /proc/sys/kernel/random/boot_id)" "$sock"
"#,
            key = sh_quote(key),
            path = sh_quote(&repo.path),
            suffix = sh_quote(&format!("aidesktop-host-{}", repo.id)),
            password = sh_quote(&password),
            app_name = sh_quote(&format!("{} · AI Desktop", repo.name)),
            polls = (START_TIMEOUT.as_millis() / 100) - 50,
        );
        let out = self.hosts.script(host, &script, START_TIMEOUT).await?;
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        match out.status.code() {
            Some(0) => {}
            Some(3) => {
                return Err(Error::NotFound(format!(
                    "{} is not on {} any more.",
                    repo.path, host.name
                )))
            }
            Some(5) => {
                return Err(Error::Failed {
                    message: format!(
                        "The editor's folder cannot be made in the home of {} on {}.",
                        host.user, host.name
                    ),
                    detail: Some(said),
                })
            }
            Some(6) => {
                return Err(Error::Failed {
                    message: format!(
                        "code-server is not installed on {}. Install it there: npm install --global code-server@4.116.0 (with Node 22).",
                        host.name
                    ),
                    detail: None,
                })
            }
            Some(7) => {
                return Err(Error::Failed {
                    message: format!(
                        "The editor's socket path in the home of {} on {} is too long (or holds a ':'); set XDG_DATA_HOME there to a shorter folder.",
                        host.user, host.name
                    ),
                    detail: None,
                })
            }
            Some(9) => {
                return Err(Error::Failed {
                    message: format!(
                        "code-server on {} did not start within {} s.",
                        host.name,
                        START_TIMEOUT.as_secs()
                    ),
                    detail: Some(said),
                })
            }
            _ => {
                return Err(Error::Failed {
                    message: format!("code-server on {} exited as it started.", host.name),
                    detail: Some(said),
                })
            }
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("started\t"))
            .ok_or_else(|| Error::Failed {
                message: format!("code-server on {} started but did not say how.", host.name),
                detail: Some(text.to_string()),
            })?;
        let parts: Vec<&str> = line.split('\t').collect();
        match parts.as_slice() {
            [pid, ticks, boot, sock] if !ticks.is_empty() && !boot.is_empty() => {
                Ok(RemoteProcess {
                    pid: pid.parse().map_err(|_| Error::Failed {
                        message: format!("code-server on {} gave no pid.", host.name),
                        detail: None,
                    })?,
                    start_ticks: ticks.to_string(),
                    boot_id: boot.to_string(),
                    socket: sock.to_string(),
                })
            }
            _ => Err(Error::Failed {
                message: format!("code-server on {} started but did not say how.", host.name),
                detail: Some(line.to_string()),
            }),
        }
    }

    /// The forward to `socket` there: the one open if it still runs, else
    /// a new `ssh -N -L` on `prefer` (the port a dropped forward had, so
    /// that an open editor window reconnects by itself) when it is free, or
    /// on a free local port, once the instance answers through it.
    async fn forward(
        self: &Arc<Self>,
        host: &Host,
        id: i64,
        socket: &str,
        prefer: Option<u16>,
    ) -> Result<Forward> {
        if let Some(f) = self.live_forward(id).await {
            return Ok(f);
        }
        self.close_forward(id).await;
        let log = self.dir(id).join("forward.log");
        let mut last = String::new();
        for attempt in 0..FORWARD_TRIES {
            let port = match prefer.filter(|p| attempt == 0 && crate::repos::port_is_free(*p)) {
                Some(p) => p,
                None => free_port()?,
            };
            let mut process = self
                .hosts
                .spawn_forward(
                    host,
                    &format!("127.0.0.1:{port}:{socket}"),
                    &[],
                    &self.dir(id),
                    &log,
                )
                .await?;
            let identity = process.identity();
            self.store
                .record_process(FORWARD_KIND, id, identity.into(), Some(port))?;
            let deadline = Instant::now() + FORWARD_TIMEOUT;
            let answered = loop {
                if net::http_status(port, "/healthz").await == Some(200) {
                    break true;
                }
                if process.try_exit().is_some() || Instant::now() > deadline {
                    break false;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            if answered {
                let forward = Forward {
                    port,
                    identity,
                    process: Arc::new(tokio::sync::Mutex::new(process)),
                };
                lock(&self.slots).entry(id).or_default().forward = Some(forward.clone());
                self.watch_forward(id, forward.clone());
                return Ok(forward);
            }
            let _ = process.stop(STOP_GRACE).await;
            let _ = self.store.forget_process(FORWARD_KIND, id, identity.into());
            last = procs::last_lines(&log, 5).join("\n");
            // Only a port taken meanwhile is worth another try.
            if !last.contains("listen") && !last.contains("in use") {
                break;
            }
        }
        Err(Error::Failed {
            message: format!(
                "The forward to the editor on {} could not be opened.",
                host.name
            ),
            detail: (!last.is_empty()).then_some(last),
        })
    }

    /// Follows a forward: one that ends while it is still the repository's
    /// (not closed by a stop, a quit or a newer forward) dropped with its
    /// connection, and is opened again.
    fn watch_forward(self: &Arc<Self>, id: i64, forward: Forward) {
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            let watch = forward.process.lock().await.exit_watch();
            loop {
                let told = match &watch {
                    Some(w) => w.exited().await,
                    None => false,
                };
                if !told {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                if forward.process.lock().await.try_exit().is_some() {
                    break;
                }
                if told {
                    // Exited, not yet reaped: look again soon.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            let Some(this) = this.upgrade() else {
                return;
            };
            let ours = {
                let mut slots = lock(&this.slots);
                let slot = slots.entry(id).or_default();
                let ours = slot
                    .forward
                    .as_ref()
                    .is_some_and(|f| f.identity == forward.identity);
                if ours {
                    slot.forward = None;
                }
                ours
            };
            if !ours {
                return;
            }
            let _ = this
                .store
                .forget_process(FORWARD_KIND, id, forward.identity.into());
            tracing::warn!("the forward of host editor {id} dropped; reconnecting");
            this.reconnect(id, forward.port).await;
        });
    }

    /// Opens a dropped forward again, on its port if it is free, waiting
    /// longer after each try that cannot reach the host; meanwhile the
    /// editor is shown unreachable (not stopped: it may well run there).
    /// Ends when the forward is back, the editor ended there, the user
    /// stopped, reopened or removed it, or [`RECONNECT_FOR`] has passed.
    async fn reconnect(self: &Arc<Self>, id: i64, port: u16) {
        let since = Instant::now();
        for attempt in 0usize.. {
            {
                let op = self.op_lock(id);
                let _op = op.lock().await;
                let reopened = lock(&self.slots)
                    .get(&id)
                    .is_some_and(|s| s.forward.is_some());
                let Ok((host, _)) = self.hosts.host_repository(id) else {
                    return;
                };
                let Some(process) = self.row(id).ok().flatten().and_then(|r| r.process) else {
                    return;
                };
                if reopened {
                    return;
                }
                let failed = match self.alive(&host, &process).await {
                    Ok(true) => match self.forward(&host, id, &process.socket, Some(port)).await {
                        Ok(f) => {
                            tracing::info!("the forward of host editor {id} is back on {}", f.port);
                            self.set_state(id, None, None);
                            let _ = self.publish(id);
                            return;
                        }
                        Err(e) => e,
                    },
                    Ok(false) => {
                        let _ = self
                            .store
                            .with(|c| store::hosts::set_editor_process(c, id, None));
                        self.set_state(
                            id,
                            None,
                            Some(format!(
                                "VS Code ended on {} while the connection was down.",
                                host.name
                            )),
                        );
                        let _ = self.publish(id);
                        return;
                    }
                    Err(e) => e,
                };
                let wait = RECONNECT_BACKOFF[attempt.min(RECONNECT_BACKOFF.len() - 1)];
                let gave_up = since.elapsed() >= RECONNECT_FOR;
                let why = if gave_up {
                    format!("{} Open it to try again.", failed.with_detail_text())
                } else {
                    format!("{} Trying again in {wait} s.", failed.with_detail_text())
                };
                self.set_state(id, Some(HostEditorState::Unreachable), Some(why));
                let _ = self.publish(id);
                if gave_up {
                    return;
                }
            }
            let wait = RECONNECT_BACKOFF[attempt.min(RECONNECT_BACKOFF.len() - 1)];
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
    }

    /// The repository's forward, if it runs and the editor answers through it.
    async fn live_forward(&self, id: i64) -> Option<Forward> {
        let open = lock(&self.slots).get(&id).and_then(|s| s.forward.clone())?;
        let answers =
            open.identity.is_alive() && net::http_status(open.port, "/healthz").await == Some(200);
        answers.then_some(open)
    }

    /// Ends the repository's forward, if one is open.
    async fn close_forward(&self, id: i64) {
        let forward = lock(&self.slots)
            .get_mut(&id)
            .and_then(|s| s.forward.take());
        if let Some(f) = forward {
            let _ = f.process.lock().await.stop(STOP_GRACE).await;
            let _ = self
                .store
                .forget_process(FORWARD_KIND, id, f.identity.into());
        }
    }

    /// Stops the editor there and closes its forward. A host that cannot be
    /// reached keeps its record (the process may still run there) and the
    /// answer is the error.
    pub async fn stop(&self, id: i64) -> Result<HostEditor> {
        let (host, _) = self.hosts.host_repository(id)?;
        let op = self.op_lock(id);
        let _op = op.lock().await;
        self.close_forward(id).await;
        if let Some(p) = self.row(id)?.and_then(|r| r.process) {
            let script = format!(
                "{ALIVE}if alive {pid} {ticks} {boot} {sock}; then
  kill -TERM -{pid} 2>/dev/null || kill -TERM {pid}
  i=0
  while running {pid} && [ \"$i\" -lt {polls} ]; do sleep 0.05; i=$((i+1)); done
  kill -KILL -{pid} 2>/dev/null
  rm -f {sock}
fi
echo stopped
",
                pid = p.pid,
                ticks = sh_quote(&p.start_ticks),
                boot = sh_quote(&p.boot_id),
                sock = sh_quote(&p.socket),
                polls = STOP_GRACE.as_millis() / 50,
            );
            if let Err(e) = self
                .hosts
                .script(&host, &script, super::CHECK_TIMEOUT)
                .await
            {
                self.set_state(
                    id,
                    Some(HostEditorState::Unreachable),
                    Some(e.with_detail_text()),
                );
                let _ = self.publish(id);
                return Err(e);
            }
            self.store
                .with(|c| store::hosts::set_editor_process(c, id, None))?;
        }
        self.set_state(id, None, None);
        self.publish(id)
    }

    /// Stops the editors of a host's repositories (before it or they are
    /// removed). A host that cannot be reached is left as it is there.
    pub async fn stop_on_host(&self, host_id: i64) {
        for repo in self.hosts.repositories(host_id).unwrap_or_default() {
            if let Err(e) = self.stop(repo.id).await {
                tracing::warn!(
                    "the editor of {} was not stopped there: {}",
                    repo.path,
                    e.with_detail_text()
                );
            }
        }
    }

    /// Stops the editor of `id` there, then forgets the repository.
    pub async fn remove_repository(&self, id: i64) -> Result<()> {
        if let Err(e) = self.stop(id).await {
            tracing::warn!("removing host repository {id}: {}", e.with_detail_text());
        }
        self.close_forward(id).await;
        self.hosts.remove_repository(id)?;
        let _ = std::fs::remove_dir_all(self.dir(id));
        lock(&self.slots).remove(&id);
        Ok(())
    }

    /// Stops every editor of the host there, then forgets the host.
    pub async fn delete_host(&self, host_id: i64) -> Result<()> {
        let repos = self.hosts.repositories(host_id)?;
        self.stop_on_host(host_id).await;
        for repo in &repos {
            self.close_forward(repo.id).await;
        }
        self.hosts.delete(host_id).await?;
        for repo in repos {
            let _ = std::fs::remove_dir_all(self.dir(repo.id));
            lock(&self.slots).remove(&repo.id);
        }
        Ok(())
    }

    /// After an app restart: every editor recorded as running is asked
    /// after on its host. One still running is taken back (with its forward,
    /// if that still runs and still serves its port); one that ended is
    /// forgotten with its forward; a host that cannot be reached leaves its
    /// editors marked unreachable. Forwards of editors no longer recorded
    /// are ended.
    pub async fn reconcile(self: &Arc<Self>) -> Result<Vec<HostEditor>> {
        let rows = self.store.with(|c| store::hosts::running_editors(c))?;
        let mut adopted = Vec::new();
        for row in rows {
            let id = row.host_repository_id;
            // An Open or Stop the user started meanwhile goes first (it
            // runs at start, in the background); what it left is read after.
            let op = self.op_lock(id);
            let _op = op.lock().await;
            if lock(&self.slots)
                .get(&id)
                .is_some_and(|s| s.forward.is_some())
            {
                continue;
            }
            let Some(process) = self.row(id)?.and_then(|r| r.process) else {
                continue;
            };
            let Ok((host, repo)) = self.hosts.host_repository(id) else {
                continue;
            };
            match self.alive(&host, &process).await {
                Ok(true) => {
                    if let Some(record) = self.store.recorded_process(FORWARD_KIND, id)? {
                        let identity = ProcessIdentity::from(record.process);
                        let serving = record
                            .port
                            .is_some_and(|p| net::port_is_served_by_group(p, identity.pid));
                        let log = self.dir(id).join("forward.log");
                        let output = Output::Files {
                            stdout: log.clone(),
                            stderr: log,
                        };
                        match (serving, record.port, procs::adopt(identity, &output, 200)) {
                            (true, Some(port), Some(process)) => {
                                let forward = Forward {
                                    port,
                                    identity,
                                    process: Arc::new(tokio::sync::Mutex::new(process)),
                                };
                                lock(&self.slots).entry(id).or_default().forward =
                                    Some(forward.clone());
                                self.watch_forward(id, forward);
                            }
                            _ => {
                                procs::stop_adopted(identity, STOP_GRACE).await;
                                let _ = self.store.forget_process(FORWARD_KIND, id, record.process);
                            }
                        }
                    }
                    self.set_state(id, None, None);
                    adopted.push(self.snapshot(&repo));
                }
                Ok(false) => {
                    tracing::info!("the editor of {} on {} had ended", repo.path, host.name);
                    self.store
                        .with(|c| store::hosts::set_editor_process(c, id, None))?;
                    self.set_state(id, None, None);
                }
                Err(e) => {
                    self.set_state(
                        id,
                        Some(HostEditorState::Unreachable),
                        Some(e.with_detail_text()),
                    );
                }
            }
            let _ = self.publish(id);
        }
        // Forwards nothing took back: their editor ended or is unreachable.
        for record in self.store.recorded_processes(FORWARD_KIND)? {
            // Not one an Open is opening now (recorded before it answers).
            let op = self.op_lock(record.owner_id);
            let _op = op.lock().await;
            let taken = lock(&self.slots)
                .get(&record.owner_id)
                .and_then(|s| s.forward.as_ref())
                .is_some_and(|f| ProcessIdentity::from(record.process) == f.identity);
            if !taken {
                procs::stop_adopted(record.process.into(), STOP_GRACE).await;
                let _ = self
                    .store
                    .forget_process(FORWARD_KIND, record.owner_id, record.process);
            }
        }
        Ok(adopted)
    }

    /// Ends every forward (at quit): no ssh outlives the app. The editors
    /// there keep running and are taken back at the next start.
    pub fn end_forwards(&self) {
        let forwards: Vec<(i64, Forward)> = lock(&self.slots)
            .iter_mut()
            .filter_map(|(id, s)| s.forward.take().map(|f| (*id, f)))
            .collect();
        for (id, f) in forwards {
            if f.identity.is_alive() {
                procs::signal_group(f.identity.pid, libc::SIGTERM);
            }
            let _ = self
                .store
                .forget_process(FORWARD_KIND, id, f.identity.into());
        }
    }

    /// Installs code-server on a host that has none: from npm, pinned to
    /// [`CODE_SERVER_VERSION`], into the app's folder in the user's home
    /// there (no root, nothing global), run by the Node that installed it
    /// (a launcher that names it). Then the host is checked again.
    pub async fn install_code_server(&self, host_id: i64) -> Result<Host> {
        let host = self.hosts.get(host_id)?;
        let script = format!(
            r#"umask 077
base="${{XDG_DATA_HOME:-$HOME/.local/share}}/aidesktop"
command -v npm >/dev/null 2>&1 || exit 10
node=$(command -v node) || exit 10
major=$("$node" --version 2>/dev/null | sed 's/^v//; s/\..*//')
case "$major" in ''|*[!0-9]*) exit 10;; esac
if [ "$major" -lt 22 ]; then "$node" --version >&2; exit 11; fi
mkdir -p "$base" && chmod 700 "$base" || exit 5
umask 022
prefix="$base/code-server"
log="$base/code-server-install.log"
if ! npm_config_yes=true npm install --no-audit --no-fund --prefer-offline --unsafe-perm --prefix "$prefix" {package} >"$log" 2>&1; then
  tail -n 25 "$log" >&2; exit 12
fi
entry="$prefix/node_modules/code-server/out/node/entry.js"
[ -f "$entry" ] || {{ echo "npm finished but $entry is not there" >&2; exit 12; }}
mkdir -p "$prefix/bin"
printf '#!/bin/sh
# code-server {version} on %s, installed by AI Desktop.
exec "%s" "%s" "$@"
' "$node" "$node" "$entry" >"$prefix/bin/code-server.new"
chmod 755 "$prefix/bin/code-server.new" && mv "$prefix/bin/code-server.new" "$prefix/bin/code-server" || exit 5
"$prefix/bin/code-server" --version 2>&1 | grep -v '^\[' | head -n 1
"#,
            package = sh_quote(&format!("code-server@{CODE_SERVER_VERSION}")),
            version = CODE_SERVER_VERSION,
        );
        tracing::info!(
            "installing code-server {CODE_SERVER_VERSION} on {}",
            host.name
        );
        let started = Instant::now();
        let out = self.hosts.script(&host, &script, INSTALL_TIMEOUT).await?;
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let failed = |message: String| Error::Failed {
            message,
            detail: (!said.is_empty()).then(|| said.clone()),
        };
        match out.status.code() {
            Some(0) => {}
            Some(10) => {
                return Err(failed(format!(
                    "{} has no node and npm to install code-server with; install Node 22 there first.",
                    host.name
                )))
            }
            Some(11) => {
                return Err(failed(format!(
                    "code-server {CODE_SERVER_VERSION} needs Node 22; {} has Node {}. Install Node 22 there first.",
                    host.name, said
                )))
            }
            Some(5) => {
                return Err(failed(format!(
                    "The app's folder in the home of {} on {} cannot be written.",
                    host.user, host.name
                )))
            }
            _ => {
                return Err(failed(format!(
                    "npm could not install code-server on {} (its log is ~/.local/share/aidesktop/code-server-install.log there).",
                    host.name
                )))
            }
        }
        tracing::info!(
            "code-server installed on {} in {} s: {}",
            host.name,
            started.elapsed().as_secs(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
        self.hosts.check(host_id).await
    }

    /// Stops every editor there (quitting with "stop everything").
    pub async fn stop_all(&self) {
        let ids: Vec<i64> = self
            .store
            .with(|c| store::hosts::running_editors(c))
            .unwrap_or_default()
            .iter()
            .map(|r| r.host_repository_id)
            .collect();
        for id in ids {
            if let Err(e) = self.stop(id).await {
                tracing::warn!("host editor {id} was not stopped: {}", e.with_detail_text());
            }
        }
    }
}

/// A free loopback port for a forward (ssh is told to fail if it is taken
/// by the time it listens: then another is tried).
pub(super) fn free_port() -> Result<u16> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::failed("No free local port for the forward.", e))
}
