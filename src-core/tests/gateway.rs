//! The MCP gateway as an outside client sees it: a real rmcp client over
//! streamable HTTP on loopback, the Hub sharing a real
//! `mcp-server-everything`, the workshop's tools on a real git repository,
//! and the user's answers given through the gateway's approval queue.

use ai_desktop_api::gateway::{GatewayDecision, GatewayRule, GatewaySettings};
use ai_desktop_api::mcp::McpServerInput;
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::testkit::real_tools;
use ai_desktop_core::{App, Config};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ai_desktop_core::testkit::free_port;

async fn client(url: &str, token: &str) -> RunningService<RoleClient, ()> {
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url).auth_header(token),
    );
    ().serve(transport)
        .await
        .expect("handshake with the gateway")
}

fn args(v: Value) -> Option<Map<String, Value>> {
    v.as_object().cloned()
}

fn text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn call(
    c: &RunningService<RoleClient, ()>,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, rmcp::ServiceError> {
    c.call_tool(
        CallToolRequestParams::new(name.to_string()).with_arguments(args(arguments).unwrap()),
    )
    .await
}

/// An app with its data, home and PM2 in a temp dir (`prefix` names its
/// service containers); the dir lives as long as the returned guard.
fn workshop(
    prefix: &str,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Arc<RecordingSink>,
    Arc<App>,
) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let events = Arc::new(RecordingSink::default());
    let app = App::open(Config::isolated(&root, prefix), events.clone()).unwrap();
    (tmp, root, events, app)
}

/// server-everything registered in the Hub (stopped).
fn everything(app: &App) -> ai_desktop_api::mcp::McpServer {
    app.mcp
        .create(McpServerInput {
            name: "everything".into(),
            command: "mcp-server-everything".into(),
            ..Default::default()
        })
        .unwrap()
}

/// A git repository `name` (on `branch`, with `file` written and not
/// committed) in `root`, registered in the app; its folder and record.
fn repository(
    app: &App,
    root: &std::path::Path,
    name: &str,
    branch: &str,
    file: (&str, &str),
) -> (std::path::PathBuf, ai_desktop_api::repos::Repository) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", branch]);
    std::fs::write(dir.join(file.0), file.1).unwrap();
    let repo = app
        .repos
        .create(NewRepository {
            name: name.into(),
            path: dir.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap();
    (dir, repo)
}

/// Waits until the gateway has a call waiting for the user; its id.
async fn waiting(app: &App) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(a) = app.gateway.approvals().first() {
            return a.id;
        }
        assert!(Instant::now() < deadline, "no call came to the user");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_gateway_serves_shared_tools_and_the_workshop_under_the_users_approval() {
    if !real_tools("mcp-server-everything and git") {
        return;
    }
    let (_tmp, root, events, app) = workshop("gw");

    // A shared server with one of its tools turned off.
    let everything = everything(&app);
    app.mcp.start(everything.id).await.unwrap();
    let tools = app.mcp.tools(everything.id).await.unwrap();
    let off = tools
        .iter()
        .map(|t| t.name.clone())
        .find(|n| n != "echo")
        .expect("server-everything has more than echo");
    app.mcp
        .set_tool_enabled(everything.id, &off, false)
        .unwrap();

    // A repository with a change in it.
    let (repo_dir, repo) = repository(&app, &root, "shop", "main", ("app.js", "console.log(1)\n"));

    // Bad settings change nothing.
    let port = free_port();
    let bad = app
        .gateway
        .configure(GatewaySettings {
            enabled: true,
            port,
            server_ids: vec![everything.id, 9999],
            profile: None,
            workshop: true,
            editors: false,
        })
        .await;
    assert!(bad.is_err());
    assert!(!app.gateway.status().await.running);

    let status = app
        .gateway
        .configure(GatewaySettings {
            enabled: true,
            port,
            server_ids: vec![everything.id],
            profile: None,
            workshop: true,
            editors: false,
        })
        .await
        .unwrap();
    let url = status.url.clone().unwrap();
    assert_eq!(url, format!("http://127.0.0.1:{port}/mcp"));
    let token = app.gateway.token().unwrap();
    assert!(std::fs::metadata(root.join("data/gateway-token")).is_ok());

    // Without the token, or with another, nothing is served.
    let http = reqwest::Client::new();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "curl", "version": "1"}}});
    for auth in [None, Some("Bearer nope"), Some(&*format!("Basic {token}"))] {
        let mut req = http
            .post(&url)
            .header("Accept", "application/json, text/event-stream")
            .json(&init);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "{auth:?}");
    }
    // A page of a rebinding attack: refused although it has the token.
    let r = http
        .post(&url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Host", "evil.example.com")
        .header("Accept", "application/json, text/event-stream")
        .json(&init)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());

    // The outside client sees the shared tools, less the one turned off,
    // and the workshop's.
    let c = client(&url, &token).await;
    let listed: Vec<String> = c
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        listed.contains(&"everything__echo".to_string()),
        "{listed:?}"
    );
    assert!(
        !listed.iter().any(|n| n.ends_with(&format!("__{off}"))),
        "{listed:?}"
    );
    for w in [
        "list_repositories",
        "git_status",
        "restart_deployment",
        "open_in_editor",
    ] {
        assert!(listed.contains(&w.to_string()), "{w} in {listed:?}");
    }
    // The tool turned off cannot be called by its name either.
    let refused = call(&c, &format!("everything__{off}"), json!({})).await;
    assert!(refused.is_err(), "{refused:?}");

    // Ask: the call waits for the user; Allow once runs it.
    let pending = tokio::spawn({
        let c = c.peer().clone();
        async move {
            c.call_tool(
                CallToolRequestParams::new("everything__echo")
                    .with_arguments(args(json!({"message": "through the gateway"})).unwrap()),
            )
            .await
        }
    });
    let id = waiting(&app).await;
    let question = app.gateway.approvals()[0].clone();
    assert_eq!(question.tool, "everything__echo");
    assert_eq!(question.server, "everything");
    assert!(question.arguments.contains("through the gateway"));
    assert!(events
        .take()
        .iter()
        .any(|e| matches!(e, DomainEvent::GatewayApproval(a) if a.id == id)));
    app.gateway.answer(id, GatewayDecision::Once).unwrap();
    let r = pending.await.unwrap().unwrap();
    assert_eq!(r.is_error, Some(false));
    assert!(text(&r).contains("through the gateway"), "{}", text(&r));
    // It is in the server's own history too.
    let hub_history = app.mcp.history(everything.id).unwrap();
    assert_eq!(hub_history[0].tool, "echo");

    // Allow for this client: the next call runs without asking.
    let pending = tokio::spawn({
        let c = c.peer().clone();
        async move {
            c.call_tool(
                CallToolRequestParams::new("everything__echo")
                    .with_arguments(args(json!({"message": "two"})).unwrap()),
            )
            .await
        }
    });
    let id = waiting(&app).await;
    app.gateway.answer(id, GatewayDecision::Session).unwrap();
    assert!(text(&pending.await.unwrap().unwrap()).contains("two"));
    let r = call(&c, "everything__echo", json!({"message": "three"}))
        .await
        .unwrap();
    assert!(text(&r).contains("three"));
    assert!(app.gateway.approvals().is_empty());

    // Deny: the client hears why, nothing runs.
    let pending = tokio::spawn({
        let c = c.peer().clone();
        async move {
            c.call_tool(
                CallToolRequestParams::new("git_status")
                    .with_arguments(args(json!({"repository": "shop"})).unwrap()),
            )
            .await
        }
    });
    let id = waiting(&app).await;
    app.gateway.answer(id, GatewayDecision::Deny).unwrap();
    let r = pending.await.unwrap().unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("refused"), "{}", text(&r));

    // Nobody answers: refused after the timeout, and the question goes.
    app.gateway.set_approval_timeout(Duration::from_millis(300));
    let r = call(&c, "list_repositories", json!({})).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("Nobody answered"), "{}", text(&r));
    assert!(app.gateway.approvals().is_empty());

    // Rules: allowed tools run without asking, denied ones never.
    app.gateway
        .set_rule("git_status", GatewayRule::Allow)
        .await
        .unwrap();
    app.gateway
        .set_rule("list_repositories", GatewayRule::Deny)
        .await
        .unwrap();
    let r = call(&c, "git_status", json!({"repository": "shop"}))
        .await
        .unwrap();
    let status: Value = serde_json::from_str(&text(&r)).unwrap();
    assert_eq!(status["branch"], "main");
    assert_eq!(status["files"][0]["path"], "app.js");
    let r = call(&c, "git_status", json!({"repository": repo.id.to_string()}))
        .await
        .unwrap();
    assert!(text(&r).contains("app.js"));
    let r = call(&c, "git_status", json!({"repository": "nope"}))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("no repository \"nope\""), "{}", text(&r));
    let r = call(&c, "git_status", json!({})).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("repository"), "{}", text(&r));
    let r = call(&c, "list_repositories", json!({})).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("does not allow"), "{}", text(&r));
    app.gateway
        .set_rule("list_repositories", GatewayRule::Allow)
        .await
        .unwrap();
    let r = call(&c, "list_repositories", json!({})).await.unwrap();
    let repos: Value = serde_json::from_str(&text(&r)).unwrap();
    assert_eq!(repos[0]["name"], "shop");
    assert_eq!(repos[0]["changed_files"], 1);
    // No window in a headless app: open_in_editor says so.
    app.gateway
        .set_rule("open_in_editor", GatewayRule::Allow)
        .await
        .unwrap();
    let r = call(
        &c,
        "open_in_editor",
        json!({"repository": "shop", "path": "app.js", "line": 1}),
    )
    .await
    .unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("no window"), "{}", text(&r));
    // Paths outside the repository, missing files and line 0 are refused first.
    std::os::unix::fs::symlink("/etc", repo_dir.join("etc")).unwrap();
    for (path, line, why) in [
        ("../secret", 1, "no file"),
        ("/etc/passwd", 1, "not a path inside"),
        ("etc/passwd", 1, "outside the repository"),
        ("gone.js", 1, "no file"),
        ("app.js", 0, "minimum of 1"),
    ] {
        let r = call(
            &c,
            "open_in_editor",
            json!({"repository": "shop", "path": path, "line": line}),
        )
        .await
        .unwrap();
        assert_eq!(r.is_error, Some(true), "{path}");
        assert!(text(&r).contains(why), "{path}: {}", text(&r));
    }

    // The history keeps every call, how it was let through, and who made it.
    let history = app.gateway.history().unwrap();
    let decisions: Vec<&str> = history.iter().rev().map(|h| h.decision.as_str()).collect();
    assert_eq!(
        decisions,
        [
            "asked",
            "asked",
            "session",
            "denied",
            "timed_out",
            "rule",
            "rule",
            "rule",
            "rule",
            "denied_by_rule",
            "rule",
            "rule",
            "rule",
            "rule",
            "rule",
            "rule",
            "rule"
        ]
    );
    assert!(
        history.iter().all(|h| h.client == "rmcp"),
        "{:?}",
        history[0].client
    );
    assert_eq!(
        history.last().unwrap().arguments["message"],
        "through the gateway"
    );

    // A new token locks the old one out.
    let old = token.clone();
    let new = app.gateway.rotate_token().unwrap();
    assert_ne!(old, new);
    assert!(call(&c, "git_status", json!({"repository": "shop"}))
        .await
        .is_err());
    let c2 = client(&url, &new).await;
    assert!(call(&c2, "git_status", json!({"repository": "shop"}))
        .await
        .is_ok());
    let _ = c.cancel().await;
    let _ = c2.cancel().await;

    // Turned off: the port is closed, the settings kept.
    app.gateway
        .configure(GatewaySettings {
            enabled: false,
            ..app.gateway.settings().unwrap()
        })
        .await
        .unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    assert_eq!(
        app.gateway.settings().unwrap().server_ids,
        vec![everything.id]
    );
    app.mcp.stop(everything.id).await.unwrap();
}

/// The MCP Inspector's CLI (an outside client the user may well run) lists
/// and calls the workshop's tools through the gateway with the token as a
/// header, and gets nothing without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_cli_uses_the_workshop_through_the_gateway() {
    use ai_desktop_core::testkit::conformance::inspector_cli;
    if !real_tools("the MCP Inspector and Node 22") {
        return;
    }
    let (_tmp, root, _, app) = workshop("gwi");
    repository(
        &app,
        &root,
        "site",
        "trunk",
        ("index.html", "<h1>hi</h1>\n"),
    );
    let port = free_port();
    app.gateway
        .configure(GatewaySettings {
            enabled: true,
            port,
            server_ids: Vec::new(),
            profile: None,
            workshop: true,
            editors: false,
        })
        .await
        .unwrap();
    app.gateway
        .set_rule("git_status", GatewayRule::Allow)
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let header = format!("Authorization: Bearer {}", app.gateway.token().unwrap());
    let run = |args: Vec<String>| async move {
        tokio::task::spawn_blocking(move || inspector_cli().args(&args).output().unwrap())
            .await
            .unwrap()
    };

    let listed = run(vec![
        url.clone(),
        "--method".into(),
        "tools/list".into(),
        "--header".into(),
        header.clone(),
    ])
    .await;
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(names.contains(&"deployment_logs"));
    assert_eq!(
        listed["tools"][0]["annotations"]["readOnlyHint"],
        json!(true)
    );

    let called = run(vec![
        url.clone(),
        "--method".into(),
        "tools/call".into(),
        "--tool-name".into(),
        "git_status".into(),
        "--tool-arg".into(),
        "repository=site".into(),
        "--header".into(),
        header.clone(),
    ])
    .await;
    assert!(
        called.status.success(),
        "{}",
        String::from_utf8_lossy(&called.stderr)
    );
    let called: Value = serde_json::from_slice(&called.stdout).unwrap();
    let status: Value =
        serde_json::from_str(called["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(status["branch"], "trunk");
    assert_eq!(status["files"][0]["path"], "index.html");
    let history = app.gateway.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].tool, "git_status");
    assert_eq!(history[0].decision, "rule");

    let refused = run(vec![url, "--method".into(), "tools/list".into()]).await;
    assert!(!refused.status.success());
    app.gateway.shutdown().await;
}

/// Offered to editors: each repository's VS Code finds the gateway in its
/// `User/mcp.json` (written when its code-server starts, rewritten with a
/// new token, taken out when turned off), the user's own entries kept; the
/// entry as written gets a client in, named as that repository's editor
/// and offered the shared tools through the repository's MCP profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_repositorys_vs_code_gets_the_gateway_in_its_mcp_json() {
    if !real_tools("code-server") {
        return;
    }
    let (_tmp, root, _, app) = workshop("gwe");
    let (_, repo) = repository(&app, &root, "api", "main", ("main.rs", "fn main() {}\n"));
    let everything = everything(&app);
    app.mcp
        .save_profile(
            ai_desktop_api::mcp::McpProfile {
                name: "lean".into(),
                servers: vec![ai_desktop_api::mcp::McpProfileServer {
                    server_id: everything.id,
                    tools_off: vec!["echo".into()],
                }],
            },
            false,
        )
        .unwrap();
    assert!(app
        .repos
        .set_mcp_profile(repo.id, Some("nope".into()))
        .is_err());
    assert_eq!(
        app.repos
            .set_mcp_profile(repo.id, Some("lean".into()))
            .unwrap()
            .mcp_profile
            .as_deref(),
        Some("lean")
    );
    let mcp_json = app.vscode.user_data_dir(repo.id).join("User/mcp.json");
    // The user's own server in it already.
    std::fs::create_dir_all(mcp_json.parent().unwrap()).unwrap();
    std::fs::write(
        &mcp_json,
        r#"{"servers": {"mine": {"type": "stdio", "command": "my-server"}}}"#,
    )
    .unwrap();
    let port = free_port();
    let settings = GatewaySettings {
        enabled: true,
        port,
        server_ids: vec![everything.id],
        profile: None,
        workshop: true,
        editors: true,
    };
    app.gateway.configure(settings.clone()).await.unwrap();
    let read =
        || -> Value { serde_json::from_str(&std::fs::read_to_string(&mcp_json).unwrap()).unwrap() };
    let doc = read();
    assert_eq!(doc["servers"]["mine"]["command"], "my-server");
    let entry = &doc["servers"]["ai-desktop"];
    assert_eq!(entry["url"], format!("http://127.0.0.1:{port}/mcp"));
    let header = entry["headers"]["Authorization"]
        .as_str()
        .unwrap()
        .to_string();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&mcp_json).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Its own token, not the one other clients are given.
    assert_eq!(
        header,
        format!("Bearer {}", app.gateway.editor_token(repo.id).unwrap())
    );
    assert_ne!(header, format!("Bearer {}", app.gateway.token().unwrap()));
    // What the editor would use gets in, with the repository's profile:
    // echo is left out for it, not for other clients.
    let names = |c: &RunningService<RoleClient, ()>| {
        let c = c.peer().clone();
        async move {
            c.list_all_tools()
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.name.to_string())
                .collect::<Vec<_>>()
        }
    };
    let editor_client = client(
        entry["url"].as_str().unwrap(),
        header.strip_prefix("Bearer ").unwrap(),
    )
    .await;
    let editor_tools = names(&editor_client).await;
    assert!(editor_tools.contains(&"list_repositories".to_string()));
    assert!(editor_tools.iter().any(|n| n.starts_with("everything__")));
    assert!(
        !editor_tools.contains(&"everything__echo".to_string()),
        "{editor_tools:?}"
    );
    let other = client(
        entry["url"].as_str().unwrap(),
        &app.gateway.token().unwrap(),
    )
    .await;
    assert!(names(&other)
        .await
        .contains(&"everything__echo".to_string()));
    let _ = other.cancel().await;
    // Its calls are named for the repository's editor; a tool its profile
    // leaves out cannot be called.
    app.gateway
        .set_rule("list_repositories", GatewayRule::Allow)
        .await
        .unwrap();
    call(&editor_client, "list_repositories", json!({}))
        .await
        .unwrap();
    assert_eq!(app.gateway.history().unwrap()[0].client, "VS Code of api");
    // …and are on the repository's timeline as its agent's calls.
    let timeline = app
        .stack
        .timeline(
            repo.id,
            ai_desktop_api::stack::TimelineQuery {
                sources: vec![ai_desktop_api::stack::TimelineSource::Agent],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(timeline.entries.len(), 1, "{:#?}", timeline.entries);
    assert_eq!(timeline.entries[0].name, "VS Code of api");
    assert!(
        timeline.entries[0]
            .text
            .starts_with("list_repositories (AI Desktop) — allowed by its rule; [ { \"branch\""),
        "{:#?}",
        timeline.entries
    );
    assert!(
        call(&editor_client, "everything__echo", json!({"message": "x"}))
            .await
            .is_err()
    );
    let _ = editor_client.cancel().await;

    // A new token reaches the file.
    let old_editor = app.gateway.editor_token(repo.id).unwrap();
    app.gateway.rotate_token().unwrap();
    let new_editor = app.gateway.editor_token(repo.id).unwrap();
    assert_ne!(old_editor, new_editor);
    assert_eq!(
        read()["servers"]["ai-desktop"]["headers"]["Authorization"],
        format!("Bearer {new_editor}")
    );

    // Written again when the code-server starts (here the file was emptied).
    std::fs::write(&mcp_json, "{}").unwrap();
    app.vscode.start(repo.id).await.unwrap();
    assert_eq!(
        read()["servers"]["ai-desktop"]["url"],
        format!("http://127.0.0.1:{port}/mcp")
    );
    app.vscode.stop(repo.id).await.unwrap();

    // Turned off: the entry goes, the user's stay.
    std::fs::write(
        &mcp_json,
        serde_json::to_string(&json!({"servers": {"mine": {"command": "x"}, "ai-desktop": {"url": "old"}}, "inputs": []})).unwrap(),
    )
    .unwrap();
    app.gateway
        .configure(GatewaySettings {
            editors: false,
            ..settings
        })
        .await
        .unwrap();
    let doc = read();
    assert!(doc["servers"].get("ai-desktop").is_none(), "{doc}");
    assert_eq!(doc["servers"]["mine"]["command"], "x");
    assert_eq!(doc["inputs"], json!([]));

    // A file with comments is left as it is.
    let commented = "// mine\n{\"servers\": {}}\n";
    std::fs::write(&mcp_json, commented).unwrap();
    assert!(app.gateway.write_editor_config(repo.id).is_ok()); // nothing to take out
    app.gateway
        .configure(GatewaySettings {
            editors: true,
            ..app.gateway.settings().unwrap()
        })
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&mcp_json).unwrap(), commented);
    assert!(app.gateway.write_editor_config(repo.id).is_err());
    app.gateway.shutdown().await;
    app.mcp.stop(everything.id).await.unwrap();
}
