//! Terminal tabs: shells on pseudo-terminals.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalInfo {
    pub id: u32,
    /// The repository's name, or "home".
    pub title: String,
    pub cwd: String,
    pub pid: u32,
    pub running: bool,
    /// The shell's exit code once it has exited (None if killed by a signal).
    pub exit_code: Option<i32>,
}

/// Output of a terminal (`terminal_read`'s reply). `data` is text to write
/// to the emulator; the view reads again once it is written (the shell is
/// paused while too much waits unread).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalFrame {
    pub data: String,
    /// Another view took over, or this one was detached: stop reading.
    #[serde(default)]
    pub detached: bool,
    /// Set once, when the shell has exited.
    pub exited: bool,
    pub exit_code: Option<i32>,
}
