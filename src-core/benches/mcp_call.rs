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
    client.cancel().await.unwrap();
    hub.stop(id).await.unwrap();

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let (a50, b50) = (median(&app_call), median(&bare_call));
    let (a99, b99) = (percentile(&app_call, 99.0), percentile(&bare_call, 99.0));
    let (as50, bs50) = (median(&app_start), median(&bare_start));
    let report = format!(
        "# MCP: the hub vs a bare rmcp client\n\n\
         Machine: {}. Server: `{SERVER}` over stdio, both measured in the same run, interleaved.\n\n\
         | what | app | bare rmcp | ratio |\n|---|---|---|---|\n\
         | start to tools listed (median of {STARTS}) | {} | {} | {:.2} |\n\
         | `echo` round trip p50 ({CALLS} calls) | {} | {} | {:.2} |\n\
         | `echo` round trip p99 | {} | {} | {:.2} |\n\n\
         The app's call includes the tool lookup (cached list), the schema check and \
         the history row written to SQLite.\n",
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
    );
    common::publish("mcp_call", &report);
}
