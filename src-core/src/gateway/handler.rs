//! The MCP server a gateway client talks to: its tools are the gateway's
//! catalog, its calls go through [`Gateway::call`].

use super::{Caller, Gateway, Outcome};
use ai_desktop_api::mcp::McpContent;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Value};
use std::sync::Arc;

#[derive(Clone)]
pub(super) struct Handler {
    gateway: Arc<Gateway>,
}

impl Handler {
    pub(super) fn new(gateway: Arc<Gateway>) -> Handler {
        Handler { gateway }
    }
}

/// Whose token the request carried (the listener put it there).
fn caller(context: &RequestContext<RoleServer>) -> Caller {
    context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<Caller>().copied())
        .unwrap_or(Caller::Client)
}

/// The client's name as it introduced itself (`initialize`, or the
/// per-request metadata of stateless protocol versions).
fn client_name(context: &RequestContext<RoleServer>) -> String {
    if let Some(info) = context.peer.peer_info() {
        return info.client_info.name.clone();
    }
    serde_json::to_value(&context.meta)
        .ok()
        .and_then(|m| {
            m.get("io.modelcontextprotocol/clientInfo")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "an unnamed client".into())
        .chars()
        .take(100)
        .collect()
}

/// A piece of a result as MCP sends it.
pub(super) fn to_wire(content: &McpContent) -> Value {
    match content {
        McpContent::Text { text } => json!({"type": "text", "text": text}),
        McpContent::Image { data, mime_type } => {
            json!({"type": "image", "data": data, "mimeType": mime_type})
        }
        McpContent::Audio { data, mime_type } => {
            json!({"type": "audio", "data": data, "mimeType": mime_type})
        }
        McpContent::Resource {
            uri,
            mime_type,
            text,
            blob,
        } => {
            let mut r = json!({"uri": uri});
            if let Some(m) = mime_type {
                r["mimeType"] = json!(m);
            }
            match (text, blob) {
                (_, Some(b)) => r["blob"] = json!(b),
                (t, None) => r["text"] = json!(t.clone().unwrap_or_default()),
            }
            json!({"type": "resource", "resource": r})
        }
        McpContent::ResourceLink {
            uri,
            name,
            description,
            mime_type,
        } => {
            let mut l = json!({"type": "resource_link", "uri": uri, "name": name});
            if let Some(d) = description {
                l["description"] = json!(d);
            }
            if let Some(m) = mime_type {
                l["mimeType"] = json!(m);
            }
            l
        }
        McpContent::Other { json } => json.clone(),
    }
}

fn result(outcome: Outcome) -> CallToolResult {
    let mut content: Vec<ContentBlock> = outcome
        .content
        .iter()
        .filter_map(|c| serde_json::from_value(to_wire(c)).ok())
        .collect();
    if let Some(why) = &outcome.error {
        content.push(ContentBlock::text(why.clone()));
    }
    let mut r = if outcome.is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    };
    r.structured_content = outcome.structured;
    r
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("ai-desktop", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "AI Desktop's workshop: the user's repositories, deployments (PM2), database \
             services (Docker) and editors (code-server), and the tools of the MCP servers \
             the user shares. Each call may wait for the user's approval in AI Desktop.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let settings = self
            .gateway
            .settings()
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let tools = self
            .gateway
            .catalog_for(&settings, caller(&context))
            .await
            .into_iter()
            .filter_map(|e| {
                let mut schema = e.schema;
                if !schema.is_object() {
                    schema = json!({"type": "object"});
                }
                let mut tool = json!({
                    "name": e.name,
                    "description": e.description,
                    "inputSchema": schema,
                });
                if e.read_only {
                    tool["annotations"] = json!({"readOnlyHint": true});
                }
                serde_json::from_value::<Tool>(tool).ok()
            })
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let client = client_name(&context);
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        match self
            .gateway
            .call(caller(&context), &client, &request.name, arguments)
            .await
        {
            Ok(outcome) => Ok(result(outcome).into()),
            Err(crate::error::Error::NotFound(why)) => Err(ErrorData::invalid_params(why, None)),
            Err(e) => Err(ErrorData::internal_error(e.to_string(), None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_content_becomes_a_content_block() {
        let pieces = [
            McpContent::Text { text: "hi".into() },
            McpContent::Image {
                data: "AAAA".into(),
                mime_type: "image/png".into(),
            },
            McpContent::Audio {
                data: "AAAA".into(),
                mime_type: "audio/wav".into(),
            },
            McpContent::Resource {
                uri: "file:///a".into(),
                mime_type: Some("text/plain".into()),
                text: Some("x".into()),
                blob: None,
            },
            McpContent::Resource {
                uri: "file:///b".into(),
                mime_type: None,
                text: None,
                blob: Some("AAAA".into()),
            },
            McpContent::ResourceLink {
                uri: "file:///c".into(),
                name: "c".into(),
                description: None,
                mime_type: None,
            },
        ];
        for p in &pieces {
            let wire = to_wire(p);
            assert!(
                serde_json::from_value::<ContentBlock>(wire.clone()).is_ok(),
                "{wire}"
            );
            // And back: what the Hub makes of it is what was sent.
            assert_eq!(&crate::mcp::session::content_from_wire(&wire), p);
        }
    }
}
