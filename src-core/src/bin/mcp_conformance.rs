//! The MCP conformance suite's client under test: the Hub's own client code
//! (`McpHub`, the path the MCP Hub page and Flow use), driven headless.
//!
//! `npx @modelcontextprotocol/conformance client --command mcp-conformance`
//! runs it with the test server's URL as the last argument and the scenario
//! in `MCP_CONFORMANCE_SCENARIO` (its data, if any, in
//! `MCP_CONFORMANCE_CONTEXT`). It registers the URL as an HTTP server in a
//! throw-away data folder, starts it (the handshake), lists the tools and
//! calls each one (or those the context names) as a user clicking *Call*
//! with the required arguments filled in would. Where a server asks the user
//! something (elicitation), the user here accepts the form as the app shows
//! it: with the server's defaults filled in. Where the server wants the user
//! signed in (OAuth), the user's browser loads the authorization page and
//! follows its redirect back to the app. `.ci/conformance` runs every
//! client scenario and writes the table.

use ai_desktop_api::mcp::{McpElicitAction, McpElicitation, McpServerInput, McpTransport};
use ai_desktop_core::events::{DomainEvent, EventSink};
use ai_desktop_core::{App, Config};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Arguments for a tool from its input schema: each required property
/// with a plain value of its type.
fn arguments(schema: &Value) -> Value {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut args = Map::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if !required.contains(&name.as_str()) {
                continue;
            }
            let value = match property.get("type").and_then(Value::as_str) {
                Some("number") => json!(1.0),
                Some("integer") => json!(1),
                Some("boolean") => json!(true),
                Some("array") => json!([]),
                Some("object") => json!({}),
                _ => json!("test"),
            };
            args.insert(name.clone(), value);
        }
    }
    Value::Object(args)
}

/// The window, as far as this run needs one: questions go to the user.
struct User {
    questions: tokio::sync::mpsc::UnboundedSender<McpElicitation>,
}

impl EventSink for User {
    fn emit(&self, event: DomainEvent) {
        if let DomainEvent::McpElicitation(question) = event {
            let _ = self.questions.send(*question);
        }
    }
}

/// The user's browser, as far as this run needs one: it loads the
/// authorization page, whose test server signs the user in at once and
/// redirects to the app's loopback port, and follows that redirect.
struct Browser;

impl ai_desktop_core::mcp::oauth::Browser for Browser {
    fn open(&self, url: &str) -> Result<(), String> {
        let url = url.to_string();
        tokio::spawn(async move {
            match reqwest::get(&url).await {
                Ok(r) => eprintln!("browser: {} after the sign-in page", r.status()),
                Err(e) => eprintln!("browser: {e}"),
            }
        });
        Ok(())
    }
}

async fn run(url: &str, context: &Value) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (questions, mut asked) = tokio::sync::mpsc::unbounded_channel();
    let app = App::open(
        Config::isolated(dir.path(), "conformance"),
        Arc::new(User { questions }),
    )
    .map_err(|e| e.to_string())?;
    app.mcp.set_browser(Arc::new(Browser));
    // The user accepts each form as it is shown: the server's defaults in.
    let hub = app.mcp.clone();
    tokio::spawn(async move {
        while let Some(q) = asked.recv().await {
            let answer = Value::Object(q.defaults());
            eprintln!("asked \"{}\": accepting {answer}", q.message);
            if let Err(e) = hub.answer_elicitation(q.id, McpElicitAction::Accept, Some(answer)) {
                eprintln!("the answer was refused: {e}");
            }
        }
    });
    let server = app
        .mcp
        .create(McpServerInput {
            name: "conformance".into(),
            description: None,
            transport: McpTransport::Http,
            command: String::new(),
            args: Vec::new(),
            env: Default::default(),
            working_directory: None,
            url: Some(url.to_string()),
            headers: Default::default(),
            auto_restart: false,
            // A client the scenario says is pre-registered, as a user would
            // enter it in the server's settings.
            oauth_client_id: context
                .get("client_id")
                .and_then(Value::as_str)
                .map(str::to_string),
            oauth_client_secret: context
                .get("client_secret")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
        .map_err(|e| e.to_string())?;
    let started = app
        .mcp
        .start(server.id)
        .await
        .map_err(|e| e.with_detail_text())?;
    if let Some(error) = started.error {
        return Err(format!("start: {error}"));
    }
    let tools = app.mcp.tools(server.id).await.map_err(|e| e.to_string())?;
    eprintln!("{} tool(s)", tools.len());
    let calls: Vec<(String, Value)> = match context.get("toolCalls").and_then(Value::as_array) {
        Some(named) if !named.is_empty() => named
            .iter()
            .map(|c| {
                (
                    c.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    c.get("arguments").cloned().unwrap_or_else(|| json!({})),
                )
            })
            .collect(),
        _ => tools
            .iter()
            .map(|t| (t.name.clone(), arguments(&t.input_schema)))
            .collect(),
    };
    let mut failures = Vec::new();
    for (name, args) in calls {
        match app.mcp.call_tool(server.id, &name, args).await {
            Ok(call) => eprintln!(
                "{name}: {}",
                call.error
                    .as_deref()
                    .unwrap_or(if call.is_error { "tool error" } else { "ok" })
            ),
            Err(e) => {
                eprintln!("{name}: {e}");
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    let _ = app.mcp.stop(server.id).await;
    app.mcp.flush_history();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// Adds the gateway's bearer token to each request on a connection (the
/// suite has no way to send a header), leaving the rest — the Host and
/// Origin the DNS-rebinding scenario sets included — as the suite sent it.
async fn forward_with_token(
    mut from: tokio::net::TcpStream,
    upstream: u16,
    token: String,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let to = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await?;
    let (mut to_read, mut to_write) = to.into_split();
    let (mut from_read, mut from_write) = from.split();
    let requests = async {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            // One request head, then its body as Content-Length says.
            let end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                let mut chunk = [0u8; 8192];
                let n = from_read.read(&mut chunk).await?;
                if n == 0 {
                    return to_write.shutdown().await;
                }
                buf.extend_from_slice(&chunk[..n]);
            };
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let rest = buf.split_off(end);
            buf = rest;
            let first = head.find("\r\n").unwrap_or(head.len());
            let with_token = format!(
                "{}\r\nAuthorization: Bearer {token}{}",
                &head[..first],
                &head[first..]
            );
            to_write.write_all(with_token.as_bytes()).await?;
            let lower = head.to_ascii_lowercase();
            let length = lower
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let mut left = length;
            let now = left.min(buf.len());
            to_write.write_all(&buf[..now]).await?;
            buf.drain(..now);
            left -= now;
            while left > 0 {
                let mut chunk = vec![0u8; left.min(65536)];
                let n = from_read.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(());
                }
                to_write.write_all(&chunk[..n]).await?;
                left -= n;
            }
        }
    };
    let answers = tokio::io::copy(&mut to_read, &mut from_write);
    tokio::select! {
        r = requests => r,
        r = answers => r.map(|_| ()),
    }
}

/// `--gateway`: the app's MCP gateway serving the workshop's own tools
/// (every call allowed by rule, as a user who set them so), behind a
/// loopback proxy that adds the token; prints the proxy's URL and serves
/// until stdin closes.
async fn serve_gateway() -> Result<(), String> {
    use ai_desktop_api::gateway::{GatewayRule, GatewaySettings};
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (questions, _asked) = tokio::sync::mpsc::unbounded_channel();
    let app = App::open(
        Config::isolated(dir.path(), "conformance"),
        Arc::new(User { questions }),
    )
    .map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let status = app
        .gateway
        .configure(GatewaySettings {
            enabled: true,
            port,
            server_ids: Vec::new(),
            profile: None,
            workshop: true,
            editors: false,
        })
        .await
        .map_err(|e| e.to_string())?;
    for tool in &status.tools {
        app.gateway
            .set_rule(&tool.name, GatewayRule::Allow)
            .await
            .map_err(|e| e.to_string())?;
    }
    let token = app.gateway.token().map_err(|e| e.to_string())?;
    let proxy = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| e.to_string())?;
    let proxy_port = proxy.local_addr().map_err(|e| e.to_string())?.port();
    println!("http://127.0.0.1:{proxy_port}/mcp");
    let accept = async {
        loop {
            let Ok((conn, _)) = proxy.accept().await else {
                return;
            };
            let token = token.clone();
            tokio::spawn(async move {
                if let Err(e) = forward_with_token(conn, port, token).await {
                    eprintln!("proxy: {e}");
                }
            });
        }
    };
    let (closed, stdin_closed) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut sink = [0u8; 64];
        while std::io::stdin()
            .read(&mut sink)
            .map(|n| n > 0)
            .unwrap_or(false)
        {}
        let _ = closed.send(());
    });
    tokio::select! {
        _ = accept => {}
        _ = stdin_closed => {}
    }
    app.gateway.shutdown().await;
    Ok(())
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--gateway") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        if let Err(e) = runtime.block_on(serve_gateway()) {
            eprintln!("failed: {e}");
            std::process::exit(1);
        }
        return;
    }
    let Some(url) = std::env::args().nth(1).filter(|u| !u.starts_with('-')) else {
        eprintln!("usage: mcp-conformance <server url>  (scenario in MCP_CONFORMANCE_SCENARIO)");
        std::process::exit(2);
    };
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    let context: Value = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or(Value::Null);
    eprintln!("scenario {scenario} at {url}");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run(&url, &context)) {
        Ok(()) => eprintln!("done"),
        Err(e) => {
            eprintln!("failed: {e}");
            std::process::exit(1);
        }
    }
}
