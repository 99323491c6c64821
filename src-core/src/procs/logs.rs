//! A bounded buffer of a process's output lines, which readers wait on (`read`).

use crate::util::lock;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

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
    /// When it was written (ms since the epoch): the stamp the writer put
    /// before it where there is one (PM2's), else when it was read.
    pub at_ms: i64,
}

/// Keeps the newest `capacity` lines; older ones are dropped.
pub struct LogBuffer {
    state: Mutex<State>,
    capacity: usize,
    /// The next line's number, for readers waiting for new lines.
    pushed: watch::Sender<u64>,
}

struct State {
    lines: VecDeque<LogLine>,
    next_seq: u64,
    /// Lines before this were cleared on purpose (not missed by a reader).
    cleared_before: u64,
}

/// What a reader gets: lines after the ones it saw, and how many it missed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LogRead {
    pub lines: Vec<LogLine>,
    /// Lines dropped before this reader got them (the buffer moved on, or
    /// more came at once than one read takes: the newest are kept).
    pub skipped: u64,
    /// Where the next read goes on from.
    pub next: u64,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> LogBuffer {
        let capacity = capacity.max(1);
        LogBuffer {
            state: Mutex::new(State {
                lines: VecDeque::with_capacity(capacity.min(4096)),
                next_seq: 0,
                cleared_before: 0,
            }),
            capacity,
            pushed: watch::channel(0).0,
        }
    }

    pub fn push(&self, stream: Stream, text: String) {
        self.push_at(stream, text, now_ms());
    }

    /// A line written at `at_ms` (ms since the epoch).
    pub fn push_at(&self, stream: Stream, text: String, at_ms: i64) {
        let next = {
            let mut state = lock(&self.state);
            let seq = state.next_seq;
            state.next_seq += 1;
            if state.lines.len() == self.capacity {
                state.lines.pop_front();
            }
            state.lines.push_back(LogLine {
                seq,
                stream,
                text,
                at_ms,
            });
            state.next_seq
        };
        // Wakes readers waiting in `read`.
        self.pushed.send_replace(next);
    }

    /// Forgets the kept lines (numbering goes on, so readers are not confused).
    pub fn clear(&self) {
        let mut state = lock(&self.state);
        state.lines.clear();
        state.cleared_before = state.next_seq;
    }

    /// The lines from `from` on (None: everything kept), at most the newest
    /// `max`; waits up to `wait` for one when there is none yet.
    pub async fn read(&self, from: Option<u64>, max: usize, wait: Duration) -> LogRead {
        // Subscribed before looking, so a line pushed in between wakes us.
        let mut pushed = self.pushed.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let read = self.read_now(from, max);
            if !read.lines.is_empty() || read.skipped > 0 {
                return read;
            }
            match tokio::time::timeout_at(deadline, pushed.changed()).await {
                Ok(Ok(())) => {}
                _ => return read,
            }
        }
    }

    fn read_now(&self, from: Option<u64>, max: usize) -> LogRead {
        let state = lock(&self.state);
        let oldest = state.lines.front().map_or(state.next_seq, |l| l.seq);
        let from = from.unwrap_or(oldest).max(state.cleared_before);
        let mut skipped = oldest.saturating_sub(from);
        let available: Vec<&LogLine> = state.lines.iter().filter(|l| l.seq >= from).collect();
        let take = available.len().min(max.max(1));
        skipped += (available.len() - take) as u64;
        LogRead {
            lines: available[available.len() - take..]
                .iter()
                .map(|l| (*l).clone())
                .collect(),
            skipped,
            next: state.next_seq.max(from),
        }
    }

    /// The kept lines with `seq >= since`.
    pub fn since(&self, since: u64) -> Vec<LogLine> {
        let state = lock(&self.state);
        state
            .lines
            .iter()
            .filter(|l| l.seq >= since)
            .cloned()
            .collect()
    }
}

/// Now, in ms since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The date format PM2 is told to put before each line of a deployment's
/// log (dayjs: `2026-11-30T18:44:21.123+00:00: …`), and the app's own
/// lines in those files (the build step's) carry the same.
pub const PM2_DATE_FORMAT: &str = "YYYY-MM-DDTHH:mm:ss.SSSZ";

/// Now in [`PM2_DATE_FORMAT`], with the `: ` that ends the stamp.
pub fn stamp_now() -> String {
    let now = chrono::Utc::now();
    format!("{}: ", now.format("%Y-%m-%dT%H:%M:%S%.3f+00:00"))
}

/// A line's leading RFC 3339 stamp ended by `: ` (PM2's, see
/// [`PM2_DATE_FORMAT`]) or by a space (Docker's `timestamps`), or in
/// brackets (code-server's `[2026-11-30T18:56:24.621Z] info …`), as ms
/// since the epoch, and the line without it; `None` and the whole line when
/// it has none.
pub fn split_stamp(line: &str) -> (Option<i64>, &str) {
    if let Some(inner) = line.strip_prefix('[') {
        let Some(end) = inner.find(']').filter(|end| *end <= 40) else {
            return (None, line);
        };
        return match chrono::DateTime::parse_from_rfc3339(&inner[..end]) {
            Ok(t) => (
                Some(t.timestamp_millis()),
                inner[end + 1..].trim_start_matches(' '),
            ),
            Err(_) => (None, line),
        };
    }
    let bytes = line.as_bytes();
    // The shortest is `2026-11-30T18:44:21Z`; a stamp starts with a year.
    if bytes.len() < 20 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return (None, line);
    }
    let Some(end) = line.find(' ').filter(|end| *end <= 40) else {
        return (None, line);
    };
    let (stamp, rest) = match line[..end].strip_suffix(':') {
        Some(stamp) => (stamp, &line[end + 1..]),
        None => (&line[..end], &line[end + 1..]),
    };
    match chrono::DateTime::parse_from_rfc3339(stamp) {
        Ok(t) => (Some(t.timestamp_millis()), rest),
        Err(_) => (None, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_gets_what_came_after_and_counts_what_it_missed() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let buf = std::sync::Arc::new(LogBuffer::new(5));
        let wait = Duration::from_millis(50);
        // Nothing yet: an empty read after the wait, from 0.
        let r = rt.block_on(buf.read(None, 10, wait));
        assert_eq!((r.lines.len(), r.skipped, r.next), (0, 0, 0));
        for i in 0..3 {
            buf.push(Stream::Stdout, format!("a{i}"));
        }
        let r = rt.block_on(buf.read(None, 10, wait));
        assert_eq!(
            r.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["a0", "a1", "a2"]
        );
        assert_eq!((r.skipped, r.next), (0, 3));
        // 7 more into a buffer of 5: lines 3 and 4 are gone before the read.
        for i in 3..10 {
            buf.push(Stream::Stderr, format!("a{i}"));
        }
        let r = rt.block_on(buf.read(Some(3), 10, wait));
        assert_eq!(
            r.lines.iter().map(|l| l.seq).collect::<Vec<_>>(),
            [5, 6, 7, 8, 9]
        );
        assert_eq!((r.skipped, r.next), (2, 10));
        // More than one read takes: the newest, the rest counted.
        let r = rt.block_on(buf.read(Some(5), 2, wait));
        assert_eq!(r.lines.iter().map(|l| l.seq).collect::<Vec<_>>(), [8, 9]);
        assert_eq!(r.skipped, 3);
        // A waiting reader wakes for a line pushed meanwhile.
        let pusher = {
            let buf = buf.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                buf.push(Stream::Stdout, "late".into());
            })
        };
        let r = rt.block_on(buf.read(Some(10), 10, Duration::from_secs(10)));
        pusher.join().unwrap();
        assert_eq!(
            r.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["late"]
        );
        // Cleared lines are not "missed".
        buf.clear();
        let r = rt.block_on(buf.read(Some(3), 10, wait));
        assert_eq!((r.lines.len(), r.skipped, r.next), (0, 0, 11));
    }

    #[test]
    fn stamps_of_pm2_and_docker_are_read_off_the_line() {
        // PM2's (with the date format it is given) and the app's own.
        let (at, rest) = split_stamp("2026-11-30T18:44:21.123+00:00: listening on 3000");
        assert_eq!(at, Some(1_796_064_261_123));
        assert_eq!(rest, "listening on 3000");
        let own = format!("{}[build] $ npm ci", stamp_now());
        let (at, rest) = split_stamp(&own);
        assert!((at.unwrap() - now_ms()).abs() < 5_000, "{own}");
        assert_eq!(rest, "[build] $ npm ci");
        // Another offset is the same instant.
        assert_eq!(
            split_stamp("2026-11-30T19:44:21.123+01:00: x").0,
            Some(1_796_064_261_123)
        );
        // Docker's, nanoseconds and a space.
        let (at, rest) = split_stamp("2026-11-30T18:44:21.123456789Z Ready to accept connections");
        assert_eq!(at, Some(1_796_064_261_123));
        assert_eq!(rest, "Ready to accept connections");
        // code-server's, in brackets.
        let (at, rest) = split_stamp("[2026-11-30T18:44:21.123Z] info  HTTP server listening");
        assert_eq!(at, Some(1_796_064_261_123));
        assert_eq!(rest, "info  HTTP server listening");
        // Lines that only look like it keep their text.
        for line in [
            "2026-11-30 is a Monday: yes",
            "2026-13-45T99:00:00Z: no",
            "listening",
            "",
            "2026-11-30T18:44:21.123+00:00:no-space",
            "[error] not a date",
            "[2026-11-30T18:44:21.123Z",
        ] {
            assert_eq!(split_stamp(line), (None, line));
        }
    }

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
