//! The MCP Hub against real MCP servers from the npm registry
//! (`@modelcontextprotocol/server-everything` and `server-filesystem`,
//! installed by `.ci/setup --test` into the tools dir `.ci/lib.sh` puts on
//! PATH), and against small shell scripts that misbehave on purpose.

use ai_desktop_api::mcp::{McpContent, McpServerInput, McpState, McpTransport};
use ai_desktop_core::error::Error;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::mcp::{McpConfig, McpHub, PROCESS_KIND};
use ai_desktop_core::procs::process_group;
use ai_desktop_core::store::Store;
use ai_desktop_core::testkit::real_tools;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    store: Arc<Store>,
    events: Arc<RecordingSink>,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let store = Arc::new(Store::open_in(&root.join("data")).unwrap());
        Fixture {
            _tmp: tmp,
            root,
            store,
            events: Arc::new(RecordingSink::default()),
        }
    }

    fn hub(&self) -> Arc<McpHub> {
        self.hub_with(|_| {})
    }

    fn hub_with(&self, adjust: impl FnOnce(&mut McpConfig)) -> Arc<McpHub> {
        let home = self.root.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut config = McpConfig::new(vec![
            ("PATH".into(), std::env::var("PATH").unwrap()),
            ("HOME".into(), home.display().to_string()),
            ("LANG".into(), "C.UTF-8".into()),
        ]);
        config.init_timeout = Duration::from_secs(4);
        config.call_timeout = Duration::from_secs(30);
        config.backoff_base = Duration::from_millis(50);
        adjust(&mut config);
        McpHub::new(self.store.clone(), self.events.clone(), config).unwrap()
    }
}

fn stdio(name: &str, command: &str, args: &[&str]) -> McpServerInput {
    McpServerInput {
        name: name.into(),
        command: command.into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        ..Default::default()
    }
}

fn everything(name: &str) -> McpServerInput {
    stdio(name, "mcp-server-everything", &[])
}

/// The pids of every live (not zombie) process in group `pgid`.
fn group_members(pgid: u32) -> Vec<u32> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let zombie = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            == Some("Z");
        if !zombie && process_group(pid) == Some(pgid) {
            members.push(pid);
        }
    }
    members
}

fn assert_group_gone(pgid: u32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !group_members(pgid).is_empty() {
        assert!(
            Instant::now() < deadline,
            "processes left in group {pgid}: {:?}",
            group_members(pgid)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn text_of(content: &[McpContent]) -> String {
    content
        .iter()
        .filter_map(|c| match c {
            McpContent::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_server_over_stdio() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let server = hub.create(everything("everything")).unwrap();
    assert_eq!(server.state, McpState::Stopped);

    let running = hub.start(server.id).await.unwrap();
    assert_eq!(running.state, McpState::Running);
    let pid = running.pid.expect("a stdio server has a pid");
    let info = running.server_info.clone().expect("handshake info is kept");
    assert_eq!(info.name, "mcp-servers/everything");
    let caps = running.capabilities.clone().unwrap();
    assert!(caps.tools && caps.resources && caps.prompts, "{caps:?}");
    // Recorded for reconciliation, by pid and start time.
    let records = fx.store.recorded_processes(PROCESS_KIND).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].process.pid, pid);

    let tools = hub.tools(server.id).await.unwrap();
    let echo = tools.iter().find(|t| t.name == "echo").expect("echo tool");
    assert_eq!(echo.input_schema["required"], json!(["message"]));
    assert!(tools.iter().any(|t| t.name == "get-sum"));

    let call = hub
        .call_tool(
            server.id,
            "echo",
            json!({ "message": "hello from the hub" }),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&call.content), "Echo: hello from the hub");
    assert!(!call.is_error);
    assert_eq!(call.error, None);
    assert!(call.duration_ms > 0.0);

    let sum = hub
        .call_tool(server.id, "get-sum", json!({ "a": 2, "b": 3.5 }))
        .await
        .unwrap();
    assert_eq!(text_of(&sum.content), "The sum of 2 and 3.5 is 5.5.");

    // Arguments that break the schema are refused here, and not recorded.
    let err = hub
        .call_tool(server.id, "get-sum", json!({ "a": "two" }))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("/a") && msg.contains("\"b\" is a required property"),
        "{msg}"
    );
    let err = hub
        .call_tool(server.id, "no-such-tool", json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert!(err.to_string().contains("no-such-tool"), "{err}");

    let history = hub.history(server.id).unwrap();
    assert_eq!(
        history.iter().map(|c| c.tool.as_str()).collect::<Vec<_>>(),
        ["get-sum", "echo"],
        "newest first, refused calls not recorded"
    );
    // What a call returns is what its history row says.
    assert_eq!(history[0], sum);
    assert_eq!(
        history[1].arguments,
        json!({ "message": "hello from the hub" })
    );

    // An image comes back as an image.
    let image = hub
        .call_tool(server.id, "get-tiny-image", json!({}))
        .await
        .unwrap();
    assert!(
        image
            .content
            .iter()
            .any(|c| matches!(c, McpContent::Image { mime_type, data } if mime_type == "image/png" && !data.is_empty())),
        "{:?}",
        image.content
    );

    let resources = hub.resources(server.id).await.unwrap();
    assert!(!resources.is_empty());
    let first = &resources[0];
    let read = hub.read_resource(server.id, &first.uri).await.unwrap();
    assert!(!read.contents.is_empty(), "{read:?}");
    let prompts = hub.prompts(server.id).await.unwrap();
    assert!(!prompts.is_empty());

    // Its stderr is in the log.
    let logs = hub.logs(server.id).unwrap().since(0);
    assert!(
        logs.iter()
            .any(|l| l.text.contains("Starting default (STDIO) server")),
        "{logs:?}"
    );

    let stopped = hub.stop(server.id).await.unwrap();
    assert_eq!(stopped.state, McpState::Stopped);
    assert_eq!(stopped.pid, None);
    assert_group_gone(pid);
    assert!(fx
        .store
        .recorded_processes(PROCESS_KIND)
        .unwrap()
        .is_empty());
    let err = hub.tools(server.id).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");

    // The UI heard every step.
    let states: Vec<McpState> = fx
        .events
        .take()
        .into_iter()
        .filter_map(|e| match e {
            DomainEvent::McpUpdated(s) => Some(s.state),
            _ => None,
        })
        .collect();
    for expected in [
        McpState::Starting,
        McpState::Running,
        McpState::Stopping,
        McpState::Stopped,
    ] {
        assert!(
            states.contains(&expected),
            "{expected:?} missing from {states:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesystem_server_reads_a_file_in_its_root() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let shared = fx.root.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("note.txt"), "the hub read this\n").unwrap();
    std::fs::write(fx.root.join("outside.txt"), "secret").unwrap();
    let server = hub
        .create(stdio(
            "files",
            "mcp-server-filesystem",
            &[shared.to_str().unwrap()],
        ))
        .unwrap();
    let running = hub.start(server.id).await.unwrap();
    let pid = running.pid.unwrap();
    let tools = hub.tools(server.id).await.unwrap();
    assert!(
        tools.iter().any(|t| t.name == "list_directory"),
        "{tools:?}"
    );

    let listing = hub
        .call_tool(server.id, "list_directory", json!({ "path": shared }))
        .await
        .unwrap();
    assert!(
        text_of(&listing.content).contains("[FILE] note.txt"),
        "{listing:?}"
    );
    let read = hub
        .call_tool(
            server.id,
            "read_text_file",
            json!({ "path": shared.join("note.txt") }),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&read.content).trim_end(), "the hub read this");
    assert!(!read.is_error);

    // Outside its root the tool reports an error (isError), which is kept as such.
    let outside = hub
        .call_tool(
            server.id,
            "read_text_file",
            json!({ "path": fx.root.join("outside.txt") }),
        )
        .await
        .unwrap();
    assert!(outside.is_error, "{outside:?}");
    assert!(!text_of(&outside.content).contains("secret"));
    assert!(hub.history(server.id).unwrap()[0].is_error);

    hub.stop(server.id).await.unwrap();
    assert_group_gone(pid);
}

/// Starts `input`, expecting a failure whose message (with detail) contains
/// every one of `expected`; then checks nothing is left running.
async fn expect_failed_start(
    hub: &Arc<McpHub>,
    fx: &Fixture,
    input: McpServerInput,
    expected: &[&str],
) {
    let server = hub.create(input).unwrap();
    let err = hub.start(server.id).await.unwrap_err();
    let text = err.with_detail_text();
    for e in expected {
        assert!(text.contains(e), "{e:?} not in {text:?}");
    }
    let after = hub.get(server.id).unwrap();
    assert_eq!(after.state, McpState::Failed);
    let error = after.error.unwrap();
    assert!(error.contains(expected[0]), "{error}");
    assert!(fx
        .store
        .recorded_processes(PROCESS_KIND)
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_that_cannot_start_fail_with_a_reason_and_leave_nothing() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();

    expect_failed_start(
        &hub,
        &fx,
        stdio("missing", "no-such-mcp-server-4711", &[]),
        &["was not found on PATH"],
    )
    .await;

    expect_failed_start(
        &hub,
        &fx,
        stdio(
            "quitter",
            "sh",
            &["-c", "echo cannot open the database >&2; exit 3"],
        ),
        &[
            "exited during start-up (exit code 3)",
            "cannot open the database",
        ],
    )
    .await;

    // Garbage on stdout: logged, kept out of the protocol, named in the reason.
    let pidfile = fx.root.join("garbage.pid");
    let script = format!(
        "echo $$ > {}; while true; do echo hello, I am not JSON-RPC; sleep 0.2; done",
        pidfile.display()
    );
    expect_failed_start(
        &hub,
        &fx,
        stdio("garbage", "sh", &["-c", &script]),
        &[
            "did not answer the MCP initialize request within 4 s",
            "not JSON-RPC on stdout",
            "hello, I am not JSON-RPC",
        ],
    )
    .await;
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_group_gone(pid);

    // Silent: reads its stdin and never answers.
    let pidfile = fx.root.join("silent.pid");
    let script = format!(
        "echo $$ > {}; cat > /dev/null; sleep 600",
        pidfile.display()
    );
    expect_failed_start(
        &hub,
        &fx,
        stdio("silent", "sh", &["-c", &script]),
        &[
            "did not answer the MCP initialize request within 4 s",
            "so it was stopped",
        ],
    )
    .await;
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_group_gone(pid);

    // A working directory that vanished after it was saved.
    let dir = fx.root.join("gone");
    std::fs::create_dir_all(&dir).unwrap();
    let mut input = everything("vanished-dir");
    input.working_directory = Some(dir.display().to_string());
    let server = hub.create(input).unwrap();
    std::fs::remove_dir(&dir).unwrap();
    let err = hub.start(server.id).await.unwrap_err();
    assert!(err.to_string().contains("does not exist any more"), "{err}");
    assert_eq!(hub.get(server.id).unwrap().state, McpState::Failed);

    // A stop clears a failure.
    assert_eq!(hub.stop(server.id).await.unwrap().state, McpState::Stopped);
}

/// An MCP server in a few lines of shell: answers initialize, then exits
/// after `life` seconds (a crash from the hub's point of view).
fn short_lived_server(life: &str) -> String {
    format!(
        r#"read line
id=$(printf '%s' "$line" | sed 's/.*"id":\([0-9]*\).*/\1/')
printf '{{"jsonrpc":"2.0","id":%s,"result":{{"protocolVersion":"2025-06-18","capabilities":{{}},"serverInfo":{{"name":"flaky","version":"1"}}}}}}\n' "$id"
echo "about to crash" >&2
sleep {life}
exit 7"#
    )
}

async fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_reported_and_auto_restart_gives_up_on_a_crash_loop() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();

    // Killed from outside, no auto-restart: failed, with the reason.
    let server = hub.create(everything("killed")).unwrap();
    let pid = hub.start(server.id).await.unwrap().pid.unwrap();
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    wait_for("the crash to be noticed", Duration::from_secs(5), || {
        hub.get(server.id).unwrap().state == McpState::Failed
    })
    .await;
    let failed = hub.get(server.id).unwrap();
    assert!(
        failed
            .error
            .as_deref()
            .unwrap()
            .contains("exited on its own (signal 9)"),
        "{failed:?}"
    );
    assert_group_gone(pid);
    assert!(fx
        .store
        .recorded_processes(PROCESS_KIND)
        .unwrap()
        .is_empty());

    // With auto-restart: it comes back after a crash.
    let mut input = everything("phoenix");
    input.auto_restart = true;
    let server = hub.create(input).unwrap();
    let pid = hub.start(server.id).await.unwrap().pid.unwrap();
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    wait_for("the automatic restart", Duration::from_secs(20), || {
        let s = hub.get(server.id).unwrap();
        s.state == McpState::Running && s.pid != Some(pid)
    })
    .await;
    assert_eq!(hub.get(server.id).unwrap().restarts, 1);
    hub.stop(server.id).await.unwrap();

    // A server that dies right after every start: restarted with backoff,
    // then given up on, marked failed with its last words.
    let mut input = stdio("crash-loop", "sh", &["-c", &short_lived_server("0.2")]);
    input.auto_restart = true;
    let server = hub.create(input).unwrap();
    let first = hub.start(server.id).await.unwrap();
    assert_eq!(first.server_info.unwrap().name, "flaky");
    wait_for("auto-restart to give up", Duration::from_secs(30), || {
        let s = hub.get(server.id).unwrap();
        s.state == McpState::Failed && s.error.as_deref().is_some_and(|e| e.contains("gave up"))
    })
    .await;
    let given_up = hub.get(server.id).unwrap();
    assert_eq!(given_up.restarts, 4, "{given_up:?}");
    let error = given_up.error.unwrap();
    assert!(
        error.contains("exit code 7") && error.contains("about to crash"),
        "{error}"
    );
    // And it stays down.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hub.get(server.id).unwrap().state, McpState::Failed);
    assert!(fx
        .store
        .recorded_processes(PROCESS_KIND)
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_app_stops_orphans_and_starts_their_servers_again() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let first_run = fx.hub();
    let server = first_run.create(everything("survivor")).unwrap();
    let old_pid = first_run.start(server.id).await.unwrap().pid.unwrap();
    // The app dies: this hub is forgotten without a stop; its process lives on.
    std::mem::forget(first_run);

    let second_run = fx.hub();
    let again = second_run.reconcile().await.unwrap();
    assert_eq!(again, vec![server.id]);
    assert_group_gone(old_pid);
    let back = second_run.get(server.id).unwrap();
    assert_eq!(back.state, McpState::Running);
    let new_pid = back.pid.unwrap();
    assert_ne!(new_pid, old_pid);
    let records = fx.store.recorded_processes(PROCESS_KIND).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].process.pid, new_pid);
    second_run.stop(server.id).await.unwrap();
    assert_group_gone(new_pid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_server_over_streamable_http() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut http_server = tokio::process::Command::new("mcp-server-everything")
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_for("the HTTP server to listen", Duration::from_secs(15), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
    .await;
    let mut input = McpServerInput {
        name: "remote".into(),
        transport: McpTransport::Http,
        url: Some(format!("http://127.0.0.1:{port}/mcp")),
        ..Default::default()
    };
    input.headers.insert("X-Test".into(), "yes".into());
    let server = hub.create(input).unwrap();
    let running = hub.start(server.id).await.unwrap();
    assert_eq!(running.state, McpState::Running);
    assert_eq!(running.pid, None);
    let call = hub
        .call_tool(server.id, "echo", json!({ "message": "over http" }))
        .await
        .unwrap();
    assert_eq!(text_of(&call.content), "Echo: over http");
    hub.stop(server.id).await.unwrap();

    // Nobody listening: a clear failure.
    http_server.kill().await.unwrap();
    let err = hub.start(server.id).await.unwrap_err();
    assert!(
        err.to_string().contains("Could not connect"),
        "{}",
        err.with_detail_text()
    );
    assert_eq!(hub.get(server.id).unwrap().state, McpState::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_lands_good_entries_and_reports_bad_ones() {
    let fx = Fixture::new();
    let hub = fx.hub();
    hub.create(everything("already-here")).unwrap();
    let report = hub
        .import(
            r#"{"mcpServers": {
                "everything": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"], "env": {"DEBUG": "1"}},
                "remote": {"type": "http", "url": "http://127.0.0.1:3001/mcp", "headers": {"Authorization": "Bearer abc"}},
                "broken": {"command": "npx", "args": "-y something"},
                "shell-line": {"command": "npx -y something"},
                "already-here": {"command": "node"}
            }}"#,
        )
        .unwrap();
    let mut imported: Vec<_> = report.imported.iter().map(|s| s.name.as_str()).collect();
    imported.sort();
    assert_eq!(imported, ["everything", "remote"]);
    let refused: std::collections::HashMap<_, _> = report
        .refused
        .iter()
        .map(|r| (r.name.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused["broken"].contains("\"args\" must be a list of strings"));
    assert!(refused["shell-line"].contains("not a shell line"));
    assert!(refused["already-here"].contains("already registered"));

    let everything = hub
        .list()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "everything")
        .unwrap();
    assert_eq!(
        everything.args,
        ["-y", "@modelcontextprotocol/server-everything"]
    );
    // Values come masked; the stored one is what was imported.
    assert_eq!(everything.env["DEBUG"], ai_desktop_api::secrets::MASKED);
    assert_eq!(
        hub.reveal(
            everything.id,
            ai_desktop_api::secrets::SecretPart::Env,
            "DEBUG"
        )
        .unwrap(),
        "1"
    );
    let remote = hub
        .list()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "remote")
        .unwrap();
    assert_eq!(remote.transport, McpTransport::Http);
    assert_eq!(
        hub.reveal(
            remote.id,
            ai_desktop_api::secrets::SecretPart::Header,
            "Authorization"
        )
        .unwrap(),
        "Bearer abc"
    );
    // The existing server was not touched.
    let kept = hub
        .list()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "already-here")
        .unwrap();
    assert_eq!(kept.command, "mcp-server-everything");

    // A document that is not JSON changes nothing.
    let before = hub.list().unwrap().len();
    let err = hub.import("{\"mcpServers\": {\"x\": ").unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(hub.list().unwrap().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_are_edited_duplicated_and_deleted_with_their_history() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let mut input = everything("alpha");
    input.env.insert("API_KEY".into(), "s3cret".into());
    let alpha = hub.create(input.clone()).unwrap();
    assert_eq!(alpha.env["API_KEY"], ai_desktop_api::secrets::MASKED);
    assert_eq!(
        hub.reveal(
            alpha.id,
            ai_desktop_api::secrets::SecretPart::Env,
            "API_KEY"
        )
        .unwrap(),
        "s3cret"
    );

    // Names are unique regardless of case; bad input changes nothing.
    let err = hub.create(everything("ALPHA")).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let mut bad = input.clone();
    bad.working_directory = Some("/no/such/dir".into());
    assert!(matches!(
        hub.update(alpha.id, bad).unwrap_err(),
        Error::InvalidInput(_)
    ));
    assert_eq!(hub.get(alpha.id).unwrap(), alpha);

    let copy = hub.duplicate(alpha.id).unwrap();
    assert_eq!(copy.name, "alpha copy");
    assert_eq!(copy.env, alpha.env);
    assert_eq!(hub.duplicate(alpha.id).unwrap().name, "alpha copy 2");

    let mut renamed = input.clone();
    renamed.name = "beta".into();
    renamed.description = Some("  the second  ".into());
    let beta = hub.update(alpha.id, renamed).unwrap();
    assert_eq!(beta.name, "beta");
    assert_eq!(beta.description.as_deref(), Some("the second"));

    hub.start(beta.id).await.unwrap();
    let pid = hub.get(beta.id).unwrap().pid.unwrap();
    hub.call_tool(beta.id, "echo", json!({ "message": "x" }))
        .await
        .unwrap();
    assert_eq!(hub.history(beta.id).unwrap().len(), 1);
    // Deleting a running server stops it first; its history goes with it.
    hub.delete(beta.id).await.unwrap();
    assert_group_gone(pid);
    assert!(matches!(hub.get(beta.id).unwrap_err(), Error::NotFound(_)));
    let orphans: i64 = fx
        .store
        .with(|c| Ok(c.query_row("SELECT COUNT(*) FROM mcp_calls", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(orphans, 0);
    assert!(fx
        .events
        .take()
        .iter()
        .any(|e| matches!(e, DomainEvent::McpDeleted(id) if *id == beta.id)));
}

#[test]
fn the_environment_keeps_the_apps_secrets() {
    // Setting a variable races with threads reading the environment: alone.
    if ai_desktop_core::testkit::isolated("mcp::the_environment_keeps_the_apps_secrets") {
        return;
    }
    // Only allow-listed variables reach a server; an API key the app was
    // started with does not.
    std::env::set_var("OPENAI_API_KEY_FOR_TEST", "sk-nope");
    let env = ai_desktop_core::procs::user_env();
    assert!(env.iter().any(|(k, _)| k == "PATH"));
    assert!(!env.iter().any(|(k, _)| k == "OPENAI_API_KEY_FOR_TEST"));
}

/// Env and header values never reach the page in lists, results or events:
/// they come masked, a masked value sent back keeps the stored one, and
/// one value at a time is revealed on request.
#[tokio::test(flavor = "multi_thread")]
async fn secret_values_cross_ipc_only_when_revealed() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    use ai_desktop_api::secrets::{SecretPart, MASKED};
    const TOKEN: &str = "planted-env-secret-7781";
    const AUTH: &str = "Bearer planted-header-secret-9923";
    let f = Fixture::new();
    let hub = f.hub();
    let mut input = stdio("alpha", "mcp-server-everything", &[]);
    input.env.insert("API_TOKEN".into(), TOKEN.into());
    let created = hub.create(input.clone()).unwrap();
    assert_eq!(created.env["API_TOKEN"], MASKED);
    let web = hub
        .create(McpServerInput {
            name: "web".into(),
            transport: McpTransport::Http,
            url: Some("https://mcp.example.com/mcp".into()),
            headers: [("Authorization".to_string(), AUTH.to_string())].into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(web.headers["Authorization"], MASKED);
    for server in hub.list().unwrap() {
        let text = serde_json::to_string(&server).unwrap();
        assert!(!text.contains(TOKEN) && !text.contains(AUTH), "{text}");
    }
    for event in f.events.take() {
        let text = format!("{event:?}");
        assert!(
            !text.contains(TOKEN) && !text.contains(AUTH),
            "an event: {text}"
        );
    }
    // Revealed on request, one value.
    assert_eq!(
        hub.reveal(created.id, SecretPart::Env, "API_TOKEN")
            .unwrap(),
        TOKEN
    );
    assert_eq!(
        hub.reveal(web.id, SecretPart::Header, "Authorization")
            .unwrap(),
        AUTH
    );
    assert!(matches!(
        hub.reveal(created.id, SecretPart::Env, "NOPE"),
        Err(Error::NotFound(_))
    ));
    // An edit that sends the mask back keeps the stored value; a new key
    // with the mask must be entered; nothing changes on refusal.
    let mut edit = input.clone();
    edit.env.insert("API_TOKEN".into(), MASKED.into());
    edit.description = Some("edited".into());
    hub.update(created.id, edit.clone()).unwrap();
    assert_eq!(
        hub.reveal(created.id, SecretPart::Env, "API_TOKEN")
            .unwrap(),
        TOKEN
    );
    edit.env.insert("OTHER".into(), MASKED.into());
    let err = hub.update(created.id, edit).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let mut copy = input;
    copy.name = "copy".into();
    copy.env.insert("API_TOKEN".into(), MASKED.into());
    assert!(matches!(hub.create(copy), Err(Error::InvalidInput(_))));
    // Duplicate copies the real values, not the mask.
    let dup = hub.duplicate(created.id).unwrap();
    assert_eq!(
        hub.reveal(dup.id, SecretPart::Env, "API_TOKEN").unwrap(),
        TOKEN
    );
    // And the server gets the real value.
    hub.start(created.id).await.unwrap();
    let got = hub
        .call_tool(created.id, "get-env", json!({}))
        .await
        .unwrap();
    let text = serde_json::to_string(&got.content).unwrap();
    assert!(
        text.contains(TOKEN),
        "the server did not get its value: {text}"
    );
    hub.stop_all().await;
}

/// The open question server-everything asked, once its event came.
async fn asked(fx: &Fixture) -> ai_desktop_api::mcp::McpElicitation {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = fx.events.take().into_iter().find_map(|e| match e {
            DomainEvent::McpElicitation(q) => Some(*q),
            _ => None,
        });
        if let Some(q) = found {
            return q;
        }
        assert!(Instant::now() < deadline, "no question was asked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A server's question (elicitation) reaches the user as a form with the
/// server's defaults; an answer that does not match the schema is refused
/// and the question stays; the accepted values reach the server; declining
/// reaches it too; a stopped server's question goes away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_question_reaches_the_user_and_their_answer_the_server() {
    use ai_desktop_api::mcp::{McpElicitAction, McpElicitKind};
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let server = hub.create(everything("asker")).unwrap();
    hub.start(server.id).await.unwrap();
    let tools = hub.tools(server.id).await.unwrap();
    assert!(
        tools
            .iter()
            .any(|t| t.name == "trigger-elicitation-request"),
        "server-everything offers its elicitation tool only to clients that declare the capability"
    );

    let call = {
        let hub = hub.clone();
        tokio::spawn(async move {
            hub.call_tool(server.id, "trigger-elicitation-request", json!({}))
                .await
        })
    };
    let q = asked(&fx).await;
    assert_eq!(q.server_name, "asker");
    assert_eq!(hub.elicitations(), vec![q.clone()]);
    let field = |n: &str| q.fields.iter().find(|f| f.name == n).unwrap();
    assert!(
        matches!(&field("email").kind, McpElicitKind::Text { format: Some(f), .. } if f == "email")
    );
    assert!(matches!(
        field("integer").kind,
        McpElicitKind::Number { integer: true, .. }
    ));
    assert!(
        matches!(&field("titledSingleSelectEnum").kind, McpElicitKind::Choice { options, multiple: false } if options.len() == 3)
    );
    let mut answer = q.defaults();
    assert_eq!(
        answer["firstLine"],
        json!("It was a dark and stormy night.")
    );
    // Out of range: refused, nothing sent, still open.
    answer.insert("integer".into(), json!(500));
    let err = hub
        .answer_elicitation(q.id, McpElicitAction::Accept, Some(json!(answer.clone())))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(hub.elicitations().len(), 1);
    answer.insert("integer".into(), json!(7));
    answer.insert("name".into(), json!("Ada Lovelace"));
    hub.answer_elicitation(q.id, McpElicitAction::Accept, Some(json!(answer)))
        .unwrap();
    let result = call.await.unwrap().unwrap();
    let text = text_of(&result.content);
    assert!(
        text.contains("Ada Lovelace") && text.contains("accept"),
        "{text}"
    );
    assert!(hub.elicitations().is_empty());
    assert!(fx
        .events
        .take()
        .contains(&DomainEvent::McpElicitationDone(q.id)));
    // Answered once only.
    assert!(hub
        .answer_elicitation(q.id, McpElicitAction::Decline, None)
        .is_err());

    // Declined: the server hears it.
    let call = {
        let hub = hub.clone();
        tokio::spawn(async move {
            hub.call_tool(server.id, "trigger-elicitation-request", json!({}))
                .await
        })
    };
    let q = asked(&fx).await;
    hub.answer_elicitation(q.id, McpElicitAction::Decline, None)
        .unwrap();
    let text = text_of(&call.await.unwrap().unwrap().content);
    assert!(text.contains("decline"), "{text}");

    // Stopping the server takes its open question away.
    let pending = {
        let hub = hub.clone();
        tokio::spawn(async move {
            hub.call_tool(server.id, "trigger-elicitation-request", json!({}))
                .await
        })
    };
    let q = asked(&fx).await;
    hub.stop(server.id).await.unwrap();
    assert!(hub.elicitations().is_empty());
    assert!(fx
        .events
        .take()
        .contains(&DomainEvent::McpElicitationDone(q.id)));
    let _ = pending.await;
}

/// A question nobody answers is cancelled when its time is up: the form
/// goes from the window and the server hears "cancel" (the call's own
/// timeout does not run meanwhile: it is shorter here than the wait).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_nobody_answers_is_cancelled_when_its_time_is_up() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub_with(|c| {
        c.elicitation_timeout = Duration::from_millis(1500);
        c.call_timeout = Duration::from_millis(1000);
    });
    let server = hub.create(everything("patient")).unwrap();
    hub.start(server.id).await.unwrap();
    let started = Instant::now();
    let call = {
        let hub = hub.clone();
        tokio::spawn(async move {
            hub.call_tool(server.id, "trigger-elicitation-request", json!({}))
                .await
        })
    };
    let q = asked(&fx).await;
    assert_eq!(q.timeout_secs, 1);
    let result = call.await.unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert!(result.error.is_none(), "{:?}", result.error);
    let text = text_of(&result.content);
    assert!(text.contains("cancel"), "{text}");
    assert!(hub.elicitations().is_empty());
    assert!(fx
        .events
        .take()
        .contains(&DomainEvent::McpElicitationDone(q.id)));
    hub.stop(server.id).await.unwrap();
}

/// A browser that loads the sign-in page and follows its redirect back to
/// the app (the suite's authorization server approves at once); counts how
/// often it was sent, and keeps the URLs.
#[derive(Default)]
struct FollowingBrowser {
    opened: std::sync::Mutex<Vec<String>>,
}

impl ai_desktop_core::mcp::oauth::Browser for FollowingBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        self.opened.lock().unwrap().push(url.to_string());
        let url = url.to_string();
        tokio::spawn(async move {
            let _ = reqwest::get(&url).await;
        });
        Ok(())
    }
}

/// An OAuth-protected server (the conformance suite's, on a loopback port):
/// the start signs in (discovery, registration, the browser round trip with
/// PKCE, the token exchange), the tokens are kept 0600 and reused by the
/// next start without the browser, never reach the logs or the server's
/// record, and signing out forgets them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_protected_server_is_signed_in_to_once_and_its_tokens_kept_privately() {
    use ai_desktop_api::mcp::{McpAuthStage, McpStepState};
    use std::os::unix::fs::PermissionsExt;
    if !real_tools("node 22 and the MCP conformance suite") {
        return;
    }
    let suite =
        ai_desktop_core::testkit::conformance::ScenarioServer::start("auth/metadata-default");
    let fx = Fixture::new();
    let hub = fx.hub();
    let browser = Arc::new(FollowingBrowser::default());
    hub.set_browser(browser.clone());
    let server = hub
        .create(McpServerInput {
            name: "protected".into(),
            transport: McpTransport::Http,
            url: Some(suite.url.clone()),
            ..Default::default()
        })
        .unwrap();
    let running = hub.start(server.id).await.unwrap();
    assert_eq!(running.state, McpState::Running, "{:?}", running.error);
    assert!(running.signed_in);
    let stages: Vec<_> = running.auth.iter().map(|s| (s.stage, s.state)).collect();
    assert_eq!(
        stages,
        [
            (McpAuthStage::Discovery, McpStepState::Done),
            (McpAuthStage::Registration, McpStepState::Done),
            (McpAuthStage::Browser, McpStepState::Done),
            (McpAuthStage::Token, McpStepState::Done),
        ]
    );
    let opened = browser.opened.lock().unwrap().clone();
    assert_eq!(opened.len(), 1);
    assert!(
        opened[0].contains("code_challenge_method=S256")
            && opened[0].contains("redirect_uri=http%3A%2F%2F127.0.0.1"),
        "{}",
        opened[0]
    );
    assert!(!hub.tools(server.id).await.unwrap().is_empty());

    // The tokens: 0600, in the data folder, nowhere else.
    let file = fx
        .root
        .join("data/oauth")
        .join(format!("{}.json", server.id));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let token = kept["token_response"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(token.len() > 8);
    let logs: String = hub
        .logs(server.id)
        .unwrap()
        .since(0)
        .into_iter()
        .map(|l| l.text + "\n")
        .collect();
    assert!(!logs.contains(&token), "a token in the log");
    let record = serde_json::to_string(&hub.get(server.id).unwrap()).unwrap();
    assert!(
        !record.contains(&token),
        "a token in the record the window gets"
    );

    // The next start uses them: no browser.
    hub.stop(server.id).await.unwrap();
    let again = hub.start(server.id).await.unwrap();
    assert_eq!(again.state, McpState::Running, "{:?}", again.error);
    assert_eq!(browser.opened.lock().unwrap().len(), 1, "signed in again");

    // Signing out forgets them.
    hub.stop(server.id).await.unwrap();
    let out = hub.sign_out(server.id).unwrap();
    assert!(!out.signed_in && out.auth.is_empty());
    assert!(!file.exists());
}

/// A prompt filled in with its arguments; a required one left out and an
/// unknown prompt are refused before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_is_filled_in_with_its_arguments() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let server = hub.create(everything("prompts")).unwrap();
    hub.start(server.id).await.unwrap();
    let args = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let filled = hub
        .get_prompt(
            server.id,
            "args-prompt",
            args(&[("city", "Paris"), ("state", "Île-de-France")]),
        )
        .await
        .unwrap();
    assert_eq!(filled.messages.len(), 1);
    assert_eq!(filled.messages[0].role, "user");
    assert_eq!(
        text_of(std::slice::from_ref(&filled.messages[0].content)),
        "What's weather in Paris, Île-de-France?"
    );
    let err = hub
        .get_prompt(server.id, "args-prompt", args(&[("state", "x")]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("city")),
        "{err:?}"
    );
    let err = hub
        .get_prompt(server.id, "no-such-prompt", args(&[]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

/// The servers leave as the `mcpServers` document other clients read:
/// without env and header values unless asked, and with them a fresh
/// app imports the same servers back.
#[test]
fn servers_export_for_other_clients_and_import_back() {
    let fx = Fixture::new();
    let hub = fx.hub();
    let mut stdio = stdio("files", "mcp-server-filesystem", &["/srv"]);
    stdio.env.insert("API_KEY".into(), "sk-very-secret".into());
    hub.create(stdio).unwrap();
    hub.create(McpServerInput {
        name: "remote".into(),
        transport: McpTransport::Http,
        url: Some("https://mcp.example.org/mcp".into()),
        headers: [("Authorization".to_string(), "Bearer t0ken-123".to_string())].into(),
        ..Default::default()
    })
    .unwrap();

    let plain: serde_json::Value = serde_json::from_str(&hub.export(false).unwrap()).unwrap();
    assert_eq!(
        plain,
        json!({"mcpServers": {
            "files": {"command": "mcp-server-filesystem", "args": ["/srv"], "env": {"API_KEY": ""}},
            "remote": {"type": "http", "url": "https://mcp.example.org/mcp", "headers": {"Authorization": ""}}
        }})
    );
    let full = hub.export(true).unwrap();
    assert!(full.contains("sk-very-secret") && full.contains("t0ken-123"));

    let other = Fixture::new();
    let hub2 = other.hub();
    let report = hub2.import(&full).unwrap();
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(hub2.export(true).unwrap(), full);
}

/// The raw protocol view: the handshake and a call, both ways, in order,
/// with a secret the app holds blanked wherever it appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_both_ways_is_kept_with_secrets_blanked() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let mut input = everything("wired");
    input
        .env
        .insert("WIRE_SECRET".into(), "s3cret-on-the-wire".into());
    let server = hub.create(input).unwrap();
    hub.start(server.id).await.unwrap();
    hub.call_tool(
        server.id,
        "echo",
        json!({"message": "s3cret-on-the-wire and more"}),
    )
    .await
    .unwrap();
    let wire = hub.wire(server.id, None).unwrap();
    let method = |m: &ai_desktop_api::mcp::McpWireMessage| {
        serde_json::from_str::<serde_json::Value>(&m.text).unwrap()["method"]
            .as_str()
            .map(str::to_string)
    };
    assert!(wire[0].sent);
    assert_eq!(method(&wire[0]).as_deref(), Some("initialize"));
    assert!(!wire[1].sent, "the server's answer next");
    assert!(wire.windows(2).all(|w| w[0].seq < w[1].seq));
    let call = wire
        .iter()
        .find(|m| m.sent && method(m).as_deref() == Some("tools/call"))
        .expect("the call was sent");
    assert!(call.text.contains("*** and more"), "{}", call.text);
    assert!(wire.iter().all(|m| !m.text.contains("s3cret-on-the-wire")));
    let answer = wire
        .iter()
        .find(|m| !m.sent && m.seq > call.seq && m.text.contains("Echo:"))
        .expect("the answer came back");
    // Read again after the last seen: only what is newer.
    assert!(hub
        .wire(server.id, Some(answer.seq))
        .unwrap()
        .iter()
        .all(|m| m.seq > answer.seq));
}

/// A pre-registered OAuth client: its secret is masked like other secrets,
/// kept when saved untouched, and a secret without its id is refused.
#[test]
fn a_pre_registered_oauth_client_is_kept_with_its_secret_masked() {
    let fx = Fixture::new();
    let hub = fx.hub();
    let input = McpServerInput {
        name: "github".into(),
        transport: McpTransport::Http,
        url: Some("https://mcp.example.org/mcp".into()),
        oauth_client_id: Some(" my-app ".into()),
        oauth_client_secret: Some("client-s3cret".into()),
        ..Default::default()
    };
    let server = hub.create(input.clone()).unwrap();
    assert_eq!(server.oauth_client_id.as_deref(), Some("my-app"));
    assert_eq!(
        server.oauth_client_secret.as_deref(),
        Some(ai_desktop_api::secrets::MASKED)
    );
    // Saved as the page sends it back (masked): the stored secret stays.
    let mut again = input.clone();
    again.oauth_client_secret = Some(ai_desktop_api::secrets::MASKED.into());
    hub.update(server.id, again).unwrap();
    let stored: Option<String> = fx
        .store
        .with(|c| {
            Ok(c.query_row(
                "SELECT oauth_client_secret FROM mcp_servers WHERE id = ?1",
                [server.id],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(stored.as_deref(), Some("client-s3cret"));
    let mut lonely = input;
    lonely.name = "other".into();
    lonely.oauth_client_id = None;
    let err = hub.create(lonely).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

/// A resource template: listed with its variables, read once they are
/// filled in; a variable left out is refused before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_template_is_read_with_its_variables_filled_in() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let server = hub.create(everything("templates")).unwrap();
    hub.start(server.id).await.unwrap();
    let templates = hub.resource_templates(server.id).await.unwrap();
    let text = templates
        .iter()
        .find(|t| t.name == "Dynamic Text Resource")
        .unwrap_or_else(|| panic!("{templates:?}"));
    assert_eq!(text.parameters.len(), 1, "{text:?}");
    let values = [(text.parameters[0].clone(), "7".to_string())].into();
    let read = hub
        .read_template(server.id, &text.uri_template, &values)
        .await
        .unwrap();
    let shown: String = read
        .contents
        .iter()
        .filter_map(|c| match c {
            McpContent::Resource { text, .. } => text.clone(),
            McpContent::Text { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(
        shown.contains("Resource 7: This is a plaintext resource"),
        "{shown}"
    );
    assert!(read.uri.ends_with('7'), "{}", read.uri);
    let err = hub
        .read_template(server.id, &text.uri_template, &Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

/// A watched resource: the server's change notice reaches the window as an
/// event naming the server and the resource; unwatched, they stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_resource_tells_when_it_changes() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let server = hub.create(everything("watched")).unwrap();
    hub.start(server.id).await.unwrap();
    let uri = hub.resources(server.id).await.unwrap()[0].uri.clone();
    hub.subscribe(server.id, &uri, true).await.unwrap();
    // server-everything then sends a change notice every 5 s.
    hub.call_tool(server.id, "toggle-subscriber-updates", json!({}))
        .await
        .unwrap();
    let want = DomainEvent::McpResourceUpdated(ai_desktop_api::mcp::McpResourceUpdated {
        server_id: server.id,
        uri: uri.clone(),
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if fx.events.take().contains(&want) {
            break;
        }
        assert!(Instant::now() < deadline, "no change notice for {uri}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    hub.subscribe(server.id, &uri, false).await.unwrap();
    let err = hub.subscribe(server.id, "", true).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let pid = hub.get(server.id).unwrap().pid.unwrap();
    hub.stop(server.id).await.unwrap();
    assert_group_gone(pid);
}

/// Requests typed in the raw protocol view: sent as typed and answered as
/// JSON; what would break the session or call a turned-off tool is refused;
/// kept requests are listed by name and forgotten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_requests_are_sent_kept_and_replayed() {
    use ai_desktop_api::mcp::McpSavedRequest;
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let hub = fx.hub();
    let server = hub.create(everything("raw")).unwrap();
    hub.start(server.id).await.unwrap();
    let listed = hub.send_request(server.id, "tools/list", "").await.unwrap();
    assert!(listed.contains("\"echo\""), "{listed}");
    let echoed = hub
        .send_request(
            server.id,
            "tools/call",
            r#"{"name": "echo", "arguments": {"message": "raw hi"}}"#,
        )
        .await
        .unwrap();
    assert!(echoed.contains("Echo: raw hi"), "{echoed}");
    for (method, params) in [
        ("initialize", ""),
        ("notifications/initialized", ""),
        ("tools/list", "[1]"),
        ("tools/list", "{oops"),
        ("", ""),
    ] {
        let err = hub
            .send_request(server.id, method, params)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "{method} {params}: {err:?}"
        );
    }
    assert!(hub
        .send_request(server.id, "no/such-method", "")
        .await
        .is_err());
    hub.set_tool_enabled(server.id, "echo", false).unwrap();
    let err = hub
        .send_request(
            server.id,
            "tools/call",
            r#"{"name": "echo", "arguments": {"message": "x"}}"#,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");

    let keep = |name: &str, method: &str| McpSavedRequest {
        name: name.into(),
        method: method.into(),
        params: String::new(),
    };
    hub.save_request(server.id, keep("list", "tools/list"), false)
        .unwrap();
    let saved = hub
        .save_request(server.id, keep("prompts", "prompts/list"), false)
        .unwrap();
    assert_eq!(
        saved.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["list", "prompts"]
    );
    // Kept across a restart of the hub (in the database).
    assert_eq!(fx.hub().saved_requests(server.id).unwrap(), saved);
    let left = hub.save_request(server.id, keep("list", ""), true).unwrap();
    assert_eq!(left.len(), 1);
    assert!(hub.save_request(server.id, keep(" ", "x"), false).is_err());
}

/// The time a server waits for the user's answer does not count against the
/// call's timeout: an answer after the timeout still reaches the tool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_the_users_answer_does_not_time_the_call_out() {
    if !real_tools("node and the npm MCP servers") {
        return;
    }
    let fx = Fixture::new();
    let home = fx.root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut config = McpConfig::new(vec![
        ("PATH".into(), std::env::var("PATH").unwrap()),
        ("HOME".into(), home.display().to_string()),
    ]);
    config.call_timeout = Duration::from_secs(1);
    let hub = McpHub::new(fx.store.clone(), fx.events.clone(), config).unwrap();
    let server = hub.create(everything("patient")).unwrap();
    hub.start(server.id).await.unwrap();
    let call = {
        let hub = hub.clone();
        tokio::spawn(async move {
            hub.call_tool(server.id, "trigger-elicitation-request", json!({}))
                .await
        })
    };
    let q = asked(&fx).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut answer = q.defaults();
    answer.insert("name".into(), json!("Slow Typist"));
    hub.answer_elicitation(
        q.id,
        ai_desktop_api::mcp::McpElicitAction::Accept,
        Some(json!(answer)),
    )
    .unwrap();
    let result = call.await.unwrap().unwrap();
    assert_eq!(result.error, None);
    assert!(text_of(&result.content).contains("Slow Typist"));
}

/// A server's OAuth tokens are forgotten when its address or its OAuth
/// client changes (they were issued for the old one), and kept otherwise.
#[test]
fn tokens_are_forgotten_when_the_servers_address_changes() {
    let fx = Fixture::new();
    let hub = fx.hub();
    let input = McpServerInput {
        name: "remote".into(),
        transport: McpTransport::Http,
        url: Some("https://one.example.org/mcp".into()),
        ..Default::default()
    };
    let server = hub.create(input.clone()).unwrap();
    let tokens = fx
        .root
        .join("data/oauth")
        .join(format!("{}.json", server.id));
    let plant = || {
        std::fs::create_dir_all(tokens.parent().unwrap()).unwrap();
        std::fs::write(&tokens, "{\"client_id\":\"c\"}").unwrap();
    };
    plant();
    assert!(hub.get(server.id).unwrap().signed_in);
    let mut renamed = input.clone();
    renamed.description = Some("same address".into());
    hub.update(server.id, renamed).unwrap();
    assert!(tokens.exists(), "kept: same address");
    let mut moved = input.clone();
    moved.url = Some("https://two.example.org/mcp".into());
    let after = hub.update(server.id, moved.clone()).unwrap();
    assert!(
        !tokens.exists() && !after.signed_in,
        "forgotten: another address"
    );
    plant();
    moved.oauth_client_id = Some("another-app".into());
    hub.update(server.id, moved).unwrap();
    assert!(!tokens.exists(), "forgotten: another OAuth client");
}
