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

/// Output of a terminal (`terminal_attach`'s channel). `data` is text to
/// write to the emulator; the view acknowledges its length in bytes
/// (`terminal_ack`) once written, or the shell is paused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalFrame {
    pub data: String,
    /// Set once, when the shell has exited.
    pub exited: bool,
    pub exit_code: Option<i32>,
}
