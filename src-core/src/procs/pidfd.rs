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
