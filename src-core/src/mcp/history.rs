//! The hub's call history, written off the call's path: a call is answered
//! with its record (id and time given here) and the row goes to SQLite on a
//! writer thread, in batches when calls come fast. Anything that reads or
//! deletes history first waits for what is queued ([`History::flush`]), so
//! it always sees every call that was answered.
//!
//! The writer thread blocks on its queue when there is nothing to write (no
//! timer, no wake-up at rest) and ends with the hub.

use crate::error::Result;
use crate::store::{self, Store};
use ai_desktop_api::mcp::{McpCall, McpContent};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

enum Job {
    Record(McpCall),
    /// Answered once everything queued before it is written.
    Flush(mpsc::SyncSender<()>),
}

pub struct History {
    queue: mpsc::Sender<Job>,
    next_id: AtomicI64,
}

/// A call as the hub saw it; [`History::record`] numbers and dates it.
pub struct NewCall<'a> {
    pub server_id: i64,
    pub tool: &'a str,
    pub arguments: serde_json::Value,
    pub content: Vec<McpContent>,
    pub structured_content: Option<serde_json::Value>,
    pub is_error: bool,
    pub error: Option<String>,
    pub duration_ms: f64,
}

impl History {
    pub fn new(store: Arc<Store>) -> Result<History> {
        let next_id = store.with(|c| store::mcp::next_call_id(c))?;
        let (queue, jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("mcp-history".into())
            .spawn(move || write_loop(&store, &jobs))
            .map_err(|e| {
                crate::error::Error::failed("Could not start the MCP history writer.", e)
            })?;
        Ok(History {
            queue,
            next_id: AtomicI64::new(next_id),
        })
    }

    /// Numbers and dates the call, queues its row and returns the record.
    pub fn record(&self, call: NewCall<'_>) -> McpCall {
        let record = McpCall {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            server_id: call.server_id,
            tool: call.tool.to_string(),
            arguments: call.arguments,
            content: call.content,
            structured_content: call.structured_content,
            is_error: call.is_error,
            error: call.error,
            duration_ms: call.duration_ms,
            created_at: store::now_rfc3339_millis(),
        };
        if self.queue.send(Job::Record(record.clone())).is_err() {
            log::warn!(
                "mcp history: the writer has ended; call {} was not kept",
                record.id
            );
        }
        record
    }

    /// Returns once every call recorded before it is in the database.
    pub fn flush(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.queue.send(Job::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

fn write_loop(store: &Store, jobs: &mpsc::Receiver<Job>) {
    let mut batch = Vec::new();
    let mut waiting = Vec::new();
    while let Ok(first) = jobs.recv() {
        // Whatever else is queued goes in the same transaction.
        for job in std::iter::once(first).chain(jobs.try_iter()) {
            match job {
                Job::Record(call) => batch.push(call),
                Job::Flush(done) => waiting.push(done),
            }
        }
        write(store, &batch);
        batch.clear();
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

fn write(store: &Store, batch: &[McpCall]) {
    if batch.is_empty() {
        return;
    }
    if store.with(|c| store::mcp::insert_calls(c, batch)).is_ok() {
        return;
    }
    // One bad row (its server deleted meanwhile) must not cost the others.
    for call in batch {
        if let Err(e) = store.with(|c| store::mcp::insert_calls(c, std::slice::from_ref(call))) {
            log::warn!(
                "mcp history: call {} of server {} was not kept: {}",
                call.id,
                call.server_id,
                e.with_detail_text()
            );
        }
    }
}
