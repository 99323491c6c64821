//! Telling a process apart from a later one with the same pid.

use serde::{Deserialize, Serialize};

/// A pid plus the process's start time in clock ticks since boot (field 22 of
/// `/proc/PID/stat`). Pids are reused; the pair is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessIdentity {
    pub pid: u32,
    pub start_time: u64,
}

impl ProcessIdentity {
    /// The identity of the process that has `pid` now, if any.
    pub fn of(pid: u32) -> Option<ProcessIdentity> {
        let (_, start_time) = read_stat(pid)?;
        Some(ProcessIdentity { pid, start_time })
    }

    /// Whether this very process still runs (a zombie counts as gone).
    pub fn is_alive(&self) -> bool {
        read_stat(self.pid).is_some_and(|(state, start)| state != 'Z' && start == self.start_time)
    }
}

impl From<ProcessIdentity> for crate::store::procs::RecordedPid {
    fn from(p: ProcessIdentity) -> Self {
        crate::store::procs::RecordedPid {
            pid: p.pid,
            start_time: p.start_time,
        }
    }
}

impl From<crate::store::procs::RecordedPid> for ProcessIdentity {
    fn from(p: crate::store::procs::RecordedPid) -> Self {
        ProcessIdentity {
            pid: p.pid,
            start_time: p.start_time,
        }
    }
}

/// The process group of `pid` (field 5 of `/proc/PID/stat`), if it runs.
pub fn process_group(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name: state ppid pgrp …
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()
}

fn read_stat(pid: u32) -> Option<(char, u64)> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// State (field 3) and start time (field 22) from `/proc/PID/stat`. The
/// command name (field 2) may contain spaces and parentheses, so fields are
/// counted after its last `)`.
fn parse_stat(stat: &str) -> Option<(char, u64)> {
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    // Field 22 is the 19th after the state.
    let start_time = fields.nth(18)?.parse().ok()?;
    Some((state, start_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_start_time_past_a_hostile_command_name() {
        let stat =
            "42 (evil) 1 2 3 (x) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(parse_stat(stat), Some(('S', 987654)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn this_process_is_alive_and_a_wrong_start_time_is_not() {
        let me = ProcessIdentity::of(std::process::id()).unwrap();
        assert!(me.is_alive());
        let impostor = ProcessIdentity {
            start_time: me.start_time + 1,
            ..me
        };
        assert!(!impostor.is_alive());
    }
}
