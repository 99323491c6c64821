//! The raw protocol view: every JSON-RPC message between the app and a
//! server, both ways, as it crossed the transport (stdio or HTTP), kept per
//! server in a small ring. Secrets the app holds (env and header values, URL
//! keys) are blanked; a long message is cut.

use crate::util::lock;
use ai_desktop_api::mcp::McpWireMessage;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::RoleClient;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Messages kept per server.
pub const KEEP: usize = 500;
/// Longest message text kept.
const MAX_TEXT: usize = 32 * 1024;

#[derive(Default)]
pub struct WireLog {
    inner: Mutex<(u64, VecDeque<McpWireMessage>)>,
}

impl WireLog {
    fn push(&self, sent: bool, message: &impl serde::Serialize) {
        let text = serde_json::to_string(message).unwrap_or_default();
        let text = crate::logging::redact(&text);
        let truncated = text.len() > MAX_TEXT;
        let text = if truncated {
            let mut cut = MAX_TEXT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_string()
        } else {
            text
        };
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        let mut inner = lock(&self.inner);
        inner.0 += 1;
        let seq = inner.0;
        inner.1.push_back(McpWireMessage {
            seq,
            sent,
            at_ms,
            text,
            truncated,
        });
        while inner.1.len() > KEEP {
            inner.1.pop_front();
        }
    }

    /// The messages after `since` (0: all kept), oldest first.
    pub fn since(&self, since: u64) -> Vec<McpWireMessage> {
        lock(&self.inner)
            .1
            .iter()
            .filter(|m| m.seq > since)
            .cloned()
            .collect()
    }
}

/// A transport that writes what crosses it into a [`WireLog`].
pub struct Recorded<T> {
    pub inner: T,
    pub log: Arc<WireLog>,
}

impl<T: Transport<RoleClient>> Transport<RoleClient> for Recorded<T> {
    type Error = T::Error;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.log.push(true, &item);
        self.inner.send(item)
    }

    fn receive(
        &mut self,
    ) -> impl std::future::Future<Output = Option<RxJsonRpcMessage<RoleClient>>> + Send {
        let log = self.log.clone();
        let next = self.inner.receive();
        async move {
            let message = next.await;
            if let Some(m) = &message {
                log.push(false, m);
            }
            message
        }
    }

    fn close(&mut self) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}
