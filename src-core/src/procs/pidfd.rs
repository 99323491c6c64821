//! Signalling a process that is provably the one meant: through a pidfd
//! (Linux 5.3+), which refers to one process for as long as it is open —
//! a pid number, once the process is reaped, may name anyone.

use std::os::fd::{FromRawFd, OwnedFd};

/// A handle on one process.
#[derive(Debug)]
pub struct PidFd {
    fd: OwnedFd,
    pub pid: u32,
}

impl PidFd {
    /// A handle on the process that has `pid` now. The caller must know
    /// that it is the process meant (its unreaped child; or checked after
    /// opening, see [`session_members`]).
    pub fn open(pid: u32) -> Option<PidFd> {
        let pid_t = libc::pid_t::try_from(pid).ok().filter(|p| *p > 0)?;
        // SAFETY: pidfd_open(2) takes a pid and flags and returns a new fd
        // (or -1); it touches no memory of ours.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid_t, 0) };
        if fd < 0 {
            return None;
        }
        // SAFETY: the kernel just gave us this descriptor; nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
        Some(PidFd { fd, pid })
    }

    /// Sends `signal` to this very process; false if it is gone.
    pub fn signal(&self, signal: libc::c_int) -> bool {
        use std::os::fd::AsRawFd;
        // SAFETY: pidfd_send_signal(2) with a valid pidfd, no siginfo.
        let r = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.fd.as_raw_fd(),
                signal,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        r == 0
    }
}

/// The session id of `pid` (field 6 of `/proc/PID/stat`), if it runs.
pub fn session_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name: state ppid pgrp session …
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

/// Handles on the live processes of session `sid`, its leader `except`ed.
/// Safe from pid reuse as long as the session's leader is not reaped (its
/// pid, and so the session id, cannot be given to anyone meanwhile): each
/// process is checked to be in the session *after* its handle is opened, so
/// a handle never refers to a process that was not a member.
pub fn session_members(sid: u32, except: u32) -> Vec<PidFd> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != except && session_of(*pid) == Some(sid))
        .filter_map(PidFd::open)
        .filter(|h| session_of(h.pid) == Some(sid))
        .collect()
}

/// Tells when a process has exited, without polling and without reaping it:
/// its pidfd turns readable then (Linux 5.3+).
#[derive(Clone)]
pub struct ExitWatch(std::sync::Arc<tokio::io::unix::AsyncFd<OwnedFd>>);

impl ExitWatch {
    /// A watch on the process that has `pid` now (see [`PidFd::open`] for
    /// when that is the process meant). None outside a tokio runtime or on
    /// kernels without pidfds: the caller polls.
    pub fn open(pid: u32) -> Option<ExitWatch> {
        tokio::runtime::Handle::try_current().ok()?;
        let handle = PidFd::open(pid)?;
        // SAFETY: the AsyncFd owns this OwnedFd, which stays open (and the
        // same descriptor) until the AsyncFd drops it.
        unsafe {
            tokio::io::unix::AsyncFd::register_with_interest(
                handle.fd,
                tokio::io::Interest::READABLE,
            )
        }
        .ok()
        .map(|fd| ExitWatch(std::sync::Arc::new(fd)))
    }

    /// Returns true once the process has exited; false if that cannot be
    /// told (the caller falls back to polling).
    pub async fn exited(&self) -> bool {
        self.0.readable().await.is_ok()
    }
}

impl std::fmt::Debug for ExitWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExitWatch")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn an_exit_is_seen_without_reaping() {
        let mut child = std::process::Command::new("sleep")
            .arg("0.3")
            .spawn()
            .unwrap();
        let watch = ExitWatch::open(child.id()).expect("pidfds work here");
        assert!(
            tokio::time::timeout(Duration::from_millis(100), watch.exited())
                .await
                .is_err(),
            "said exited while it runs"
        );
        let seen = tokio::time::timeout(Duration::from_secs(5), watch.exited()).await;
        assert_eq!(seen, Ok(true));
        // Still ours to reap, with its status.
        assert!(child.try_wait().unwrap().is_some_and(|s| s.success()));
        // And it stays said.
        assert!(watch.exited().await);
    }
}
