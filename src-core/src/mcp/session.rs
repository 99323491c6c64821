//! One live MCP connection through rmcp: the handshake, and the requests the
//! hub makes (tools, resources, prompts, calls).
//!
//! For a stdio server the app owns the process (spawned by `procs` with
//! [`crate::procs::Output::Protocol`]); its stdout goes through a line filter
//! before rmcp sees it, so that anything that is not JSON-RPC (a banner, a
//! stray `console.log`) lands in the server's log instead of breaking or
//! silently stalling the protocol.

use crate::error::{Error, Result};
use crate::procs::{LogBuffer, Stream};
use crate::util::lock;
use ai_desktop_api::mcp::{
    McpCapabilities, McpContent, McpElicitAction, McpPrompt, McpPromptArgument, McpResource,
    McpServerInfo, McpTool,
};
#[allow(deprecated)]
use rmcp::model::LoggingMessageNotificationParam;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationCapability, FormElicitationCapability,
    Implementation, ReadResourceRequestParams, Tool,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};

/// Longest non-protocol line kept in the log.
const MAX_LOG_LINE: usize = 16 * 1024;
/// Longest protocol message taken from a stdio server (a tool result with a
/// large image is a few MB); a longer one ends the connection.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// Who the server's questions go to (see [`super::elicit`]).
pub struct Asker {
    pub registry: Arc<super::elicit::Elicitations>,
    pub server_id: i64,
    pub server_name: String,
    /// Where a watched resource's change is told.
    pub events: Arc<dyn crate::events::EventSink>,
}

/// Receives what the server sends on its own: log messages, list changes,
/// questions for the user.
pub struct HubClient {
    info: ClientConfig,
    logs: Arc<LogBuffer>,
    /// Bumped when the server says its tool list changed.
    tools_generation: Arc<AtomicU64>,
    asker: Option<Arc<Asker>>,
}

impl ClientHandler for HubClient {
    fn get_info(&self) -> ClientConfig {
        self.info.clone()
    }

    /// A form question goes to the user; a URL question (which would send
    /// the user to a web page) is declined.
    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: rmcp::service::RequestContext<RoleClient>,
    ) -> std::result::Result<ElicitResult, rmcp::ErrorData> {
        let (
            ElicitRequestParams::FormElicitationParams {
                message,
                requested_schema,
                ..
            },
            Some(asker),
        ) = (request, self.asker.as_ref())
        else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        let schema = serde_json::to_value(&requested_schema).unwrap_or(Value::Null);
        let answer = asker
            .registry
            .ask(asker.server_id, &asker.server_name, &message, schema)
            .await;
        let action = match answer.action {
            McpElicitAction::Accept => ElicitationAction::Accept,
            McpElicitAction::Decline => ElicitationAction::Decline,
            McpElicitAction::Cancel => ElicitationAction::Cancel,
        };
        let mut result = ElicitResult::new(action);
        if let Some(content) = answer.content {
            result = result.with_content(Value::Object(content));
        }
        Ok(result)
    }

    // Logging is deprecated by SEP-2577, but servers in use today still send
    // it (server-everything does); their messages belong in the log view.
    #[allow(deprecated)]
    fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) -> impl std::future::Future<Output = ()> + Send + '_ {
        let data = match &params.data {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let level = serde_json::to_value(params.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let text = match &params.logger {
            Some(logger) => format!("[{level}] {logger}: {data}"),
            None => format!("[{level}] {data}"),
        };
        self.logs.push(Stream::Stderr, text);
        std::future::ready(())
    }

    fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) -> impl std::future::Future<Output = ()> + Send + '_ {
        if let Some(asker) = &self.asker {
            asker
                .events
                .emit(crate::events::DomainEvent::McpResourceUpdated(
                    ai_desktop_api::mcp::McpResourceUpdated {
                        server_id: asker.server_id,
                        uri: params.uri.chars().take(4096).collect(),
                    },
                ));
        }
        std::future::ready(())
    }

    fn on_tool_list_changed(
        &self,
        _context: NotificationContext<RoleClient>,
    ) -> impl std::future::Future<Output = ()> + Send + '_ {
        self.tools_generation.fetch_add(1, Ordering::AcqRel);
        std::future::ready(())
    }
}

/// Counts what the stdout filter kept out of the protocol.
#[derive(Default)]
pub struct Noise {
    lines: AtomicU64,
    first: Mutex<Option<String>>,
}

impl Noise {
    /// "printed 3 lines that are not JSON-RPC on stdout (the first: …)".
    pub fn describe(&self) -> Option<String> {
        let n = self.lines.load(Ordering::Acquire);
        if n == 0 {
            return None;
        }
        let first = lock(&self.first).clone().unwrap_or_default();
        Some(format!(
            "It printed {n} line{} that {} not JSON-RPC on stdout (the first: \"{first}\"); an MCP \
             server must write only protocol messages there and its logs to stderr.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" },
        ))
    }
}

pub struct McpSession {
    service: RunningService<RoleClient, HubClient>,
    tools_generation: Arc<AtomicU64>,
    /// The tool list with the generation it was read at.
    tools: tokio::sync::Mutex<Option<(u64, Arc<Vec<Tool>>)>>,
    /// Compiled input schemas of the current tool list, by tool name.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
    pub info: McpServerInfo,
    pub capabilities: McpCapabilities,
    /// See [`Self::take_challenge`].
    challenge: Mutex<Option<String>>,
}

fn client_info(asks: bool) -> ClientConfig {
    let mut capabilities = ClientCapabilities::default();
    if asks {
        // Forms only: the answer is checked against the schema before it goes.
        capabilities.elicitation = Some(
            ElicitationCapability::new()
                .with_form(FormElicitationCapability::new().with_schema_validation(true)),
        );
    }
    ClientConfig::new(
        capabilities,
        Implementation::new("ai-desktop", env!("CARGO_PKG_VERSION")).with_title("AI Desktop"),
    )
}

/// The pieces a connection is made from.
pub struct Transport {
    pub kind: TransportKind,
    pub logs: Arc<LogBuffer>,
    /// Where the server's questions for the user go (none: it cannot ask).
    pub asker: Option<Asker>,
    /// Where every message, both ways, is recorded.
    pub wire: Arc<super::wire::WireLog>,
}

pub enum TransportKind {
    Stdio {
        stdout: tokio::process::ChildStdout,
        stdin: tokio::process::ChildStdin,
        noise: Arc<Noise>,
    },
    Http {
        url: String,
        headers: Vec<(String, String)>,
        /// OAuth tokens to send (and refresh), if the server needs them.
        auth: Option<Box<rmcp::transport::auth::AuthorizationManager>>,
    },
}

/// Why a handshake did not complete.
pub enum ConnectError {
    TimedOut,
    Failed(String),
    /// The server wants the user signed in (HTTP 401), with its
    /// `WWW-Authenticate` challenge.
    AuthRequired(String),
}

/// The `WWW-Authenticate` challenge of a handshake the server refused with
/// 401 (or 403 for want of a scope).
fn auth_challenge(e: &rmcp::service::ClientInitializeError) -> Option<String> {
    use rmcp::transport::streamable_http_client::StreamableHttpError as H;
    let rmcp::service::ClientInitializeError::TransportError { error, .. } = e else {
        return None;
    };
    match error.error.downcast_ref::<H<reqwest::Error>>()? {
        H::AuthRequired(a) => Some(a.www_authenticate_header.clone()),
        H::InsufficientScope(a) => Some(a.www_authenticate_header.clone()),
        _ => None,
    }
}

/// Runs the MCP initialize handshake over `transport`, for at most `timeout`.
pub async fn connect(
    transport: Transport,
    timeout: Duration,
) -> std::result::Result<McpSession, ConnectError> {
    let tools_generation = Arc::new(AtomicU64::new(0));
    let client = HubClient {
        info: client_info(transport.asker.is_some()),
        logs: transport.logs.clone(),
        tools_generation: tools_generation.clone(),
        asker: transport.asker.map(Arc::new),
    };
    let serving = async {
        match transport.kind {
            TransportKind::Stdio {
                stdout,
                stdin,
                noise,
            } => {
                let reader = filter_stdout(stdout, transport.logs.clone(), noise);
                let rw = rmcp::transport::async_rw::AsyncRwTransport::new_client(reader, stdin);
                client
                    .serve(super::wire::Recorded {
                        inner: rw,
                        log: transport.wire.clone(),
                    })
                    .await
                    .map_err(|e| ConnectError::Failed(e.to_string()))
            }
            TransportKind::Http { url, headers, auth } => {
                use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
                use rmcp::transport::{AuthClient, StreamableHttpClientTransport};
                let mut custom = HashMap::new();
                for (name, value) in headers {
                    let name = http::HeaderName::from_bytes(name.as_bytes())
                        .map_err(|e| ConnectError::Failed(format!("header {name}: {e}")))?;
                    let value = http::HeaderValue::from_str(&value)
                        .map_err(|e| ConnectError::Failed(format!("header {name}: {e}")))?;
                    custom.insert(name, value);
                }
                let config =
                    StreamableHttpClientTransportConfig::with_uri(url).custom_headers(custom);
                let served = match auth {
                    Some(manager) => {
                        let signed = AuthClient::new(reqwest::Client::default(), *manager);
                        client
                            .serve(super::wire::Recorded {
                                inner: StreamableHttpClientTransport::with_client(signed, config),
                                log: transport.wire.clone(),
                            })
                            .await
                    }
                    None => {
                        client
                            .serve(super::wire::Recorded {
                                inner: StreamableHttpClientTransport::from_config(config),
                                log: transport.wire.clone(),
                            })
                            .await
                    }
                };
                served.map_err(|e| match auth_challenge(&e) {
                    Some(challenge) => ConnectError::AuthRequired(challenge),
                    None => ConnectError::Failed(e.to_string()),
                })
            }
        }
    };
    let service = match tokio::time::timeout(timeout, serving).await {
        Err(_) => return Err(ConnectError::TimedOut),
        Ok(result) => result?,
    };
    let (info, capabilities) = match service.peer_info() {
        Some(peer) => {
            let server = peer
                .server_info
                .clone()
                .unwrap_or_else(|| Implementation::new("", ""));
            (
                McpServerInfo {
                    name: server.name,
                    version: server.version,
                    title: server.title,
                    protocol_version: peer.protocol_version.to_string(),
                    instructions: peer.instructions.clone(),
                },
                McpCapabilities {
                    tools: peer.capabilities.tools.is_some(),
                    resources: peer.capabilities.resources.is_some(),
                    prompts: peer.capabilities.prompts.is_some(),
                    logging: peer.capabilities.logging.is_some(),
                },
            )
        }
        None => Default::default(),
    };
    Ok(McpSession {
        service,
        tools_generation,
        tools: tokio::sync::Mutex::new(None),
        validators: Mutex::new(HashMap::new()),
        info,
        capabilities,
        challenge: Mutex::new(None),
    })
}

/// Passes JSON lines of `stdout` on to the protocol; every other line goes
/// to the log and is counted.
fn filter_stdout(
    stdout: tokio::process::ChildStdout,
    logs: Arc<LogBuffer>,
    noise: Arc<Noise>,
) -> tokio::io::DuplexStream {
    let (theirs, mut ours) = tokio::io::duplex(256 * 1024);
    tokio::spawn(async move {
        let mut reader = BufReader::new(stdout);
        let mut line = Vec::new();
        loop {
            let cut =
                match crate::procs::read_line_capped(&mut reader, &mut line, MAX_MESSAGE).await {
                    Ok(Some(cut)) => cut,
                    Ok(None) | Err(_) => break,
                };
            let start = line.iter().position(|b| !b.is_ascii_whitespace());
            match start.map(|i| line[i]) {
                None => continue,
                Some(b'{') | Some(b'[') if cut => {
                    // Half a message cannot be answered; waiting for the
                    // rest would hold the call until its timeout.
                    logs.push(
                        Stream::Stderr,
                        format!(
                            "── the server sent a message over {} MB; the connection was closed ──",
                            MAX_MESSAGE / (1024 * 1024)
                        ),
                    );
                    break;
                }
                Some(b'{') | Some(b'[') => {
                    line.push(b'\n');
                    if ours.write_all(&line).await.is_err() {
                        break;
                    }
                }
                Some(_) => {
                    if cut && crate::procs::skip_line(&mut reader).await.is_err() {
                        break;
                    }
                    let text = String::from_utf8_lossy(&line[..line.len().min(MAX_LOG_LINE)])
                        .trim_end()
                        .to_string();
                    noise.lines.fetch_add(1, Ordering::AcqRel);
                    {
                        let mut first = lock(&noise.first);
                        if first.is_none() {
                            *first = Some(text.chars().take(120).collect());
                        }
                    }
                    logs.push(Stream::Stdout, text);
                }
            }
        }
        let _ = ours.shutdown().await;
    });
    theirs
}

impl McpSession {
    /// A request that failed; a sign-in challenge it met is kept for
    /// [`Self::take_challenge`].
    fn failed(&self, what: &str, e: rmcp::ServiceError) -> Error {
        if let Some(challenge) = e.auth_challenge() {
            *lock(&self.challenge) = Some(challenge.to_string());
        }
        Error::failed(format!("The server did not answer {what}."), e)
    }

    /// The `WWW-Authenticate` challenge of the last request the server
    /// refused for want of a sign-in or a scope, once.
    pub fn take_challenge(&self) -> Option<String> {
        lock(&self.challenge).take()
    }

    pub fn is_closed(&self) -> bool {
        self.service.is_closed()
    }

    /// Ends the session (closes the transport); the process is the caller's.
    pub fn close(&self) {
        self.service.cancellation_token().cancel();
    }

    /// The server's tools, read again only when the server said they changed.
    pub async fn tools(&self) -> Result<Arc<Vec<Tool>>> {
        let generation = self.tools_generation.load(Ordering::Acquire);
        let mut cached = self.tools.lock().await;
        if let Some((seen, tools)) = cached.as_ref() {
            if *seen == generation {
                return Ok(tools.clone());
            }
        }
        let tools = Arc::new(
            self.service
                .peer()
                .list_all_tools()
                .await
                .map_err(|e| self.failed("the tool list request", e))?,
        );
        *cached = Some((generation, tools.clone()));
        lock(&self.validators).clear();
        Ok(tools)
    }

    /// The compiled input schema of `tool` (from the current list), compiled
    /// once per tool list.
    pub fn validator(&self, tool: &Tool) -> Result<Arc<jsonschema::Validator>> {
        let name = tool.name.to_string();
        if let Some(v) = lock(&self.validators).get(&name) {
            return Ok(v.clone());
        }
        let schema = Value::Object((*tool.input_schema).clone());
        let compiled = Arc::new(super::schema::compile(&name, &schema)?);
        lock(&self.validators).insert(name, compiled.clone());
        Ok(compiled)
    }

    /// Forgets the cached tool list (a caller found a tool missing).
    pub async fn forget_tools(&self) {
        *self.tools.lock().await = None;
    }

    pub async fn resources(&self) -> Result<Vec<McpResource>> {
        let list = self
            .service
            .peer()
            .list_all_resources()
            .await
            .map_err(|e| self.failed("the resource list request", e))?;
        Ok(list
            .into_iter()
            .map(|r| McpResource {
                uri: r.uri.clone(),
                name: r.name.clone(),
                description: r.description.clone(),
                mime_type: r.mime_type.clone(),
            })
            .collect())
    }

    pub async fn resource_templates(
        &self,
    ) -> Result<Vec<ai_desktop_api::mcp::McpResourceTemplate>> {
        let list = self
            .service
            .peer()
            .list_all_resource_templates()
            .await
            .map_err(|e| self.failed("the resource template list request", e))?;
        Ok(list
            .into_iter()
            .map(|t| ai_desktop_api::mcp::McpResourceTemplate {
                parameters: super::template::parameters(&t.uri_template),
                uri_template: t.uri_template.clone(),
                name: t.name.clone(),
                title: t.title.clone(),
                description: t.description.clone(),
                mime_type: t.mime_type.clone(),
            })
            .collect())
    }

    /// Sends `method` with `params` as the user typed them; the result as JSON.
    pub async fn send_raw(&self, method: &str, params: Option<Value>) -> Result<Value> {
        let mut wire = serde_json::json!({ "method": method });
        if let Some(p) = params {
            wire["params"] = p;
        }
        let request: rmcp::model::ClientRequest = serde_json::from_value(wire).map_err(|e| {
            Error::InvalidInput(format!("That is not a valid {method} request: {e}"))
        })?;
        let result = self
            .service
            .peer()
            .send_request(request)
            .await
            .map_err(|e| self.failed("the request", e))?;
        Ok(serde_json::to_value(result).unwrap_or(Value::Null))
    }

    /// Asks the server to tell when resource `uri` changes (or to stop).
    #[allow(deprecated)] // resources/subscribe: what servers speak today
    pub async fn subscribe(&self, uri: &str, on: bool) -> Result<()> {
        let peer = self.service.peer();
        let r = if on {
            peer.subscribe(rmcp::model::SubscribeRequestParams::new(uri))
                .await
        } else {
            peer.unsubscribe(rmcp::model::UnsubscribeRequestParams::new(uri))
                .await
        };
        r.map_err(|e| self.failed("the subscription request", e))
    }

    pub async fn read_resource(&self, uri: &str) -> Result<Vec<McpContent>> {
        let result = self
            .service
            .peer()
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .map_err(|e| self.failed("the resource read", e))?;
        let value = serde_json::to_value(&result.contents).unwrap_or(Value::Null);
        Ok(value
            .as_array()
            .map(|items| items.iter().map(resource_contents).collect())
            .unwrap_or_default())
    }

    pub async fn prompts(&self) -> Result<Vec<McpPrompt>> {
        let list = self
            .service
            .peer()
            .list_all_prompts()
            .await
            .map_err(|e| self.failed("the prompt list request", e))?;
        Ok(list
            .into_iter()
            .map(|p| McpPrompt {
                name: p.name.to_string(),
                title: p.title.clone(),
                description: p.description.clone(),
                arguments: p
                    .arguments
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| McpPromptArgument {
                        name: a.name,
                        description: a.description,
                        required: a.required.unwrap_or(false),
                    })
                    .collect(),
            })
            .collect())
    }

    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: serde_json::Map<String, Value>,
    ) -> Result<ai_desktop_api::mcp::McpPromptResult> {
        let mut params = rmcp::model::GetPromptRequestParams::new(name);
        if !arguments.is_empty() {
            params.arguments = Some(arguments);
        }
        let result = self
            .service
            .peer()
            .get_prompt(params)
            .await
            .map_err(|e| self.failed("the prompt request", e))?;
        let messages = result
            .messages
            .iter()
            .map(|m| {
                let wire = serde_json::to_value(m).unwrap_or(Value::Null);
                ai_desktop_api::mcp::McpPromptMessage {
                    role: wire["role"].as_str().unwrap_or("user").to_string(),
                    content: content_from_wire(&wire["content"]),
                }
            })
            .collect();
        Ok(ai_desktop_api::mcp::McpPromptResult {
            description: result.description.clone(),
            messages,
        })
    }

    pub async fn call_tool(
        &self,
        tool: &str,
        arguments: serde_json::Map<String, Value>,
    ) -> std::result::Result<CallToolResult, rmcp::ServiceError> {
        self.service
            .peer()
            .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments))
            .await
    }
}

pub fn tool_to_api(tool: &Tool) -> McpTool {
    McpTool {
        name: tool.name.to_string(),
        title: tool.title.clone(),
        description: tool.description.as_ref().map(|d| d.to_string()),
        input_schema: Value::Object((*tool.input_schema).clone()),
        annotations: tool
            .annotations
            .as_ref()
            .and_then(|a| serde_json::to_value(a).ok()),
    }
}

/// A content block as the server sent it (wire JSON) in the app's terms.
pub fn content_from_wire(value: &Value) -> McpContent {
    let s = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    match value.get("type").and_then(Value::as_str) {
        Some("text") => McpContent::Text {
            text: s("text").unwrap_or_default(),
        },
        Some("image") => McpContent::Image {
            data: s("data").unwrap_or_default(),
            mime_type: s("mimeType").unwrap_or_else(|| "image/png".into()),
        },
        Some("audio") => McpContent::Audio {
            data: s("data").unwrap_or_default(),
            mime_type: s("mimeType").unwrap_or_else(|| "audio/wav".into()),
        },
        Some("resource") => match value.get("resource") {
            Some(resource) => resource_contents(resource),
            None => McpContent::Other {
                json: value.clone(),
            },
        },
        Some("resource_link") => McpContent::ResourceLink {
            uri: s("uri").unwrap_or_default(),
            name: s("name").unwrap_or_default(),
            description: s("description"),
            mime_type: s("mimeType"),
        },
        _ => McpContent::Other {
            json: value.clone(),
        },
    }
}

fn resource_contents(value: &Value) -> McpContent {
    let s = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    McpContent::Resource {
        uri: s("uri").unwrap_or_default(),
        mime_type: s("mimeType"),
        text: s("text"),
        blob: s("blob"),
    }
}
