//! Process output as the log views receive it (code-server, MCP servers …).

use serde::{Deserialize, Serialize};

/// One line of a process's output, as the log view receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Its place in the process's output (increasing; a read resumes after it).
    pub seq: u64,
    /// Written to stderr (shown in the error colour).
    pub stderr: bool,
    /// The line, without its newline.
    pub text: String,
}

/// A batch of log lines (one read of a `*_logs` command).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFrame {
    /// The lines since the last read, oldest first.
    pub lines: Vec<LogLine>,
    /// Lines that were dropped before this frame because the reader fell
    /// behind the buffer (the view shows a marker).
    pub skipped: u64,
    /// Where the next read goes on from (`from`).
    #[serde(default)]
    pub next: u64,
}

/// A command that reads a log: the lines after `from` (None: the kept tail),
/// answering with a [`LogFrame`] whose `next` is the next read's `from`.
pub trait LogRead: crate::commands::Command<Output = LogFrame> + Clone {
    /// Where the next read starts.
    fn set_from(&mut self, from: Option<u64>);
}

macro_rules! log_reads {
    ($($t:ty),*) => {$(
        impl LogRead for $t {
            fn set_from(&mut self, from: Option<u64>) {
                self.from = from;
            }
        }
    )*};
}
log_reads!(
    crate::vscode::Logs,
    crate::mcp::Logs,
    crate::deployments::Logs,
    crate::services::Logs
);
