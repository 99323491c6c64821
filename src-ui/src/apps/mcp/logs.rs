//! The Logs tab: the server's stderr (and stdout that is not JSON-RPC).

use super::*;

#[component]
pub(super) fn LogsTab(id: i64) -> impl IntoView {
    view! {
        <LogPanel title="Output".to_string() logs=LogFollower::of(mcp::Logs { id, from: None }) test_id="mcp-logs"
            empty="No output yet. A server's stderr (and any stdout that is not JSON-RPC) shows here."/>
    }
}
