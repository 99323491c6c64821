//! A bounded buffer of a process's output lines, with live subscribers.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::broadcast;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Increases by one per line over the process's life, so a reader can ask
    /// for what came after the last line it saw and notice what it missed.
    pub seq: u64,
    pub stream: Stream,
    pub text: String,
}

/// Keeps the newest `capacity` lines; older ones are dropped.
pub struct LogBuffer {
    state: Mutex<State>,
    capacity: usize,
    live: broadcast::Sender<LogLine>,
}

struct State {
    lines: VecDeque<LogLine>,
    next_seq: u64,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> LogBuffer {
        let capacity = capacity.max(1);
        LogBuffer {
            state: Mutex::new(State {
                lines: VecDeque::with_capacity(capacity.min(4096)),
                next_seq: 0,
            }),
            capacity,
            // A slow subscriber lags (and is told so) instead of growing memory.
            live: broadcast::channel(capacity.min(4096)).0,
        }
    }

    pub fn push(&self, stream: Stream, text: String) {
        let line = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let line = LogLine {
                seq: state.next_seq,
                stream,
                text,
            };
            state.next_seq += 1;
            if state.lines.len() == self.capacity {
                state.lines.pop_front();
            }
            state.lines.push_back(line.clone());
            line
        };
        // No subscribers is fine.
        let _ = self.live.send(line);
    }

    /// Forgets the kept lines (numbering goes on, so readers are not confused).
    pub fn clear(&self) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .lines
            .clear();
    }

    /// The kept lines with `seq >= since`.
    pub fn since(&self, since: u64) -> Vec<LogLine> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .lines
            .iter()
            .filter(|l| l.seq >= since)
            .cloned()
            .collect()
    }

    /// Lines pushed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LogLine> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_newest_lines() {
        let buf = LogBuffer::new(3);
        for i in 0..10 {
            buf.push(Stream::Stdout, format!("line {i}"));
        }
        let kept = buf.since(0);
        assert_eq!(
            kept.iter().map(|l| l.seq).collect::<Vec<_>>(),
            vec![7, 8, 9]
        );
        assert_eq!(kept[2].text, "line 9");
        assert_eq!(buf.since(9).len(), 1);
    }
}
