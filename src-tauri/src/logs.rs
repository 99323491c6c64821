//! Log views read a [`LogBuffer`] by pulling (`read`); `LogStreams` keeps
//! the one live Channel stream per view slot of the pages that still push
//! (system samples, agent tokens).

use ai_desktop_api::logs::{LogFrame, LogLine};
use ai_desktop_core::procs::LogBuffer;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One live stream per view slot (e.g. "vscode"): a new one replaces the old.
#[derive(Default)]
pub struct LogStreams {
    running: Mutex<HashMap<String, tauri::async_runtime::JoinHandle<()>>>,
}

impl LogStreams {
    /// Ends the slot's stream and, if given, runs `task` in its place.
    pub fn replace_with<F>(&self, slot: &str, task: Option<F>)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = running.remove(slot) {
            old.abort();
        }
        if let Some(task) = task {
            running.insert(slot.to_string(), tauri::async_runtime::spawn(task));
        }
    }
}

/// Lines one read takes at most (the view keeps 2,000; under a flood the
/// newest are taken and the rest counted as skipped).
const READ_LINES: usize = 1000;
/// How long a read waits for a line before answering with none (the view
/// asks again; a view that is gone leaves no read waiting for long).
pub(crate) const READ_WAIT: Duration = Duration::from_secs(20);

/// One read of a log view: the lines after `from` (None: all kept), waiting
/// for one if there is none yet. Log views pull instead of having lines
/// pushed over a Channel: every pushed frame is a script evaluation in the
/// page, and under a flood WebKit kept the memory of all of them.
pub async fn read(buffer: Option<Arc<LogBuffer>>, from: Option<u64>) -> LogFrame {
    let Some(buffer) = buffer else {
        // Nothing runs (yet): an empty answer a little later.
        tokio::time::sleep(Duration::from_secs(2)).await;
        return LogFrame::default();
    };
    let read = buffer.read(from, READ_LINES, READ_WAIT).await;
    LogFrame {
        lines: read.lines.into_iter().map(to_api).collect(),
        skipped: read.skipped,
        next: read.next,
    }
}

fn to_api(line: ai_desktop_core::procs::LogLine) -> LogLine {
    LogLine {
        seq: line.seq,
        stderr: line.stream == ai_desktop_core::procs::Stream::Stderr,
        text: line.text,
    }
}

/// What one character costs in a JSON string: escapes take 2 or 6 bytes.
pub fn json_char_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// The size of `s` once JSON-escaped (without the quotes): what counts
/// against Tauri's 8 kB channel fast path.
pub fn json_len(s: &str) -> usize {
    s.chars().map(json_char_len).sum()
}
