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
//!
//! A process meant to outlive the app (code-server) writes its output to
//! files instead of pipes ([`Output::Files`]): a pipe would break when the app
//! dies and take the process with it on its next log line. The files are
//! tailed into the same buffer, by this app or by a later one that re-adopts
//! the process with [`adopt`].

mod changes;
mod identity;
pub mod logs;
pub mod pidfd;
mod restart;

pub use changes::FileChanges;
pub use identity::{process_group, ProcessIdentity};
pub use logs::{LogBuffer, LogLine, Stream};
pub use pidfd::ExitWatch;
pub use restart::RestartPolicy;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// Variables passed from the app's environment to the programs it runs for
/// the user (MCP servers, the PM2 CLI and so its apps). Others, such as an
/// API key the app was started with, stay with the app.
const USER_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
    "SSH_AUTH_SOCK",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// The allow-listed part of the app's environment ([`USER_ENV`], `LC_*`).
pub fn user_env() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(k, _)| USER_ENV.contains(&k.as_str()) || k.starts_with("LC_"))
        .collect()
}

/// Whether `p` is a file the user may execute.
pub fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `name` on the directories of `path_var` (a PATH value), the first
/// executable one; what a shell would run, found without one.
pub fn find_program(name: &str, path_var: &str) -> Option<PathBuf> {
    std::env::split_paths(path_var)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

/// An environment variable name a program can be given: letters, digits and
/// `_`, not starting with a digit.
pub fn check_env_name(key: &str) -> Result<()> {
    let mut chars = key.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "`{key}` is not a valid environment variable name (letters, digits and _, not \
             starting with a digit)."
        )))
    }
}

/// What to run. The environment starts empty: pass `PATH`, `HOME` and the
/// like explicitly when the program needs them.
#[derive(Debug, Clone, Default)]
pub struct ProcessSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
    pub output: Output,
}

/// Where a process's stdout and stderr go.
#[derive(Debug, Clone, Default)]
pub enum Output {
    /// Pipes read by the app: lowest latency, but the process loses them
    /// when the app exits.
    #[default]
    Pipes,
    /// Files (truncated at spawn) tailed by the app; the process can outlive it.
    Files { stdout: PathBuf, stderr: PathBuf },
    /// stdin and stdout carry a protocol (an MCP server's JSON-RPC) and are
    /// handed to the caller with [`Supervised::take_protocol`]; stderr is logged.
    Protocol,
}

/// How a supervised process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// A re-adopted process is not our child: it is gone, how is not known.
    Unknown,
}

/// Set once, when a process is known to have exited (or a follower is
/// dropped); wakes the tails of its files so they drain what is left and end.
#[derive(Default)]
pub(crate) struct Ended {
    set: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Ended {
    fn set(&self) {
        self.set.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    /// Returns once [`set`](Self::set) was called (at once if it was).
    async fn wait(&self) {
        let notified = self.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.is_set() {
            return;
        }
        notified.await;
    }
}

/// A running process of ours: a child spawned by this app, or one re-adopted
/// from an earlier run.
pub struct Supervised {
    handle: Handle,
    protocol: Option<(tokio::process::ChildStdout, tokio::process::ChildStdin)>,
    identity: ProcessIdentity,
    logs: Arc<LogBuffer>,
    /// Set once the process is known to have exited; file tailers then drain
    /// what is left and stop.
    exited: Arc<Ended>,
    /// Resolves when the process exits (a pidfd), so watchers need not poll.
    exit_watch: Option<ExitWatch>,
    /// The tasks reading its pipes into `logs`; they end at end of file.
    pumps: Vec<tokio::task::JoinHandle<()>>,
}

enum Handle {
    Child(Child),
    Adopted,
}

/// Spawns `spec` and starts capturing its output into a buffer of
/// `log_capacity` lines. Must be called inside a tokio runtime.
pub fn spawn(spec: &ProcessSpec, log_capacity: usize) -> Result<Supervised> {
    spawn_with_logs(spec, Arc::new(LogBuffer::new(log_capacity)))
}

/// Like [`spawn`], into an existing buffer: a server restarted by its owner
/// keeps one history of output across its processes.
pub fn spawn_with_logs(spec: &ProcessSpec, logs: Arc<LogBuffer>) -> Result<Supervised> {
    let mut cmd = Command::new(&spec.program);
    cmd.args(&spec.args)
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        // Its own group, so that stopping it reaches everything it started.
        .process_group(0)
        .kill_on_drop(false);
    match &spec.output {
        Output::Pipes => {
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        Output::Files { stdout, stderr } => {
            cmd.stdout(create_log_file(stdout)?)
                .stderr(create_log_file(stderr)?);
        }
        Output::Protocol => {
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
        }
    }
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
    let exited = Arc::new(Ended::default());
    // Our unreaped child: the pid is surely it.
    let exit_watch = ExitWatch::open(identity.pid);
    let mut pumps = Vec::new();
    let protocol = match (&spec.output, child.stdout.take(), child.stdin.take()) {
        (Output::Protocol, Some(out), Some(input)) => Some((out, input)),
        (_, Some(out), _) => {
            pumps.push(tokio::spawn(pump(out, Stream::Stdout, logs.clone())));
            None
        }
        _ => None,
    };
    if let Some(err) = child.stderr.take() {
        pumps.push(tokio::spawn(pump(err, Stream::Stderr, logs.clone())));
    }
    if let Output::Files { stdout, stderr } = &spec.output {
        tail_files(stdout, stderr, &logs, &exited);
    }
    Ok(Supervised {
        handle: Handle::Child(child),
        protocol,
        identity,
        logs,
        exited,
        exit_watch,
        pumps,
    })
}

/// Takes back a process an earlier run of the app started, if it is still
/// that process; its output files (if it had any) are tailed from the start.
pub fn adopt(
    identity: ProcessIdentity,
    output: &Output,
    log_capacity: usize,
) -> Option<Supervised> {
    if !identity.is_alive() {
        return None;
    }
    // Opened, then checked again: the handle is on the process meant, not on
    // one that got its pid after it ended.
    let exit_watch = ExitWatch::open(identity.pid);
    if !identity.is_alive() {
        return None;
    }
    let logs = Arc::new(LogBuffer::new(log_capacity));
    let exited = Arc::new(Ended::default());
    if let Output::Files { stdout, stderr } = output {
        tail_files(stdout, stderr, &logs, &exited);
    }
    Some(Supervised {
        handle: Handle::Adopted,
        protocol: None,
        identity,
        logs,
        exited,
        exit_watch,
        pumps: Vec::new(),
    })
}

fn create_log_file(path: &Path) -> Result<std::fs::File> {
    crate::secrets::create_private_file(path, true)
        .map_err(|e| Error::failed(format!("Could not create {}.", path.display()), e))
}

fn tail_files(stdout: &Path, stderr: &Path, logs: &Arc<LogBuffer>, exited: &Arc<Ended>) {
    for (path, stream) in [(stdout, Stream::Stdout), (stderr, Stream::Stderr)] {
        tokio::spawn(tail(
            path.to_path_buf(),
            FileChanges::watch(path),
            stream,
            logs.clone(),
            exited.clone(),
            TAIL_INTERVAL,
            false,
        ));
    }
}

/// How soon a log file that just had new lines is checked again.
const TAIL_INTERVAL: Duration = Duration::from_millis(100);
/// How rarely a quiet log file is checked (new output shows within this).
const TAIL_IDLE_MAX: Duration = Duration::from_millis(800);
/// A log file is read from this far before its end: enough to fill the
/// buffer, without reading a gigabyte of old output.
const TAIL_START_BYTES: u64 = 512 * 1024;

/// Log files written by a process we do not own (PM2's apps), followed into
/// a buffer until this is dropped.
pub struct FileFollower {
    logs: Arc<LogBuffer>,
    stop: Arc<Ended>,
}

impl FileFollower {
    /// Follows `stdout` and `stderr` (which may not exist yet) from near their ends.
    pub fn new(stdout: &Path, stderr: &Path, log_capacity: usize) -> FileFollower {
        let logs = Arc::new(LogBuffer::new(log_capacity));
        let stop = Arc::new(Ended::default());
        for (path, stream) in [(stdout, Stream::Stdout), (stderr, Stream::Stderr)] {
            tokio::spawn(follow(
                path.to_path_buf(),
                stream,
                logs.clone(),
                stop.clone(),
            ));
        }
        FileFollower { logs, stop }
    }

    pub fn logs(&self) -> Arc<LogBuffer> {
        self.logs.clone()
    }
}

impl Drop for FileFollower {
    fn drop(&mut self) {
        self.stop.set();
    }
}

/// Waits for `path` to exist, then tails it until `stop`.
async fn follow(path: PathBuf, stream: Stream, logs: Arc<LogBuffer>, stop: Arc<Ended>) {
    let changes = FileChanges::watch(&path);
    while !path.exists() {
        if stop.is_set() {
            return;
        }
        match &changes {
            Some(c) => {
                tokio::select! {
                    _ = c.changed() => {}
                    _ = stop.wait() => {}
                }
            }
            None => tokio::time::sleep(TAIL_INTERVAL * 5).await,
        }
    }
    tail(path, changes, stream, logs, stop, TAIL_IDLE_MAX, true).await;
}

/// Follows a log file, pushing complete lines, until `exited` is set and
/// the file is drained. Starts near the end of a long file; a file truncated
/// under it (logs cleared) is read again from its start.
///
/// It reads when `changes` says the file changed (or `exited` is set), and
/// sleeps in between. Without change notifications it looks every
/// [`TAIL_INTERVAL`], backing off on a quiet file up to `idle_max`: the
/// output files of our own processes keep [`TAIL_INTERVAL`] (a process that
/// exits during start-up must have its last lines read at once: they say
/// why), files of processes we only watch (PM2's apps) may wait up to
/// [`TAIL_IDLE_MAX`]. With `stamped`, a line's leading date (PM2's, see
/// [`logs::PM2_DATE_FORMAT`]) is taken off it as its time.
async fn tail(
    path: PathBuf,
    changes: Option<FileChanges>,
    stream: Stream,
    logs: Arc<LogBuffer>,
    exited: Arc<Ended>,
    idle_max: Duration,
    stamped: bool,
) {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let Ok(mut file) = tokio::fs::File::open(&path).await else {
        return;
    };
    let mut position = 0u64;
    let mut skip_partial = false;
    if let Ok(meta) = file.metadata().await {
        if meta.len() > TAIL_START_BYTES {
            position = meta.len() - TAIL_START_BYTES;
            skip_partial = file.seek(std::io::SeekFrom::Start(position)).await.is_ok();
        }
    }
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut idle = TAIL_INTERVAL;
    loop {
        // Read the flag before reading, so the last bytes written before the
        // exit are always read once more.
        let done = exited.is_set();
        match file.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                if done {
                    break;
                }
                if let Some(changes) = &changes {
                    tokio::select! {
                        _ = changes.changed() => {}
                        _ = exited.wait() => {}
                    }
                    // A change that adds nothing may be a truncation.
                    let truncated = file.metadata().await.is_ok_and(|m| m.len() < position);
                    if truncated && file.seek(std::io::SeekFrom::Start(0)).await.is_ok() {
                        position = 0;
                        pending.clear();
                        skip_partial = false;
                    }
                    continue;
                }
                // Each check is a trip to the blocking pool: a quiet file is
                // looked at less and less often (up to TAIL_IDLE_MAX).
                tokio::time::sleep(idle).await;
                let backed_off = idle >= idle_max;
                idle = (idle * 2).min(idle_max);
                if backed_off || idle_max == TAIL_INTERVAL {
                    let truncated = file.metadata().await.is_ok_and(|m| m.len() < position);
                    if truncated && file.seek(std::io::SeekFrom::Start(0)).await.is_ok() {
                        position = 0;
                        pending.clear();
                        skip_partial = false;
                    }
                }
            }
            Ok(n) => {
                idle = TAIL_INTERVAL;
                position += n as u64;
                pending.extend_from_slice(&chunk[..n]);
                if skip_partial {
                    // Started mid-file: the first line is a fragment.
                    match pending.iter().position(|b| *b == b'\n') {
                        Some(end) => {
                            pending.drain(..=end);
                            skip_partial = false;
                        }
                        None => continue,
                    }
                }
                let mut start = 0;
                while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
                    push_line(&logs, stream, &pending[start..start + end], stamped);
                    start += end + 1;
                }
                pending.drain(..start);
                if pending.len() > MAX_LINE_BYTES {
                    push_line(&logs, stream, &pending, stamped);
                    pending.clear();
                }
            }
        }
    }
    if !pending.is_empty() {
        push_line(&logs, stream, &pending, stamped);
    }
}

fn push_line(logs: &LogBuffer, stream: Stream, mut line: &[u8], stamped: bool) {
    while let [rest @ .., b'\r'] = line {
        line = rest;
    }
    let line = String::from_utf8_lossy(&line[..line.len().min(MAX_LINE_BYTES)]);
    match stamped.then(|| logs::split_stamp(&line)) {
        Some((Some(at), text)) => logs.push_at(stream, text.to_string(), at),
        _ => logs.push(stream, line.into_owned()),
    }
}

/// The last `max` non-empty lines of a log file (from its last 64 KB), cut
/// like followed lines; none when it cannot be read.
pub fn last_lines(path: &Path, max: usize) -> Vec<String> {
    use std::io::{Read, Seek, SeekFrom};
    const WINDOW: u64 = 64 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(WINDOW);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // a fragment of a longer line
    }
    let kept: Vec<String> = lines
        .into_iter()
        .map(|mut line| {
            while let [rest @ .., b'\r'] = line {
                line = rest;
            }
            let line = String::from_utf8_lossy(&line[..line.len().min(MAX_LINE_BYTES)]);
            logs::split_stamp(&line).1.to_string()
        })
        .filter(|l| !l.trim().is_empty())
        .collect();
    kept[kept.len().saturating_sub(max)..].to_vec()
}

/// Longest line kept; longer ones are cut so one runaway line cannot grow memory.
const MAX_LINE_BYTES: usize = 16 * 1024;

async fn pump(reader: impl AsyncRead + Unpin, stream: Stream, logs: Arc<LogBuffer>) {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    while let Ok(Some(cut)) = read_line_capped(&mut reader, &mut buf, MAX_LINE_BYTES).await {
        push_line(&logs, stream, &buf, false);
        if cut && skip_line(&mut reader).await.is_err() {
            break;
        }
    }
}

/// Reads one line into `buf` (without its `\n`), at most `cap` bytes of it,
/// so a process that never ends its line cannot grow memory. `None` at the
/// end of input; `Some(true)` when the line is longer than `cap`: then its
/// rest is still unread (see [`skip_line`]).
pub async fn read_line_capped<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok((!buf.is_empty()).then_some(false));
        }
        let found = available.iter().position(|b| *b == b'\n');
        let piece = &available[..found.unwrap_or(available.len())];
        let room = cap - buf.len();
        if piece.len() > room {
            buf.extend_from_slice(&piece[..room]);
            reader.consume(room);
            return Ok(Some(true));
        }
        buf.extend_from_slice(piece);
        let used = found.map_or(piece.len(), |i| i + 1);
        reader.consume(used);
        if found.is_some() {
            return Ok(Some(false));
        }
    }
}

/// Reads and drops the rest of the current line (its `\n` included).
pub async fn skip_line<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<()> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(());
        }
        match available.iter().position(|b| *b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = available.len();
                reader.consume(n);
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

    /// The process's stdout and stdin, once, when it was spawned with
    /// [`Output::Protocol`].
    pub fn take_protocol(
        &mut self,
    ) -> Option<(tokio::process::ChildStdout, tokio::process::ChildStdin)> {
        self.protocol.take()
    }

    /// Resolves when the process exits, for watchers that must not hold
    /// the process (a stop needs it) and should not poll. None where the
    /// kernel cannot tell: poll [`try_exit`](Self::try_exit) then.
    pub fn exit_watch(&self) -> Option<ExitWatch> {
        self.exit_watch.clone()
    }

    /// Whether this process was re-adopted rather than spawned by this run.
    pub fn is_adopted(&self) -> bool {
        matches!(self.handle, Handle::Adopted)
    }

    /// Waits for the process to exit by itself.
    pub async fn wait(&mut self) -> Result<Exit> {
        let exit = match &mut self.handle {
            Handle::Child(child) => child
                .wait()
                .await
                .map(exit_of)
                .map_err(|e| Error::failed("Could not wait for the process.", e))?,
            Handle::Adopted => {
                while self.identity.is_alive() {
                    let told = match &self.exit_watch {
                        Some(w) => w.exited().await,
                        None => false,
                    };
                    if !told {
                        tokio::time::sleep(ADOPTED_POLL).await;
                    }
                }
                Exit::Unknown
            }
        };
        self.exited.set();
        Ok(exit)
    }

    /// Whether it has exited, without waiting.
    /// Waits (at most `within`) until the pipes of a process that has exited
    /// are read to the end, so its last lines are in `logs`.
    pub async fn drained(&mut self, within: Duration) {
        let pumps = std::mem::take(&mut self.pumps);
        let _ = tokio::time::timeout(within, async {
            for p in pumps {
                let _ = p.await;
            }
        })
        .await;
    }

    pub fn try_exit(&mut self) -> Option<Exit> {
        let exit = match &mut self.handle {
            Handle::Child(child) => child.try_wait().ok().flatten().map(exit_of),
            Handle::Adopted => (!self.identity.is_alive()).then_some(Exit::Unknown),
        };
        if exit.is_some() {
            self.exited.set();
        }
        exit
    }

    /// SIGTERM to the group, up to `grace` for it to exit, then SIGKILL.
    pub async fn stop(&mut self, grace: Duration) -> Result<Exit> {
        if let Some(exit) = self.try_exit() {
            if !self.is_adopted() {
                signal_group(self.identity.pid, libc::SIGKILL);
            }
            return Ok(exit);
        }
        let exit = match &mut self.handle {
            Handle::Child(child) => {
                signal_group(self.identity.pid, libc::SIGTERM);
                let exit = match tokio::time::timeout(grace, child.wait()).await {
                    Ok(status) => status.map(exit_of),
                    Err(_) => {
                        signal_group(self.identity.pid, libc::SIGKILL);
                        child.wait().await.map(exit_of)
                    }
                }
                .map_err(|e| Error::failed("Could not stop the process.", e))?;
                // Anything the leader left behind in its group goes too. While
                // any member is left, Linux keeps the group id from being
                // reused, so this reaches only our processes (or nobody).
                signal_group(self.identity.pid, libc::SIGKILL);
                group_gone(self.identity.pid).await;
                exit
            }
            Handle::Adopted => {
                stop_adopted(self.identity, grace).await;
                Exit::Unknown
            }
        };
        self.exited.set();
        Ok(exit)
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        // Tailers stop at the end of their file; the process itself is left
        // alone (dropping a handle is not a reason to kill anything).
        self.exited.set();
    }
}

/// How often a re-adopted process (not our child, so no wait()) is checked.
const ADOPTED_POLL: Duration = Duration::from_millis(250);

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
    // The leader's group, whether or not the leader is left: as in `stop`,
    // a group id is not reused while it has members.
    signal_group(identity.pid, libc::SIGKILL);
    group_gone(identity.pid).await;
    true
}

/// How long a stop waits for a killed group's members to be gone.
const GROUP_GONE_WAIT: Duration = Duration::from_secs(2);

/// Whether process group `pgid` has a member that is not a zombie.
pub fn group_has_live_members(pgid: u32) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .any(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                    return false;
                };
                let mut fields = rest.split_whitespace();
                let state = fields.next();
                let group = fields.nth(1).and_then(|g| g.parse::<u32>().ok());
                group == Some(pgid) && state != Some("Z")
            })
        })
}

/// Waits (a little) until a group sent SIGKILL has no live member left, so
/// that "stopped" means gone: killed processes take a moment to die.
async fn group_gone(pgid: u32) {
    let deadline = tokio::time::Instant::now() + GROUP_GONE_WAIT;
    while group_has_live_members(pgid) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn signal_group(pgid: u32, signal: libc::c_int) {
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
