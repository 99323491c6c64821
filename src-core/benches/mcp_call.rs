//! MCP Hub against a bare rmcp client, both talking to the same real server
//! (`@modelcontextprotocol/server-everything` over stdio), measured in the
//! same run:
//!
//! - start to tools listed: the hub's `start` + `tools` (spawn through
//!   procs, handshake, record, tool list) vs spawn + initialize + list_tools
//!   with a bare client;
//! - a tool call's round trip: the hub's `call_tool("echo")` (tool lookup,
//!   schema check, call, history row in SQLite) vs `peer.call_tool` alone.
//!
//! `cargo bench -p ai-desktop-core --bench mcp_call` (with `mcp-server-everything`
//! on PATH, as `.ci/lib.sh` arranges) prints the figures and writes them to
//! `bench/mcp_call.md`.

use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::{App, Config};

use ai_desktop_api::mcp::McpServerInput;
use ai_desktop_core::events::RecordingSink;
use common::{median, ms, percentile};
use rmcp::model::CallToolRequestParams;
use rmcp::ServiceExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

const STARTS: usize = 5;
const WARMUP: usize = 20;
const CALLS: usize = 300;
const SERVER: &str = "mcp-server-everything";

async fn bare_client() -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
    let mut child = tokio::process::Command::new(SERVER)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("mcp-server-everything on PATH (run .ci/setup --test)");
    let stdout = child.stdout.take().unwrap();
    let stdin = child.stdin.take().unwrap();
    // The child is killed when the client's transport closes and this drops.
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    ().serve((stdout, stdin)).await.expect("bare handshake")
}

fn echo(message: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut args = serde_json::Map::new();
    args.insert("message".into(), message.into());
    args
}

/// The transport alone: rmcp's streamable-HTTP server with a one-tool
/// handler (echo, no gateway), served by hyper on loopback as the gateway
/// is; answers its URL.
#[derive(Clone)]
struct BareEcho;

impl rmcp::ServerHandler for BareEcho {
    fn get_info(&self) -> rmcp::model::ServerConfig {
        rmcp::model::ServerConfig::new(
            rmcp::model::ServerCapabilities::builder()
                .enable_tools()
                .build(),
        )
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: rmcp::service::RequestContext<rmcp::RoleServer>,
    ) -> Result<rmcp::model::CallToolResponse, rmcp::ErrorData> {
        let message = request
            .arguments
            .and_then(|a| a.get("message").cloned())
            .unwrap_or_default();
        Ok(
            rmcp::model::CallToolResult::success(vec![rmcp::model::ContentBlock::text(format!(
                "Echo: {message}"
            ))])
            .into(),
        )
    }
}

async fn bare_http_server() -> String {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::StreamableHttpService;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let service: Arc<StreamableHttpService<BareEcho, LocalSessionManager>> = Arc::new(
        StreamableHttpService::new(|| Ok(BareEcho), Default::default(), Default::default()),
    );
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = stream.set_nodelay(true);
            let service = service.clone();
            tokio::spawn(async move {
                let serve =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let service = service.clone();
                        async move { Ok::<_, std::convert::Infallible>(service.handle(req).await) }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), serve)
                    .await;
            });
        }
    });
    url
}

async fn http_client(
    url: String,
    token: Option<String>,
) -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    ().serve(rmcp::transport::StreamableHttpClientTransport::from_config(
        config,
    ))
    .await
    .expect("HTTP handshake")
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run());
}

async fn run() {
    let tmp = tempfile::tempdir().unwrap();
    // The app as the desktop app builds it, with the user's environment.
    let config = Config {
        user_env: ai_desktop_core::procs::user_env(),
        ..Config::isolated(tmp.path(), "bench")
    };
    let core = App::open(config, Arc::new(RecordingSink::default())).unwrap();
    let hub = core.mcp.clone();
    let id = hub
        .create(McpServerInput {
            name: "everything".into(),
            command: SERVER.into(),
            ..Default::default()
        })
        .unwrap()
        .id;

    // Start to tools listed, alternating app and bare so drift hits both.
    let mut app_start = Vec::new();
    let mut bare_start = Vec::new();
    for _ in 0..STARTS {
        let t = Instant::now();
        hub.start(id).await.unwrap();
        let tools = hub.tools(id).await.unwrap();
        app_start.push(t.elapsed());
        assert!(tools.iter().any(|t| t.name == "echo"));
        hub.stop(id).await.unwrap();

        let t = Instant::now();
        let client = bare_client().await;
        let tools = client.peer().list_all_tools().await.unwrap();
        bare_start.push(t.elapsed());
        assert!(tools.iter().any(|t| t.name == "echo"));
        client.cancel().await.unwrap();
    }

    hub.start(id).await.unwrap();
    let client = bare_client().await;
    for i in 0..WARMUP {
        hub.call_tool(
            id,
            "echo",
            serde_json::json!({ "message": format!("w{i}") }),
        )
        .await
        .unwrap();
        client
            .peer()
            .call_tool(CallToolRequestParams::new("echo").with_arguments(echo("w")))
            .await
            .unwrap();
    }
    let mut app_call = Vec::with_capacity(CALLS);
    let mut bare_call = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let message = format!("call {i}");
        let t = Instant::now();
        let call = hub
            .call_tool(id, "echo", serde_json::json!({ "message": message }))
            .await
            .unwrap();
        app_call.push(t.elapsed());
        assert!(call.error.is_none() && !call.is_error);

        let t = Instant::now();
        let result = client
            .peer()
            .call_tool(CallToolRequestParams::new("echo").with_arguments(echo(&message)))
            .await
            .unwrap();
        bare_call.push(t.elapsed());
        assert!(!result.content.is_empty());
    }
    // Through the gateway: an rmcp client over streamable HTTP (loopback,
    // the token), the gateway's rule lookup and history row, then the hub's
    // call as above; against the bare stdio client again, interleaved.
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    core.gateway
        .configure(ai_desktop_api::gateway::GatewaySettings {
            enabled: true,
            port,
            server_ids: vec![id],
            profile: None,
            workshop: false,
            editors: false,
        })
        .await
        .unwrap();
    core.gateway
        .set_rule(
            "everything__echo",
            ai_desktop_api::gateway::GatewayRule::Allow,
        )
        .await
        .unwrap();
    let outside = http_client(
        format!("http://127.0.0.1:{port}/mcp"),
        Some(core.gateway.token().unwrap()),
    )
    .await;
    let transport_only = http_client(bare_http_server().await, None).await;
    for _ in 0..WARMUP {
        outside
            .peer()
            .call_tool(CallToolRequestParams::new("everything__echo").with_arguments(echo("w")))
            .await
            .unwrap();
        transport_only
            .peer()
            .call_tool(CallToolRequestParams::new("echo").with_arguments(echo("w")))
            .await
            .unwrap();
    }
    let mut gateway_call = Vec::with_capacity(CALLS);
    let mut bare_again = Vec::with_capacity(CALLS);
    let mut http_only = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let message = format!("gateway {i}");
        let t = Instant::now();
        let result = outside
            .peer()
            .call_tool(
                CallToolRequestParams::new("everything__echo").with_arguments(echo(&message)),
            )
            .await
            .unwrap();
        gateway_call.push(t.elapsed());
        assert_eq!(result.is_error, Some(false));

        let t = Instant::now();
        client
            .peer()
            .call_tool(CallToolRequestParams::new("echo").with_arguments(echo(&message)))
            .await
            .unwrap();
        bare_again.push(t.elapsed());

        let t = Instant::now();
        transport_only
            .peer()
            .call_tool(CallToolRequestParams::new("echo").with_arguments(echo(&message)))
            .await
            .unwrap();
        http_only.push(t.elapsed());
    }
    transport_only.cancel().await.unwrap();
    outside.cancel().await.unwrap();
    core.gateway.shutdown().await;
    client.cancel().await.unwrap();
    hub.stop(id).await.unwrap();

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let (a50, b50) = (median(&app_call), median(&bare_call));
    let (a99, b99) = (percentile(&app_call, 99.0), percentile(&bare_call, 99.0));
    let (as50, bs50) = (median(&app_start), median(&bare_start));
    let (g50, gb50) = (median(&gateway_call), median(&bare_again));
    let (h50, h99) = (median(&http_only), percentile(&http_only, 99.0));
    let (g99, gb99) = (
        percentile(&gateway_call, 99.0),
        percentile(&bare_again, 99.0),
    );
    let report = format!(
        "# MCP: the hub vs a bare rmcp client\n\n\
         Machine: {}. Server: `{SERVER}` over stdio, both measured in the same run, interleaved.\n\n\
         | what | app | bare rmcp | ratio |\n|---|---|---|---|\n\
         | start to tools listed (median of {STARTS}) | {} | {} | {:.2} |\n\
         | `echo` round trip p50 ({CALLS} calls) | {} | {} | {:.2} |\n\
         | `echo` round trip p99 | {} | {} | {:.2} |\n\n\
         The app's call includes the tool lookup (cached list), the schema check and \
         the history row written to SQLite.\n\n\
         ## Through the gateway\n\n\
         An outside rmcp client over streamable HTTP on loopback (bearer token) calling \
         `everything__echo` through the app's MCP gateway (its rule lookup, the hub's call \
         as above, the gateway's history row) vs the bare stdio client calling `echo` \
         directly, interleaved, {CALLS} calls each.\n\n\
         | what | gateway | bare rmcp (stdio) | ratio | rmcp HTTP alone | gateway vs HTTP alone |\n\
         |---|---|---|---|---|---|\n\
         | `echo` round trip p50 | {} | {} | {:.2} | {} | {:.2} |\n\
         | `echo` round trip p99 | {} | {} | {:.2} | {} | {:.2} |\n\n\
         *rmcp HTTP alone*: the same rmcp client and server transport (streamable HTTP, \
         sessions, SSE answers) with a one-tool echo handler in place of the gateway, served \
         by hyper on loopback as the gateway is: what the protocol's transport costs before \
         the gateway does anything.\n",
        common::machine(),
        ms(as50),
        ms(bs50),
        ratio(as50, bs50),
        ms(a50),
        ms(b50),
        ratio(a50, b50),
        ms(a99),
        ms(b99),
        ratio(a99, b99),
        ms(g50),
        ms(gb50),
        ratio(g50, gb50),
        ms(h50),
        ratio(g50, h50),
        ms(g99),
        ms(gb99),
        ratio(g99, gb99),
        ms(h99),
        ratio(g99, h99),
    );
    common::publish("mcp_call", &report);
}
