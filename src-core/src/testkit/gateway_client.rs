//! An outside MCP client of the gateway (rmcp over streamable HTTP with
//! the bearer token), for tests that are not async themselves: each call
//! runs on a thread of its own, so the test can answer the approval the
//! call waits for meanwhile.

use rmcp::model::CallToolRequestParams;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;
use serde_json::Value;
use std::thread::JoinHandle;

/// What a call answered: `(is_error, its text)`, or why it failed.
pub type Answer = Result<(bool, String), String>;

/// Connects, calls `tool` with `arguments` (an object) and disconnects,
/// on a new thread.
pub fn call_in_thread(url: &str, token: &str, tool: &str, arguments: Value) -> JoinHandle<Answer> {
    let (url, token, tool) = (url.to_string(), token.to_string(), tool.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async move {
            let transport = StreamableHttpClientTransport::from_config(
                StreamableHttpClientTransportConfig::with_uri(url).auth_header(token),
            );
            let client = ().serve(transport).await.map_err(|e| e.to_string())?;
            let mut params = CallToolRequestParams::new(tool);
            if let Value::Object(map) = arguments {
                params = params.with_arguments(map);
            }
            let result = client.call_tool(params).await.map_err(|e| e.to_string());
            let _ = client.cancel().await;
            let result = result?;
            let text = result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("\n");
            Ok((result.is_error.unwrap_or(false), text))
        })
    })
}
