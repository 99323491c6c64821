//! Process supervision: the one owner of the child processes the app runs
//! (code-server, MCP servers, terminals).
//!
//! A process is spawned in its own process group with a cleared environment
//! (only what the caller names gets through), its stdout and stderr are read
//! line by line into a bounded [`LogBuffer`], and it is stopped gracefully:
//! SIGTERM to the whole group, a grace period, then SIGKILL. Each process is
//! identified by pid *and* start time ([`ProcessIdentity`]), so that an app
//! restarted later can tell its own still-running process from an unrelated
//! one that got the same pid.

mod identity;
mod logs;

pub use identity::ProcessIdentity;
pub use logs::{LogBuffer, LogLine, Stream};

use crate::error::{Error, Result};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// What to run. The environment starts empty: pass `PATH`, `HOME` and the
/// like explicitly when the program needs them.
#[derive(Debug, Clone, Default)]
pub struct ProcessSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
}

/// How a supervised process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

/// A running child of ours.
pub struct Supervised {
    child: Child,
    identity: ProcessIdentity,
    logs: Arc<LogBuffer>,
}

/// Spawns `spec` and starts capturing its output into a buffer of
/// `log_capacity` lines. Must be called inside a tokio runtime.
pub fn spawn(spec: &ProcessSpec, log_capacity: usize) -> Result<Supervised> {
    let mut cmd = Command::new(&spec.program);
    cmd.args(&spec.args)
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so that stopping it reaches everything it started.
        .process_group(0)
        .kill_on_drop(false);
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::failed(format!("Could not start {}.", spec.program.display()), e))?;
    let identity = child
        .id()
        .and_then(ProcessIdentity::of)
        .ok_or_else(|| Error::Failed {
            message: format!(
                "{} exited before it could be tracked.",
                spec.program.display()
            ),
            detail: None,
        })?;
    let logs = Arc::new(LogBuffer::new(log_capacity));
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, Stream::Stdout, logs.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, Stream::Stderr, logs.clone()));
    }
    Ok(Supervised {
        child,
        identity,
        logs,
    })
}

/// Longest line kept; longer ones are cut so one runaway line cannot grow memory.
const MAX_LINE_BYTES: usize = 16 * 1024;

async fn pump(reader: impl AsyncRead + Unpin, stream: Stream, logs: Arc<LogBuffer>) {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                buf.truncate(MAX_LINE_BYTES);
                logs.push(stream, String::from_utf8_lossy(&buf).into_owned());
            }
        }
    }
}

impl Supervised {
    pub fn identity(&self) -> ProcessIdentity {
        self.identity
    }

    pub fn logs(&self) -> Arc<LogBuffer> {
        self.logs.clone()
    }

    /// Waits for the process to exit by itself.
    pub async fn wait(&mut self) -> Result<Exit> {
        let status = self
            .child
            .wait()
            .await
            .map_err(|e| Error::failed("Could not wait for the process.", e))?;
        Ok(exit_of(status))
    }

    /// Whether it has exited, without waiting.
    pub fn try_exit(&mut self) -> Option<Exit> {
        self.child.try_wait().ok().flatten().map(exit_of)
    }

    /// SIGTERM to the group, up to `grace` for it to exit, then SIGKILL.
    pub async fn stop(&mut self, grace: Duration) -> Result<Exit> {
        if let Some(exit) = self.try_exit() {
            signal_group(self.identity.pid, libc::SIGKILL);
            return Ok(exit);
        }
        signal_group(self.identity.pid, libc::SIGTERM);
        let exit = match tokio::time::timeout(grace, self.child.wait()).await {
            Ok(status) => status.map(exit_of),
            Err(_) => {
                signal_group(self.identity.pid, libc::SIGKILL);
                self.child.wait().await.map(exit_of)
            }
        }
        .map_err(|e| Error::failed("Could not stop the process.", e))?;
        // Anything the leader left behind in its group goes too. While any
        // member is left, Linux keeps the group id from being reused, so this
        // reaches only our processes (or, with the group empty, nobody).
        signal_group(self.identity.pid, libc::SIGKILL);
        Ok(exit)
    }
}

/// Stops a process recorded earlier (not our child: e.g. re-adopted after an
/// app restart), but only if it is still the same process.
pub async fn stop_adopted(identity: ProcessIdentity, grace: Duration) -> bool {
    if !identity.is_alive() {
        return false;
    }
    signal_group(identity.pid, libc::SIGTERM);
    let deadline = tokio::time::Instant::now() + grace;
    while identity.is_alive() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if identity.is_alive() {
        signal_group(identity.pid, libc::SIGKILL);
    }
    true
}

fn signal_group(pgid: u32, signal: libc::c_int) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return;
    };
    if pgid <= 1 {
        return;
    }
    // SAFETY: kill(2) with a negative pid signals a process group; it has no
    // memory-safety preconditions. Errors (the group is gone) are expected.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

fn exit_of(status: std::process::ExitStatus) -> Exit {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(sig)) => Exit::Signal(sig),
        (None, None) => Exit::Code(-1),
    }
}
