//! Terminal tabs: shells on pseudo-terminals.

use serde::{Deserialize, Serialize};

/// An open terminal tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalInfo {
    /// The app's number for it (unique while the app runs).
    pub id: u32,
    /// The repository's name, or "home".
    pub title: String,
    /// The folder the shell started in.
    pub cwd: String,
    /// The shell's process id (its session and process group too).
    pub pid: u32,
    /// Whether the shell still runs.
    pub running: bool,
    /// The shell's exit code once it has exited (None if killed by a signal).
    pub exit_code: Option<i32>,
}

/// Output of a terminal (`terminals_read`'s reply). `data` is text to write
/// to the emulator; the view reads again once it is written (the shell is
/// paused while too much waits unread).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalFrame {
    /// Output to write to the emulator, as text.
    pub data: String,
    /// Another view took over, or this one was detached: stop reading.
    #[serde(default)]
    pub detached: bool,
    /// Set once, when the shell has exited.
    pub exited: bool,
    /// The shell's exit code once it has exited (None if killed by a signal).
    pub exit_code: Option<i32>,
}

crate::command! {
    /// The user's shell in the repository's folder (or home)
    Open = "terminals_open" { repository_id: Option<i64>, cols: u16, rows: u16 } -> TerminalInfo;
    /// The open terminals.
    List = "terminals_list" {} -> Vec<TerminalInfo>;
    /// Makes the caller the terminal's reader and returns its view number; one view per
    /// terminal (a new attach replaces the old, whose reads end `detached`)
    Attach = "terminals_attach" { id: u32 } -> u64;
    /// Waits for output and returns what waits (the kept output first), up to `max` bytes;
    /// reading is the acknowledgement (flow control)
    Read = "terminals_read" { id: u32, view: u64, max: usize } -> TerminalFrame;
    /// Keys typed, text pasted
    Write = "terminals_write" { id: u32, data: String } -> ();
    /// Tells the shell the terminal's new size.
    Resize = "terminals_resize" { id: u32, cols: u16, rows: u16 } -> ();
    /// The view went away; output goes on into the backlog (a view that was already replaced
    /// changes nothing)
    Detach = "terminals_detach" { id: u32, view: u64 } -> ();
    /// Ends the shell's process group
    Close = "terminals_close" { id: u32 } -> ();
}
