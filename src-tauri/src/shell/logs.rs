//! Streams a [`LogBuffer`] to the UI over a `tauri::ipc::Channel`, batched:
//! one message per ~25 ms at most, each under 8 kB (Tauri's fast path), so
//! a process printing as fast as it can neither floods IPC nor the view.

use crate::procs::LogBuffer;
use ai_desktop_api::logs::{LogFrame, LogLine};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::ipc::Channel;
use tokio::sync::broadcast::error::RecvError;

/// Time lines are gathered before a frame is sent.
const BATCH_INTERVAL: Duration = Duration::from_millis(25);
/// A frame's JSON stays under Tauri's 8 kB fast-path limit.
const FRAME_BUDGET: usize = 7 * 1024;

/// One live stream per view slot (e.g. "vscode"): a new one replaces the old.
#[derive(Default)]
pub struct LogStreams {
    running: Mutex<HashMap<String, tauri::async_runtime::JoinHandle<()>>>,
}

impl LogStreams {
    pub fn replace(&self, slot: &str, buffer: Option<Arc<LogBuffer>>, channel: Channel<LogFrame>) {
        match buffer {
            Some(buffer) => self.replace_with(slot, Some(stream(buffer, channel))),
            None => {
                self.replace_with(slot, None::<std::future::Ready<()>>);
                let _ = channel.send(LogFrame::default());
            }
        }
    }

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

async fn stream(buffer: Arc<LogBuffer>, channel: Channel<LogFrame>) {
    // Subscribe before reading the history, so nothing falls in between.
    let mut live = buffer.subscribe();
    let history = buffer.since(0);
    let mut next_seq = history.last().map(|l| l.seq + 1).unwrap_or(0);
    if send_batched(&channel, history.into_iter().map(to_api), 0).is_err() {
        return;
    }
    if next_seq == 0 {
        let _ = channel.send(LogFrame::default());
    }
    loop {
        let mut skipped = 0;
        let mut lines = Vec::new();
        match live.recv().await {
            Ok(line) => lines.push(line),
            Err(RecvError::Lagged(n)) => skipped += n,
            Err(RecvError::Closed) => return,
        }
        tokio::time::sleep(BATCH_INTERVAL).await;
        loop {
            match live.try_recv() {
                Ok(line) => lines.push(line),
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => skipped += n,
                Err(_) => break,
            }
        }
        lines.retain(|l| l.seq >= next_seq);
        if let Some(last) = lines.last() {
            next_seq = last.seq + 1;
        }
        if send_batched(&channel, lines.into_iter().map(to_api), skipped).is_err() {
            return;
        }
    }
}

fn to_api(line: crate::procs::LogLine) -> LogLine {
    LogLine {
        seq: line.seq,
        stderr: line.stream == crate::procs::Stream::Stderr,
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

/// Sends `lines` as frames of at most [`FRAME_BUDGET`] bytes of text each.
fn send_batched(
    channel: &Channel<LogFrame>,
    lines: impl Iterator<Item = LogLine>,
    skipped: u64,
) -> tauri::Result<()> {
    let mut frame = LogFrame {
        lines: Vec::new(),
        skipped,
    };
    let mut size = 0;
    for mut line in lines {
        // One line longer than a frame is cut (the buffer keeps it whole).
        if json_len(&line.text) > FRAME_BUDGET - 64 {
            let mut cost = 0;
            let cut = line
                .text
                .char_indices()
                .find(|(_, c)| {
                    cost += json_char_len(*c);
                    cost > FRAME_BUDGET - 64
                })
                .map(|(i, _)| i)
                .unwrap_or(line.text.len());
            line.text.truncate(cut);
            line.text.push('…');
        }
        let cost = json_len(&line.text) + 48;
        if size + cost > FRAME_BUDGET && !frame.lines.is_empty() {
            channel.send(std::mem::take(&mut frame))?;
            size = 0;
        }
        size += cost;
        frame.lines.push(line);
    }
    if !frame.lines.is_empty() || frame.skipped > 0 {
        channel.send(frame)?;
    }
    Ok(())
}
