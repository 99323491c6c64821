//! Terminals: a shell on a pseudo-terminal (portable-pty) per tab, opened in
//! a folder the app knows. Output goes to one subscriber (the tab on screen)
//! with flow control: above a high-water mark of output the view has not
//! acknowledged yet, the pty is not read, so a flood (`yes`) blocks the
//! program that floods instead of the UI — as VS Code's terminal does. The
//! last stretch of output is kept so a tab shown again starts where it was.
//!
//! The window's view pulls (`attach_pull` + `read`): output waits in a
//! mailbox until the view asks for it, and taking it is the acknowledgement.
//! Each read hands over everything waiting (up to a limit) as one IPC reply,
//! where a pushed stream costs the page a script evaluation per small frame
//! (Tauri channels under 8 kB) — slower, and memory WebKit did not give back.

use crate::error::{Error, Result};
use crate::util::lock;
use portable_pty::{native_pty_system, CommandBuilder, MasterPty, PtySize};
use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Output the view may be behind by before the pty is paused.
pub const HIGH_WATER: usize = 256 * 1024;
/// Reading resumes when the view is this close again.
pub const LOW_WATER: usize = 64 * 1024;
/// Output kept for a tab that is shown again.
const SCROLLBACK: usize = 256 * 1024;
/// A pty read returns at most 4 kB; while more is ready within
/// `GATHER_WAIT`, reads are gathered up to this much before being sent, so a
/// flood travels in a few full frames instead of many small ones (each frame
/// costs the page a script evaluation and a call into the UI).
const GATHER: usize = 16 * 1024;
const GATHER_WAIT_MS: i32 = 1;

/// Whether `fd` has something to read within `ms` milliseconds.
fn readable_within(fd: std::os::unix::io::RawFd, ms: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, for the duration of the call.
    let n = unsafe { libc::poll(&mut pfd, 1, ms) };
    n > 0 && pfd.revents & libc::POLLIN != 0
}

/// What a subscriber gets.
pub enum Output {
    Data(String),
    Exited(Option<i32>),
}

pub type Sink = Box<dyn Fn(Output) -> bool + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalInfo {
    pub id: u32,
    pub title: String,
    pub cwd: PathBuf,
    pub pid: u32,
    pub exited: Option<Option<i32>>,
}

#[derive(Default)]
struct Flow {
    /// Bytes sent to the view and not acknowledged yet.
    unacked: usize,
    closed: bool,
}

struct Shared {
    flow: Mutex<Flow>,
    resume: Condvar,
    /// Kept output and the current subscriber, under one lock so that a new
    /// subscriber gets the backlog and then everything after it, once.
    out: Mutex<(VecDeque<u8>, Option<Sink>)>,
    exited: Mutex<Option<Option<i32>>>,
}

struct Term {
    info: TerminalInfo,
    master: Mutex<Box<dyn MasterPty + Send>>,
    writer: Mutex<Box<dyn Write + Send>>,
    shared: Arc<Shared>,
    /// The shell, never reaped before the tab is closed: while it is our
    /// (possibly exited) child, its pid — which is also its session's id —
    /// cannot be given to another process, so signalling the session
    /// reaches only what this tab started.
    child: Mutex<Option<Box<dyn portable_pty::Child + Send + Sync>>>,
    shell: Option<crate::procs::pidfd::PidFd>,
}

#[derive(Default)]
pub struct TerminalManager {
    terms: Mutex<HashMap<u32, Arc<Term>>>,
    next: Mutex<u32>,
    /// The pulling view of each terminal that has one.
    mailboxes: Mutex<HashMap<u32, Arc<Mailbox>>>,
    /// Numbers the pulling views, so a late word from an old view (its
    /// detach arriving after the next view attached) is told apart.
    views: std::sync::atomic::AtomicU64,
    /// Told when a tab opens or closes (a tab the agent opened shows up on
    /// an open Terminals page).
    events: std::sync::OnceLock<Arc<dyn crate::events::EventSink>>,
}

/// Output waiting for a pulling view.
#[derive(Default)]
struct Mailbox {
    view: u64,
    state: Mutex<MailboxState>,
    ready: tokio::sync::Notify,
}

#[derive(Default)]
struct MailboxState {
    data: String,
    exited: Option<Option<i32>>,
    /// Another view took over, or the view left: reads end.
    gone: bool,
}

impl Mailbox {
    fn close(&self) {
        lock(&self.state).gone = true;
        self.ready.notify_one();
    }
}

/// What a pulling view's `read` returns.
#[derive(Debug, PartialEq, Eq)]
pub enum Pulled {
    Data(String),
    Exited(Option<i32>),
    /// The view was detached or replaced: stop reading.
    Detached,
}

/// Splits off a trailing incomplete UTF-8 sequence (kept for the next read).
fn split_utf8(bytes: &mut Vec<u8>) -> String {
    let cut = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(), // invalid bytes: replaced below, not kept
    };
    let rest = bytes.split_off(cut);
    let text = String::from_utf8_lossy(bytes).into_owned();
    *bytes = rest;
    text
}

/// The user's shell (`SHELL` if it is an existing absolute path), else bash or sh.
pub(crate) fn login_shell(env: &[(String, String)]) -> String {
    env.iter()
        .find(|(k, _)| k == "SHELL")
        .map(|(_, v)| v.clone())
        .filter(|s| Path::new(s).is_absolute() && Path::new(s).exists())
        .or_else(|| {
            ["/bin/bash", "/usr/bin/bash", "/bin/sh"]
                .iter()
                .find(|p| Path::new(p).exists())
                .map(|s| s.to_string())
        })
        .unwrap_or_else(|| "/bin/sh".into())
}

impl TerminalManager {
    pub fn new() -> TerminalManager {
        TerminalManager::default()
    }

    /// Where opening and closing tabs is told (set once by the app).
    pub fn set_events(&self, events: Arc<dyn crate::events::EventSink>) {
        let _ = self.events.set(events);
    }

    fn changed(&self) {
        if let Some(e) = self.events.get() {
            e.emit(crate::events::DomainEvent::TerminalsChanged);
        }
    }

    fn get(&self, id: u32) -> Result<Arc<Term>> {
        lock(&self.terms)
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("There is no terminal {id}.")))
    }

    /// Opens the user's shell in `cwd` (a folder the caller has checked),
    /// with `env` (the app's allow-listed environment) and a 256-colour TERM.
    pub fn open(
        &self,
        cwd: &Path,
        title: &str,
        cols: u16,
        rows: u16,
        env: &[(String, String)],
    ) -> Result<TerminalInfo> {
        self.open_program(cwd, title, cols, rows, env, None)
    }

    /// [`open`](Self::open) running `program` with its arguments (a client
    /// of a service, `docker exec`) instead of the shell; the tab shows its
    /// exit like a shell's.
    pub fn open_program(
        &self,
        cwd: &Path,
        title: &str,
        cols: u16,
        rows: u16,
        env: &[(String, String)],
        program: Option<(&Path, &[String])>,
    ) -> Result<TerminalInfo> {
        if !cwd.is_dir() {
            return Err(Error::InvalidInput(format!(
                "{} is not a folder.",
                cwd.display()
            )));
        }
        let size = PtySize {
            rows: rows.clamp(2, 500),
            cols: cols.clamp(2, 1000),
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system()
            .openpty(size)
            .map_err(|e| Error::failed("Could not open a terminal.", e))?;
        let shell = match program {
            Some((p, _)) => p.display().to_string(),
            None => login_shell(env),
        };
        let mut cmd = CommandBuilder::new(&shell);
        if let Some((_, args)) = program {
            cmd.args(args);
        }
        cmd.env_clear();
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("COLORTERM", "truecolor");
        cmd.env("TERM_PROGRAM", "AI Desktop");
        cmd.cwd(cwd);
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| Error::failed(format!("Could not start {shell}."), e))?;
        drop(pair.slave);
        let pid = child.process_id().unwrap_or(0);
        // Our unreaped child: the handle is on the shell itself.
        let shell_handle = crate::procs::pidfd::PidFd::open(pid);
        let mut reader = pair
            .master
            .try_clone_reader()
            .map_err(|e| Error::failed("Could not read the terminal.", e))?;
        let writer = pair
            .master
            .take_writer()
            .map_err(|e| Error::failed("Could not write to the terminal.", e))?;
        let id = {
            let mut next = lock(&self.next);
            *next += 1;
            *next
        };
        let shared = Arc::new(Shared {
            flow: Mutex::new(Flow::default()),
            resume: Condvar::new(),
            out: Mutex::new((VecDeque::new(), None)),
            exited: Mutex::new(None),
        });
        let info = TerminalInfo {
            id,
            title: title.to_string(),
            cwd: cwd.to_path_buf(),
            pid,
            exited: None,
        };
        // Reader: pty → kept output → subscriber, paused above the high-water mark.
        let s = shared.clone();
        // Its own copy of the pty's descriptor to poll: the master may be
        // closed (and its number reused) while this thread still runs.
        let poll_fd: Option<std::os::fd::OwnedFd> = pair.master.as_raw_fd().and_then(|fd| {
            // SAFETY: the master is open here; the borrow ends with the dup.
            unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
                .try_clone_to_owned()
                .ok()
        });
        std::thread::Builder::new()
            .name(format!("pty-{id}-read"))
            .spawn(move || {
                let mut buf = [0u8; 16 * 1024];
                let mut pending: Vec<u8> = Vec::new();
                loop {
                    {
                        let mut flow = lock(&s.flow);
                        while flow.unacked > HIGH_WATER && !flow.closed {
                            flow = s.resume.wait(flow).unwrap_or_else(|p| p.into_inner());
                        }
                        if flow.closed {
                            return;
                        }
                    }
                    let n = match reader.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(fd) = poll_fd
                        .as_ref()
                        .map(std::os::fd::AsRawFd::as_raw_fd)
                        .filter(|_| pending.len() < GATHER)
                    {
                        if !readable_within(fd, GATHER_WAIT_MS) {
                            break;
                        }
                        match reader.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => pending.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = split_utf8(&mut pending);
                    if text.is_empty() {
                        continue;
                    }
                    let mut out = lock(&s.out);
                    out.0.extend(text.as_bytes());
                    let excess = out.0.len().saturating_sub(SCROLLBACK);
                    out.0.drain(..excess);
                    if let Some(sink) = &out.1 {
                        // Counted before sending: the view may acknowledge at once.
                        lock(&s.flow).unacked += text.len();
                        if !sink(Output::Data(text)) {
                            let mut flow = lock(&s.flow);
                            flow.unacked = 0;
                            out.1 = None;
                        }
                    }
                }
            })
            .map_err(|e| Error::failed("Could not start the terminal's reader.", e))?;
        // Waiter: the shell's exit, seen without reaping it (WNOWAIT): the
        // zombie keeps its pid ours until `close` reaps it.
        let s = shared.clone();
        std::thread::Builder::new()
            .name(format!("pty-{id}-wait"))
            .spawn(move || {
                let code = wait_exit_keeping_zombie(pid);
                *lock(&s.exited) = Some(code);
                // Let the reader drain what is left, then tell the view.
                std::thread::sleep(Duration::from_millis(100));
                let out = lock(&s.out);
                if let Some(sink) = &out.1 {
                    sink(Output::Exited(code));
                }
            })
            .map_err(|e| Error::failed("Could not watch the terminal's shell.", e))?;
        let term = Arc::new(Term {
            info: info.clone(),
            master: Mutex::new(pair.master),
            writer: Mutex::new(writer),
            shared,
            child: Mutex::new(Some(child)),
            shell: shell_handle,
        });
        lock(&self.terms).insert(id, term);
        self.changed();
        Ok(info)
    }

    /// The output kept for the tab (its last 256 kB), as text.
    pub fn kept_output(&self, id: u32) -> Result<String> {
        let term = self.get(id)?;
        let out = lock(&term.shared.out);
        let (a, b) = out.0.as_slices();
        let mut bytes = Vec::with_capacity(a.len() + b.len());
        bytes.extend_from_slice(a);
        bytes.extend_from_slice(b);
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Whether the tab's program has exited, and how (None: killed by a signal).
    pub fn exit_status(&self, id: u32) -> Result<Option<Option<i32>>> {
        Ok(*lock(&self.get(id)?.shared.exited))
    }

    pub fn list(&self) -> Vec<TerminalInfo> {
        let mut list: Vec<TerminalInfo> = lock(&self.terms)
            .values()
            .map(|t| {
                let mut info = t.info.clone();
                info.exited = *lock(&t.shared.exited);
                info
            })
            .collect();
        list.sort_by_key(|t| t.id);
        list
    }

    /// Makes `sink` the terminal's subscriber: it gets the kept output first,
    /// then everything new. A sink that returns false is dropped.
    pub fn attach(&self, id: u32, sink: Sink) -> Result<()> {
        let term = self.get(id)?;
        let mut out = lock(&term.shared.out);
        let (a, b) = out.0.as_slices();
        let mut kept = a.to_vec();
        kept.extend_from_slice(b);
        // The kept bytes were cut at a byte count: skip a broken first character.
        let start = kept.iter().position(|b| (*b as i8) >= -0x40).unwrap_or(0);
        let backlog = String::from_utf8_lossy(&kept[start..]).into_owned();
        {
            // The new view starts with nothing outstanding but the backlog.
            let mut flow = lock(&term.shared.flow);
            flow.unacked = backlog.len();
            term.shared.resume.notify_all();
        }
        if !backlog.is_empty() && !sink(Output::Data(backlog)) {
            out.1 = None;
            return Ok(());
        }
        if let Some(code) = *lock(&term.shared.exited) {
            sink(Output::Exited(code));
        }
        out.1 = Some(sink);
        Ok(())
    }

    /// The view went away (another page, another tab): output goes on into
    /// the backlog without waiting for anyone, so a hidden build keeps running.
    pub fn detach(&self, id: u32) -> Result<()> {
        let term = self.get(id)?;
        self.close_mailbox(id);
        lock(&term.shared.out).1 = None;
        let mut flow = lock(&term.shared.flow);
        flow.unacked = 0;
        term.shared.resume.notify_all();
        Ok(())
    }

    fn close_mailbox(&self, id: u32) {
        let old = lock(&self.mailboxes).remove(&id);
        if let Some(old) = old {
            old.close();
        }
    }

    /// Makes a mailbox the terminal's subscriber (the kept output first),
    /// for a view that pulls with `read`, and returns the view's number. A
    /// read still waiting for a view before it returns `Detached`.
    pub fn attach_pull(&self, id: u32) -> Result<u64> {
        self.get(id)?;
        self.close_mailbox(id);
        let view = 1 + self
            .views
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mailbox = Arc::new(Mailbox {
            view,
            ..Default::default()
        });
        lock(&self.mailboxes).insert(id, mailbox.clone());
        self.attach(
            id,
            Box::new(move |out| {
                let mut s = lock(&mailbox.state);
                if s.gone {
                    return false;
                }
                match out {
                    Output::Data(text) => s.data.push_str(&text),
                    Output::Exited(code) => s.exited = Some(code),
                }
                drop(s);
                mailbox.ready.notify_one();
                true
            }),
        )?;
        Ok(view)
    }

    /// `detach` for the pulling view `view`, if it is still the terminal's
    /// view; a view that was replaced meanwhile changes nothing.
    pub fn detach_view(&self, id: u32, view: u64) -> Result<()> {
        let current = lock(&self.mailboxes).get(&id).map(|m| m.view);
        if current == Some(view) {
            self.detach(id)
        } else {
            self.get(id).map(|_| ())
        }
    }

    /// Waits until output is there and takes up to `max` bytes of it (whole
    /// characters), which acknowledges them; then the exit, once the shell
    /// has exited and everything before it was read. A view that was
    /// replaced gets `Detached`.
    pub async fn read(&self, id: u32, view: u64, max: usize) -> Result<Pulled> {
        let mailbox = lock(&self.mailboxes)
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::Conflict(format!("Terminal {id} has no view attached.")))?;
        if mailbox.view != view {
            return Ok(Pulled::Detached);
        }
        loop {
            {
                let mut s = lock(&mailbox.state);
                if s.gone {
                    return Ok(Pulled::Detached);
                }
                if !s.data.is_empty() {
                    let mut cut = max.max(4).min(s.data.len());
                    while !s.data.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    let rest = s.data.split_off(cut);
                    let taken = std::mem::replace(&mut s.data, rest);
                    drop(s);
                    // Gone already (closed meanwhile): nothing to acknowledge.
                    let _ = self.ack(id, taken.len());
                    return Ok(Pulled::Data(taken));
                }
                if let Some(code) = s.exited {
                    return Ok(Pulled::Exited(code));
                }
            }
            // A notification between the check and here is kept as a permit.
            mailbox.ready.notified().await;
        }
    }

    /// The view has shown `bytes` more of the output.
    pub fn ack(&self, id: u32, bytes: usize) -> Result<()> {
        let term = self.get(id)?;
        let mut flow = lock(&term.shared.flow);
        flow.unacked = flow.unacked.saturating_sub(bytes);
        if flow.unacked <= LOW_WATER {
            term.shared.resume.notify_all();
        }
        Ok(())
    }

    /// How much output the view is behind by (tests, diagnostics).
    pub fn unacked(&self, id: u32) -> Result<usize> {
        Ok(lock(&self.get(id)?.shared.flow).unacked)
    }

    pub fn write(&self, id: u32, data: &str) -> Result<()> {
        let term = self.get(id)?;
        if data.len() > 1024 * 1024 {
            return Err(Error::InvalidInput(
                "That paste is larger than 1 MB.".into(),
            ));
        }
        let mut w = lock(&term.writer);
        w.write_all(data.as_bytes())
            .and_then(|_| w.flush())
            .map_err(|e| Error::failed("The terminal does not take input any more.", e))
    }

    pub fn resize(&self, id: u32, cols: u16, rows: u16) -> Result<()> {
        let term = self.get(id)?;
        if !(2..=1000).contains(&cols) || !(2..=500).contains(&rows) {
            return Err(Error::InvalidInput(format!(
                "{cols}×{rows} is not a terminal size."
            )));
        }
        let master = lock(&term.master);
        let resized = master.resize(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        });
        resized.map_err(|e| Error::failed("Could not resize the terminal.", e))
    }

    /// Ends the shell and every process still in its session — the jobs it
    /// started, in whatever process group, `nohup` and `disown`ed ones too —
    /// with SIGHUP (as closing a terminal window does) and SIGKILL after 2 s,
    /// then reaps the shell and forgets the terminal. A program that made a
    /// session of its own (`setsid`, a daemon) is not the tab's any more and
    /// keeps running. Nothing else can be reached: the shell is not reaped
    /// before this, so its pid (the session's id) is still ours.
    pub fn close(&self, id: u32) -> Result<()> {
        let term = self.get(id)?;
        self.close_mailbox(id);
        lock(&self.terms).remove(&id);
        self.changed();
        {
            let mut flow = lock(&term.shared.flow);
            flow.closed = true;
            term.shared.resume.notify_all();
        }
        lock(&term.shared.out).1 = None;
        let Some(mut child) = lock(&term.child).take() else {
            return Ok(());
        };
        let sid = term.info.pid;
        let shell = term.shell.as_ref().map(|h| h.pid);
        let hang_up = |signal| {
            if let Some(h) = &term.shell {
                h.signal(signal);
            }
            for member in crate::procs::pidfd::session_members(sid, sid) {
                member.signal(signal);
            }
        };
        if sid > 1 && shell.is_some() {
            hang_up(libc::SIGHUP);
        }
        let term = term.clone();
        std::thread::spawn(move || {
            let sid = term.info.pid;
            let gone = || {
                lock(&term.shared.exited).is_some()
                    && crate::procs::pidfd::session_members(sid, sid).is_empty()
            };
            for _ in 0..20 {
                if gone() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if !gone() {
                if let Some(h) = &term.shell {
                    h.signal(libc::SIGKILL);
                }
                for member in crate::procs::pidfd::session_members(sid, sid) {
                    member.signal(libc::SIGKILL);
                }
            }
            // Now the shell may be reaped, and its pid given to anyone.
            let _ = child.wait();
        });
        Ok(())
    }
}

/// Waits until process `pid` (a child of ours) exits, without reaping it;
/// its exit code, or None when it was killed by a signal or is not ours.
fn wait_exit_keeping_zombie(pid: u32) -> Option<i32> {
    let id = libc::id_t::try_from(pid).ok()?;
    loop {
        // SAFETY: an all-zero siginfo_t is a valid value for waitid to fill.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid(2) writes only into `info`.
        let r = unsafe { libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if r == 0 {
            // SAFETY: filled by a successful waitid for an exited child.
            let status = unsafe { info.si_status() };
            return (info.si_code == libc::CLD_EXITED).then_some(status);
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_utf8;

    #[test]
    fn an_incomplete_character_waits_for_its_last_bytes() {
        let mut b = "hé".as_bytes().to_vec();
        b.pop();
        assert_eq!(split_utf8(&mut b), "h");
        assert_eq!(b, vec![0xc3]);
        b.push(0xa9);
        assert_eq!(split_utf8(&mut b), "é");
        assert!(b.is_empty());
    }
}
